/**
 * Validation failures in words a person reads. A schema issue (zod's, or ajv's for the few JSON
 * schemas) becomes `{ path, field, message }`: `path` is where the value sits in the request
 * (`body.settings.bindUser`, what the console maps onto its inputs), `field` a label made from the
 * last named segment ("Bind user"), `message` a sentence made from the kind of issue, never the
 * library's own text ("Too small: expected string to have >=1 characters"). Messages written in a
 * schema on purpose (`'must be a colour like #1c7ed6'`) are kept: they already speak to a person.
 */

export interface FieldError {
  path: string;
  field: string;
  message: string;
}

/** A schema issue as fastify-type-provider-zod (zod 4 issues) or ajv hands it over. */
export interface SchemaIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Segments spelled as people write them. */
const WORDS: Record<string, string> = {
  id: 'ID',
  email: 'e-mail',
  emails: 'e-mails',
  ids: 'IDs',
  url: 'URL',
  urls: 'URLs',
  uri: 'URI',
  uris: 'URIs',
  dn: 'DN',
  ca: 'CA',
  tls: 'TLS',
  smtp: 'SMTP',
  oidc: 'OIDC',
  saml: 'SAML',
  sso: 'SSO',
  slo: 'SLO',
  aaguid: 'AAGUID',
  totp: 'TOTP',
  otp: 'OTP',
  ip: 'IP',
  jwks: 'JWKS',
  pem: 'PEM',
  pin: 'PIN',
  upn: 'UPN',
  ou: 'OU',
  ttl: 'TTL',
  ms: '(ms)',
};

/** "settings.bindUser" → "Bind user"; "redirectUris.0" → "Redirect URIs"; "" → "Request". */
export function fieldLabel(path: string): string {
  const segments = path.split('.').filter((s) => s && !/^\d+$/.test(s) && !['body', 'query', 'params', 'headers', 'querystring'].includes(s));
  const last = segments[segments.length - 1];
  if (!last) return 'Request';
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** zod's and ajv's default English texts; anything else was written in a schema for people. */
const LIBRARY_TEXT =
  /^(Invalid\b|Too (small|big)|Unrecognized keys?|Required|Expected|Number must|String must|must (NOT |match |be (string|number|integer|boolean|array|object|null|equal)|have required|have (fewer|more)|be (<|>)|pass )|must be (<=|>=|<|>))/;

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : Number(v));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listOf = (values: unknown) =>
  (Array.isArray(values) ? values : [])
    .slice(0, 12)
    .map((v) => String(v))
    .join(', ');

const FORMATS: Record<string, string> = {
  url: 'Enter a full URL such as https://app.example.com',
  uri: 'Enter a full URL such as https://app.example.com',
  email: 'Enter an e-mail address such as name@example.com',
  uuid: 'Must be an ID (a UUID)',
  guid: 'Must be an ID (a GUID)',
  datetime: 'Enter a date and time',
  'date-time': 'Enter a date and time',
  date: 'Enter a date',
  ipv4: 'Enter an IPv4 address',
  ipv6: 'Enter an IPv6 address',
  hostname: 'Enter a host name such as ldap.example.com',
  base64: 'Must be base64 text',
  base64url: 'Must be base64url text',
};

const TYPES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  integer: 'a whole number',
  boolean: 'on or off',
  array: 'a list',
  object: 'a group of settings',
  date: 'a date',
  bigint: 'a whole number',
};

