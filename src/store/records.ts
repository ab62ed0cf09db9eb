// A DocumentRecord <-> its rows. The column lists below are the single mapping between the zod
// schemas and the tables; test/store.test.ts checks they cover every schema field, so a field added to
// schemas/record.ts without a column fails a test instead of silently vanishing from exports.
import type Database from 'better-sqlite3';
import type { Message, Place } from '../../schemas/model.js';
import { DocumentRecord, type Form, type Sources } from '../../schemas/record.js';

type Row = Record<string, unknown>;

/** [record field, column] for the flat value rows; every entity also has `sources` (provenance). */
export const fundColumns = [
  ['line', 'line'], ['initialBudget', 'initial_budget'], ['annualBudget', 'annual_budget'], ['executed', 'executed'],
  ['weight', 'weight'], ['executionRate', 'execution_rate'], ['score', 'score'],
] as const;
export const indicatorColumns = [
  ['level1', 'level1'], ['level1Max', 'level1_max', 'optional'], ['level2', 'level2'], ['name', 'name'], ['measure', 'measure'], ['target', 'target'],
  ['actual', 'actual'], ['weight', 'weight'], ['score', 'score'], ['note', 'note'],
] as const;
export const expenseColumns = [['item', 'item'], ['prevFinal', 'prev_final'], ['budget', 'budget'], ['final', 'final']] as const;
export const rubricColumns = [
  ['level1', 'level1'], ['level2', 'level2'], ['level3', 'level3'], ['points', 'points'], ['score', 'score'],
] as const;
/** Form fields stored as plain columns; goals, staffing and preparer are nullable objects (has_* flag). */
export const formColumns = [
  ['kind', 'kind'], ['attachment', 'attachment'], ['title', 'title'], ['fiscalYear', 'fiscal_year'], ['name', 'name'],
  ['supervisor', 'supervisor'], ['implementer', 'implementer'], ['totalScore', 'total_score'],
] as const;
export const formObjectColumns = {
  goals: [['expected', 'goals_expected'], ['actual', 'goals_actual']],
  staffing: [['authorized', 'staffing_authorized'], ['actual', 'staffing_actual'], ['controlRate', 'staffing_control_rate']],
  preparer: [['name', 'preparer_name'], ['date', 'preparer_date'], ['phone', 'preparer_phone']],
} as const;
/** Form fields that are lists of child rows, and the table each goes to. */
export const formChildren = { funds: 'funds', indicators: 'indicators', expenses: 'expenses', rubric: 'rubric_rows' } as const;
export const sectionColumns = [['heading', 'heading'], ['level', 'level'], ['text', 'text']] as const;
export const warningColumns = [
  ['code', 'code'], ['severity', 'severity'], ['stage', 'stage'], ['form', 'form'], ['message', 'message'],
] as const;
export const documentColumns = [
  ['sha256', 'sha256'], ['source', 'source'], ['format', 'format'], ['organization', 'organization'],
  ['fiscalYear', 'fiscal_year'], ['title', 'title'],
] as const;

/**
 * [field, column] or [field, column, 'optional']. An optional field may be missing from a record, which
 * is not the same as null: the row's `absent` column lists the optional fields it was missing.
 */
type Columns = readonly (readonly [string, string] | readonly [string, string, 'optional'])[];
type Owner = 'forms' | 'funds' | 'indicators' | 'expenses' | 'rubric_rows' | 'sections' | 'warnings';
const childColumns: Record<(typeof formChildren)[keyof typeof formChildren], Columns> = {
  funds: fundColumns,
  indicators: indicatorColumns,
  expenses: expenseColumns,
  rubric_rows: rubricColumns,
};

const placeFields = ['page', 'table', 'row', 'col', 'line', 'block'] as const;
const placeColumnNames = ['page', 'table_no', 'row_no', 'col_no', 'line', 'block'] as const;

function placeValues(place: Place): unknown[] {
  return [
    ...placeFields.map((f) => place[f] ?? null),
    ...(place.box ?? [null, null, null, null]),
    place.confidence ?? null,
  ];
}

function placeOfRow(row: Row): Place {
  const place: Record<string, unknown> = {};
  placeFields.forEach((f, i) => {
    const v = row[placeColumnNames[i]!];
    if (v !== null && v !== undefined) place[f] = v;
  });
  if (row.box_x0 !== null) place.box = [row.box_x0, row.box_y0, row.box_x1, row.box_y1];
  if (row.confidence !== null) place.confidence = row.confidence;
  return place as Place;
}

const insertSql = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

/** Prepared statements of one connection, made once: a document of 60 forms is thousands of inserts. */
export class RecordWriter {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  private run(sql: string, values: unknown[]): number {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return Number(stmt.run(...values).lastInsertRowid);
  }

