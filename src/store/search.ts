// Full-text search over what a document says: narrative sections and the text in its forms' cells.
//
// Chinese has no spaces, and most of its words are two characters (预算, 绩效, 项目), but FTS5's
// trigram tokenizer matches nothing under three characters and unicode61 reads a whole run of Han
// characters as one token. So every searchable row (a section, an indicator, a fund line, … see
// `indexed` below) gets one `search_entries` row, and its normalised text goes into two contentless
// FTS5 tables under that entry's id:
//   - search_trigram (trigram tokenizer) answers terms of 3+ characters as substrings;
//   - search_grams holds, per character, a unigram token and a bigram token with its successor,
//     written by us: a 1-character term is one unigram lookup, a 2-character term one bigram lookup —
//     never a scan. Characters are spelled in base 36 (`u` + 4 digits, `b` + 8 digits) so that digits,
//     Latin letters and punctuation ("3.", "%") are grams like any other and the tokenizer cannot
//     split or fold them.
// Contentless, because the text is already in the value tables: a snippet is rebuilt from the owner
// row. Deleting a document cascades to its entries, whose trigger deletes their FTS rows.
//
// A query is split at white space into terms; a hit contains every term (AND), ranked by bm25 with a
// row's label (section heading, indicator name, …) weighing twice its body.
//
// Text is normalised the same way on both sides: NFKC (full-width ASCII -> half-width, as the scorer
// folds it), lower case, and white space next to a CJK character removed — a cell's line break
// ("17项至镇\n5项到村") or an OCR gap ("预 算") must not hide a word. Fields of one row are joined with
// "\n", which no term can contain, so no match spans two fields.
import type Database from 'better-sqlite3';

export type HitKind = 'document' | 'section' | 'form' | 'goals' | 'indicator' | 'fund' | 'expense' | 'rubric';

export interface SearchHit {
  source: string;
  /** the document's title */
  title: string | null;
  organization: string | null;
  fiscalYear: number | null;
  /** what matched: a narrative section, a form's heading fields, its goals, or one of its rows */
  kind: HitKind;
  /** the matching row's name as stored: section heading, indicator name, fund line, expense item, rubric
   * level3, form name (else title), document title; null for goals and unnamed rows */
  label: string | null;
  /** the section heading, for kind "section" */
  heading: string | null;
  /** the form the hit is in, for form hits and their rows */
  form: { index: number; kind: string; name: string | null; title: string | null } | null;
  /** the matching text (normalised as indexed, fields separated by ｜) around the first term found, terms in [brackets] */
  snippet: string;
  /** bm25: lower is better */
  score: number;
}

export interface SearchOptions {
  /** most hits returned (default 20) */
  limit?: number;
  /** how many of the most recently stored matches are ranked (default 10,000; Infinity: all) */
  rankWindow?: number;
}

const RANK_WINDOW = 10_000;

