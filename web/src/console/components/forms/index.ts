export { FormErrorSummary, SavedNote } from './FormErrorSummary';
export { fieldForPath, stripLocation, toFailure, type ServerFailure, type ServerFieldError } from './field-paths';
export { useServerForm, type ServerForm } from './use-server-form';
