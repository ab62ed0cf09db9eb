// docingest extract <file>: the pure core: the record JSON of one file, nothing stored.
import fs from 'node:fs/promises';
import { Command } from 'commander';

export function extractCommand(): Command {
  return new Command('extract')
    .description('print the record of one file as JSON, without storing it')
    .argument('<file>')
    .option('--compact', 'one line (JSONL) instead of indented')
    .action(async (file: string, options: { compact?: boolean }) => {
      const { extract } = await import('../../pipeline.js'); // lazily: see commands/ingest.ts
      const record = await extract(await fs.readFile(file), file);
      process.stdout.write(`${JSON.stringify(record, null, options.compact ? undefined : 2)}\n`);
    });
}
