import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, IngestError } from '../src/errors.js';
import { ExtractionPool } from '../src/isolate.js';
import { extract } from '../src/pipeline.js';

let dir: string;
const file = (name: string, data: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};
/** the rejection of a promise that must reject */
async function failure(p: Promise<unknown>): Promise<IngestError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 30_000) throw new Error('condition not met within 30 s');
    await sleep(10);
  }
}

let small: string;
let big: string;
const shared = new ExtractionPool();
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-isolate-'));
  small = file('small.txt', '项目支出绩效自评表\n\t项目名称\n\t示例项目\n\n\t年度预算\n\t713.64\n');
  // ~7 MB of table rows: a second or so of extraction, long enough to be interrupted
  big = file('big.txt', Array.from({ length: 200_000 }, (_, i) => `\t项目${i}\n\t${i * 13}.${i % 100}\n\t≥95%\n`).join('\n'));
});
afterAll(async () => {
  await shared.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ExtractionPool', () => {
  const pool = new ExtractionPool({ concurrency: 2 });
  afterAll(() => pool.close());

  it('gives the same record as extract() in this process', async () => {
    const bytes = fs.readFileSync(small);
    expect(await pool.extract(small, 'small.txt')).toEqual(await extract(bytes, 'small.txt'));
  });

  it('keeps the IngestError code across the process boundary', async () => {
    const err = await failure(pool.extract(file('empty.docx', ''), 'empty.docx'));
    expect(err.code).toBe(ErrorCode.empty);
    expect(err.message).toBe('file is empty (0 bytes)');
  });

  it('refuses a file over maxFileBytes by its size, without reading it', async () => {
    const sparse = path.join(dir, 'sparse.pdf');
    fs.writeFileSync(sparse, '');
    fs.truncateSync(sparse, 5 * 2 ** 30); // 5 GiB on paper, nothing on disk: reading it would take minutes
    const started = Date.now();
    const err = await failure(pool.extract(sparse, 'sparse.pdf'));
    expect(err.code).toBe(ErrorCode.tooLarge);
    expect(err.message).toBe(`file is ${5 * 2 ** 30} bytes, over the ${200 * 1024 * 1024}-byte limit`);
    expect(Date.now() - started).toBeLessThan(2000);
    const limited = await failure(pool.extract(small, 'small.txt', { limits: { maxFileBytes: 10 } }));
    expect(limited.code).toBe(ErrorCode.tooLarge);
  });

  it('a file that is gone, or is not a file: unreadable-file', async () => {
    const gone = path.join(dir, '已删除 的文件.docx');
    const err = await failure(pool.extract(gone, gone));
    expect(err.code).toBe(ErrorCode.unreadable);
    expect(err.message).toBe(`file vanished: ${gone}`);
    const notFile = await failure(pool.extract(dir, dir));
    expect(notFile.code).toBe(ErrorCode.unreadable);
    expect(notFile.message).toBe(`not a regular file: ${dir}`);
  });

  it('runs at most `concurrency` children, however many documents wait', async () => {
    const records = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.extract(small, `copy-${i}.txt`)));
    expect(records.map((r) => r.document.source)).toEqual(Array.from({ length: 6 }, (_, i) => `copy-${i}.txt`));
    expect(pool.workerPids.length).toBeLessThanOrEqual(2);
  });

  it.skipIf(!fs.existsSync('/proc/self/environ') || process.env.DOCINGEST_OCR_WORKERS)('shares the cores out: each child starts cores / concurrency OCR workers', async () => {
    await pool.extract(small, 'small.txt');
    const expected = String(Math.max(1, Math.floor(os.availableParallelism() / 2)));
    for (const pid of pool.workerPids) {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(env).toContain(`DOCINGEST_OCR_WORKERS=${expected}`);
    }
  });
});

