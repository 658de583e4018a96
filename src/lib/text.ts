/**
 * Text that PostgreSQL cannot store as it is. A `text` column refuses NUL (0x00 is not a valid
 * character in a server encoding, PostgreSQL docs §8.3), `jsonb` refuses the escape \u0000 and a
 * lone surrogate escape (§8.14.1), and a lone UTF-16 surrogate in a `text` parameter is encoded
 * by the driver as U+FFFD: what is read back is then not what was written.
 */
const NUL = /\u0000/g;
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Why a string cannot be stored as it is, or undefined when it can. */
export function invalidTextReason(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  LONE_SURROGATE.lastIndex = 0;
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/** The string as PostgreSQL stores it: NUL and lone surrogates become U+FFFD, the replacement character. */
export function toStorableText(s: string): string {
  return s.replace(NUL, '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * A JSON value exactly as a jsonb column gives it back: the JSON text of the value (toJSON applied,
 * undefined dropped, NaN and Infinity as null), with every string and key storable.
 * Values deeper than `maxDepth` are cut to null, so the walk's recursion stays shallow.
 */
export function toStorableJson(value: unknown, maxDepth = 32): unknown {
  const parsed: unknown = JSON.parse(JSON.stringify(value ?? null));
  const fix = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return toStorableText(v);
    if (v === null || typeof v !== 'object') return v;
    if (depth >= maxDepth) return null;
    if (Array.isArray(v)) return v.map((x) => fix(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[toStorableText(k)] = fix(x, depth + 1);
    return out;
  };
  return fix(parsed, 0);
}
