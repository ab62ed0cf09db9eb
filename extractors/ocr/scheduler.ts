// The tesseract.js worker pools: one chi_sim worker per core, created on first use and kept for
// the next documents (loading chi_sim costs ~0.6 s per worker), ended after a few idle seconds or
// by terminateOcr() so tests and the CLI can exit. Our own pool rather than tesseract's Scheduler because each job sets its own
// page-segmentation mode, and a Scheduler job cannot call setParameters on the worker it gets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { ErrorCode, IngestError } from '../../src/errors.js';

const require = createRequire(import.meta.url);

/** The languages OCR uses: chi_sim reads the documents; eng re-reads numbers (chi_sim reads "100%" as "1009%4"). */
export type OcrLang = 'chi_sim' | 'eng';

/**
 * A language's LSTM-only model (chi_sim 1.7 MB, eng 3 MB) inside node_modules. The packages' own
 * exports point at their legacy files (chi_sim 20 MB); without a langPath tesseract.js would
 * fetch from a CDN.
 */
export function langPathOf(lang: OcrLang): string {
  return path.join(path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)), '4.0.0_best_int');
}

/** One cache per model variant: tesseract.js keys its cache by language code only. */
const cachePathOf = (lang: OcrLang) => path.join(os.tmpdir(), 'docingest-tesseract-cache', `${lang}-4.0.0_best_int`);

export async function makeWorker(lang: OcrLang = 'chi_sim', langPath = langPathOf(lang), timeoutMs = 60_000): Promise<Worker> {
  const cachePath = cachePathOf(lang);
  fs.mkdirSync(cachePath, { recursive: true });
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  const timer = setTimeout(() => fail(new Error(`tesseract worker did not start within ${timeoutMs} ms`)), timeoutMs);
  try {
    const worker = await Promise.race([
      createWorker(lang, OEM.LSTM_ONLY, { langPath, cachePath, gzip: true, errorHandler: (e: unknown) => fail(e) }),
      failed,
    ]);
    // tessedit_do_invert off: by default tesseract reads every doubtful line a second time in
    // negative, in case it is white on black; on scans of forms that never wins, and it makes a
    // doubtful cell cost twice (measured: a form page's PSM 3 pass 20% faster, the same text;
    // white-on-black cells would now need turning positive before they are read)
    await worker.setParameters({ preserve_interword_spaces: '1', user_defined_dpi: '200', tessedit_do_invert: '0' });
    return worker;
  } catch (err) {
    throw new IngestError(ErrorCode.missingTool, `cannot start the OCR engine (${lang} from ${langPath}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

interface PooledWorker { worker: Worker; psm: PSM | null }

class OcrPool {
  private idle: PooledWorker[] = [];
  private all: Array<Promise<PooledWorker>> = [];
  private waiting: Array<(w: PooledWorker) => void> = [];
  constructor(readonly lang: OcrLang, readonly size: number) {}

  /** Run `job` on a worker set to page-segmentation mode `psm`. */
  async run<T>(psm: PSM, job: (worker: Worker) => Promise<T>): Promise<T> {
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
      const starting = makeWorker(this.lang).then((worker) => ({ worker, psm: null }));
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

const pools = new Map<OcrLang, OcrPool>();
let busy = 0;
let idleTimer: NodeJS.Timeout | null = null;
/** Workers left idle this long are ended, so a CLI run or a test that never calls terminateOcr still exits. */
const IDLE_MS = 3000;

/**
 * The shared pool of a language: chi_sim gets one worker per core (DOCINGEST_OCR_WORKERS
 * overrides), eng one worker, as it only re-reads the odd number.
 */
export function ocrPool(lang: OcrLang = 'chi_sim'): OcrPool {
  let pool = pools.get(lang);
  if (!pool) {
    pool = new OcrPool(lang, lang === 'chi_sim' ? ocrWorkerCount() : 1);
    pools.set(lang, pool);
  }
  return pool;
}

/** How many chi_sim workers read at once: one per core, or DOCINGEST_OCR_WORKERS. */
export function ocrWorkerCount(): number {
  return Math.max(1, Number(process.env.DOCINGEST_OCR_WORKERS) || os.availableParallelism());
}

/** Run an OCR job on a language's pool, keeping the idle timer honest. */
export async function runOcr<T>(lang: OcrLang, psm: PSM, job: (worker: Worker) => Promise<T>): Promise<T> {
  busy++;
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  try {
    return await ocrPool(lang).run(psm, job);
  } finally {
    if (--busy === 0) idleTimer = setTimeout(() => void terminateOcr(), IDLE_MS);
  }
}

/** End every OCR worker (they keep the event loop alive); the next OCR starts fresh pools. */
export async function terminateOcr(): Promise<void> {
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
  const current = [...pools.values()];
  pools.clear();
  await Promise.all(current.map((p) => p.terminate()));
}

export { PSM };
