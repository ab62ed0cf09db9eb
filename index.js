// The package entry for programs that import 'docingest'. There is no build step: the TypeScript
// source is loaded through tsx's scoped loader (tsImport), which leaves the importing program's own
// module loading untouched. The names below must match src/index.ts (test/api.test.ts checks it);
// types come from src/index.ts directly ("types" in package.json).
import { tsImport } from 'tsx/esm/api';

const api = await tsImport('./src/index.ts', import.meta.url);

export const {
  DEFAULT_DB, EXTRACTOR_VERSION, SCHEMA_VERSION, defaultLimits, flatKinds,
  openStore, ingest, extract, listFiles, auditCodes, groupFindings,
  Store, StoreError, StoreErrorCode, IngestError, ErrorCode, InputPathError, RunLockedError,
  DocumentRecord, DocumentInfo, Form, FormKind, FundLine, Indicator, Expense, RubricRow, Section, Warning,
  Preparer, Staffing, Goals, Sources, Cell, DocModel, Format, Message, Place,
} = api;
export default api;
