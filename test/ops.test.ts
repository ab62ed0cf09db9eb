// Nightly-run operations: incremental re-runs (no file read when nothing changed), the runs table,
// limits with their own error codes, stored failures and --retry-failed, --redact, logs and progress.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cliIn } from './helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePngHeader } from './fixtures/hostile/png.js';
import { sampleFiles } from '../bench/corpus.js';
import { ingest } from '../src/ingest.js';
import { jsonLogger } from '../src/log.js';
import { duration, progressLine } from '../src/cli/progress.js';
import { extract } from '../src/pipeline.js';
import { REDACTED, redactRecord } from '../src/redact.js';
import { Store } from '../src/store/index.js';

const root = path.join(import.meta.dirname, '..');
const hourAgo = () => new Date(Date.now() - 3600_000);
let dir: string;

const docingest = cliIn(() => dir, 120_000);

/** The samples copied into `name`, with old mtimes (an archive nobody is writing to). */
function copySamples(name: string): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  for (const { name: file, bytes } of sampleFiles()) {
    fs.writeFileSync(path.join(folder, file), bytes);
    fs.utimesSync(path.join(folder, file), hourAgo(), hourAgo());
  }
  return folder;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-ops-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('incremental runs', () => {
  it('re-run over an unchanged tree hashes and extracts nothing; touch, edit, --force and a new extractor version do', async () => {
    const folder = copySamples('inc');
    const store = Store.open(path.join(dir, 'inc.sqlite'));
    try {
      const first = await ingest(store, [folder], { isolation: 'none' });
      expect(first).toMatchObject({ total: 7, new: 7, hashed: 7, failed: 0 });

      const second = await ingest(store, [folder], { isolation: 'none' });
      expect(second).toMatchObject({ unchanged: 7, hashed: 0, new: 0, updated: 0 });
      expect(second.stages.extractMs).toBe(0);

      // same bytes, new mtime (a restore from backup): hashed once, not extracted, and not hashed again
      const touched = path.join(folder, 'qingxi-forestry-basic-data.txt');
      const newer = new Date(Date.now() - 1800_000);
      fs.utimesSync(touched, newer, newer);
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ unchanged: 7, hashed: 1 });
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ unchanged: 7, hashed: 0 });

      // an edit that keeps the size and the mtime is the one change the cache cannot see; one that
      // changes either is re-extracted
      const edited = path.join(folder, 'lanshan-water-fund-self-eval.txt');
      fs.appendFileSync(edited, '\n');
      fs.utimesSync(edited, newer, newer);
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ updated: 1, unchanged: 6, hashed: 1 });

      expect(await ingest(store, [folder], { isolation: 'none', force: true })).toMatchObject({ updated: 7, hashed: 7 });

      // a document stored by an older extractor is re-extracted, the others are not even read
      const raw = new Database(store.file);
      raw.prepare('UPDATE documents SET extractor_version = 0 WHERE source = ?').run(touched);
      raw.close();
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ updated: 1, unchanged: 6, hashed: 1 });
    } finally {
      store.close();
    }
  });

  it('does not trust an mtime from the last two seconds: such a file is hashed again next run', async () => {
    const folder = path.join(dir, 'racy');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'fresh.txt');
    fs.writeFileSync(file, sampleFiles()[1]!.bytes);
    const store = Store.open(path.join(dir, 'racy.sqlite'));
    try {
      await ingest(store, [folder], { isolation: 'none' });
      expect(store.fileBySource(file)?.mtime).toBeNull();
      // rewritten within the same clock tick, same size: the hash still sees it
      const bytes = Buffer.from(fs.readFileSync(file));
      const digit = bytes.lastIndexOf('7');
      bytes[digit] = 0x38; // one figure's 7 becomes an 8
      const { mtime } = fs.statSync(file);
      fs.writeFileSync(file, bytes);
      fs.utimesSync(file, mtime, mtime);
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ updated: 1, hashed: 1 });
    } finally {
      store.close();
    }
  });
});

describe('runs', () => {
  it('records every run with its arguments, counts and stage times; `docingest runs` lists them', async () => {
    const folder = copySamples('runs');
    const db = path.join(dir, 'runs.sqlite');
    const store = Store.open(db);
    try {
      const full = await ingest(store, [folder], { isolation: 'none', redact: true });
      await ingest(store, [folder], { isolation: 'none', redact: true });
      const [again, first] = store.runs();
      expect(first).toMatchObject({ id: full.runId, status: 'done', total: 7, new: 7, hashed: 7, failed: 0 });
      expect(first!.arguments).toMatchObject({ paths: [folder], redact: true });
      expect(first!.stages!.extractMs).toBeGreaterThan(0);
      expect(first!.endedAt! >= first!.startedAt).toBe(true);
      expect(again).toMatchObject({ status: 'done', unchanged: 7, hashed: 0, stages: { extractMs: 0, hashMs: expect.any(Number) } });
    } finally {
      store.close();
    }
    const table = docingest('runs', '--db', db);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run +started +status +seconds +files +new +updated +unchanged +failed +hashed +list s +hash s +extract s +store s$/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^2 .* done .* 7 +0 +0 +7 +0 +0 /);
    const json = docingest('runs', '--db', db, '--json', '--limit', '1');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 2, status: 'done', unchanged: 7 });
  });
});

