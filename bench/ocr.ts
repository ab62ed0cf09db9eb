// OCR throughput on equal cores, three ways over the same pages:
// - ours: the scanned-page path (level, rules, cell-by-cell OCR, rereads of doubtful values, page
//   text), documents taken as many at a time as there are cores, the way ingest runs them;
// - engine: tesseract.js alone, one plain PSM 3 pass per page on the same worker pool (no table
//   structure, no rereads): what the engine itself can do here, the ceiling for the path above;
// - native: the tesseract CLI (chi_sim, OMP_THREAD_LIMIT=1, one process per core), when installed.
// The pool is warmed on a first page, so worker start-up (≈0.6 s per worker) is not counted.
// usage: npx tsx bench/ocr.ts FILE.pdf|FILE.png...
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractImage } from '../extractors/image.js';
import { extractScannedPdf, pdfPageRasters, terminateOcr } from '../extractors/ocr.js';
import { toPgm } from '../extractors/ocr/raster.js';
import { PSM, runOcr } from '../extractors/ocr/scheduler.js';
import { tiffPageSizes } from '../extractors/ocr/tiff.js';
import { defaultLimits } from '../src/formats.js';

export interface OcrBench {
  pages: number;
  /** documents extracted at once (one per core, as ingest does) */
  documentsAtOnce: number;
  pagesPerMinute: number;
  peakRssMb: number;
  /** CPU time per page, every thread counted: unlike pages per minute, barely moved by other load on the machine */
  cpuMsPerPage: number;
  /** tesseract.js, one plain PSM 3 pass per page, same pool and cores */
  enginePagesPerMinute: number;
  engineCpuMsPerPage: number;
  /** native `tesseract -l chi_sim` (OMP_THREAD_LIMIT=1, one process per core), null when not installed */
  nativePagesPerMinute: number | null;
  /** the native processes' CPU time per page (Linux /proc), null when unknown */
  nativeCpuMsPerPage: number | null;
  /** pagesPerMinute / nativePagesPerMinute, and the same for the engine alone */
  ratioToNative: number | null;
  engineRatioToNative: number | null;
}

const isPdf = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 1024)).includes('%PDF-');
const cores = os.availableParallelism();

/** Run `job` over `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, job: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  }));
}

/** Wall minutes and CPU ms (all threads of this process) of `run`, with the peak RSS seen meanwhile. */
async function timed(run: () => Promise<void>): Promise<{ minutes: number; cpuMs: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
  const started = performance.now(), cpu = process.cpuUsage();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const { user, system } = process.cpuUsage(cpu);
  return { minutes: (performance.now() - started) / 60_000, cpuMs: (user + system) / 1000, peakRss };
}

export async function benchOcr(files: string[]): Promise<OcrBench> {
  const inputs = files.map((file) => ({ file, bytes: new Uint8Array(fs.readFileSync(file)) }));
  const extract = ({ file, bytes }: { file: string; bytes: Uint8Array }) =>
    isPdf(bytes) ? extractScannedPdf(bytes, { source: file, limits: defaultLimits }) : extractImage(bytes, { source: file, limits: defaultLimits });
  // each page as an image file, for the engine-only and the native runs
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-'));
  const images: string[] = [];
  for (const { file, bytes } of inputs) {
    if (!isPdf(bytes)) { images.push(file); continue; }
    for (const { page, image } of await pdfPageRasters(bytes, 'all')) {
      const out = path.join(dir, `${path.basename(file)}-${page}.pgm`);
      fs.writeFileSync(out, toPgm(image));
      images.push(out);
    }
  }
  const pages = inputs.reduce((n, { bytes }) => n + (isPdf(bytes) ? 0 : (tiffPageSizes(bytes)?.length ?? 1)), images.filter((p) => p.endsWith('.pgm')).length);
  if (pages === 0) throw new Error('no pages to read');
  try {
    // warm-up on the small test fixture: starts the worker pool
    await extractImage(new Uint8Array(fs.readFileSync(new URL('../test/fixtures/ocr-table.png', import.meta.url))), { source: 'warm-up', limits: defaultLimits });
    const ours = await timed(() => inLanes(inputs, cores, extract));
    const engine = await timed(() => inLanes(images, cores, async (file) => {
      const bytes = fs.readFileSync(file);
      await runOcr('chi_sim', PSM.AUTO, (worker) => worker.recognize(bytes, {}, { text: true, blocks: true }));
    }));
    const childCpu = childCpuMs();
    const native = await benchNative(images);
    const nativeCpu = childCpu === null ? null : childCpuMs();
    const perMinute = (t: { minutes: number }) => pages / t.minutes;
    return {
      pages,
      documentsAtOnce: cores,
      pagesPerMinute: perMinute(ours),
      peakRssMb: Math.round(ours.peakRss / 1e6),
      cpuMsPerPage: Math.round(ours.cpuMs / pages),
      enginePagesPerMinute: perMinute(engine),
      engineCpuMsPerPage: Math.round(engine.cpuMs / images.length),
      nativePagesPerMinute: native,
      nativeCpuMsPerPage: native === null || nativeCpu === null || childCpu === null ? null : Math.round((nativeCpu - childCpu) / images.length),
      ratioToNative: native === null ? null : perMinute(ours) / native,
      engineRatioToNative: native === null ? null : perMinute(engine) / native,
    };
  } finally {
    await terminateOcr();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (ms) of this process's finished children: fields 16–17 of /proc/self/stat, in clock ticks (100 a second on Linux). */
function childCpuMs(): number | null {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'latin1').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

async function benchNative(images: string[]): Promise<number | null> {
  if (spawnSync('tesseract', ['--version'], { stdio: 'ignore' }).status !== 0) return null;
  const started = performance.now();
  // OMP_THREAD_LIMIT=1: with OpenMP threads on a 2-core box it runs 4–5× slower (STACK.md §2)
  await inLanes(images, cores, (img) => new Promise<void>((resolve) => {
    spawn('tesseract', [img, 'stdout', '-l', 'chi_sim'], { stdio: 'ignore', env: { ...process.env, OMP_THREAD_LIMIT: '1' } }).on('close', () => resolve());
  }));
  return images.length / ((performance.now() - started) / 60_000);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchOcr(process.argv.slice(2)), null, 2));
}