/** The sentence for one issue of the given kind at `path`. */
export function issueMessage(issue: SchemaIssue, path: string): string {
  const raw = issue.message ?? '';
  const p = issue.params ?? {};
  const label = fieldLabel(path).toLowerCase();
  if (raw && !LIBRARY_TEXT.test(raw)) return capital(raw);
  switch (issue.keyword) {
    case 'too_small':
    case 'minLength':
    case 'minItems':
    case 'minimum':
    case 'exclusiveMinimum': {
      const min = num(p.minimum ?? p.limit);
      const origin = p.origin ?? (issue.keyword === 'minLength' ? 'string' : issue.keyword === 'minItems' ? 'array' : 'number');
      if (origin === 'string') return min <= 1 ? `Enter the ${label}` : `Must be at least ${plural(min, 'character')}`;
      if (origin === 'array' || origin === 'set') return min <= 1 ? 'Add at least one' : `Add at least ${min}`;
      return p.inclusive === false || issue.keyword === 'exclusiveMinimum' ? `Must be more than ${min}` : `Must be at least ${min}`;
    }
    case 'too_big':
    case 'maxLength':
    case 'maxItems':
    case 'maximum':
    case 'exclusiveMaximum': {
      const max = num(p.maximum ?? p.limit);
      const origin = p.origin ?? (issue.keyword === 'maxLength' ? 'string' : issue.keyword === 'maxItems' ? 'array' : 'number');
      if (origin === 'string') return `Must be at most ${plural(max, 'character')}`;
      if (origin === 'array' || origin === 'set') return `At most ${plural(max, 'entry', 'entries')}`;
      return p.inclusive === false || issue.keyword === 'exclusiveMaximum' ? `Must be less than ${max}` : `Must be at most ${max}`;
    }
    case 'invalid_format':
    case 'format': {
      const format = String(p.format ?? '');
      if (FORMATS[format]) return FORMATS[format];
      if (format === 'starts_with') return `Must start with ${String(p.prefix)}`;
      if (format === 'ends_with') return `Must end with ${String(p.suffix)}`;
      if (format === 'includes') return `Must contain ${String(p.includes)}`;
      return 'Is not in the expected format';
    }
    case 'pattern':
      return 'Is not in the expected format';
    case 'invalid_value':
    case 'enum':
    case 'const': {
      const values = p.values ?? p.allowedValues ?? (p.allowedValue !== undefined ? [p.allowedValue] : undefined);
      const shown = listOf(values);
      return shown ? `Choose one of: ${shown}` : 'Is not one of the accepted values';
    }
    case 'invalid_type':
    case 'type': {
      const expected = String(p.expected ?? p.type ?? '');
      // zod 4 says "received undefined" when the field is missing altogether.
      if (/received undefined/.test(raw)) return expected === 'string' ? `Enter the ${label}` : `Choose the ${label}`;
      return TYPES[expected] ? `Must be ${TYPES[expected]}` : 'Has the wrong kind of value';
    }
    case 'required':
      return `Enter the ${fieldLabel(String(p.missingProperty ?? '')).toLowerCase()}`;
    case 'unrecognized_key':
      return 'Is not a setting here';
    case 'not_multiple_of':
    case 'multipleOf':
      return `Must be a multiple of ${String(p.divisor ?? p.multipleOf)}`;
    case 'invalid_union':
    case 'oneOf':
    case 'anyOf':
      return 'Is not one of the accepted forms';
    case 'invalid_key':
      return 'Holds a name that is not accepted';
    case 'invalid_element':
      return 'Holds an entry that is not accepted';
    default:
      return 'Is not valid';
  }
}

/** A zod issue in the shape the type provider hands over (for a service that parses on its own). */
export function toSchemaIssue(issue: { code: string; path: readonly PropertyKey[]; message: string }): SchemaIssue {
  const { code, path, message, ...params } = issue;
  return { keyword: code, instancePath: `/${path.map(String).join('/')}`, message, params };
}

/** The longest key name a detail repeats as sent. */
const MAX_SEGMENT = 64;

/** The readable details of a schema validation failure in `context` (body, query, params…). */
export function schemaFieldErrors(issues: readonly SchemaIssue[], context: string): FieldError[] {
  // A key that does not belong is its own field, so that the label names it.
  const unrolled = issues.flatMap((issue): SchemaIssue[] => {
    const keys = issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params?.keys) ? issue.params.keys : undefined;
    const extra = issue.keyword === 'additionalProperties' ? issue.params?.additionalProperty : undefined;
    const names = keys ?? (typeof extra === 'string' ? [extra] : undefined);
    if (!names?.length) return [issue];
    return names.map((key) => ({ keyword: 'unrecognized_key', instancePath: `${issue.instancePath ?? ''}/${String(key)}` }));
  });
  return unrolled.map((issue) => {
    // A segment is a key the client chose (an unknown one is named as sent): shortened, so that the
    // answer does not echo at length whatever was sent.
    const segments = (issue.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((seg) => (seg.length > MAX_SEGMENT ? `${seg.slice(0, MAX_SEGMENT)}…` : seg));
    // ajv names a missing property in params, not in the path.
    if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') segments.push(issue.params.missingProperty);
    const path = [context === 'querystring' ? 'query' : context, ...segments].join('.');
    // A key the schema does not know has no label to make: it is named as it was sent.
    const field = issue.keyword === 'unrecognized_key' ? (segments[segments.length - 1] ?? 'Request') : fieldLabel(path);
    return { path, field, message: issueMessage(issue, path) };
  });
}

/** "Check the highlighted fields: Bind user, URL" (each label once, in the order met). */
export function summaryMessage(details: readonly FieldError[]): string {
  const labels = [...new Set(details.map((d) => d.field))];
  if (labels.length === 0) return 'Check the request';
  if (labels.length === 1) return `Check the highlighted field: ${labels[0]}`;
  const shown = labels.slice(0, 8).join(', ');
  return `Check the highlighted fields: ${shown}${labels.length > 8 ? ` and ${labels.length - 8} more` : ''}`;
}

/** The detail of a service error that concerns one input (`field` is its path in the body). */
export function serviceFieldError(field: string, message: string): FieldError {
  const path = /^(body|query|params)\./.test(field) ? field : `body.${field}`;
  return { path, field: fieldLabel(path), message };
}
