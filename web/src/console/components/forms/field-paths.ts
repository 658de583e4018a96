import { ApiError } from '../../../shared/api/client';

/** One refused input as the API names it: `{ path: "body.settings.bindUser", field: "Bind user", message }`. */
export interface ServerFieldError {
  path: string;
  field: string;
  message: string;
}

/** What a failed save shows: the server's message, and the refused inputs (possibly none). */
export interface ServerFailure {
  code: string | null;
  message: string;
  details: ServerFieldError[];
}

export function toFailure(error: unknown): ServerFailure {
  if (error instanceof ApiError) {
    const raw = Array.isArray(error.details) ? error.details : [];
    const details = raw.filter((d): d is ServerFieldError => !!d && typeof d === 'object' && typeof d.path === 'string' && typeof d.message === 'string');
    return { code: error.code, message: error.message, details: details.map((d) => ({ ...d, field: typeof d.field === 'string' ? d.field : d.path })) };
  }
  if (error instanceof Error) return { code: null, message: error.message || 'Something went wrong', details: [] };
  return { code: null, message: 'Something went wrong', details: [] };
}

/** "body.settings.urls.0" → "settings.urls.0": the request location is not part of a form's field names. */
export function stripLocation(path: string): string {
  return path.replace(/^(body|query|querystring|params)(\.|$)/, '');
}

/**
 * The form field a server path belongs to, or undefined. Tried in order, longest first
 * ("settings.urls.0", "settings.urls", "settings"): an alias the form declared, then a field it
 * shows under that name; last, the one field named like the path's last named segment
 * ("settings.bindUser" → "bindUser").
 */
export function fieldForPath(path: string, known: ReadonlySet<string>, aliases: Readonly<Record<string, string>> = {}): string | undefined {
  const segments = stripLocation(path).split('.').filter(Boolean);
  for (let n = segments.length; n > 0; n--) {
    const candidate = segments.slice(0, n).join('.');
    if (aliases[candidate]) return aliases[candidate];
    if (known.has(candidate)) return candidate;
  }
  const last = [...segments].reverse().find((s) => !/^\d+$/.test(s));
  if (!last) return undefined;
  const matches = [...known].filter((k) => k === last || k.endsWith(`.${last}`));
  return matches.length === 1 ? matches[0] : undefined;
}
