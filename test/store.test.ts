import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentInfo, DocumentRecord, Expense, Form, FundLine, Indicator, RubricRow, Section } from '../schemas/record.js';
import { Message } from '../schemas/model.js';
import { SCHEMA_VERSION, Store, StoreError } from '../src/store/index.js';
import { migrations } from '../src/store/migrations.js';
import {
  documentColumns, expenseColumns, formChildren, formColumns, formObjectColumns, fundColumns, indicatorColumns,
  rubricColumns, sectionColumns, warningColumns,
} from '../src/store/records.js';
import { fullRecord } from './fixtures/record.js';

const meta = { size: 1234, mtime: '2024-03-01T08:00:00.000Z', extractorVersion: 1 };
let dir: string;
let dbFile: string;
let store: Store;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-store-'));
  dbFile = path.join(dir, 'test.sqlite');
  store = Store.open(dbFile);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** rows of every table, to prove nothing is left behind */
function tableCounts(): Record<string, number> {
  const db = new Database(dbFile, { readonly: true });
  const tables = ['documents', 'forms', 'funds', 'indicators', 'expenses', 'rubric_rows', 'sections', 'warnings', 'provenance'];
  const counts = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
  db.close();
  return counts;
}

describe('round trip', () => {
  it('exports exactly the record it stored, key order included', () => {
    const record = fullRecord();
    store.saveDocument(record, meta);
    const [exported, ...more] = [...store.records()];
    expect(more).toEqual([]);
    expect(exported).toEqual(record);
    expect(JSON.stringify(exported)).toBe(JSON.stringify(record));
    expect(DocumentRecord.safeParse(exported).success).toBe(true);
  });

  it('maps every schema field to a column (a new field without one fails here)', () => {
    const keys = (cols: readonly (readonly string[])[]) => cols.map(([field]) => field).sort();
    const shapeKeys = (shape: object, except: string[] = []) => Object.keys(shape).filter((k) => !except.includes(k)).sort();
    expect(keys(fundColumns)).toEqual(shapeKeys(FundLine.shape, ['sources']));
    expect(keys(indicatorColumns)).toEqual(shapeKeys(Indicator.shape, ['sources']));
    expect(keys(expenseColumns)).toEqual(shapeKeys(Expense.shape, ['sources']));
    expect(keys(rubricColumns)).toEqual(shapeKeys(RubricRow.shape, ['sources']));
    expect(keys(sectionColumns)).toEqual(shapeKeys(Section.shape, ['place']));
    expect(keys(warningColumns)).toEqual(shapeKeys(Message.shape, ['place']));
    expect(keys(documentColumns)).toEqual(shapeKeys(DocumentInfo.shape));
    const formHandled = [...keys(formColumns), ...Object.keys(formObjectColumns), ...Object.keys(formChildren), 'place', 'sources'].sort();
    expect(formHandled).toEqual(shapeKeys(Form.shape));
  });
});

