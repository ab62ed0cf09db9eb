// OCR accuracy on reports we do not have: the HTML variant reports of test/fixtures/variants (other
// templates, regions and years, with hand-written truth) are printed to PDF by LibreOffice,
// rasterised at 200 dpi by pdftoppm, leant by up to ±0.8° on grey paper with a little grain, saved
// as JPEG and bound into image-only PDFs, which the scanned-PDF path then reads. The records are
// scored against the truth with ../shared/eval/score.mjs. Needs soffice and pdftoppm (Debian libreoffice-writer-nogui,
// poppler-utils). The lean and grain come from a fixed seed: two runs make the same scans.
// usage: npx tsx bench/ocr-variants.ts [--keep DIR]   (DIR keeps the scans and the JSONL)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { terminateOcr } from '../extractors/ocr.js';
import { extract } from '../src/pipeline.js';

const root = path.join(import.meta.dirname, '..');
const variants = path.join(root, 'test/fixtures/variants');
const scorer = path.join(root, '../shared/eval/score.mjs');

/** Park–Miller: the same lean and grain on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

/**
 * A clean page made to look scanned: turned by `degrees`, on grey paper with a little grain, and
 * saved as a JPEG (quality 75), the way a scanner's PDF holds its pages.
 */
async function scanLook(png: string, degrees: number, rand: () => number): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const img = await loadImage(fs.readFileSync(png));
  const canvas = createCanvas(img.width, img.height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, img.width, img.height);
  g.translate(img.width / 2, img.height / 2);
  g.rotate((degrees * Math.PI) / 180);
  g.drawImage(img, -img.width / 2, -img.height / 2);
  const pixels = g.getImageData(0, 0, img.width, img.height);
  for (let i = 0; i < pixels.data.length; i += 4) {
    const v = Math.max(0, Math.min(255, Math.min(pixels.data[i]!, 236) + Math.round((rand() - 0.5) * 10)));
    pixels.data[i] = pixels.data[i + 1] = pixels.data[i + 2] = v;
  }
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.putImageData(pixels, 0, 0);
  return { jpeg: canvas.encodeSync('jpeg', 75), width: img.width, height: img.height };
}

/** The number of colour components of a baseline or progressive JPEG, from its frame header. */
function jpegComponents(jpeg: Buffer): number {
  for (let i = 2; i + 9 < jpeg.length; ) {
    if (jpeg[i] !== 0xff) return 3;
    const marker = jpeg[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) return jpeg[i + 9]!;
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return 3;
}

/** An image-only PDF: each page one JPEG at 200 dpi. */
function imagePdf(pages: Array<{ jpeg: Buffer; width: number; height: number }>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  const add = (n: number, dict: string, stream?: Buffer) => {
    offsets[n] = length;
    const chunk = Buffer.concat([Buffer.from(`${n} 0 obj\n${dict}\n`), ...(stream ? [Buffer.from('stream\n'), stream, Buffer.from('\nendstream\n')] : []), Buffer.from('endobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  };
  add(1, '<< /Type /Catalog /Pages 2 0 R >>');
  add(2, `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + 3 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  pages.forEach((p, i) => {
    const n = 3 + 3 * i, w = (p.width * 72) / 200, h = (p.height * 72) / 200;
    const content = Buffer.from(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`);
    const space = jpegComponents(p.jpeg) === 1 ? '/DeviceGray' : '/DeviceRGB';
    add(n, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${n + 2} 0 R >> >> /Contents ${n + 1} 0 R >>`);
    add(n + 1, `<< /Length ${content.length} >>`, content);
    add(n + 2, `<< /Type /XObject /Subtype /Image /Width ${p.width} /Height ${p.height} /ColorSpace ${space} /BitsPerComponent 8 /Filter /DCTDecode /Length ${p.jpeg.length} >>`, p.jpeg);
  });
  const count = 3 + 3 * pages.length;
  parts.push(Buffer.from(`xref\n0 ${count}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().trim() ?? r.error?.message}`);
};

async function main() {
  for (const [tool, flag] of [['soffice', '--version'], ['pdftoppm', '-v']] as const) {
    if (spawnSync(tool, [flag], { stdio: 'ignore' }).status !== 0) return console.log(`skipped: ${tool} is not installed`);
  }
  if (!fs.existsSync(scorer)) return console.log(`skipped: ${scorer} is absent`);
  const keep = process.argv.indexOf('--keep');
  const dir = keep > 0 ? path.resolve(process.argv[keep + 1] ?? 'ocr-variants') : fs.mkdtempSync(path.join(os.tmpdir(), 'ocr-variants-'));
  fs.mkdirSync(path.join(dir, 'truth'), { recursive: true });
  const rand = random(20261129);
  const records: string[] = [];
  let pageCount = 0;
  const started = performance.now();
  try {
    for (const file of fs.readdirSync(path.join(variants, 'docs')).filter((f) => f.endsWith('.html')).sort()) {
      const stem = path.basename(file, '.html');
      run('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, path.join(variants, 'docs', file)]);
      run('pdftoppm', ['-r', '200', '-gray', '-png', path.join(dir, `${stem}.pdf`), path.join(dir, stem)]);
      const pngs = fs.readdirSync(dir).filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.png')).sort();
      const pages = [];
      for (const png of pngs) pages.push(await scanLook(path.join(dir, png), (rand() - 0.5) * 1.6, rand));
      const scan = path.join(dir, `${stem}.scan.pdf`);
      fs.writeFileSync(scan, imagePdf(pages));
      records.push(JSON.stringify(await extract(new Uint8Array(fs.readFileSync(scan)), scan)));
      fs.copyFileSync(path.join(variants, 'truth', `${stem}.json`), path.join(dir, 'truth', `${stem}.json`));
      pageCount += pages.length;
      console.log(`${stem}: ${pages.length} pages`);
    }
    fs.writeFileSync(path.join(dir, 'pred.jsonl'), `${records.join('\n')}\n`);
    console.log(`${records.length} reports, ${pageCount} pages read in ${((performance.now() - started) / 1000).toFixed(0)} s (conversion included)`);
    const score = spawnSync(process.execPath, [scorer, '--truth', path.join(dir, 'truth'), '--pred', path.join(dir, 'pred.jsonl'), ...process.argv.slice(2).filter((a) => a === '--detail')], { encoding: 'utf8' });
    console.log(score.stdout);
  } finally {
    await terminateOcr();
    if (keep < 0) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
