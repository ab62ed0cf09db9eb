// Concurrency: extraction N at a time in the pool with one writer, and two ingests on one database —
// the second exits with a clear message (exit 75) or, with --wait, waits for the first; never both
// writing, never a damaged database.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { bin, cliIn } from './helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVariants } from '../bench/corpus.js';
import { ingest, RunLockedError } from '../src/ingest.js';
import { Store } from '../src/store/index.js';

let dir: string;

const docingest = cliIn(() => dir, 180_000);

function docingestAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const sortedExport = (db: string) => docingest('export', '--db', db).stdout.trim().split('\n').sort();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-concurrency-'));
  writeVariants(path.join(dir, 'tree'), 28, 11);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('one database, two ingests', () => {
  it('a second ingest exits 75 naming the run that holds the database, or waits for it with --wait', async () => {
    const db = path.join(dir, 'held.sqlite');
    const holder = Store.open(db);
    try {
      // a run of this test process: alive, on this host
      const claim = holder.beginRun({ arguments: { paths: ['elsewhere'] }, pid: process.pid, host: os.hostname() }, () => true);
      expect('id' in claim).toBe(true);
      const refused = docingest('ingest', 'tree', '--db', 'held.sqlite');
      expect(refused.code).toBe(75);
      expect(refused.stderr).toBe(
        `docingest: another ingest is running on held.sqlite (run 1, pid ${process.pid} on ${os.hostname()}, started ${holder.runs()[0]!.startedAt}); wait for it to end, or pass --wait <seconds>\n`,
      );
      expect(refused.stdout).toBe('');

      const waiting = docingestAsync('ingest', 'tree', '--db', 'held.sqlite', '--wait', '60', '--no-isolation');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      holder.finishRun((claim as { id: number }).id, {
        status: 'done', counts: { total: 0, new: 0, updated: 0, unchanged: 0, failed: 0, hashed: 0 }, stages: { listMs: 0, hashMs: 0, extractMs: 0, storeMs: 0 },
      });
      const waited = await waiting;
      expect(waited.code).toBe(0);
      expect(waited.stdout).toMatch(/28 new, 0 updated, 0 unchanged, 0 failed/);
      expect(holder.runs().map((r) => r.status)).toEqual(['done', 'done']);
    } finally {
      holder.close();
    }
  });

  it('two CLI ingests started together: one does the work, the other gives way; the database is whole', async () => {
    const reference = docingest('ingest', 'tree', '--db', 'reference.sqlite', '--no-isolation');
    expect(reference.code).toBe(0);
    const runs = await Promise.all([docingestAsync('ingest', 'tree', '--db', 'both.sqlite'), docingestAsync('ingest', 'tree', '--db', 'both.sqlite')]);
    const codes = runs.map((r) => r.code).sort();
    if (codes[1] === 75) {
      // the usual case: they overlapped
      expect(codes).toEqual([0, 75]);
      expect(runs.find((r) => r.code === 75)!.stderr).toMatch(/^docingest: another ingest is running on both\.sqlite \(run \d, pid \d+/);
    } else {
      // the second started after the first had ended: it found everything stored
      expect(codes).toEqual([0, 0]);
      expect(runs.map((r) => r.stdout).join('')).toMatch(/28 unchanged/);
    }
    const db = new Database(path.join(dir, 'both.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(sortedExport('both.sqlite')).toEqual(sortedExport('reference.sqlite'));
  });

  it('two runs in one process on one database: the second is refused while the first goes on', async () => {
    const file = path.join(dir, 'lib.sqlite');
    const a = Store.open(file);
    const b = Store.open(file);
    try {
      let second: Promise<unknown> | undefined;
      // started once the first has claimed the database (its 'start' event)
      const first = ingest(a, [path.join(dir, 'tree')], {
        isolation: 'none',
        onProgress: (event) => {
          if (event.type === 'start') second = ingest(b, [path.join(dir, 'tree')], { isolation: 'none' }).then(() => 'ran', (err: unknown) => err);
        },
      });
      expect(await first).toMatchObject({ new: 28, failed: 0 });
      expect(await second).toBeInstanceOf(RunLockedError);
      // the first is done: the database is free again
      expect(await ingest(b, [path.join(dir, 'tree')], { isolation: 'none' })).toMatchObject({ unchanged: 28, hashed: 0 });
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('the extraction pool', () => {
  it('keeps --concurrency documents in extraction at once while one thread writes', async () => {
    const store = Store.open(path.join(dir, 'pool.sqlite'));
    try {
      const summary = await ingest(store, [path.join(dir, 'tree')], { concurrency: 2 });
      expect(summary).toMatchObject({ new: 28, failed: 0 });
      // time in extraction summed over documents is about twice the wall-clock time: two at a time
      const wall = summary.ms - summary.stages.listMs;
      expect(summary.stages.extractMs).toBeGreaterThan(1.5 * wall);
    } finally {
      store.close();
    }
    expect(sortedExport('pool.sqlite')).toHaveLength(28);
  });
});
