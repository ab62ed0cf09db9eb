// kill -9 at any moment, run again: the database ends as an uninterrupted run leaves it. Each
// document is stored in one transaction (WAL), so a killed run leaves whole documents or nothing of
// one; the next run skips what is stored and does the rest.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { bin, cliIn } from './helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVariants } from '../bench/corpus.js';
import { Store } from '../src/store/index.js';

let dir: string;

const docingest = cliIn(() => dir, 180_000);

const sortedExport = (db: string) => docingest('export', '--db', db).stdout.trim().split('\n').sort();

/** Starts an ingest and SIGKILLs it once `files` documents are reported done (0: as soon as it has started). */
async function ingestKilledAfter(db: string, files: number): Promise<{ done: number; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [bin, 'ingest', 'tree', '--db', db, '--progress', '--log-json', '--concurrency', '2'], { cwd: dir });
  let done = 0;
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const event = JSON.parse(line) as { event?: string };
      if (event.event === 'file') done++;
      if ((event.event === 'start' && files === 0) || (files > 0 && done === files)) child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  return { done, signal };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-resume-'));
  writeVariants(path.join(dir, 'tree'), 42, 7);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a run killed with SIGKILL', () => {
  it('is finished by the next runs: the export equals an uninterrupted run’s, the killed runs are marked', async () => {
    const whole = docingest('ingest', 'tree', '--db', 'whole.sqlite', '--no-isolation');
    expect(whole.stdout).toMatch(/^ingested 42 files in [\d.]+ s: 42 new, 0 updated, 0 unchanged, 0 failed/);
    const expected = sortedExport('whole.sqlite');
    expect(expected).toHaveLength(42);

    // killed at start-up (before any document), after 3 documents, then after 20, each mid-run
    const kills = [];
    for (const after of [0, 3, 20]) kills.push(await ingestKilledAfter('killed.sqlite', after));
    expect(kills.every((k) => k.signal === 'SIGKILL')).toBe(true);
    // the last killed run is still 'running' in the table; `runs` sees its process is gone
    expect(JSON.parse(docingest('runs', '--db', 'killed.sqlite', '--json', '--limit', '1').stdout)).toMatchObject({ id: 3, status: 'killed', endedAt: null });
    expect(kills.map((k) => k.done)).toEqual([0, 3, 20]);

    const rest = docingest('ingest', 'tree', '--db', 'killed.sqlite');
    expect(rest.code).toBe(0);
    const counts = /: (\d+) new, 0 updated, (\d+) unchanged, 0 failed/.exec(rest.stdout);
    expect(counts).not.toBeNull();
    // the last killed run reported 20 documents done (those of earlier runs among them, as unchanged):
    // all were kept, and one in flight may have been saved unreported
    expect(Number(counts![2])).toBeGreaterThanOrEqual(20);
    expect(Number(counts![1]) + Number(counts![2])).toBe(42);

    expect(sortedExport('killed.sqlite')).toEqual(expected);
    const db = new Database(path.join(dir, 'killed.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const store = Store.open(path.join(dir, 'killed.sqlite'), { readonly: true });
    const statuses = store.runs().map((r) => r.status);
    store.close();
    expect(statuses).toEqual(['done', 'killed', 'killed', 'killed']);
  });
});
