import { useRef } from 'react';

/**
 * The last non-null value seen. A dialog opened for "the item being deleted" keeps showing that
 * item's name while it fades out after the state went back to null.
 */
export function useLastDefined<T>(value: T | null | undefined): T | null {
  const last = useRef<T | null>(null);
  if (value !== null && value !== undefined) last.current = value;
  return last.current;
}