describe('writes', () => {
  it('saving the same record twice leaves one copy', () => {
    store.saveDocument(fullRecord(), meta);
    const before = tableCounts();
    expect(store.saveDocument(fullRecord(), meta).replaced).toBe(true);
    expect(tableCounts()).toEqual(before);
    expect(before.documents).toBe(1);
    expect(before.provenance).toBeGreaterThan(10);
  });

  it('new bytes for a path replace the old version entirely', () => {
    store.saveDocument(fullRecord('a.txt', 'a'.repeat(64)), meta);
    store.saveDocument(fullRecord('b.txt', 'b'.repeat(64)), meta);
    const smaller = DocumentRecord.parse({ ...fullRecord('a.txt', 'c'.repeat(64)), forms: [], warnings: [] });
    store.saveDocument(smaller, meta);
    expect(store.record('a.txt')).toEqual(smaller);
    expect(store.record('b.txt')).toEqual(fullRecord('b.txt', 'b'.repeat(64)));
    const counts = tableCounts();
    expect(counts.documents).toBe(2);
    expect(counts.forms).toBe(3); // b.txt's only: no orphans of the old a.txt
  });

  it('a failure in the middle of a document leaves none of its rows', () => {
    // a trigger makes the 2nd warning insert fail: forms, indicators, sections are written by then
    const db = new Database(dbFile);
    db.exec(`CREATE TRIGGER injected BEFORE INSERT ON warnings WHEN NEW.ord = 1
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    db.close();
    expect(() => store.saveDocument(fullRecord(), meta)).toThrow(/injected failure/);
    expect(Object.values(tableCounts()).every((n) => n === 0)).toBe(true);
  });

  it('a failed replacement keeps the old version intact', () => {
    const old = fullRecord('a.txt', 'a'.repeat(64));
    store.saveDocument(old, meta);
    const before = tableCounts();
    const db = new Database(dbFile);
    db.exec(`CREATE TRIGGER injected BEFORE INSERT ON sections WHEN NEW.ord = 1 BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    db.close();
    expect(() => store.saveDocument(fullRecord('a.txt', 'd'.repeat(64)), meta)).toThrow(/boom/);
    expect(tableCounts()).toEqual(before);
    expect(store.record('a.txt')).toEqual(old);
  });

  it('a failure replaces the stored version of that path and is listed', () => {
    store.saveDocument(fullRecord('a.txt'), meta);
    store.markFailed('a.txt', 'e'.repeat(64), { code: 'corrupt-file', message: 'truncated zip' }, meta);
    expect([...store.records()]).toEqual([]);
    expect(store.failures()).toEqual([{ source: 'a.txt', sha256: 'e'.repeat(64), code: 'corrupt-file', message: 'truncated zip' }]);
    expect(store.fileBySource('a.txt')).toMatchObject({ status: 'failed', errorCode: 'corrupt-file', size: 1234 });
    expect(tableCounts().forms).toBe(0);
    store.saveDocument(fullRecord('a.txt'), meta);
    expect(store.failures()).toEqual([]);
  });
});

describe('schema and reads', () => {
  it('is migrated to the current version, in WAL mode, and refuses a newer database', () => {
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.close();
    const db = new Database(dbFile);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => Store.open(dbFile)).toThrow(expect.objectContaining({ code: 'db-too-new' }));
    store = Store.open(path.join(dir, 'other.sqlite'));
  });

  it('migrates a database written at an older version, keeping its rows', () => {
    const old = path.join(dir, 'old.sqlite');
    const db = new Database(old);
    db.exec(migrations[0]!.sql);
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO documents (source, status, error_code, error, extractor_version, ingested_at)
                VALUES ('x.doc', 'failed', 'corrupt-file', 'bad', 1, '2024-01-01')`).run();
    db.close();
    const reopened = Store.open(old);
    try {
      expect(reopened.schemaVersion).toBe(SCHEMA_VERSION);
      expect(reopened.failures()).toEqual([{ source: 'x.doc', sha256: null, code: 'corrupt-file', message: 'bad' }]);
      reopened.saveDocument(fullRecord('y.txt'), meta);
      expect(reopened.record('y.txt')).toEqual(fullRecord('y.txt'));
    } finally {
      reopened.close();
    }
  });

  it('flat views carry the document and form columns', () => {
    store.saveDocument(fullRecord(), meta);
    const indicators = [...store.rows('indicators')];
    expect(indicators).toHaveLength(3);
    expect(indicators[0]).toMatchObject({ source: 'archive/2022/报告.txt', kind: 'project-self-eval', form_name: '高标准农田建设', name: '新建农田面积', weight: 20 });
    expect([...store.rows('funds')].map((r) => r.line)).toEqual(['年度资金总额', '其他资金']);
    expect([...store.rows('expenses')]).toHaveLength(2);
    expect([...store.rows('rubric')]).toHaveLength(2);
    const [where] = [...store.query(
      `SELECT p.row_no, p.col_no FROM v_indicators i JOIN v_provenance p
         ON p.owner = 'indicators' AND p.owner_id = i.indicator_id AND p.field = 'score' WHERE i.name = ?`, ['新建农田面积'])];
    expect(where).toEqual({ row_no: 8, col_no: 7 });
    expect(store.warnings({ code: 'execution-rate-mismatch' })).toEqual([
      expect.objectContaining({ form: 0, formKind: 'project-self-eval', formName: '高标准农田建设' }),
    ]);
    expect(store.stats()).toMatchObject({ documents: 1, failed: 0, forms: { 'basic-data': 1, 'project-self-eval': 1, 'scoring-table': 1 }, indicators: 3 });
  });

  it('query reads but never writes; a read-only store refuses to save', () => {
    store.saveDocument(fullRecord(), meta);
    expect([...store.query('SELECT count(*) AS n FROM v_indicators WHERE weight >= ?', [10])]).toEqual([{ n: 1 }]);
    expect(() => [...store.query('DELETE FROM documents')]).toThrow(StoreError);
    const reader = Store.open(dbFile, { readonly: true });
    try {
      expect(() => reader.saveDocument(fullRecord(), meta)).toThrow(/read-only/);
      expect([...reader.records()]).toHaveLength(1);
    } finally {
      reader.close();
    }
    expect(() => Store.open(path.join(dir, 'missing.sqlite'), { readonly: true })).toThrow(expect.objectContaining({ code: 'db-not-found' }));
  });
});
