import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../../shared/api/client';
import { queryKeys } from '../../shared/query-keys';
import type { ImageContentType } from '../components/ImageUploadField';

// Icons of SSO applications (PUT/DELETE/GET <application>/icon), shown on the employees' portal.

/** The registry an application lives in: its API address without the id. */
export type ApplicationBase = '/api/oidc/clients' | '/api/saml/service-providers' | '/api/wsfed/relying-parties';

/** As the server checks it (src/applications/application-icon.service.ts). */
export const MAX_ICON_BYTES = 128 * 1024;

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the icon'));
    reader.readAsDataURL(blob);
  });
}

/**
 * The stored icon as a data: URL for the preview (the console's CSP allows images from itself and
 * data:, not blob:), or null when the application has none.
 */
export function useApplicationIcon(base: ApplicationBase, id: string) {
  return useQuery({
    queryKey: queryKeys.applicationIcon(base, id),
    queryFn: async (): Promise<string | null> => {
      const res = await fetch(`${base}/${id}/icon`, { credentials: 'same-origin' });
      if (res.status === 404) return null;
      if (!res.ok) throw new ApiError(res.status, 'request.failed', `Could not load the icon (HTTP ${res.status})`);
      return dataUrl(await res.blob());
    },
  });
}

export function useSetApplicationIcon(base: ApplicationBase, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (icon: { contentType: ImageContentType; base64: string }) => api<void>(`${base}/${id}/icon`, { method: 'PUT', body: icon }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.applicationIcon(base, id) }),
  });
}

export function useRemoveApplicationIcon(base: ApplicationBase, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(`${base}/${id}/icon`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.applicationIcon(base, id) }),
  });
}
