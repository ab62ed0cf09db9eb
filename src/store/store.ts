// The only door to the database. Everything outside src/store/ speaks in records, files and rows,
// never SQL, so a PostgreSQL port replaces this folder and nothing else.
//
// Write model: one connection writes (better-sqlite3 is synchronous, so calls never interleave), and
// each document's rows land in one transaction: a crash or an error half-way leaves the previous
// state. WAL lets read-only connections (`docingest query`) read meanwhile without blocking.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { DocumentRecord } from '../../schemas/record.js';
import { migrations, SCHEMA_VERSION } from './migrations.js';
import { readRecord, RecordWriter } from './records.js';
import { auditFindings, scoreRows, type AuditFilter, type AuditFinding, type ReportFilter, type ScoreRow } from './reports.js';
import { indexDocument, indexPending, search, type SearchHit, type SearchOptions } from './search.js';

export const StoreErrorCode = {
  tooNew: 'db-too-new',
  notMigrated: 'db-not-migrated',
  notFound: 'db-not-found',
  notReadOnly: 'query-not-read-only',
  unknownKind: 'unknown-kind',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface OpenOptions {
  /** a read-only connection: no migration, no writes, any statement that writes is refused */
  readonly?: boolean;
  /** ms to wait for another writer's lock before failing */
  busyTimeoutMs?: number;
}

/** What the store knows of a file, whether it was extracted or failed. */
export interface StoredFile {
  source: string;
  sha256: string | null;
  status: 'ok' | 'failed';
  errorCode: string | null;
  error: string | null;
  extractorVersion: number;
  size: number | null;
  mtime: string | null;
  ingestedAt: string;
  /** stored with preparer names and phone numbers removed (ingest --redact) */
  redacted: boolean;
}

/** Facts about the file a record or a failure was made from. */
export interface FileMeta {
  size: number | null;
  /** ISO 8601 */
  mtime: string | null;
  extractorVersion: number;
  /** the record was redacted before it was stored (default false) */
  redacted?: boolean;
}

/** What an ingest run records about itself. */
export interface RunStart {
  /** the paths and settings of the run, stored as JSON */
  arguments: unknown;
  pid: number;
  host: string;
}

export interface RunEnd {
  status: 'done' | 'interrupted' | 'failed';
  counts: { total: number; new: number; updated: number; unchanged: number; failed: number; hashed: number };
  stages: StageTimes;
  error?: string;
}

/** Milliseconds per stage: list is wall-clock, the others are summed over documents. */
export interface StageTimes {
  listMs: number;
  hashMs: number;
  extractMs: number;
  storeMs: number;
}

export interface Run {
  id: number;
  startedAt: string;
  endedAt: string | null;
  status: 'running' | 'done' | 'interrupted' | 'failed' | 'killed';
  arguments: unknown;
  pid: number;
  host: string;
  total: number | null;
  new: number | null;
  updated: number | null;
  unchanged: number | null;
  failed: number | null;
  hashed: number | null;
  stages: StageTimes | null;
  error: string | null;
}

export interface Failure {
  source: string;
  sha256: string | null;
  code: string;
  message: string;
}

export interface StoredWarning {
  source: string;
  code: string;
  severity: string;
  stage: string;
  form: number | null;
  formKind: string | null;
  formName: string | null;
  message: string;
}

export interface Stats {
  schemaVersion: number;
  documents: number;
  failed: number;
  forms: Record<string, number>;
  funds: number;
  indicators: number;
  expenses: number;
  rubricRows: number;
  sections: number;
  warnings: Record<string, number>;
  formats: Record<string, number>;
}

/**
 * What a run needs from a store: the narrow waist a PostgreSQL store implements too (its methods may
 * return promises; src/ingest.ts awaits every call).
 */
export interface IngestTarget {
  /** the database file, skipped when a run lists its own folder (':memory:' or a URL for others) */
  readonly file: string;
  fileBySource(source: string): StoredFile | undefined | Promise<StoredFile | undefined>;
  saveDocument(record: DocumentRecord, meta: FileMeta): { replaced: boolean } | Promise<{ replaced: boolean }>;
  markFailed(source: string, sha256: string | null, error: { code: string; message: string }, meta: FileMeta): void | Promise<void>;
  /** the file's bytes are the stored ones but its size or mtime changed (a copy, a `touch`): remember the new ones */
  updateFileMeta?(source: string, meta: { size: number | null; mtime: string | null }): void | Promise<void>;
  /**
   * Claims the database for a run: returns the new run's id, or the run that holds it when
   * `isAlive(run)` says it is still going (runs it says are dead are marked 'killed').
   */
  beginRun?(start: RunStart, isAlive: (run: Run) => boolean): { id: number } | { heldBy: Run } | Promise<{ id: number } | { heldBy: Run }>;
  finishRun?(id: number, end: RunEnd): void | Promise<void>;
}

/** Flat tables (views) a user can export or query without joins. */
export const flatKinds = ['documents', 'forms', 'funds', 'indicators', 'expenses', 'rubric', 'sections', 'warnings', 'failures'] as const;
export type FlatKind = (typeof flatKinds)[number];

type Row = Record<string, unknown>;

export class Store implements IngestTarget {
  private readonly writer: RecordWriter | undefined;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly readonly: boolean,
  ) {
    this.writer = readonly ? undefined : new RecordWriter(db);
  }

  static open(file: string, options: OpenOptions = {}): Store {
    const readonly = options.readonly ?? false;
    if (readonly && file !== ':memory:' && !fs.existsSync(file)) {
      throw new StoreError(StoreErrorCode.notFound, `no database at ${file} (run \`docingest ingest\` first)`);
    }
    const db = new Database(file, { readonly, fileMustExist: readonly });
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new StoreError(
          StoreErrorCode.tooNew,
          `${file} has schema version ${version}; this docingest knows up to ${SCHEMA_VERSION}: upgrade docingest`,
        );
      }
      if (readonly) {
        if (version < SCHEMA_VERSION) {
          throw new StoreError(StoreErrorCode.notMigrated, `${file} has schema version ${version}, needs ${SCHEMA_VERSION}: run \`docingest ingest\` once to migrate it`);
        }
      } else {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable at checkpoints, never corrupt
        migrate(db, version);
        indexPending(db);
      }
      return new Store(db, file, readonly);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  fileBySource(source: string): StoredFile | undefined {
    const row = this.db.prepare('SELECT * FROM documents WHERE source = ?').get(source) as Row | undefined;
    return row && storedFile(row);
  }

  /**
   * Stores a record in one transaction, replacing what was stored for the same path (an older version
   * of the file, or an older extraction of it). Returns whether something was replaced.
   */
  saveDocument(record: DocumentRecord, meta: FileMeta): { replaced: boolean } {
    const writer = this.requireWriter();
    const d = record.document;
    return this.db.transaction(() => {
      const removed = this.db
        .prepare('DELETE FROM documents WHERE source = ?')
        .run(d.source).changes;
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO documents (sha256, source, format, organization, fiscal_year, title, status,
               extractor_version, size, mtime, ingested_at, redacted)
             VALUES (?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?, ?, ?)`,
          )
          .run(d.sha256, d.source, d.format, d.organization, d.fiscalYear, d.title, meta.extractorVersion, meta.size, meta.mtime, now(), meta.redacted ? 1 : 0)
          .lastInsertRowid,
      );
      writer.write(id, record);
      indexDocument(this.db, id);
      return { replaced: removed > 0 };
    })();
  }

  /**
   * Records that a file could not be extracted. It replaces what was stored for the path: the file
   * now holds these bytes, so the old version's values no longer describe it.
   */
  markFailed(source: string, sha256: string | null, error: { code: string; message: string }, meta: FileMeta): void {
    this.requireWriter();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM documents WHERE source = ?').run(source);
      this.db
        .prepare(
          `INSERT INTO documents (sha256, source, status, error_code, error, extractor_version, size, mtime, ingested_at, redacted)
           VALUES (?, ?, 'failed', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(sha256, source, error.code, error.message, meta.extractorVersion, meta.size, meta.mtime, now(), meta.redacted ? 1 : 0);
    })();
  }

  updateFileMeta(source: string, meta: { size: number | null; mtime: string | null }): void {
    this.requireWriter();
    this.db.prepare('UPDATE documents SET size = ?, mtime = ? WHERE source = ?').run(meta.size, meta.mtime, source);
  }

  /**
   * In one IMMEDIATE transaction, so two processes starting at once cannot both see the database free:
   * the second one's BEGIN waits for the first one's commit (busy timeout) and then sees its run.
   */
  beginRun(start: RunStart, isAlive: (run: Run) => boolean): { id: number } | { heldBy: Run } {
    this.requireWriter();
    return this.db.transaction((): { id: number } | { heldBy: Run } => {
      const running = (this.db.prepare("SELECT * FROM runs WHERE status = 'running' ORDER BY id").all() as Row[]).map(storedRun);
      const holder = running.find((r) => isAlive(r));
      if (holder) return { heldBy: holder };
      const markKilled = this.db.prepare("UPDATE runs SET status = 'killed' WHERE id = ?");
      for (const dead of running) markKilled.run(dead.id);
      const id = this.db
        .prepare("INSERT INTO runs (started_at, status, arguments, pid, host) VALUES (?, 'running', ?, ?, ?)")
        .run(now(), JSON.stringify(start.arguments), start.pid, start.host).lastInsertRowid;
      return { id: Number(id) };
    }).immediate();
  }

  finishRun(id: number, end: RunEnd): void {
    this.requireWriter();
    const { counts: c, stages: s } = end;
    this.db
      .prepare(
        `UPDATE runs SET ended_at = ?, status = ?, total = ?, new = ?, updated = ?, unchanged = ?, failed = ?, hashed = ?,
           list_ms = ?, hash_ms = ?, extract_ms = ?, store_ms = ?, error = ? WHERE id = ?`,
      )
      .run(now(), end.status, c.total, c.new, c.updated, c.unchanged, c.failed, c.hashed,
        Math.round(s.listMs), Math.round(s.hashMs), Math.round(s.extractMs), Math.round(s.storeMs), end.error ?? null, id);
  }

  /** The runs, newest first. */
  runs(limit = 20): Run[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(storedRun);
  }

  /** Every successfully extracted document, ordered by path, read lazily one at a time. */
  *records(filter: { source?: string } = {}): Generator<DocumentRecord> {
    const ids = this.db
      .prepare(`SELECT id FROM documents WHERE status = 'ok' ${filter.source !== undefined ? 'AND source = ?' : ''} ORDER BY source`)
      .pluck()
      .all(...(filter.source !== undefined ? [filter.source] : [])) as number[];
    const byId = this.db.prepare('SELECT * FROM documents WHERE id = ?');
    for (const id of ids) {
      const row = byId.get(id) as Row | undefined;
      if (row) yield readRecord(this.db, row); // deleted meanwhile: skip
    }
  }

  record(source: string): DocumentRecord | undefined {
    return this.records({ source }).next().value ?? undefined;
  }

  failures(): Failure[] {
    return (this.db.prepare("SELECT * FROM documents WHERE status = 'failed' ORDER BY source").all() as Row[]).map((r) => ({
      source: r.source as string,
      sha256: r.sha256 as string | null,
      code: r.error_code as string,
      message: r.error as string,
    }));
  }

  warnings(filter: { code?: string; source?: string } = {}): StoredWarning[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.code !== undefined) (where.push('code = ?'), params.push(filter.code));
    if (filter.source !== undefined) (where.push('source = ?'), params.push(filter.source));
    const sql = `SELECT * FROM v_warnings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY source, ord`;
    return (this.db.prepare(sql).all(...params) as Row[]).map((r) => ({
      source: r.source as string,
      code: r.code as string,
      severity: r.severity as string,
      stage: r.stage as string,
      form: r.form as number | null,
      formKind: r.form_kind as string | null,
      formName: r.form_name as string | null,
      message: r.message as string,
    }));
  }

  /** The rows of a flat view (one row per indicator, fund line, …, with its document's and form's columns). */
  *rows(kind: FlatKind): Generator<Row> {
    if (!flatKinds.includes(kind)) {
      throw new StoreError(StoreErrorCode.unknownKind, `unknown kind "${kind}": one of ${flatKinds.join(', ')}`);
    }
    const order: Record<FlatKind, string> = {
      documents: 'source', failures: 'source', forms: 'source, form', sections: 'source, ord', warnings: 'source, ord',
      funds: 'source, form, ord', indicators: 'source, form, ord', expenses: 'source, form, ord', rubric: 'source, form, ord',
    };
    yield* this.db.prepare(`SELECT * FROM v_${kind} ORDER BY ${order[kind]}`).iterate() as Iterable<Row>;
  }

  /** Runs one read-only statement (SELECT, WITH, read-only PRAGMA); anything that writes is refused. */
  *query(sql: string, params: unknown[] = []): Generator<Row> {
    const stmt = this.db.prepare(sql);
    if (!stmt.reader || !stmt.readonly) {
      throw new StoreError(StoreErrorCode.notReadOnly, 'only statements that read are allowed (SELECT, WITH …)');
    }
    yield* stmt.iterate(...params) as Iterable<Row>;
  }

  /** Full-text search over sections and form cells; terms of any length, CJK included (see search.ts). */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return search(this.db, query, options);
  }

  /** The stored audit warnings, ordered by document and form. */
  auditFindings(filter: AuditFilter = {}): AuditFinding[] {
    return auditFindings(this.db, filter);
  }

  /** Total score and 年度资金总额 budget vs executed of every scored form. */
  scoreRows(filter: ReportFilter = {}): ScoreRow[] {
    return scoreRows(this.db, filter);
  }

  stats(): Stats {
    const count = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    const groups = (sql: string) =>
      Object.fromEntries((this.db.prepare(sql).raw().all() as [string, number][]).map(([k, n]) => [k, n]));
    return {
      schemaVersion: this.schemaVersion,
      documents: count("SELECT count(*) FROM documents WHERE status = 'ok'"),
      failed: count("SELECT count(*) FROM documents WHERE status = 'failed'"),
      forms: groups('SELECT kind, count(*) FROM forms GROUP BY kind ORDER BY kind'),
      funds: count('SELECT count(*) FROM funds'),
      indicators: count('SELECT count(*) FROM indicators'),
      expenses: count('SELECT count(*) FROM expenses'),
      rubricRows: count('SELECT count(*) FROM rubric_rows'),
      sections: count('SELECT count(*) FROM sections'),
      warnings: groups('SELECT code, count(*) FROM warnings GROUP BY code ORDER BY code'),
      formats: groups("SELECT format, count(*) FROM documents WHERE status = 'ok' GROUP BY format ORDER BY format"),
    };
  }

  private requireWriter(): RecordWriter {
    if (!this.writer) throw new StoreError(StoreErrorCode.notReadOnly, `${this.file} is open read-only`);
    return this.writer;
  }
}

