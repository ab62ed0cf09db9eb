// The schema, as an ordered list of migrations: the database's PRAGMA user_version is the number of
// migrations applied. Never edit a released migration; append a new one (a PostgreSQL port replays
// the same list in its own dialect).
//
// Layout: one row per document (a file as ingested, ok or failed); its forms, and under each form its
// fund lines, indicators, expense lines and rubric rows; its sections and warnings. Every value's
// provenance (the cell it was read from) lives in `provenance`, keyed by (owner table, owner id, field),
// so the value tables stay readable. `ord` keeps document order. Deleting a document cascades to all.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const placeColumns = `
  page INTEGER, table_no INTEGER, row_no INTEGER, col_no INTEGER, line INTEGER, block INTEGER,
  box_x0 REAL, box_y0 REAL, box_x1 REAL, box_y1 REAL, confidence REAL`;

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'documents, forms and their rows, sections, warnings, provenance, flat views',
    sql: `
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  sha256 TEXT,                      -- NULL when the file could not be read at all
  source TEXT NOT NULL UNIQUE,      -- the path as given; a path holds one version of one file
  format TEXT,
  organization TEXT,
  fiscal_year INTEGER,
  title TEXT,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error_code TEXT,
  error TEXT,
  extractor_version INTEGER NOT NULL,
  size INTEGER,
  mtime TEXT,
  ingested_at TEXT NOT NULL,
  CHECK ((status = 'ok') = (error_code IS NULL))
);
-- Not unique: the same bytes under two paths are two documents, because the export has one line per
-- path as given (a copy in another folder must not vanish from it).
CREATE INDEX documents_sha256 ON documents (sha256);

CREATE TABLE forms (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,             -- the form's index in the export (warnings.form points here)
  kind TEXT NOT NULL,
  attachment TEXT, title TEXT, fiscal_year INTEGER, name TEXT, supervisor TEXT, implementer TEXT,
  has_goals INTEGER NOT NULL, goals_expected TEXT, goals_actual TEXT,
  total_score REAL,
  has_staffing INTEGER NOT NULL, staffing_authorized REAL, staffing_actual REAL, staffing_control_rate REAL,
  has_preparer INTEGER NOT NULL, preparer_name TEXT, preparer_date TEXT, preparer_phone TEXT,
  UNIQUE (document_id, ord)
);

CREATE TABLE funds (
  id INTEGER PRIMARY KEY,
  form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  line TEXT NOT NULL,
  initial_budget REAL, annual_budget REAL, executed REAL, weight REAL, execution_rate REAL, score REAL
);
CREATE INDEX funds_form ON funds (form_id, ord);

CREATE TABLE indicators (
  id INTEGER PRIMARY KEY,
  form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  level1 TEXT, level1_max REAL, level2 TEXT, name TEXT NOT NULL, measure TEXT, target TEXT, actual TEXT,
  weight REAL, score REAL, note TEXT,
  absent TEXT                       -- optional fields the record did not have (see records.ts)
);
CREATE INDEX indicators_form ON indicators (form_id, ord);

CREATE TABLE expenses (
  id INTEGER PRIMARY KEY,
  form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  item TEXT NOT NULL, prev_final REAL, budget REAL, final REAL
);
CREATE INDEX expenses_form ON expenses (form_id, ord);

CREATE TABLE rubric_rows (
  id INTEGER PRIMARY KEY,
  form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  level1 TEXT, level2 TEXT, level3 TEXT, points REAL, score REAL
);
CREATE INDEX rubric_rows_form ON rubric_rows (form_id, ord);

