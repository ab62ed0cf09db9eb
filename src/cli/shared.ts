// What every command shares: the --db option, usage errors (exit 2), and the exit codes.
import { InvalidArgumentError, Option } from 'commander';

// 75: EX_TEMPFAIL of sysexits.h, "try again later" (another ingest holds the database)
export const ExitCode = { ok: 0, someFailed: 1, usage: 2, busy: 75, interrupted: 130 } as const;

/** A mistake in how the command was called: reported in one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const dbOption = () => new Option('--db <file>', 'SQLite database file').default('docingest.sqlite');

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1.`);
    return n;
  };
}
