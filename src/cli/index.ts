// The docingest command line. Each command is a small module in ./commands; to add one, write
// `fooCommand(): Command` there and list it in `commands` below. Exit codes: 0 all well, 1 some
// documents failed (or an unexpected error), 2 usage errors, 75 another ingest holds the database, 130 interrupted.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { IngestError } from '../errors.js';
import { StoreError } from '../store/index.js';
import { exportCommand } from './commands/export.js';
import { extractCommand } from './commands/extract.js';
import { failuresCommand } from './commands/failures.js';
import { ingestCommand } from './commands/ingest.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { runsCommand } from './commands/runs.js';
import { searchCommand } from './commands/search.js';
import { statsCommand } from './commands/stats.js';
import { ExitCode, UsageError } from './shared.js';

const commands = [ingestCommand, exportCommand, queryCommand, searchCommand, reportCommand, statsCommand, failuresCommand, runsCommand, extractCommand];

export function buildProgram(): Command {
  const program = new Command('docingest')
    .description('Extract Chinese budget performance self-evaluation reports into normalised records in SQLite')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const make of commands) program.addCommand(make().exitOverride());
  return program;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Runs the CLI on argv (as process.argv) and returns the exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  process.exitCode = undefined;
  // `docingest export | head` closes the pipe early: that is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander printed the message already; help and --version end here too
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const say = (text: string) => process.stderr.write(`docingest: ${text}\n`);
  // InputPathError by name: importing src/ingest.ts here would load every extractor at start-up
  if (err instanceof UsageError || err instanceof StoreError || (err as Error | null)?.name === 'InputPathError') {
    say((err as Error).message);
    return ExitCode.usage;
  }
  if ((err as Error | null)?.name === 'RunLockedError') {
    say((err as Error).message);
    return ExitCode.busy;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
    say((err as Error).message);
    return ExitCode.usage;
  }
  if ((err as Error | null)?.name === 'SqliteError') {
    say(`SQL error: ${(err as Error).message}`); // a typo in a query is the caller's
    return ExitCode.usage;
  }
  if (err instanceof IngestError) {
    say(`[${err.code}] ${err.message}`);
    return ExitCode.someFailed;
  }
  say(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return ExitCode.someFailed;
}
