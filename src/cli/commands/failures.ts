// docingest failures: the files that could not be extracted, with the stable error code — what a
// nightly job's operator reads in the morning, and what `ingest --retry-failed` would try again.
import { Command } from 'commander';
import { Store } from '../../store/index.js';
import { jsonLines, writeLines } from '../output.js';
import { dbOption } from '../shared.js';

export function failuresCommand(): Command {
  return new Command('failures')
    .description('list the files that failed, with their error code and reason (tab-separated)')
    .addOption(dbOption())
    .option('--code <code>', 'only failures with this error code (timeout, zip-bomb, file-too-large, …)')
    .option('--json', 'one JSON object per failure: source, sha256, code, message')
    .action(async (options: { db: string; code?: string; json?: boolean }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        const failures = store.failures().filter((f) => options.code === undefined || f.code === options.code);
        await writeLines(process.stdout, options.json ? jsonLines(failures) : failures.map((f) => `${f.source}\t${f.code}\t${f.message}`));
      } finally {
        store.close();
      }
    });
}
