import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api/client';

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'teal', title, message, autoClose: 3000 });
}

export function notifyError(error: unknown, title = 'Action failed'): void {
  notifications.show({ color: 'red', title, message: errorMessage(error), autoClose: 8000 });
}
