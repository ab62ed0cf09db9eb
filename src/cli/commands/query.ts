// docingest query "<select>": one read-only statement on a read-only connection.
import { Command, Option } from 'commander';
import { Store } from '../../store/index.js';
import { csvLines, jsonLines, tableLines, writeLines } from '../output.js';
import { dbOption } from '../shared.js';

export function queryCommand(): Command {
  return new Command('query')
    .description('run one SELECT on the database (read-only); views: v_documents v_forms v_funds v_indicators v_expenses v_rubric v_sections v_warnings v_failures v_provenance')
    .argument('<sql>', 'the statement, e.g. "SELECT source, name, score FROM v_indicators WHERE score < weight"')
    .argument('[params...]', 'values bound to ? placeholders')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'jsonl', 'csv']).default('table'))
    .action(async (sql: string, params: string[], options: { db: string; format: 'table' | 'jsonl' | 'csv' }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        const rows = store.query(sql, params);
        if (options.format === 'jsonl') await writeLines(process.stdout, jsonLines(rows));
        else if (options.format === 'csv') await writeLines(process.stdout, csvLines(rows));
        else await writeLines(process.stdout, tableLines([...rows]));
      } finally {
        store.close();
      }
    });
}
