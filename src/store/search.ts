// Full-text search over what a document says: narrative sections and the text in its forms' cells.
//
// Chinese has no spaces, and most of its words are two characters (预算, 绩效, 项目), but FTS5's
// trigram tokenizer matches nothing under three characters and unicode61 reads a whole run of Han
// characters as one token. So every searchable field becomes one row of `search_entries`, indexed twice:
//   - search_trigram (trigram tokenizer, external content = search_entries, kept in sync by triggers)
//     answers terms of 3+ characters as substrings;
//   - search_grams (contentless) holds, per character, a unigram token and a bigram token with its
//     successor, written by us: a 1-character term is one unigram lookup, a 2-character term one bigram
//     lookup — never a scan. Characters are spelled in base 36 (`u` + 4 digits, `b` + 8 digits) so that
//     digits, Latin letters and punctuation ("3.", "%") are grams like any other and the tokenizer
//     cannot split or fold them.
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
  /** the matching row's name: section heading, indicator name, fund line, expense item, rubric level3… */
  label: string;
  /** the section heading, for kind "section" */
  heading: string | null;
  /** the form the hit is in, for form hits and their rows */
  form: { index: number; kind: string; name: string | null; title: string | null } | null;
  /** the matching text around the first term found, terms in [brackets] */
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

/** One searchable row: its label and its body, each a list of fields. */
interface Entry {
  kind: HitKind;
  ownerId: number;
  formId: number | null;
  label: (string | null)[];
  body: (string | null | number)[];
}

const joinFields = (fields: (string | number | null)[]) =>
  fields
    .filter((f): f is string | number => f !== null && f !== '')
    .map((f) => normalizeForSearch(String(f)))
    .filter(Boolean)
    .join('\n');

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/** The searchable rows of a stored document, read back from its tables (their ids are the owners). */
function entriesOf(db: Database.Database, documentId: number): Entry[] {
  const all = (sql: string) => prepared(db, sql).all(documentId) as Row[];
  const entries: Entry[] = [];
  const add = (kind: HitKind, ownerId: unknown, formId: unknown, label: unknown[], body: unknown[]) =>
    entries.push({ kind, ownerId: Number(ownerId), formId: formId == null ? null : Number(formId), label: label as string[], body: body as string[] });

  const doc = prepared(db, 'SELECT id, title, organization FROM documents WHERE id = ?').get(documentId) as Row | undefined;
  // always one row per document, even without a title: it marks the document as indexed
  if (doc) add('document', doc.id, null, [doc.title], [doc.organization]);
  for (const s of all('SELECT id, heading, text FROM sections WHERE document_id = ? ORDER BY ord')) {
    add('section', s.id, null, [s.heading], [s.text]);
  }
  for (const f of all('SELECT * FROM forms WHERE document_id = ? ORDER BY ord')) {
    add('form', f.id, f.id, [f.name, f.title], [f.attachment, f.supervisor, f.implementer]);
    if (f.has_goals) add('goals', f.id, f.id, [], [f.goals_expected, f.goals_actual]);
  }
  const children = (table: string) =>
    all(`SELECT x.* FROM ${table} x JOIN forms f ON f.id = x.form_id WHERE f.document_id = ? ORDER BY f.ord, x.ord`);
  for (const i of children('indicators')) {
    add('indicator', i.id, i.form_id, [i.name], [i.level1, i.level2, i.measure, i.target, i.actual, i.note]);
  }
  for (const x of children('funds')) {
    add('fund', x.id, x.form_id, [x.line], [x.initial_budget, x.annual_budget, x.executed, x.execution_rate]);
  }
  for (const x of children('expenses')) add('expense', x.id, x.form_id, [x.item], [x.prev_final, x.budget, x.final]);
  for (const r of children('rubric_rows')) add('rubric', r.id, r.form_id, [r.level3], [r.level1, r.level2]);
  return entries;
}

/**
 * Indexes a stored document's rows. Call inside the transaction that wrote them; the old version's
 * entries went with its documents row (ON DELETE CASCADE, and triggers clear both FTS tables).
 */
export function indexDocument(db: Database.Database, documentId: number): void {
  const insertEntry = prepared(
    db,
    'INSERT INTO search_entries (document_id, kind, owner_id, form_id, label, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertGrams = prepared(db, 'INSERT INTO search_grams (rowid, label, body) VALUES (?, ?, ?)');
  for (const entry of entriesOf(db, documentId)) {
    const label = joinFields(entry.label);
    const body = joinFields(entry.body);
    if (entry.kind !== 'document' && !label && !body) continue;
    const id = insertEntry.run(documentId, entry.kind, entry.ownerId, entry.formId, label, body).lastInsertRowid;
    insertGrams.run(id, gramTokens(label), gramTokens(body));
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
     SELECT hits.score, e.kind, e.label, e.body, d.source, d.title, d.organization, d.fiscal_year,
            s.heading, f.ord AS form_ord, f.kind AS form_kind, f.name AS form_name, f.title AS form_title
     FROM hits JOIN search_entries e ON e.id = hits.id
     JOIN documents d ON d.id = e.document_id
     LEFT JOIN sections s ON e.kind = 'section' AND s.id = e.owner_id
     LEFT JOIN forms f ON f.id = e.form_id
     ORDER BY hits.score, d.source, e.id`,
  ).all(...match, floor, limit) as Row[];
  return rows.map((r) => ({
    source: r.source as string,
    title: r.title as string | null,
    organization: r.organization as string | null,
    fiscalYear: r.fiscal_year as number | null,
    kind: r.kind as HitKind,
    label: r.label as string,
    heading: r.heading as string | null,
    form:
      r.form_ord == null
        ? null
        : { index: r.form_ord as number, kind: r.form_kind as string, name: r.form_name as string | null, title: r.form_title as string | null },
    snippet: snippet(r.label as string, r.body as string, terms),
    score: r.score as number,
  }));
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
