// Logs for runs nobody watches (cron, CI, systemd): one JSON object a line, so a log shipper or `jq`
// reads them without a parser for our wording. A few fields are always there — time (ISO 8601), level,
// msg (the sentence a person would have been shown) — and the rest describe the event:
//   {"time":"2026-11-29T02:00:03.120Z","level":"warn","msg":"failed: a/b.docx: [zip-bomb] …","event":"file","source":"a/b.docx","code":"zip-bomb"}
// A tiny writer rather than pino: the CLI logs a few lines per document at most, and one dependency
// fewer is one less thing to audit on the machines that hold the archives.
import type { Writable } from 'node:stream';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface JsonLoggerOptions {
  /** lines below this level are dropped (default info) */
  level?: LogLevel;
  clock?: () => Date;
}

export function jsonLogger(out: Writable | NodeJS.WritableStream, options: JsonLoggerOptions = {}): Logger {
  const min = logLevels.indexOf(options.level ?? 'info');
  const clock = options.clock ?? (() => new Date());
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (logLevels.indexOf(level) < min) return;
    // time, level and msg first for the reader's eye, and assigned last so an event field cannot overwrite them
    const line: LogFields = { time: undefined, level: undefined, msg: undefined, ...fields };
    Object.assign(line, { time: clock().toISOString(), level, msg });
    out.write(`${JSON.stringify(line, jsonSafe)}\n`);
  };
  return {
    log,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/** An Error keeps its message and code in a log line (JSON.stringify would give {}). */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
