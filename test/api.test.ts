// The library API: ingest runs (skip unchanged, update, failures recorded, cancellation), the public
// entry's exports, and the package as a dependent project sees it (npm pack, imported by name).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { extract, ingest, openStore, type IngestEvent } from '../src/index.js';

const root = path.join(import.meta.dirname, '..');
const samples = path.join(root, 'samples');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-api-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** n copies of the samples, each made distinct by a trailing line, so every file is new work */
function copies(folder: string, n: number): string {
  const target = path.join(dir, folder);
  const files = fs.readdirSync(samples).filter((f) => !f.includes('gb18030'));
  for (let i = 0; i < n; i++) {
    const sub = path.join(target, `batch-${String(i).padStart(3, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(sub, f), `${fs.readFileSync(path.join(samples, f), 'utf8')}\n第${i}份\n`);
  }
  return target;
}

describe('ingest', () => {
  it('stores new files, skips unchanged ones, re-extracts changed ones, records failures', async () => {
    const folder = path.join(dir, 'run');
    fs.cpSync(samples, folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'empty.doc'), '');
    fs.writeFileSync(path.join(folder, '.hidden.txt'), 'not listed');
    const db = path.join(dir, 'run.sqlite');
    const events: IngestEvent[] = [];

    const first = await ingest(folder, { db, isolation: 'none', onProgress: (e) => events.push(e) });
    expect(first).toMatchObject({ total: 8, new: 7, updated: 0, unchanged: 0, failed: 1, aborted: false });
    expect(first.failures).toEqual([{ source: path.join(folder, 'empty.doc'), sha256: expect.any(String), code: 'empty-file', message: expect.any(String) }]);
    expect(events[0]).toEqual({ type: 'start', total: 8 });
    expect(events.filter((e) => e.type === 'file')).toHaveLength(8);

    const second = await ingest([folder], { db, isolation: 'none' });
    expect(second).toMatchObject({ new: 0, updated: 0, unchanged: 7, failed: 1 }); // the failure is remembered, not re-run
    const changed = path.join(folder, 'qingxi-forestry-dept-self-eval.txt');
    fs.appendFileSync(changed, '\n补充说明\n');
    const third = await ingest([folder], { db, isolation: 'none', retryFailed: true });
    expect(third).toMatchObject({ new: 0, updated: 1, unchanged: 6, failed: 1 });

    const forced = await ingest([folder], { db, isolation: 'none', force: true });
    expect(forced).toMatchObject({ new: 0, updated: 7, unchanged: 0, failed: 1 });

    const store = openStore(db);
    try {
      const records = [...store.records()];
      expect(records.map((r) => path.basename(r.document.source))).toEqual(fs.readdirSync(samples).sort());
      const fresh = await extract(changed);
      expect(store.record(changed)).toEqual(fresh);
      expect(await extract(fs.readFileSync(changed), { source: changed })).toEqual(fresh);
      expect(store.warnings({ code: 'execution-rate-mismatch' }).map((w) => path.basename(w.source))).toEqual(['qingxi-forestry-project-self-eval.txt']);
      expect(store.failures().map((f) => f.code)).toEqual(['empty-file']);
    } finally {
      store.close();
    }
  });

  it('rejects a path that does not exist before touching anything', async () => {
    const db = path.join(dir, 'none.sqlite');
    await expect(ingest([samples, path.join(dir, 'missing')], { db })).rejects.toBeInstanceOf(api.InputPathError);
    const store = openStore(db);
    expect(store.stats().documents).toBe(0);
    store.close();
  });

  it('an aborted run keeps every saved document whole, and the next run finishes the rest', async () => {
    const folder = copies('many', 12); // 72 files
    const db = path.join(dir, 'abort.sqlite');
    const controller = new AbortController();
    let saved = 0;
    const summary = await ingest(folder, {
      db,
      isolation: 'none',
      concurrency: 2,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'file' && ++saved === 10) controller.abort();
      },
    });
    expect(summary.aborted).toBe(true);
    expect(summary.new).toBeGreaterThanOrEqual(10);
    expect(summary.new).toBeLessThan(72);
    const store = openStore(db);
    try {
      const stored = [...store.records()];
      expect(stored).toHaveLength(summary.new);
      for (const record of stored.slice(0, 6)) expect(record).toEqual(await extract(record.document.source));
    } finally {
      store.close();
    }
    const rest = await ingest(folder, { db, isolation: 'none' });
    expect(rest).toMatchObject({ new: 72 - summary.new, unchanged: summary.new, failed: 0, aborted: false });
  });

  it('extracts in child processes by default and stores the same records', async () => {
    const db = path.join(dir, 'isolated.sqlite');
    const summary = await ingest(samples, { db, concurrency: 2 });
    expect(summary).toMatchObject({ new: 7, failed: 0 });
    const store = openStore(db, { readonly: true });
    try {
      for (const record of store.records()) expect(record).toEqual(await extract(record.document.source));
    } finally {
      store.close();
    }
  });
});

describe('the package', () => {
  it('index.js exports every runtime name of src/index.ts', () => {
    const shim = fs.readFileSync(path.join(root, 'index.js'), 'utf8');
    const block = shim.slice(shim.indexOf('export const {'), shim.indexOf('} = api;'));
    const names = block.replace('export const {', '').split(',').map((s) => s.trim()).filter(Boolean).sort();
    expect(names).toEqual(Object.keys(api).sort());
  });

  // A dependent project: the tarball `npm pack` makes, unpacked as node_modules/docingest, imported
  // by name. Its dependencies are symlinked from this checkout (a real `npm install` recompiles
  // better-sqlite3 for ~2 minutes; set DOCINGEST_PACK_INSTALL=1 to run that variant below).
  it('packs, and a project imports it by name, ingests, reads, and cancels', () => {
    const project = path.join(dir, 'consumer');
    const modules = path.join(project, 'node_modules');
    fs.mkdirSync(path.join(modules, 'docingest'), { recursive: true });
    const tarball = packTo(project);
    execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'docingest'), '--strip-components=1']);
    for (const dep of fs.readdirSync(path.join(root, 'node_modules'))) {
      if (dep.startsWith('.')) continue;
      fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(modules, dep));
    }
    const result = runConsumer(project);
    expect(result.summary).toMatchObject({ new: 7, failed: 0 });
    expect(result.kinds).toEqual(['basic-data', 'dept-self-eval', 'fund-self-eval', 'project-self-eval', 'scoring-table']);
    expect(result.warnings).toEqual(['execution-rate-mismatch']);
    expect(result.aborted).toMatchObject({ aborted: true });
    expect(result.storedAfterAbort).toBe(result.aborted.new);
    expect(result.integrity).toBe('ok');
  });

  it('runs the README example (examples/ingest.ts), which imports the package by its name', () => {
    const db = path.join(dir, 'example.sqlite');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/ingest.ts', db], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toMatch(/^new 7, updated 0, unchanged 0, failed 0$/m);
    expect(out).toMatch(/^audit: qingxi-forestry-project-self-eval\.txt form 0 \(林下经济示范基地建设\): /m);
    expect(out).toMatch(/^points lost: 青溪县林业局 \/ 森林覆盖率: 19 of 20$/m);
  });

  it.skipIf(!process.env.DOCINGEST_PACK_INSTALL)('installs from the tarball with npm (slow: compiles better-sqlite3)', () => {
    const project = path.join(dir, 'installed');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","private":true,"type":"module"}');
    fs.copyFileSync(path.join(root, '.npmrc'), path.join(project, '.npmrc'));
    const tarball = packTo(project);
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe', timeout: 600_000 });
    const result = runConsumer(project);
    expect(result.summary).toMatchObject({ new: 7, failed: 0 });
    expect(result.integrity).toBe('ok');
  }, 660_000);
});

function packTo(project: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  const packed = info!.files.map((f) => f.path);
  expect(packed).toEqual(expect.arrayContaining(['index.js', 'bin/docingest.js', 'src/index.ts', 'schemas/record.ts', 'extractors/text.ts']));
  expect(packed.some((p) => p.startsWith('test/'))).toBe(false);
  return path.join(project, info!.filename);
}

/** Runs a plain ESM program in the project folder that uses docingest by name; returns what it saw. */
function runConsumer(project: string) {
  const program = `
    import fs from 'node:fs';
    import path from 'node:path';
    import { ingest, openStore } from 'docingest';
    const samples = path.join('node_modules', 'docingest', 'samples');
    const summary = await ingest(samples, { db: 'lib.sqlite', concurrency: 2 });
    const store = openStore('lib.sqlite');
    const kinds = [...new Set([...store.records()].flatMap((r) => r.forms.map((f) => f.kind)))].sort();
    const warnings = store.warnings().filter((w) => w.stage === 'audit').map((w) => w.code);
    store.close();
    // a long run, cancelled after its 3rd file
    fs.mkdirSync('long');
    for (let i = 0; i < 40; i++) for (const f of fs.readdirSync(samples))
      fs.writeFileSync(path.join('long', i + '-' + f), fs.readFileSync(path.join(samples, f)) + '\\n' + i + '\\n');
    const controller = new AbortController();
    let done = 0;
    const aborted = await ingest('long', { db: 'long.sqlite', concurrency: 2, signal: controller.signal,
      onProgress: (e) => { if (e.type === 'file' && ++done === 3) controller.abort(); } });
    const long = openStore('long.sqlite');
    const storedAfterAbort = [...long.records()].length;
    const [integrity] = [...long.query('PRAGMA integrity_check')].map((r) => r.integrity_check);
    long.close();
    console.log(JSON.stringify({ summary, kinds, warnings, aborted, storedAfterAbort, integrity }));
  `;
  fs.writeFileSync(path.join(project, 'consumer.mjs'), program);
  const out = execFileSync(process.execPath, ['consumer.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as {
    summary: api.IngestSummary; kinds: string[]; warnings: string[]; aborted: api.IngestSummary; storedAfterAbort: number; integrity: string;
  };
}
