// OCR throughput: our scanned-page path (render at 200 dpi, level, rules, cell-by-cell OCR, page
// text) against the native tesseract CLI doing one plain PSM 3 pass per page (no table structure,
// so an upper bound on speed rather than a like-for-like), when it is installed. The pool is warmed
// on a first page, so worker start-up (≈0.6 s per worker) is not counted.
// usage: npx tsx bench/ocr.ts FILE.pdf|FILE.png...
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractImage } from '../extractors/image.js';
import { extractScannedPdf, pdfPageRasters, terminateOcr } from '../extractors/ocr.js';
import { tiffPageSizes } from '../extractors/ocr/tiff.js';
import { defaultLimits } from '../src/formats.js';

export interface OcrBench {
  pages: number;
  pagesPerMinute: number;
  peakRssMb: number;
  /** CPU time per page, every thread counted: unlike pages per minute, barely moved by other load on the machine */
  cpuMsPerPage: number;
  /** native `tesseract -l chi_sim` (OMP_THREAD_LIMIT=1, one process per core), null when not installed */
  nativePagesPerMinute: number | null;
  /** the native processes' CPU time per page (Linux /proc), null when unknown */
  nativeCpuMsPerPage: number | null;
}

const isPdf = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 1024)).includes('%PDF-');

export async function benchOcr(files: string[]): Promise<OcrBench> {
  const inputs = files.map((file) => ({ file, bytes: new Uint8Array(fs.readFileSync(file)) }));
  const extract = (file: string, bytes: Uint8Array) =>
    isPdf(bytes) ? extractScannedPdf(bytes, { source: file, limits: defaultLimits }) : extractImage(bytes, { source: file, limits: defaultLimits });
  // page images for the warm-up and for the native run (rendering is not what is measured there)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-'));
  const pngs: string[] = [];
  for (const { file, bytes } of inputs) {
    if (!isPdf(bytes)) { pngs.push(file); continue; }
    for (const { page, image } of await pdfPageRasters(bytes, 'all')) {
      const out = path.join(dir, `${path.basename(file)}-${page}.pgm`);
      fs.writeFileSync(out, Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`), image.data]));
      pngs.push(out);
    }
  }
  const pages = inputs.reduce((n, { bytes }) => n + (isPdf(bytes) ? 0 : (tiffPageSizes(bytes)?.length ?? 1)), pngs.filter((p) => p.endsWith('.pgm')).length);
  if (pages === 0) return { pages: 0, pagesPerMinute: 0, peakRssMb: 0, cpuMsPerPage: 0, nativePagesPerMinute: null, nativeCpuMsPerPage: null };
  try {
    // warm-up on the small test fixture: starts the worker pool
    await extractImage(new Uint8Array(fs.readFileSync(new URL('../test/fixtures/ocr-table.png', import.meta.url))), { source: 'warm-up', limits: defaultLimits });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
    const started = performance.now(), cpu = process.cpuUsage();
    for (const { file, bytes } of inputs) await extract(file, bytes);
    const minutes = (performance.now() - started) / 60_000;
    const { user, system } = process.cpuUsage(cpu);
    clearInterval(sampler);
    const childCpu = childCpuMs();
    const native = await benchNative(pngs);
    const nativeCpu = childCpu === null ? null : childCpuMs();
    return {
      pages,
      pagesPerMinute: pages / minutes,
      peakRssMb: Math.round(peak / 1e6),
      cpuMsPerPage: Math.round((user + system) / 1000 / pages),
      nativePagesPerMinute: native,
      nativeCpuMsPerPage: native === null || nativeCpu === null || childCpu === null ? null : Math.round((nativeCpu - childCpu) / pngs.length),
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
  const queue = [...images];
  const started = performance.now();
  // OMP_THREAD_LIMIT=1: with OpenMP threads on a 2-core box it runs 4–5× slower (STACK.md §2)
  const lane = async () => {
    for (let img = queue.shift(); img; img = queue.shift()) {
      await new Promise<void>((resolve) => spawn('tesseract', [img, 'stdout', '-l', 'chi_sim'], { stdio: 'ignore', env: { ...process.env, OMP_THREAD_LIMIT: '1' } }).on('close', () => resolve()));
    }
  };
  await Promise.all(Array.from({ length: os.availableParallelism() }, lane));
  return images.length / ((performance.now() - started) / 60_000);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchOcr(process.argv.slice(2)), null, 2));
}