/** Applies the pending migrations in one write transaction; the version is re-read inside it, so two
 * processes opening a new database at once do not both create the tables. */
function migrate(db: Database.Database, seen: number): void {
  if (seen === SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    for (const migration of migrations.filter((m) => m.version > from)) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
}

function storedFile(row: Row): StoredFile {
  return {
    source: row.source as string,
    sha256: row.sha256 as string | null,
    status: row.status as 'ok' | 'failed',
    errorCode: row.error_code as string | null,
    error: row.error as string | null,
    extractorVersion: row.extractor_version as number,
    size: row.size as number | null,
    mtime: row.mtime as string | null,
    ingestedAt: row.ingested_at as string,
    redacted: row.redacted === 1,
  };
}

function storedRun(row: Row): Run {
  const ended = row.list_ms !== null;
  return {
    id: row.id as number,
    startedAt: row.started_at as string,
    endedAt: row.ended_at as string | null,
    status: row.status as Run['status'],
    arguments: JSON.parse(row.arguments as string) as unknown,
    pid: row.pid as number,
    host: row.host as string,
    total: row.total as number | null,
    new: row.new as number | null,
    updated: row.updated as number | null,
    unchanged: row.unchanged as number | null,
    failed: row.failed as number | null,
    hashed: row.hashed as number | null,
    stages: ended
      ? { listMs: row.list_ms as number, hashMs: row.hash_ms as number, extractMs: row.extract_ms as number, storeMs: row.store_ms as number }
      : null,
    error: row.error as string | null,
  };
}

const now = () => new Date().toISOString();
