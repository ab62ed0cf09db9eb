// The tesseract.js worker pool: one worker per core, created on first use and kept for the next
// documents (loading chi_sim costs ~0.6 s per worker), terminated by terminateOcr() so tests and
// the CLI can exit. Our own pool rather than tesseract's Scheduler because each job sets its own
// page-segmentation mode, and a Scheduler job cannot call setParameters on the worker it gets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { ErrorCode, IngestError } from '../../src/errors.js';

const require = createRequire(import.meta.url);

/**
 * The LSTM-only chi_sim model (1.7 MB) inside node_modules. The package's own export points at
 * its 20 MB legacy file; without a langPath tesseract.js would fetch from a CDN.
 */
export function chiSimLangPath(): string {
  return path.join(path.dirname(require.resolve('@tesseract.js-data/chi_sim/package.json')), '4.0.0_best_int');
}

/** One cache per model variant: tesseract.js keys its cache by language code only. */
const cachePath = path.join(os.tmpdir(), 'docingest-tesseract-cache', 'chi_sim-4.0.0_best_int');

/**
 * createWorker guarded as STACK.md §2 found necessary: without errorHandler a failed language
 * load is an uncaught exception that kills the process; with it the promise never settles. So
 * the error handler rejects a race, and a timer ends a hang.
 */
export async function makeWorker(langPath = chiSimLangPath(), timeoutMs = 60_000): Promise<Worker> {
  fs.mkdirSync(cachePath, { recursive: true });
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  const timer = setTimeout(() => fail(new Error(`tesseract worker did not start within ${timeoutMs} ms`)), timeoutMs);
  try {
    const worker = await Promise.race([
      createWorker('chi_sim', OEM.LSTM_ONLY, { langPath, cachePath, gzip: true, errorHandler: (e: unknown) => fail(e) }),
      failed,
    ]);
    await worker.setParameters({ preserve_interword_spaces: '1', user_defined_dpi: '200' });
    return worker;
  } catch (err) {
    throw new IngestError(ErrorCode.missingTool, `cannot start the OCR engine (chi_sim from ${langPath}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

interface PooledWorker { worker: Worker; psm: PSM | null }

class OcrPool {
  private idle: PooledWorker[] = [];
  private all: Array<Promise<PooledWorker>> = [];
  private waiting: Array<(w: PooledWorker) => void> = [];
  private busy = 0;
  constructor(readonly size: number) {}

  /** Run `job` on a worker set to page-segmentation mode `psm`. */
  async run<T>(psm: PSM, job: (worker: Worker) => Promise<T>): Promise<T> {
    this.busy++;
    if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
    try {
      return await this.runOn(psm, job);
    } finally {
      if (--this.busy === 0 && pool === this) idleTimer = setTimeout(() => void terminateOcr(), IDLE_MS);
    }
  }

  private async runOn<T>(psm: PSM, job: (worker: Worker) => Promise<T>): Promise<T> {
    const pooled = await this.acquire();
    try {
      if (pooled.psm !== psm) {
        await pooled.worker.setParameters({ tessedit_pageseg_mode: psm });
        pooled.psm = psm;
      }
      return await job(pooled.worker);
    } finally {
      this.release(pooled);
    }
  }

  private async acquire(): Promise<PooledWorker> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length < this.size) {
      const starting = makeWorker().then((worker) => ({ worker, psm: null }));
      this.all.push(starting);
      try {
        return await starting;
      } catch (err) {
        this.all.splice(this.all.indexOf(starting), 1); // a later document may try again
        throw err;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(pooled: PooledWorker) {
    const next = this.waiting.shift();
    if (next) next(pooled);
    else this.idle.push(pooled);
  }

  async terminate() {
    const started = await Promise.allSettled(this.all);
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
  }
}

let pool: OcrPool | null = null;
let idleTimer: NodeJS.Timeout | null = null;
/** Workers left idle this long are ended, so a CLI run or a test that never calls terminateOcr still exits. */
const IDLE_MS = 3000;

/** The shared pool; one worker per core unless DOCINGEST_OCR_WORKERS says otherwise. */
export function ocrPool(): OcrPool {
  pool ??= new OcrPool(Math.max(1, Number(process.env.DOCINGEST_OCR_WORKERS) || os.availableParallelism()));
  return pool;
}

/** End every OCR worker (they keep the event loop alive); the next OCR starts a fresh pool. */
export async function terminateOcr(): Promise<void> {
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  const current = pool;
  pool = null;
  await current?.terminate();
}

export { PSM };
