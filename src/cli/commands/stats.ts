// docingest stats: what the database holds.
import { Command } from 'commander';
import { Store } from '../../store/index.js';
import { dbOption } from '../shared.js';

export function statsCommand(): Command {
  return new Command('stats')
    .description('counts of documents, forms by kind, rows and warnings by code')
    .addOption(dbOption())
    .option('--json', 'print as one JSON object')
    .action((options: { db: string; json?: boolean }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        const stats = store.stats();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(stats)}\n`);
          return;
        }
        const lines = Object.entries(stats).map(([key, value]) =>
          typeof value === 'object'
            ? `${key}:${Object.keys(value).length ? '' : ' none'}${Object.entries(value).map(([k, n]) => `\n  ${k}: ${n}`).join('')}`
            : `${key}: ${value}`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}
