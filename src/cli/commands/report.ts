// docingest report audit|scores: the stored audit findings grouped by document and form, and the
// total scores and budget execution of every scored form.
import { Command, InvalidArgumentError, Option } from 'commander';
import { groupFindings, Store, type AuditFilter, type ReportFilter } from '../../store/index.js';
import { csvLines, tableLines, writeLines } from '../output.js';
import { dbOption } from '../shared.js';

type Format = 'table' | 'json' | 'csv';
type Options = ReportFilter & { db: string; format: Format };

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table');
const year = (value: string): number => {
  if (!/^\d{4}$/.test(value)) throw new InvalidArgumentError('--year must be a year such as 2022.');
  return Number(value);
};
const withFilters = (command: Command) =>
  command
    .addOption(dbOption())
    .option('--year <year>', 'only forms of this fiscal year', year)
    .option('--org <text>', "only organisations whose name contains this, e.g. 医疗保障")
    .addOption(formatOption());

function open<T>(options: Options, use: (store: Store) => Promise<T>): Promise<T> {
  const store = Store.open(options.db, { readonly: true });
  return use(store).finally(() => store.close());
}

function auditCommand(): Command {
  return withFilters(new Command('audit'))
    .description("the audit warnings (CONTRACT.md's codes) grouped by document and form")
    .option('--all-codes', 'also warnings of other codes (extraction, validation)')
    .action((options: Options & { allCodes?: boolean }) =>
      open(options, async (store) => {
        const filter: AuditFilter = { year: options.year, org: options.org, allCodes: options.allCodes };
        const findings = store.auditFindings(filter);
        if (options.format === 'csv') return writeLines(process.stdout, csvLines(findings.map((f) => ({ ...f }))));
        const groups = groupFindings(findings);
        if (options.format === 'json') return writeLines(process.stdout, [JSON.stringify(groups, null, 2)]);
        const lines: string[] = [];
        for (const doc of groups) {
          lines.push(`${doc.source}  ${doc.organization ?? ''} ${doc.fiscalYear ?? ''}`.trimEnd());
          const rows = doc.forms.flatMap((form) =>
            form.findings.map((f) => ({ form: form.form ?? '', kind: form.kind ?? '', name: form.name ?? '', code: f.code, message: f.message })),
          );
          lines.push(...[...tableLines(rows, 60)].map((l) => `  ${l}`), '');
        }
        lines.push(`${findings.length} finding${findings.length === 1 ? '' : 's'} in ${groups.length} document${groups.length === 1 ? '' : 's'}`);
        return writeLines(process.stdout, lines);
      }),
    );
}

function scoresCommand(): Command {
  return withFilters(new Command('scores'))
    .description('total score, 年度资金总额 budget vs executed and execution rate per organisation, year and form')
    .action((options: Options) =>
      open(options, async (store) => {
        const rows = store.scoreRows({ year: options.year, org: options.org });
        if (options.format === 'csv') return writeLines(process.stdout, csvLines(rows.map((r) => ({ ...r }))));
        if (options.format === 'json') return writeLines(process.stdout, [JSON.stringify(rows, null, 2)]);
        const table = rows.map((r) => ({
          organization: r.organization ?? '', year: r.fiscalYear ?? '', source: r.source, form: r.form, kind: r.kind, name: r.name ?? '',
          total: r.totalScore ?? '', budget: r.annualBudget ?? '', executed: r.executed ?? '',
          'rate%': r.executionRate ?? '', 'B/A%': r.computedRate ?? '',
        }));
        return writeLines(process.stdout, table.length ? tableLines(table, 30) : ['no scored forms']);
      }),
    );
}

export function reportCommand(): Command {
  return new Command('report')
    .description('reports: audit (findings by document and form), scores (scores and budget execution by organisation)')
    .addCommand(auditCommand().exitOverride())
    .addCommand(scoresCommand().exitOverride());
}
