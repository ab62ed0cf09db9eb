// docingest ingest <files or folders…>: extract and store; one summary line on stdout, progress and
// failures on stderr (src/cli/progress.ts). Made to run nightly from cron: a re-run over an unchanged
// tree reads no file, a killed run is finished by the next, and a run that finds another still going
// exits 75 (EX_TEMPFAIL) with a message instead of competing for the database.
import { Command, InvalidArgumentError } from 'commander';
import type { Limits } from '../../formats.js';
import type { IngestSummary } from '../../ingest.js';
import { Store } from '../../store/index.js';
import { makeReporter } from '../progress.js';
import { dbOption, ExitCode, positiveInt } from '../shared.js';

interface Options {
  db: string;
  concurrency?: number;
  force?: boolean;
  retryFailed?: boolean;
  redact?: boolean;
  timeout?: number;
  maxFileSize?: number;
  maxUnzippedSize?: number;
  maxImagePixels?: number;
  isolation: boolean;
  progress?: boolean;
  logJson?: boolean;
  wait?: number;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('extract the documents in files and folders (recursed) and store them')
    .argument('<paths...>', 'files or folders')
    .addOption(dbOption())
    .option('-c, --concurrency <n>', 'documents extracted at once (default: number of cores)', positiveInt('--concurrency'))
    .option('-f, --force', 're-extract documents already stored with the same bytes and extractor version')
    .option('--retry-failed', 're-extract files whose earlier failure was for the same bytes')
    .option('--redact', 'store no preparer names or phone numbers (the preparer date is kept)')
    .option('--timeout <seconds>', 'per-document time limit, fractions allowed [timeout] (default 300; enforced by the isolation pool)', positiveNumber('--timeout'))
    .option('--max-file-size <size>', 'largest input file, e.g. 200M [file-too-large] (default 200M)', byteSize('--max-file-size'))
    .option('--max-unzipped-size <size>', 'largest decompressed size of a .docx [zip-bomb] (default 200M)', byteSize('--max-unzipped-size'))
    .option('--max-image-pixels <n>', 'largest image or rendered page, width × height [image-too-large] (default 60M)', count('--max-image-pixels'))
    .option('--no-isolation', 'extract in this process instead of child processes (faster start, no crash isolation)')
    .option('--progress', 'a line for every file, not only for failures')
    .option('--log-json', 'JSON-lines log on stderr even on a terminal (the default when stderr is not one)')
    .option('--wait <seconds>', 'if another ingest holds the database, wait this long for it to end', positiveNumber('--wait'))
    .action(async (paths: string[], options: Options) => {
      // loaded here, not at start-up: the extractors take most of a second to import, and `query`,
      // `export` and `stats` need none of them
      const { ingest } = await import('../../ingest.js');
      const store = Store.open(options.db);
      const controller = new AbortController();
      // first Ctrl-C: finish cleanly (documents in flight are dropped, the rest stays stored); second: default
      const onSignal = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const reporter = makeReporter(process.stderr, { eachFile: options.progress ?? false, json: options.logJson ?? false });
      const limits: Partial<Limits> = {
        ...(options.timeout ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
        ...(options.maxFileSize ? { maxFileBytes: options.maxFileSize } : {}),
        ...(options.maxUnzippedSize ? { maxUnzippedBytes: options.maxUnzippedSize } : {}),
        ...(options.maxImagePixels ? { maxImagePixels: options.maxImagePixels } : {}),
      };
      let summary: IngestSummary | null = null;
      try {
        summary = await ingest(store, paths, {
          signal: controller.signal,
          onProgress: (event) => reporter.onEvent(event),
          isolation: options.isolation ? 'process' : 'none',
          runArguments: { command: 'ingest', paths, options: { ...options, db: undefined } },
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.retryFailed ? { retryFailed: true } : {}),
          ...(options.redact ? { redact: true } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
          ...(options.wait ? { waitMs: options.wait * 1000 } : {}),
        });
        // the bar goes before the summary line, which shares the terminal
        reporter.finish(summary);
        const stats = store.stats();
        const forms = Object.values(stats.forms).reduce((a, b) => a + b, 0);
        const audit = Object.values(stats.warnings).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `${summary.aborted ? `interrupted after ${summary.new + summary.updated + summary.unchanged + summary.failed} of` : 'ingested'} ` +
            `${summary.total} files in ${(summary.ms / 1000).toFixed(1)} s: ` +
            `${summary.new} new, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failed} failed; ` +
            `${options.db} holds ${stats.documents} documents, ${forms} forms, ${stats.indicators} indicators, ` +
            `${stats.sections} sections, ${audit} warnings, ${stats.failed} failed files\n`,
        );
        process.exitCode = summary.aborted ? ExitCode.interrupted : summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
      } finally {
        if (!summary) reporter.finish(null);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        store.close();
      }
    });
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0.`);
    return n;
  };
}

const multipliers: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "200M", "1.5G", "500k", "4096" (K, M, G are powers of 1024; a trailing B or iB is allowed). */
function byteSize(name: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
    const n = m ? Math.floor(Number(m[1]) * multipliers[m[2]!.toLowerCase()]!) : NaN;
    if (!(n >= 1)) throw new InvalidArgumentError(`${name} must be a size such as 4096, 500K, 200M or 2G.`);
    return n;
  };
}

/** "60000000", "60M", "1.5e7": a count of pixels (M is a million here, not 2^20). */
function count(name: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmg]?)$/i.exec(value.trim());
    const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };
    const n = m ? Math.floor(Number(m[1]) * scale[m[2]!.toLowerCase()]!) : NaN;
    if (!(n >= 1)) throw new InvalidArgumentError(`${name} must be a whole number such as 60000000 or 60M.`);
    return n;
  };
}
