// The storage layer's public face: open a Store; nothing else outside this folder touches SQL.
export { Store, StoreError, StoreErrorCode, flatKinds } from './store.js';
export type { FileMeta, Failure, FlatKind, IngestTarget, OpenOptions, Run, RunEnd, RunStart, StageTimes, Stats, StoredFile, StoredWarning } from './store.js';
export { SCHEMA_VERSION } from './migrations.js';
export { auditCodes, groupFindings } from './reports.js';
export type { AuditFilter, AuditFinding, AuditGroup, ReportFilter, ScoreRow } from './reports.js';
export type { HitKind, SearchHit, SearchOptions } from './search.js';