  /** Inserts the record's rows under an existing documents row. Call inside a transaction. */
  write(documentId: number, record: DocumentRecord): void {
    const provenance = (owner: Owner, ownerId: number, place: Place | undefined, sources: Sources | undefined) => {
      const sql = insertSql('provenance', [
        'document_id', 'owner', 'owner_id', 'role', 'field', 'ord', ...placeColumnNames,
        'box_x0', 'box_y0', 'box_x1', 'box_y1', 'confidence',
      ]);
      if (place) this.run(sql, [documentId, owner, ownerId, 'place', '', 0, ...placeValues(place)]);
      Object.entries(sources ?? {}).forEach(([field, p], ord) =>
        this.run(sql, [documentId, owner, ownerId, 'source', field, ord, ...placeValues(p)]),
      );
    };
    const values = (item: Record<string, unknown>, columns: Columns) => columns.map(([field]) => item[field] ?? null);
    const hasOptional = (columns: Columns) => columns.some((c) => c[2] === 'optional');
    const absent = (item: Record<string, unknown>, columns: Columns) =>
      columns.filter((c) => c[2] === 'optional' && item[c[0]] === undefined).map(([field]) => field).join(',') || null;

    record.forms.forEach((form, ord) => {
      const objects = Object.entries(formObjectColumns) as [keyof typeof formObjectColumns, Columns][];
      const formId = this.run(
        insertSql('forms', [
          'document_id', 'ord', ...formColumns.map(([, c]) => c),
          ...objects.flatMap(([key, cols]) => [`has_${key}`, ...cols.map(([, c]) => c)]),
        ]),
        [
          documentId, ord, ...values(form, formColumns),
          ...objects.flatMap(([key, cols]) => {
            const object = form[key] as Record<string, unknown> | null;
            return [object ? 1 : 0, ...cols.map(([field]) => object?.[field] ?? null)];
          }),
        ],
      );
      provenance('forms', formId, form.place, form.sources);
      for (const [field, table] of Object.entries(formChildren) as [keyof typeof formChildren, keyof typeof childColumns][]) {
        const columns = childColumns[table];
        form[field].forEach((item, childOrd) => {
          const optional = hasOptional(columns);
          const id = this.run(
            insertSql(table, ['form_id', 'ord', ...columns.map(([, c]) => c), ...(optional ? ['absent'] : [])]),
            [formId, childOrd, ...values(item, columns), ...(optional ? [absent(item, columns)] : [])],
          );
          provenance(table, id, undefined, item.sources);
        });
      }
    });
    record.sections.forEach((section, ord) => {
      const id = this.run(insertSql('sections', ['document_id', 'ord', ...sectionColumns.map(([, c]) => c)]), [
        documentId, ord, ...values(section, sectionColumns),
      ]);
      provenance('sections', id, section.place, undefined);
    });
    record.warnings.forEach((warning, ord) => {
      const id = this.run(insertSql('warnings', ['document_id', 'ord', ...warningColumns.map(([, c]) => c)]), [
        documentId, ord, ...values(warning, warningColumns),
      ]);
      provenance('warnings', id, warning.place, undefined);
    });
  }
}

/** Rebuilds the DocumentRecord of a stored document, validated by the same zod schema as extract()'s. */
export function readRecord(db: Database.Database, document: Row): DocumentRecord {
  const documentId = document.id;
  const provenance = new Map<string, { place?: Place; sources: Sources }>();
  const rows = db
    .prepare('SELECT * FROM provenance WHERE document_id = ? ORDER BY owner, owner_id, role, ord')
    .all(documentId) as Row[];
  for (const row of rows) {
    const key = `${row.owner}:${row.owner_id}`;
    let entry = provenance.get(key);
    if (!entry) provenance.set(key, (entry = { sources: {} }));
    if (row.role === 'place') entry.place = placeOfRow(row);
    else entry.sources[row.field as string] = placeOfRow(row);
  }
  const placeOf = (owner: Owner, id: unknown) => provenance.get(`${owner}:${id}`)?.place;
  const sourcesOf = (owner: Owner, id: unknown) => provenance.get(`${owner}:${id}`)?.sources ?? {};
  const pick = (row: Row, columns: Columns) => {
    const missing = typeof row.absent === 'string' ? row.absent.split(',') : [];
    return Object.fromEntries(
      columns.flatMap(([field, column, optional]) => (optional && missing.includes(field) ? [] : [[field, row[column]]])),
    );
  };

  const forms = (db.prepare('SELECT * FROM forms WHERE document_id = ? ORDER BY ord').all(documentId) as Row[]).map((row) => {
    const form: Record<string, unknown> = pick(row, formColumns);
    for (const [key, cols] of Object.entries(formObjectColumns) as [keyof typeof formObjectColumns, Columns][]) {
      form[key] = row[`has_${key}`] ? pick(row, cols) : null;
    }
    for (const [field, table] of Object.entries(formChildren) as [keyof typeof formChildren, keyof typeof childColumns][]) {
      const children = db.prepare(`SELECT * FROM ${table} WHERE form_id = ? ORDER BY ord`).all(row.id) as Row[];
      form[field] = children.map((child) => ({ ...pick(child, childColumns[table]), sources: sourcesOf(table, child.id) }));
    }
    form.place = placeOf('forms', row.id) ?? {};
    form.sources = sourcesOf('forms', row.id);
    return form as Form;
  });
  const sections = (db.prepare('SELECT * FROM sections WHERE document_id = ? ORDER BY ord').all(documentId) as Row[]).map(
    (row) => ({ ...pick(row, sectionColumns), place: placeOf('sections', row.id) ?? {} }),
  );
  const warnings = (db.prepare('SELECT * FROM warnings WHERE document_id = ? ORDER BY ord').all(documentId) as Row[]).map(
    (row) => {
      const warning: Record<string, unknown> = pick(row, warningColumns);
      if (warning.form === null) delete warning.form; // optional, not nullable, in Message
      const place = placeOf('warnings', row.id);
      if (place) warning.place = place;
      return warning as Message;
    },
  );
  return DocumentRecord.parse({ document: pick(document, documentColumns), forms, sections, warnings });
}
