// docingest search "<words>": ranked full-text hits in sections and form cells, terms of any length.
import { Command, Option } from 'commander';
import { Store, type SearchHit } from '../../store/index.js';
import { csvLines, jsonLines, tableLines, writeLines } from '../output.js';
import { dbOption, positiveInt } from '../shared.js';

/** Where in the document a hit is: "§ 二、基本支出情况" or "project-self-eval 医疗保障服务 › indicator 参保人数". */
export function hitPlace(hit: SearchHit): string {
  if (hit.kind === 'section') return `§ ${hit.heading ?? hit.label}`;
  if (!hit.form) return hit.kind;
  const form = `${hit.form.kind} ${hit.form.name ?? hit.form.title ?? `#${hit.form.index}`}`;
  return hit.kind === 'form' ? form : `${form} › ${hit.kind}${hit.label ? ` ${hit.label}` : ''}`;
}

const flat = (hit: SearchHit) => ({
  source: hit.source,
  title: hit.title,
  kind: hit.kind,
  form: hit.form?.index ?? null,
  form_kind: hit.form?.kind ?? null,
  form_name: hit.form?.name ?? null,
  heading: hit.heading,
  label: hit.label,
  snippet: hit.snippet,
  score: hit.score,
});

export function searchCommand(): Command {
  return new Command('search')
    .description('ranked full-text search of sections and form cells (indicators, funds, goals, rubric, expenses); hits hold every term, of any length')
    .argument('<words...>', 'terms separated by spaces, e.g. 预算 or "绩效 目标"')
    .addOption(dbOption())
    .option('--limit <n>', 'most hits shown', positiveInt('--limit'), 20)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'jsonl', 'csv']).default('table'))
    .action(async (words: string[], options: { db: string; limit: number; format: 'table' | 'jsonl' | 'csv' }) => {
      const store = Store.open(options.db, { readonly: true });
      try {
        const hits = store.search(words.join(' '), { limit: options.limit });
        if (options.format === 'jsonl') await writeLines(process.stdout, jsonLines(hits));
        else if (options.format === 'csv') await writeLines(process.stdout, csvLines(hits.map(flat)));
        else if (!hits.length) process.stderr.write('no hits\n');
        else {
          const rows = hits.map((hit, i) => ({ '#': i + 1, source: hit.source, in: hitPlace(hit), snippet: hit.snippet }));
          await writeLines(process.stdout, tableLines(rows, 70));
        }
      } finally {
        store.close();
      }
    });
}
