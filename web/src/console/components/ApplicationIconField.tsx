import { notifySuccess } from '../../shared/components/notify';
import { MAX_ICON_BYTES, type ApplicationBase, useApplicationIcon, useRemoveApplicationIcon, useSetApplicationIcon } from '../api/application-icons';
import { ImageUploadField } from './ImageUploadField';

/** The icon employees see beside an application on their portal; saved as soon as it is chosen. */
export function ApplicationIconField({ base, id }: { base: ApplicationBase; id: string }) {
  const icon = useApplicationIcon(base, id);
  const set = useSetApplicationIcon(base, id);
  const remove = useRemoveApplicationIcon(base, id);
  return (
    <ImageUploadField
      id={`application-icon-${id}`}
      label="Portal icon"
      noun="icon"
      hint={`PNG, JPEG or WebP, at most ${MAX_ICON_BYTES / 1024} KB, square looks best. Shown beside the application on employees' portal; saved as soon as you choose it.`}
      previewUrl={icon.data ?? null}
      emptyText="No icon: the portal shows the application's initial."
      maxBytes={MAX_ICON_BYTES}
      upload={(image) => set.mutateAsync(image)}
      remove={() => remove.mutateAsync()}
      onChanged={(what) => notifySuccess(what === 'uploaded' ? 'Icon saved.' : 'Icon removed.')}
    />
  );
}
