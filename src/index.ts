// The library: what a program that depends on docingest imports. The CLI is a thin layer over this.
//
//   import { ingest, openStore } from 'docingest';
//   const summary = await ingest(['archive/'], { db: 'archive.sqlite', signal, onProgress });
//   const store = openStore('archive.sqlite');
//   for (const record of store.records()) …; store.warnings({ code: 'execution-rate-mismatch' });
import fs from 'node:fs/promises';
import type { DocumentRecord } from '../schemas/record.js';
import { ingest as ingestInto, type IngestOptions, type IngestSummary } from './ingest.js';
import { extract as extractBytes, type ExtractOptions } from './pipeline.js';
import { Store, type OpenOptions } from './store/index.js';

// an explicit list, so what another module adds to the schema file does not become public API by accident
export {
  DocumentInfo, DocumentRecord, Expense, Form, FormKind, FundLine, Goals, Indicator, Preparer, RubricRow, Section, Sources,
  Staffing, Warning,
} from '../schemas/record.js';
export { Cell, DocModel, Format, Message, Place } from '../schemas/model.js';
export { ErrorCode, IngestError } from './errors.js';
export { EXTRACTOR_VERSION, type ExtractOptions } from './pipeline.js';
export { defaultLimits, type Limits } from './formats.js';
export { InputPathError, listFiles, RunLockedError, type FileStatus, type IngestEvent, type IngestOptions, type IngestSummary } from './ingest.js';
export { flatKinds, SCHEMA_VERSION, Store, StoreError, StoreErrorCode } from './store/index.js';
export type { Failure, FileMeta, FlatKind, IngestTarget, OpenOptions, Run, RunEnd, RunStart, StageTimes, Stats, StoredFile, StoredWarning } from './store/index.js';
export { auditCodes, groupFindings } from './store/index.js';
export type { AuditFilter, AuditFinding, AuditGroup, HitKind, ReportFilter, ScoreRow, SearchHit, SearchOptions } from './store/index.js';

export const DEFAULT_DB = 'docingest.sqlite';

/** Opens (creating and migrating if needed) a docingest database. Close it when done. */
export function openStore(file: string = DEFAULT_DB, options: OpenOptions = {}): Store {
  return Store.open(file, options);
}

/**
 * Extracts and stores the documents in `paths` (files, or folders recursed). Give `store` to use an
 * open one, or `db` (a file name, default docingest.sqlite) to have it opened and closed here.
 * Failed documents are recorded and listed in the summary; they do not reject the promise.
 */
export async function ingest(
  paths: string | string[],
  options: IngestOptions & { db?: string; store?: Store } = {},
): Promise<IngestSummary> {
  const { db, store, ...rest } = options;
  const target = store ?? Store.open(db ?? DEFAULT_DB);
  try {
    return await ingestInto(target, Array.isArray(paths) ? paths : [paths], rest);
  } finally {
    if (!store) target.close();
  }
}

/**
 * The pure core: the record of one document, nothing stored. `input` is the file's bytes or its path;
 * `source` names it in the record (default: the path, or "<bytes>"). Throws IngestError on bad input.
 */
export async function extract(input: Uint8Array | string, options: ExtractOptions & { source?: string } = {}): Promise<DocumentRecord> {
  const { source, ...rest } = options;
  if (typeof input === 'string') return extractBytes(await fs.readFile(input), source ?? input, rest);
  return extractBytes(input, source ?? '<bytes>', rest);
}
