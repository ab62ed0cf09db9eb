// docingest runs: the ingest runs, newest first — when, how long each stage took, what they did. A
// run still 'running' whose process is gone (kill -9, a reboot) is shown as 'killed', as the next
// ingest will mark it.
import { Command } from 'commander';
import { runIsAlive } from '../../run-lock.js';
import { Store, type Run } from '../../store/index.js';
import { jsonLines, tableLines, writeLines } from '../output.js';
import { dbOption, positiveInt } from '../shared.js';

export function runsCommand(): Command {
  return new Command('runs')
    .description('list the ingest runs, newest first: counts and time per stage (list, hash, extract, store)')
    .addOption(dbOption())
    .option('-n, --limit <n>', 'how many runs', positiveInt('--limit'), 20)
    .option('--json', 'one JSON object per run')
    .action(async (options: { db: string; limit: number; json?: boolean }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        const runs = store.runs(options.limit).map((r) => (r.status === 'running' && !runIsAlive(options.db, r) ? { ...r, status: 'killed' as const } : r));
        if (options.json) await writeLines(process.stdout, jsonLines(runs));
        else await writeLines(process.stdout, tableLines(runs.map(runRow), 60));
      } finally {
        store.close();
      }
    });
}

function runRow(run: Run): Record<string, unknown> {
  const seconds = run.endedAt ? ((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1) : '';
  const ms = (n: number | undefined) => (n === undefined ? '' : (n / 1000).toFixed(1));
  return {
    run: run.id,
    started: run.startedAt.replace('T', ' ').slice(0, 19),
    status: run.status,
    seconds,
    files: run.total ?? '',
    new: run.new ?? '',
    updated: run.updated ?? '',
    unchanged: run.unchanged ?? '',
    failed: run.failed ?? '',
    hashed: run.hashed ?? '',
    'list s': ms(run.stages?.listMs),
    'hash s': ms(run.stages?.hashMs),
    'extract s': ms(run.stages?.extractMs),
    'store s': ms(run.stages?.storeMs),
  };
}
