// PDF throughput: our extractor (pdfjs text + operator list, tables rebuilt) against poppler's
// pdftotext -layout on the same files, when installed. Measured after one warm-up pass, files one
// after another. usage: npx tsx bench/pdf.ts FILE.pdf...
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { extractPdf, loadPdf } from '../extractors/pdf.js';
import { defaultLimits } from '../src/formats.js';

export interface PdfBench {
  pages: number;
  /** pages turned into a DocModel per second */
  pagesPerSec: number;
  /** pdftotext -layout pages per second, null when poppler-utils is not installed */
  pdftotextPagesPerSec: number | null;
}

export async function benchPdf(files: string[]): Promise<PdfBench> {
  const inputs = files.map((file) => ({ file, bytes: new Uint8Array(fs.readFileSync(file)) }));
  let pages = 0;
  for (const { bytes } of inputs) {
    const doc = await loadPdf(bytes);
    pages += doc.numPages;
    await doc.destroy();
  }
  if (pages === 0) return { pages: 0, pagesPerSec: 0, pdftotextPagesPerSec: null };
  const run = async () => {
    for (const { file, bytes } of inputs) await extractPdf(bytes, { source: file, limits: defaultLimits });
  };
  await run(); // warm-up: module loading, JIT, cMap and font caches
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return { pages, pagesPerSec: pages / seconds, pdftotextPagesPerSec: benchPdftotext(files, pages) };
}

function benchPdftotext(files: string[], pages: number): number | null {
  if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).status !== 0) return null;
  const started = performance.now();
  for (const file of files) spawnSync('pdftotext', ['-layout', file, '-'], { stdio: ['ignore', 'ignore', 'ignore'] });
  return pages / ((performance.now() - started) / 1000);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchPdf(process.argv.slice(2)), null, 2));
}