type Row = Record<string, unknown>;

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef`;
const spaceNextToCjk = new RegExp(String.raw`(?<=[${CJK}])\s+|\s+(?=[${CJK}])`, 'gu');

/** The form text is indexed and queried in (see the top of this file). */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(spaceNextToCjk, '').replace(/\s+/gu, ' ').trim();
}

const spell = (ch: string) => ch.codePointAt(0)!.toString(36).padStart(4, '0');
const unigram = (ch: string) => `u${spell(ch)}`;
const bigram = (a: string, b: string) => `b${spell(a)}${spell(b)}`;

/** The unigram and bigram tokens of a normalised text; grams with white space are never queried. */
export function gramTokens(text: string): string {
  const chars = [...text];
  const tokens: string[] = [];
  chars.forEach((ch, i) => {
    if (/\s/u.test(ch)) return;
    tokens.push(unigram(ch));
    const next = chars[i + 1];
    if (next !== undefined && !/\s/u.test(next)) tokens.push(bigram(ch, next));
  });
  return tokens.join(' ');
}

/**
 * What is searchable: per kind of hit, the table its rows live in, the SQL that lists a document's
 * rows, and the columns of its label (weighing double) and of its body.
 */
const formRows = (table: string) =>
  `SELECT x.* FROM ${table} x JOIN forms f ON f.id = x.form_id WHERE f.document_id = ? ORDER BY f.ord, x.ord`;
const indexed: Record<HitKind, { table: string; rows: string; label: string[]; body: string[] }> = {
  document: { table: 'documents', rows: 'SELECT * FROM documents WHERE id = ?', label: ['title'], body: ['organization'] },
  section: { table: 'sections', rows: 'SELECT * FROM sections WHERE document_id = ? ORDER BY ord', label: ['heading'], body: ['text'] },
  form: {
    table: 'forms', rows: 'SELECT * FROM forms WHERE document_id = ? ORDER BY ord',
    label: ['name', 'title'], body: ['attachment', 'supervisor', 'implementer'],
  },
  goals: { table: 'forms', rows: 'SELECT * FROM forms WHERE document_id = ? AND has_goals ORDER BY ord', label: [], body: ['goals_expected', 'goals_actual'] },
  indicator: {
    table: 'indicators', rows: formRows('indicators'),
    label: ['name'], body: ['level1', 'level2', 'measure', 'target', 'actual', 'note'],
  },
  fund: { table: 'funds', rows: formRows('funds'), label: ['line'], body: ['initial_budget', 'annual_budget', 'executed', 'execution_rate'] },
  expense: { table: 'expenses', rows: formRows('expenses'), label: ['item'], body: ['prev_final', 'budget', 'final'] },
  rubric: { table: 'rubric_rows', rows: formRows('rubric_rows'), label: ['level3'], body: ['level1', 'level2'] },
};
const hitKinds = Object.keys(indexed) as HitKind[];

/** The normalised text of some columns of a row: numbers as printed by JS, empty values skipped. */
function fieldsText(row: Row, columns: string[]): string {
  return columns
    .map((c) => row[c])
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map((v) => normalizeForSearch(String(v)))
    .filter(Boolean)
    .join('\n');
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/**
 * Indexes a stored document's rows. Call inside the transaction that wrote them; the old version's
 * entries went with its documents row (ON DELETE CASCADE, and a trigger clears both FTS tables).
 */
export function indexDocument(db: Database.Database, documentId: number): void {
  const insertEntry = prepared(db, 'INSERT INTO search_entries (document_id, kind, owner_id, form_id) VALUES (?, ?, ?, ?)');
  const insertTrigram = prepared(db, 'INSERT INTO search_trigram (rowid, label, body) VALUES (?, ?, ?)');
  const insertGrams = prepared(db, 'INSERT INTO search_grams (rowid, label, body) VALUES (?, ?, ?)');
  for (const kind of hitKinds) {
    const spec = indexed[kind];
    for (const row of prepared(db, spec.rows).all(documentId) as Row[]) {
      const label = fieldsText(row, spec.label);
      const body = fieldsText(row, spec.body);
      // the document's entry is kept even when empty: it marks the document as indexed
      if (kind !== 'document' && !label && !body) continue;
      const formId = spec.table === 'forms' ? row.id : (row.form_id ?? null);
      const id = insertEntry.run(documentId, kind, row.id, formId).lastInsertRowid;
      insertTrigram.run(id, label, body);
      insertGrams.run(id, gramTokens(label), gramTokens(body));
    }
  }
}

/**
 * Indexes the stored documents that have no entries yet: those saved before the search tables existed
 * (a database migrated from schema version 1). Cheap when there are none.
 */
export function indexPending(db: Database.Database): number {
  const pending = db
    .prepare(
      `SELECT id FROM documents d WHERE status = 'ok'
         AND NOT EXISTS (SELECT 1 FROM search_entries e WHERE e.document_id = d.id)`,
    )
    .pluck()
    .all() as number[];
  if (pending.length) db.transaction(() => pending.forEach((id) => indexDocument(db, id)))();
  return pending.length;
}

/** The query's terms, normalised and deduplicated; a term shorter than 3 characters goes to the grams. */
export function parseQuery(query: string): { terms: string[]; trigram: string | null; grams: string | null } {
  const terms = [...new Set(query.split(/\s+/u).flatMap((t) => normalizeForSearch(t).split(' ')).filter(Boolean))];
  const long = terms.filter((t) => [...t].length >= 3);
  const short = terms.filter((t) => [...t].length < 3);
  const token = (t: string) => {
    const [a, b] = [...t] as [string, string | undefined];
    return b === undefined ? unigram(a) : bigram(a, b);
  };
  return {
    terms,
    trigram: long.length ? long.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ') : null,
    grams: short.length ? short.map((t) => `"${token(t)}"`).join(' AND ') : null,
  };
}

/**
 * Ranked hits for a query of one or more white-space separated terms; [] when it has none.
 *
 * bm25 costs a little for every matching row, and a 1-character term such as 预 matches most rows of a
 * large archive (where its idf, and so its ranking power, is near zero anyway). So the ranking looks
 * at the `rankWindow` most recently stored matches only — finding the window's edge walks the
 * doclist without scoring — which bounds a query's cost whatever the archive's size.
 */
export function search(db: Database.Database, query: string, options: SearchOptions = {}): SearchHit[] {
  const limit = options.limit ?? 20;
  const window = options.rankWindow ?? RANK_WINDOW;
  const { terms, trigram, grams } = parseQuery(query);
  if (!terms.length) return [];
  const match = [trigram, grams].filter((m) => m !== null);
  const tables = [trigram && 'search_trigram', grams && 'search_grams'].filter((t) => t !== null);
  const [driver] = tables as [string];
  const joined = tables.length === 2 ? 'search_trigram JOIN search_grams ON search_grams.rowid = search_trigram.rowid' : driver;
  const from = `FROM ${joined} WHERE ${tables.map((t) => `${t} MATCH ?`).join(' AND ')}`;
  const floor = Number.isFinite(window)
    ? ((prepared(db, `SELECT ${driver}.rowid ${from} ORDER BY ${driver}.rowid DESC LIMIT 1 OFFSET ?`)
        .pluck()
        .get(...match, window - 1) as number | undefined) ?? 0)
    : 0;
  // the label (section heading, indicator name, …) weighs twice the body
  const score = tables.map((t) => `bm25(${t}, 2.0, 1.0)`).join(' + ');
  const rows = prepared(
    db,
    `WITH hits AS (SELECT ${driver}.rowid AS id, ${score} AS score ${from} AND ${driver}.rowid >= ? ORDER BY score LIMIT ?)
     SELECT hits.score, e.kind, e.owner_id, d.source, d.title, d.organization, d.fiscal_year,
            f.ord AS form_ord, f.kind AS form_kind, f.name AS form_name, f.title AS form_title
     FROM hits JOIN search_entries e ON e.id = hits.id
     JOIN documents d ON d.id = e.document_id
     LEFT JOIN forms f ON f.id = e.form_id
     ORDER BY hits.score, d.source, e.id`,
  ).all(...match, floor, limit) as Row[];
  return rows.map((r) => {
    const kind = r.kind as HitKind;
    const spec = indexed[kind];
    const owner = (prepared(db, `SELECT * FROM ${spec.table} WHERE id = ?`).get(r.owner_id) as Row | undefined) ?? {};
    const label = spec.label.map((c) => owner[c]).find((v) => typeof v === 'string' && v !== '') as string | undefined;
    return {
      source: r.source as string,
      title: r.title as string | null,
      organization: r.organization as string | null,
      fiscalYear: r.fiscal_year as number | null,
      kind,
      label: label ?? null,
      heading: kind === 'section' ? (label ?? '') : null,
      form:
        r.form_ord == null
          ? null
          : { index: r.form_ord as number, kind: r.form_kind as string, name: r.form_name as string | null, title: r.form_title as string | null },
      snippet: snippet(fieldsText(owner, spec.label), fieldsText(owner, spec.body), terms),
      score: r.score as number,
    };
  });
}

/** About `width` characters of the body around the first term it holds (else of the label), terms bracketed. */
export function snippet(label: string, body: string, terms: string[], width = 60): string {
  const text = terms.some((t) => body.includes(t)) || !label ? body : label;
  const found = terms.map((t) => text.indexOf(t)).filter((i) => i >= 0);
  const first = found.length ? Math.min(...found) : 0;
  const start = Math.max(0, first - Math.floor(width / 3));
  const end = Math.min(text.length, start + width);
  // longest term first, so a term inside another ("预算" in "预算执行") does not split its brackets
  const pattern = new RegExp([...terms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'gu');
  const window = text.slice(start, end).replace(/\n/g, ' ｜ ').replace(pattern, (m) => `[${m}]`);
  return `${start > 0 ? '…' : ''}${window}${end < text.length ? '…' : ''}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