describe('limits and failures', () => {
  it('stores each limit as its own error code; failures lists them; they are retried only with --retry-failed', () => {
    const folder = path.join(dir, 'limits');
    fs.mkdirSync(folder);
    const sample = sampleFiles()[3]!;
    fs.writeFileSync(path.join(folder, 'ok.txt'), sample.bytes);
    fs.writeFileSync(path.join(folder, 'big.txt'), Buffer.concat([sample.bytes, Buffer.from('\n'.repeat(20_000))]));
    fs.copyFileSync(path.join(root, 'test/fixtures/word/report.docx'), path.join(folder, 'report.docx')); // 6.4 KB, 63 KB unzipped
    fs.writeFileSync(path.join(folder, 'scan.png'), makePngHeader(4000, 3000));
    for (const f of fs.readdirSync(folder)) fs.utimesSync(path.join(folder, f), hourAgo(), hourAgo());

    const run = docingest('ingest', 'limits', '--db', 'limits.sqlite', '--max-file-size', '16K', '--max-unzipped-size', '32K', '--max-image-pixels', '10M');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 new, 0 updated, 0 unchanged, 3 failed/);
    const failures = docingest('failures', '--db', 'limits.sqlite').stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(failures.map(([source, code]) => [source, code])).toEqual([
      ['limits/big.txt', 'file-too-large'],
      ['limits/report.docx', 'zip-bomb'],
      ['limits/scan.png', 'image-too-large'],
    ]);
    expect(failures[0]![2]).toMatch(/over the 16384-byte limit/);
    expect(failures[2]![2]).toMatch(/4000×3000 pixels, over the 10000000-pixel limit/);

    // limits lifted, but the stored failures are for these very bytes: reported again, not retried
    const again = docingest('ingest', 'limits', '--db', 'limits.sqlite');
    expect(again.stdout).toMatch(/0 new, 0 updated, 1 unchanged, 3 failed/);
    expect(again.stderr).toContain('--retry-failed to try again');
    // (the image limit kept: a PNG with a header and no pixels would only cost an OCR start-up here)
    const retried = docingest('ingest', 'limits', '--db', 'limits.sqlite', '--retry-failed', '--no-isolation', '--max-image-pixels', '10M');
    expect(retried.stdout).toMatch(/0 new, 2 updated, 1 unchanged, 1 failed/);
    expect(docingest('failures', '--db', 'limits.sqlite').stdout).toMatch(/^limits\/scan\.png\timage-too-large\t[^\n]+\n$/);
    expect(JSON.parse(docingest('failures', '--db', 'limits.sqlite', '--json', '--code', 'image-too-large').stdout)).toMatchObject({
      source: 'limits/scan.png', code: 'image-too-large',
    });
    expect(docingest('failures', '--db', 'limits.sqlite', '--code', 'timeout').stdout).toBe('');
  });

  it('stops a document at --timeout and stores it as timeout', () => {
    const folder = path.join(dir, 'slow');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'a.txt'), sampleFiles()[4]!.bytes);
    const run = docingest('ingest', 'slow', '--db', 'slow.sqlite', '--timeout', '0.001', '--log-json');
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'file')).toMatchObject({ level: 'warn', source: 'slow/a.txt', status: 'failed', code: 'timeout' });
    expect(lines.at(-1)).toMatchObject({ level: 'info', event: 'summary', failed: 1, total: 1 });
    expect(docingest('failures', '--db', 'slow.sqlite').stdout).toMatch(/^slow\/a\.txt\ttimeout\textraction took longer than 0\.001 s\n$/);
  });

  it('refuses sizes and counts it cannot read', () => {
    expect(docingest('ingest', '.', '--max-file-size', 'big').code).toBe(2);
    expect(docingest('ingest', '.', '--max-image-pixels', '-3').code).toBe(2);
    expect(docingest('ingest', '.', '--timeout', '0').code).toBe(2);
  });
});

