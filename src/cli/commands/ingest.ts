// docingest ingest <files or folders…>: extract and store; failures listed on stderr, one summary line.
import { Command } from 'commander';
import type { IngestEvent } from '../../ingest.js';
import { Store } from '../../store/index.js';
import { dbOption, ExitCode, positiveInt } from '../shared.js';

interface Options {
  db: string;
  concurrency?: number;
  force?: boolean;
  retryFailed?: boolean;
  timeout?: number;
  isolation: boolean;
  progress?: boolean;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('extract the documents in files and folders (recursed) and store them')
    .argument('<paths...>', 'files or folders')
    .addOption(dbOption())
    .option('-c, --concurrency <n>', 'documents extracted at once (default: number of cores)', positiveInt('--concurrency'))
    .option('-f, --force', 're-extract documents already stored with the same bytes and extractor version')
    .option('--retry-failed', 're-extract files whose earlier failure was for the same bytes')
    .option('--timeout <seconds>', 'per-document time limit', positiveInt('--timeout'))
    .option('--no-isolation', 'extract in this process instead of child processes (faster start, no crash isolation)')
    .option('--progress', 'print each file as it is done, on stderr')
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
      const onProgress = (event: IngestEvent) => {
        if (event.type !== 'file') return;
        if (event.status === 'failed' && event.error) {
          process.stderr.write(`failed: ${event.source}: [${event.error.code}] ${event.error.message}\n`);
        } else if (options.progress) {
          process.stderr.write(`[${event.done}/${event.total}] ${event.status}: ${event.source} (${event.ms} ms)\n`);
        }
      };
      try {
        const summary = await ingest(store, paths, {
          signal: controller.signal,
          onProgress,
          isolation: options.isolation ? 'process' : 'none',
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.retryFailed ? { retryFailed: true } : {}),
          ...(options.timeout ? { limits: { timeoutMs: options.timeout * 1000 } } : {}),
        });
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
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        store.close();
      }
    });
}
