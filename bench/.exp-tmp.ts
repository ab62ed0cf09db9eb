import Database from 'better-sqlite3';
import { gramTokens } from '../src/store/search.js';
const db = new Database('/tmp/exp.sqlite');
db.exec(`DROP TABLE IF EXISTS g0; CREATE VIRTUAL TABLE g0 USING fts5(label, body, content='', columnsize=0);`);
const ins = db.prepare('INSERT INTO g0(rowid,label,body) VALUES (?,?,?)');
const rows = db.prepare('SELECT id,label,body FROM search_entries').all() as any[];
db.transaction(() => { for (const r of rows) ins.run(r.id, gramTokens(r.label), gramTokens(r.body)); })();
db.exec(`INSERT INTO g0(g0, rank) VALUES ('rank','bm25(2.0,1.0)')`);
const sp = (c: string) => c.codePointAt(0)!.toString(36).padStart(4, '0');
const q = `"u${sp('预')}"`;
for (const t of ['search_grams', 'g0']) {
  const st = db.prepare(`SELECT rowid, rank FROM ${t} WHERE ${t} MATCH ? ORDER BY rank LIMIT 5`);
  st.all(q); const t0 = performance.now(); let r; for (let i = 0; i < 5; i++) r = st.all(q);
  console.log(t, ((performance.now() - t0) / 5).toFixed(1), JSON.stringify(r));
}
