// The reports data teams ask for first: what the audit found, and how each organisation scored and
// spent. Rows come ordered and flat (one per finding, one per form); grouping is for presentation.
import type Database from 'better-sqlite3';
import { AuditCode } from '../audit.js';

export interface ReportFilter {
  /** the fiscal year of the form (of its document when the form prints none) */
  year?: number;
  /** part of the reporting organisation's name: "医疗保障" finds 华容县医疗保障局 */
  org?: string;
}

export interface AuditFilter extends ReportFilter {
  /** also the warnings outside CONTRACT.md's audit vocabulary (extraction, validation) */
  allCodes?: boolean;
}

export interface AuditFinding {
  source: string;
  organization: string | null;
  fiscalYear: number | null;
  /** index into the document's forms; null for a warning about the whole document */
  form: number | null;
  formKind: string | null;
  formName: string | null;
  code: string;
  severity: string;
  message: string;
}

export interface AuditGroup {
  source: string;
  organization: string | null;
  fiscalYear: number | null;
  forms: { form: number | null; kind: string | null; name: string | null; findings: { code: string; severity: string; message: string }[] }[];
}

/** One row per form that carries a score or a 年度资金总额 line. */
export interface ScoreRow {
  organization: string | null;
  fiscalYear: number | null;
  source: string;
  form: number;
  kind: string;
  name: string | null;
  totalScore: number | null;
  /** the 年度资金总额 line: 全年预算数 (A), 全年执行数 (B), the printed 执行率 and 100·B/A */
  annualBudget: number | null;
  executed: number | null;
  executionRate: number | null;
  computedRate: number | null;
  /** the fund block's 得分 (the total line's) */
  fundScore: number | null;
}

const TOTAL_LINE = '年度资金总额';
export const auditCodes: readonly string[] = Object.values(AuditCode);

type Row = Record<string, unknown>;

function where(filter: ReportFilter, year: string, org: string): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  if (filter.year !== undefined) (sql.push(`${year} = ?`), params.push(filter.year));
  if (filter.org !== undefined) (sql.push(`instr(${org}, ?) > 0`), params.push(filter.org));
  return { sql, params };
}

export function auditFindings(db: Database.Database, filter: AuditFilter = {}): AuditFinding[] {
  const { sql, params } = where(filter, 'coalesce(f.fiscal_year, d.fiscal_year)', 'd.organization');
  if (!filter.allCodes) (sql.push(`w.code IN (${auditCodes.map(() => '?').join(', ')})`), params.push(...auditCodes));
  const rows = db
    .prepare(
      `SELECT d.source, d.organization, coalesce(f.fiscal_year, d.fiscal_year) AS fiscal_year, w.form,
              f.kind AS form_kind, f.name AS form_name, w.code, w.severity, w.message
       FROM warnings w JOIN documents d ON d.id = w.document_id
       LEFT JOIN forms f ON f.document_id = w.document_id AND f.ord = w.form
       ${sql.length ? `WHERE ${sql.join(' AND ')}` : ''}
       ORDER BY d.source, w.form IS NOT NULL, w.form, w.ord`,
    )
    .all(...params) as Row[];
  return rows.map((r) => ({
    source: r.source as string,
    organization: r.organization as string | null,
    fiscalYear: r.fiscal_year as number | null,
    form: r.form as number | null,
    formKind: r.form_kind as string | null,
    formName: r.form_name as string | null,
    code: r.code as string,
    severity: r.severity as string,
    message: r.message as string,
  }));
}

/** Findings grouped by document, then form, in the order auditFindings gives them. */
export function groupFindings(findings: AuditFinding[]): AuditGroup[] {
  const groups: AuditGroup[] = [];
  for (const f of findings) {
    let doc = groups.at(-1);
    if (doc?.source !== f.source) groups.push((doc = { source: f.source, organization: f.organization, fiscalYear: f.fiscalYear, forms: [] }));
    let form = doc.forms.at(-1);
    if (!form || form.form !== f.form) doc.forms.push((form = { form: f.form, kind: f.formKind, name: f.formName, findings: [] }));
    form.findings.push({ code: f.code, severity: f.severity, message: f.message });
  }
  return groups;
}

export function scoreRows(db: Database.Database, filter: ReportFilter = {}): ScoreRow[] {
  const { sql, params } = where(filter, 'coalesce(f.fiscal_year, d.fiscal_year)', 'd.organization');
  const rows = db
    .prepare(
      `SELECT d.organization, coalesce(f.fiscal_year, d.fiscal_year) AS fiscal_year, d.source, f.ord AS form, f.kind, f.name,
              f.total_score, t.annual_budget, t.executed, t.execution_rate, t.score AS fund_score
       FROM forms f JOIN documents d ON d.id = f.document_id
       LEFT JOIN funds t ON t.id = (SELECT id FROM funds WHERE form_id = f.id AND line = ? ORDER BY ord LIMIT 1)
       WHERE (f.total_score IS NOT NULL OR t.id IS NOT NULL) ${sql.map((s) => `AND ${s}`).join(' ')}
       ORDER BY d.organization IS NULL, d.organization, fiscal_year, d.source, f.ord`,
    )
    .all(TOTAL_LINE, ...params) as Row[];
  return rows.map((r) => {
    const annualBudget = r.annual_budget as number | null;
    const executed = r.executed as number | null;
    return {
      organization: r.organization as string | null,
      fiscalYear: r.fiscal_year as number | null,
      source: r.source as string,
      form: r.form as number,
      kind: r.kind as string,
      name: r.name as string | null,
      totalScore: r.total_score as number | null,
      annualBudget,
      executed,
      executionRate: r.execution_rate as number | null,
      computedRate: annualBudget && executed !== null ? Math.round((10_000 * executed) / annualBudget) / 100 : null,
      fundScore: r.fund_score as number | null,
    };
  });
}
