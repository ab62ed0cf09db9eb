// Using docingest from code: ingest a folder into SQLite (cancellable, with progress), then read the
// records, the audit warnings and a flat view back.   Run: npx tsx examples/ingest.ts [db-file]
import path from 'node:path';
import { ingest, openStore } from 'docingest';

const samples = path.join(import.meta.dirname, '..', 'samples');
const db = process.argv[2] ?? 'example.sqlite';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort()); // Ctrl-C: stop cleanly, what is stored stays whole

const summary = await ingest([samples], {
  db,
  signal: controller.signal,
  onProgress: (event) => {
    if (event.type === 'file') console.error(`[${event.done}/${event.total}] ${event.status} ${path.basename(event.source)}`);
  },
});
console.log(`new ${summary.new}, updated ${summary.updated}, unchanged ${summary.unchanged}, failed ${summary.failed}`);
for (const failure of summary.failures) console.log(`failed: ${failure.source} [${failure.code}] ${failure.message}`);

const store = openStore(db);
try {
  for (const record of store.records()) {
    const forms = record.forms.map((form) => `${form.kind}${form.name ? ` ${form.name}` : ''}`);
    console.log(`${path.basename(record.document.source)}: ${forms.join('; ') || `${record.sections.length} sections`}`);
  }
  for (const warning of store.warnings({ code: 'execution-rate-mismatch' })) {
    console.log(`audit: ${path.basename(warning.source)} form ${warning.form} (${warning.formName}): ${warning.message}`);
  }
  const lost = store.query('SELECT form_name, name, weight, score FROM v_indicators WHERE score < weight ORDER BY form_name, ord');
  for (const row of lost) console.log(`points lost: ${row.form_name} / ${row.name}: ${row.score} of ${row.weight}`);
} finally {
  store.close();
}