CREATE TABLE sections (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  heading TEXT NOT NULL, level INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX sections_document ON sections (document_id, ord);

CREATE TABLE warnings (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,
  code TEXT NOT NULL, severity TEXT NOT NULL, stage TEXT NOT NULL,
  form INTEGER,                     -- index into the document's forms (forms.ord)
  message TEXT NOT NULL
);
CREATE INDEX warnings_document ON warnings (document_id, ord);
CREATE INDEX warnings_code ON warnings (code);

-- role 'place': where the owner itself was read (a form's tables, a section, a warning);
-- role 'source': where the owner's field \`field\` was read.
CREATE TABLE provenance (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  owner TEXT NOT NULL CHECK (owner IN ('forms', 'funds', 'indicators', 'expenses', 'rubric_rows', 'sections', 'warnings')),
  owner_id INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('place', 'source')),
  field TEXT NOT NULL,
  ord INTEGER NOT NULL,
  ${placeColumns},
  UNIQUE (owner, owner_id, role, field)
);
CREATE INDEX provenance_document ON provenance (document_id);

CREATE VIEW v_documents AS
  SELECT d.id AS document_id, d.source, d.sha256, d.format, d.organization, d.fiscal_year, d.title,
         d.status, d.error_code, d.error, d.size, d.ingested_at,
         (SELECT count(*) FROM forms f WHERE f.document_id = d.id) AS forms,
         (SELECT count(*) FROM warnings w WHERE w.document_id = d.id) AS warnings
  FROM documents d;

CREATE VIEW v_forms AS
  SELECT d.source, d.organization, d.fiscal_year AS document_year, f.document_id, f.id AS form_id,
         f.ord AS form, f.kind, f.attachment, f.title, f.fiscal_year, f.name, f.supervisor, f.implementer,
         f.goals_expected, f.goals_actual, f.total_score,
         f.staffing_authorized, f.staffing_actual, f.staffing_control_rate,
         f.preparer_name, f.preparer_date, f.preparer_phone
  FROM forms f JOIN documents d ON d.id = f.document_id;

CREATE VIEW v_funds AS
  SELECT d.source, d.organization, f.fiscal_year, f.ord AS form, f.kind, f.name AS form_name,
         x.ord, x.line, x.initial_budget, x.annual_budget, x.executed, x.weight, x.execution_rate, x.score,
         x.id AS fund_id, f.id AS form_id, d.id AS document_id
  FROM funds x JOIN forms f ON f.id = x.form_id JOIN documents d ON d.id = f.document_id;

CREATE VIEW v_indicators AS
  SELECT d.source, d.organization, f.fiscal_year, f.ord AS form, f.kind, f.name AS form_name,
         x.ord, x.level1, x.level1_max, x.level2, x.name, x.measure, x.target, x.actual, x.weight, x.score, x.note,
         x.id AS indicator_id, f.id AS form_id, d.id AS document_id
  FROM indicators x JOIN forms f ON f.id = x.form_id JOIN documents d ON d.id = f.document_id;

CREATE VIEW v_expenses AS
  SELECT d.source, d.organization, f.fiscal_year, f.ord AS form, f.kind, f.name AS form_name,
         x.ord, x.item, x.prev_final, x.budget, x.final,
         x.id AS expense_id, f.id AS form_id, d.id AS document_id
  FROM expenses x JOIN forms f ON f.id = x.form_id JOIN documents d ON d.id = f.document_id;

CREATE VIEW v_rubric AS
  SELECT d.source, d.organization, f.fiscal_year, f.ord AS form, f.kind, f.name AS form_name,
         x.ord, x.level1, x.level2, x.level3, x.points, x.score,
         x.id AS rubric_row_id, f.id AS form_id, d.id AS document_id
  FROM rubric_rows x JOIN forms f ON f.id = x.form_id JOIN documents d ON d.id = f.document_id;

CREATE VIEW v_sections AS
  SELECT d.source, d.organization, d.fiscal_year, s.ord, s.heading, s.level, s.text,
         s.id AS section_id, d.id AS document_id
  FROM sections s JOIN documents d ON d.id = s.document_id;

CREATE VIEW v_warnings AS
  SELECT d.source, d.organization, d.fiscal_year, w.ord, w.code, w.severity, w.stage, w.form,
         f.kind AS form_kind, f.name AS form_name, w.message,
         w.id AS warning_id, d.id AS document_id
  FROM warnings w JOIN documents d ON d.id = w.document_id
  LEFT JOIN forms f ON f.document_id = w.document_id AND f.ord = w.form;

-- where each value was read: join on (owner, owner_id) = ('indicators', indicator_id) and so on
CREATE VIEW v_provenance AS
  SELECT d.source, p.owner, p.owner_id, p.role, p.field, p.page, p.table_no, p.row_no, p.col_no, p.line, p.block,
         p.box_x0, p.box_y0, p.box_x1, p.box_y1, p.confidence, d.id AS document_id
  FROM provenance p JOIN documents d ON d.id = p.document_id;

CREATE VIEW v_failures AS
  SELECT source, sha256, error_code, error, size, mtime, extractor_version, ingested_at
  FROM documents WHERE status = 'failed';
`,
  },
  {
    version: 2,
    description: 'full-text search: one entry per searchable row, a trigram and a CJK unigram+bigram index (see search.ts)',
    sql: `
CREATE TABLE search_entries (
  id INTEGER PRIMARY KEY,           -- the rowid of the entry's text in search_trigram and search_grams
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,               -- document, section, form, goals, indicator, fund, expense, rubric
  owner_id INTEGER NOT NULL,        -- the row's id in its table (documents, sections, forms, indicators, …)
  form_id INTEGER
);
CREATE INDEX search_entries_document ON search_entries (document_id);

-- contentless: search.ts writes the normalised text of the entry's row; the text itself stays in the value tables
CREATE VIRTUAL TABLE search_trigram USING fts5 (label, body, content = '', contentless_delete = 1, tokenize = 'trigram');
CREATE VIRTUAL TABLE search_grams USING fts5 (label, body, content = '', contentless_delete = 1);

-- fires for the ON DELETE CASCADE of a replaced or failed document too
CREATE TRIGGER search_entries_delete AFTER DELETE ON search_entries BEGIN
  DELETE FROM search_trigram WHERE rowid = old.id;
  DELETE FROM search_grams WHERE rowid = old.id;
END;
`,
  },
  {
    version: 3,
    description: 'ingest runs (also the one-run-at-a-time lock), and whether a document was stored redacted',
    sql: `
-- A run is 'running' until it ends; a run whose process died (kill -9, power loss) stays 'running'
-- until the next run finds its pid gone and marks it 'killed'. Stage times: list is wall-clock; hash,
-- extract and store are summed over documents (extraction runs several at once, so its sum can exceed
-- the run's wall-clock time).
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'failed', 'killed')),
  arguments TEXT NOT NULL,          -- JSON: the paths and the settings of the run
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  total INTEGER, new INTEGER, updated INTEGER, unchanged INTEGER, failed INTEGER,
  hashed INTEGER,                   -- files read to hash them (0 on a re-run over an unchanged tree)
  list_ms INTEGER, hash_ms INTEGER, extract_ms INTEGER, store_ms INTEGER,
  error TEXT
);
CREATE INDEX runs_status ON runs (status);

-- 1: preparer names and phone numbers were removed at ingest (--redact); a run with the other setting
-- re-extracts the document instead of calling it unchanged.
ALTER TABLE documents ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
`,
  },
];

export const SCHEMA_VERSION = migrations.length;
