import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { notifySuccess } from '../../../shared/components/notify';
import { fieldForPath, type ServerFailure, toFailure } from './field-paths';

/** A refused input of the last save, placed on the form field it belongs to (when one shows it). */
export interface PlacedError {
  path: string;
  label: string;
  message: string;
  /** The form's name for the field, when the form shows it. */
  field?: string;
}

export interface SubmitOptions<T> {
  /** A notification after a successful save: a message, or title and message. */
  success?: string | { title: string; message: string } | ((result: T) => string | { title: string; message: string });
  onSuccess?: (result: T) => void;
  onError?: (failure: ServerFailure) => void;
}

export interface FieldProps {
  error?: string;
  'data-form-field': string;
}

/**
 * One form pattern for the console. A save runs through `submit`: the button shows progress
 * (`saving`), success closes or notifies as the form says, and a refused save is shown where the
 * administrator looks: each `details[]` entry of the API's answer goes onto the field it names
 * (`field(name)` gives a Mantine input its `error`, so it is marked aria-invalid with the message
 * under it), the rest into `<FormErrorSummary>` with the server's message. The first marked field
 * is scrolled into view and focused (also inside a long, scrolled modal); without one, the
 * summary is.
 *
 * Field names are the request's paths without `body.` (`name`, `settings.bindUser`); `aliases`
 * maps a server path onto a field the form names differently.
 */
export function useServerForm(options: { aliases?: Record<string, string> } = {}) {
  const id = useId();
  const known = useRef(new Set<string>());
  const summaryRef = useRef<HTMLDivElement | null>(null);
  const [failure, setFailure] = useState<ServerFailure | null>(null);
  const [placed, setPlaced] = useState<PlacedError[]>([]);
  const [saving, setSaving] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const aliases = options.aliases;

  const selectorFor = useCallback((name: string) => `[data-form-field="${CSS.escape(`${id}:${name}`)}"]`, [id]);

  const fail = useCallback(
    (error: unknown) => {
      const f = toFailure(error);
      const next = f.details.map((d) => ({ path: d.path, label: d.field, message: d.message, field: fieldForPath(d.path, known.current, aliases) }));
      setFailure(f);
      setPlaced(next);
      setSavedAt(null);
      setFocusRequest((n) => n + 1);
      return f;
    },
    [aliases],
  );

  // After a refused save has rendered: bring the first marked field (or the summary) into view.
  useEffect(() => {
    if (!focusRequest) return;
    const first = placed.find((p) => p.field);
    // The first marked input in the form's order; else the one of the first placed error.
    const container = summaryRef.current?.closest('form, [role="dialog"], [data-form-scope]');
    const target =
      (first ? container?.querySelector<HTMLElement>('[aria-invalid="true"]') : null) ??
      (first?.field ? document.querySelector<HTMLElement>(selectorFor(first.field)) : null);
    const element = target ?? summaryRef.current;
    if (!element) return;
    // The summary first, so that in a scrolled modal it is not left above the fold when it fits with the field.
    summaryRef.current?.scrollIntoView({ block: 'nearest' });
    element.scrollIntoView({ block: target ? 'center' : 'nearest' });
    element.focus({ preventScroll: true });
  }, [focusRequest]);

  const clear = useCallback(() => {
    setFailure(null);
    setPlaced([]);
  }, []);

  const submit = useCallback(
    async <T>(run: () => Promise<T>, opts: SubmitOptions<T> = {}): Promise<T | undefined> => {
      clear();
      setSaving(true);
      setSavedAt(null);
      try {
        const result = await run();
        setSavedAt(Date.now());
        const s = typeof opts.success === 'function' ? opts.success(result) : opts.success;
        if (s) typeof s === 'string' ? notifySuccess(s) : notifySuccess(s.message, s.title);
        opts.onSuccess?.(result);
        return result;
      } catch (error) {
        const f = fail(error);
        opts.onError?.(f);
        return undefined;
      } finally {
        setSaving(false);
      }
    },
    [clear, fail],
  );

  /** Props for the Mantine input of `name`; a client-side error, when given, shows first. */
  const field = (name: string, clientError?: string | null): FieldProps => {
    known.current.add(name);
    const server = placed.find((p) => p.field === name)?.message;
    return { error: clientError || server || undefined, 'data-form-field': `${id}:${name}` };
  };

  /**
   * The server's messages for fields a shared component shows through its own `errors` prop
   * (the names are registered, so that the answer's paths find them).
   */
  const errorsFor = <K extends string>(names: readonly K[]): Partial<Record<K, string>> => {
    const out: Partial<Record<K, string>> = {};
    for (const name of names) {
      known.current.add(name);
      const message = placed.find((p) => p.field === name)?.message;
      if (message) out[name] = message;
    }
    return out;
  };

  const focusField = (name: string) => {
    const el = document.querySelector<HTMLElement>(selectorFor(name));
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  };

  return {
    submit,
    /** Show an error that did not come from `submit` (a mutation run elsewhere). */
    fail,
    clear,
    field,
    errorsFor,
    focusField,
    /** The server's message for a field (for inputs that are not Mantine's). */
    errorFor: (name: string) => placed.find((p) => p.field === name)?.message,
    failure,
    placed,
    saving,
    /** True after a successful save, until the next one starts. */
    saved: savedAt !== null,
    summaryRef,
    /** Forget "Saved" (after a change). */
    markDirty: () => setSavedAt(null),
  };
}

export type ServerForm = ReturnType<typeof useServerForm>;
