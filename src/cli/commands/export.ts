// docingest export: the stored documents on stdout. jsonl without --kind is the export contract
// (CONTRACT.md), one document a line; --kind gives a flat table (one row per indicator, fund line, …).
import { Command, Option } from 'commander';
import { flatKinds, Store, type FlatKind } from '../../store/index.js';
import { csvLines, jsonLines, writeLines } from '../output.js';
import { dbOption } from '../shared.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('print the stored documents (jsonl: one record a line) or a flat table of one kind')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .addOption(new Option('--kind <kind>', 'a flat table instead of whole records (csv default: documents)').choices(flatKinds))
    .action(async (options: { db: string; format: 'jsonl' | 'csv'; kind?: FlatKind }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        if (options.format === 'jsonl' && !options.kind) await writeLines(process.stdout, jsonLines(store.records()));
        else {
          const rows = store.rows(options.kind ?? 'documents');
          await writeLines(process.stdout, options.format === 'csv' ? csvLines(rows) : jsonLines(rows));
        }
      } finally {
        store.close();
      }
    });
}
