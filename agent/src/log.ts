/**
 * JSON-lines logging: `{"time","level","msg",...fields}` one object a line. `run` logs to stdout
 * (journald keeps it); tests wait for these lines, so the `msg` names are a stable interface
 * (agent/README.md lists them).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Field names that could carry a credential. Nothing in the agent passes one to the logger; this is
 * the second line of defence, so that a later change that does cannot leak the key or an assertion.
 */
const SECRET_FIELD = /authorization|assertion|private|secret|password|token|^key$|jwk|pem/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  write?: (line: string) => void;
  level?: LogLevel;
  clock?: () => number;
}

function clean(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  return value;
}

export function createLogger({ write = (line) => process.stdout.write(line), level = 'info', clock = Date.now }: LoggerOptions = {}): Logger {
  const emit = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const line: Record<string, unknown> = { time: new Date(clock()).toISOString(), level: lvl, msg };
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'time' || k === 'level' || k === 'msg') continue;
      line[k] = SECRET_FIELD.test(k) ? '[redacted]' : clean(v);
    }
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export function logLevelFromEnv(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}