describe('--redact', () => {
  const name = '何立';
  const phone = '0745-5550121';

  it('stores and exports no preparer name or phone number, keeps the date; a plain run restores them', async () => {
    const folder = copySamples('redact');
    const db = path.join(dir, 'redact.sqlite');
    const source = path.join(folder, 'qingxi-forestry-basic-data.txt');
    const store = Store.open(db);
    try {
      expect(await ingest(store, [folder], { isolation: 'none', redact: true })).toMatchObject({ new: 7 });
      expect(store.record(source)!.forms[0]!.preparer).toEqual({ name: null, date: '2024-03-06', phone: null });
      const everything = [...store.records()].map((r) => JSON.stringify(r)).join('\n');
      expect(everything).not.toContain(name);
      expect(everything).not.toContain(phone);
      expect(everything).not.toContain('周敏');
      const rows = [...store.query('SELECT preparer_name, preparer_phone, preparer_date FROM forms WHERE preparer_date IS NOT NULL')];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.preparer_name === null && r.preparer_phone === null)).toBe(true);
      expect(store.search(name)).toEqual([]);

      // the setting is part of what was stored: a run without it re-extracts rather than calling the file unchanged
      expect(await ingest(store, [folder], { isolation: 'none' })).toMatchObject({ updated: 7, unchanged: 0 });
      expect(store.record(source)!.forms[0]!.preparer).toEqual({ name, date: '2024-03-06', phone });
    } finally {
      store.close();
    }
    const exported = docingest('ingest', folder, '--db', 'redact.sqlite', '--redact', '--no-isolation');
    expect(exported.stdout).toMatch(/0 new, 7 updated/);
    const out = docingest('export', '--db', 'redact.sqlite').stdout + docingest('export', '--db', 'redact.sqlite', '--format', 'csv', '--kind', 'forms').stdout;
    expect(out).toContain('2024-03-06');
    expect(out).not.toContain(name);
    expect(out).not.toContain(phone);
  });

  it('removes the preparer values wherever they stand in free text, and labelled phone numbers', async () => {
    const record = await extract(sampleFiles()[3]!.bytes, 'x.txt');
    const withText = {
      ...record,
      sections: [{ heading: '其他', level: 1, text: `经办：${name}，手机 138 0000 1234；联系电话：(0745)5550199。预算713.64万元。`, place: record.forms[0]!.place }],
    };
    const redacted = redactRecord(withText);
    expect(redacted.sections[0]!.text).toBe(`经办：${REDACTED}，手机 ${REDACTED}；联系电话：${REDACTED}。预算713.64万元。`);
    expect(redacted.forms[0]!.preparer).toEqual({ name: null, date: '2024-03-06', phone: null });
    expect(redacted.document).toEqual(record.document);
  });
});

describe('logs and progress', () => {
  it('writes one JSON object a line, drops lines under its level, keeps its own keys', () => {
    let out = '';
    const log = jsonLogger({ write: (s: string) => ((out += s), true) } as NodeJS.WritableStream, {
      level: 'warn',
      clock: () => new Date('2026-01-02T03:04:05Z'),
    });
    log.info('not shown');
    log.warn('failed: a.docx: [zip-bomb] too big', { source: 'a.docx', level: 'debug', err: new Error('boom') });
    expect(out.split('\n')).toHaveLength(2);
    expect(JSON.parse(out)).toEqual({
      time: '2026-01-02T03:04:05.000Z', level: 'warn', msg: 'failed: a.docx: [zip-bomb] too big', source: 'a.docx', err: { name: 'Error', message: 'boom' },
    });
  });

  it('draws done/total, rate, ETA and failures within the terminal width', () => {
    const line = progressLine({ done: 120, total: 2000, failed: 2, elapsedMs: 4000 }, 100);
    expect(line).toBe(`[${'#'.repeat(2)}${'-'.repeat(28)}]  120/2000   6%  30 files/s  ETA 1:03  2 failed`);
    expect(progressLine({ done: 0, total: 5, failed: 0, elapsedMs: 10 }, 80)).toMatch(/ 0\/5 +0% +0\.0 files\/s +ETA \?$/);
    expect(progressLine({ done: 5, total: 5, failed: 0, elapsedMs: 1000 }, 30).length).toBeLessThan(30);
    expect(duration(3725_000)).toBe('1:02:05');
  });

  it('keeps stderr empty on a clean run without a terminal, and logs JSON with --log-json', () => {
    copySamples('quiet');
    const quiet = docingest('ingest', 'quiet', '--db', 'quiet.sqlite', '--no-isolation');
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
    expect(quiet.stdout.trim().split('\n')).toHaveLength(1);
    const logged = docingest('ingest', 'quiet', '--db', 'quiet.sqlite', '--no-isolation', '--log-json', '--progress');
    const lines = logged.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['start', ...Array(7).fill('file'), 'summary']);
    expect(lines.at(-1)).toMatchObject({ unchanged: 7, hashed: 0, aborted: false, runId: 2 });
  });
});
