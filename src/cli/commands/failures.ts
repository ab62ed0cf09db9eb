// docingest failures: the files that could not be extracted, with the stable error code.
import { Command } from 'commander';
import { Store } from '../../store/index.js';
import { dbOption } from '../shared.js';

export function failuresCommand(): Command {
  return new Command('failures')
    .description('list the files that failed, with their error code and reason (tab-separated)')
    .addOption(dbOption())
    .action((options: { db: string }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        for (const f of store.failures()) process.stdout.write(`${f.source}\t${f.code}\t${f.message}\n`);
      } finally {
        store.close();
      }
    });
}