describe('a document that hangs, crashes or is cancelled costs only itself', () => {
  const pool = new ExtractionPool({ concurrency: 1 });
  afterAll(() => pool.close());

  it('timeout: the child is killed, the error says how long, the next document runs', async () => {
    await pool.extract(small, 'warm-up');
    const [before] = pool.workerPids;
    const err = await failure(pool.extract(big, 'big.txt', { limits: { timeoutMs: 50 } }));
    expect(err.code).toBe(ErrorCode.timeout);
    expect(err.message).toBe('extraction took longer than 0.05 s');
    await sleep(50);
    expect(alive(before!)).toBe(false);
    expect((await pool.extract(small, 'after-timeout')).document.source).toBe('after-timeout');
    expect(pool.workerPids).not.toContain(before);
  });

  it('crash: a child killed by a signal gives internal-error "extractor crashed", and is replaced', async () => {
    await pool.extract(small, 'warm-up');
    const [victim] = pool.workerPids;
    const pending = pool.extract(big, 'big.txt');
    await until(() => pool.load.running === 1);
    process.kill(victim!, 'SIGSEGV');
    const err = await failure(pending);
    expect(err.code).toBe(ErrorCode.internal);
    expect(err.message).toMatch(/^extractor crashed: killed by SIGSEGV/);
    expect((await pool.extract(small, 'after-crash')).document.source).toBe('after-crash');
    expect(pool.workerPids).not.toContain(victim);
  });

  it('out of memory: a child that fills its heap fails its document alone', async () => {
    // about twice the heap that loading the pipeline takes (79 MB); a 7 MB dump needs more
    const tight = new ExtractionPool({ concurrency: 1, heapMb: 160 });
    try {
      expect((await tight.extract(small, 'fits')).document.source).toBe('fits');
      const err = await failure(tight.extract(big, 'big.txt'));
      expect(err.code).toBe(ErrorCode.internal);
      expect(err.message).toMatch(/^extractor crashed: killed by SIGABRT \(FATAL ERROR: .*JavaScript heap out of memory\)$/);
    } finally {
      await tight.close();
    }
  });

  it('a child that cannot even start fails the documents one by one, instead of respawning forever', async () => {
    const starved = new ExtractionPool({ concurrency: 1, heapMb: 8 }); // too little to load the pipeline
    try {
      const outcomes = await Promise.allSettled([starved.extract(small, 'a'), starved.extract(small, 'b')]);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        const err = (o as PromiseRejectedResult).reason as IngestError;
        expect(err.code).toBe(ErrorCode.internal);
        expect(err.message).toMatch(/^extractor crashed: the worker failed to start \(.*heap out of memory\)$/);
      }
      expect(starved.workerPids).toEqual([]);
    } finally {
      await starved.close();
    }
  });

  it('abort: the signal rejects the running and the queued documents and frees the child', async () => {
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    // one signal for a whole run: one listener, not one per document (MaxListenersExceededWarning)
    const running = pool.extract(big, 'big', { signal: controller.signal });
    await until(() => pool.load.running === 1);
    const queued = Array.from({ length: 12 }, (_, i) => pool.extract(small, `queued-${i}`, { signal: controller.signal }));
    await until(() => pool.load.queued === 12);
    controller.abort();
    const docs = [running, ...queued];
    const outcomes = await Promise.allSettled(docs);
    process.off('warning', onWarning);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : 'resolved'))).toEqual(Array(13).fill('AbortError'));
    expect(warnings).toEqual([]);
    await expect(pool.extract(small, 'x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await pool.extract(small, 'after-abort')).document.source).toBe('after-abort');
  });

  it('close() ends every child and rejects later documents', async () => {
    const p = new ExtractionPool({ concurrency: 2 });
    await Promise.all([p.extract(small, 'a'), p.extract(small, 'b')]);
    const pids = p.workerPids;
    expect(pids.length).toBe(2);
    await p.close();
    expect(pids.filter(alive)).toEqual([]);
    expect((await failure(p.extract(small, 'late'))).code).toBe(ErrorCode.internal);
  });
});

describe('ExtractionPool in a script', () => {
  it('extracts a file whose path has spaces and Chinese characters', async () => {
    const p = file('2023年度 项目支出 绩效自评.txt', '\t项目名称\n\t示例项目\n');
    const record = await shared.extract(p, p, {});
    expect(record.document).toMatchObject({ source: p, format: 'text' });
  });

  it('idle children do not keep a script alive, even without close()', () => {
    const script = file(
      'no-close.mts',
      `import { ExtractionPool } from ${JSON.stringify(path.resolve('src/isolate.ts'))};\n` +
        `const r = await new ExtractionPool().extract(${JSON.stringify(small)}, 'small', {});\nconsole.log(r.document.format);\n`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), timeout: 30_000, encoding: 'utf8' });
    expect(run.error).toBeUndefined(); // a spawnSync timeout would show here
    expect(run.stdout.trim()).toBe('text');
    expect(run.status).toBe(0);
  });

  it('a top-level `await close()` returns once the children are gone (no exit code 13)', () => {
    const script = file(
      'close.mts',
      `import { ExtractionPool } from ${JSON.stringify(path.resolve('src/isolate.ts'))};\n` +
        `const pool = new ExtractionPool();\nawait pool.extract(${JSON.stringify(small)}, 'small', {});\nawait pool.close();\nconsole.log('closed');\n`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), timeout: 30_000, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('closed');
    expect(run.status).toBe(0);
  });
});
