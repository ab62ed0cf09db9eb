// A synthetic corpus from samples/: N text dumps, each a sample with its figures perturbed, so every
// variant has its own bytes (no hash shortcut) and its own numbers, while keeping the sample's layout.
// Used by `npm run bench` and by the resume and concurrency tests.
import fs from 'node:fs';
import path from 'node:path';

const samplesDir = path.join(import.meta.dirname, '..', 'samples');

/** The sample text dumps, as raw bytes (one is GB18030: never decoded, see perturbFigures). */
export function sampleFiles(): { name: string; bytes: Buffer }[] {
  return fs
    .readdirSync(samplesDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((name) => ({ name, bytes: fs.readFileSync(path.join(samplesDir, name)) }));
}

/** A seeded generator (mulberry32): the same seed gives the same corpus. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Every decimal figure ("713.64", "95.5") scaled by its own factor in [0.9, 1.1], its decimals kept.
 * Works on the bytes as latin1, so UTF-8 and GB18030 files alike keep their encoding: their multi-byte
 * characters are all bytes ≥ 0x80 except GB18030's four-byte forms, whose digits always follow such
 * a byte — hence a figure must not start right after a byte ≥ 0x80. Whole numbers of up to three
 * digits alone in a table cell (points, scores) are scaled too; years, dates and running text are left
 * alone so the documents still read as reports.
 */
export function perturbFigures(bytes: Buffer, rand: () => number): Buffer {
  const scale = () => 0.9 + rand() * 0.2;
  const out = bytes
    .toString('latin1')
    .replace(/(?<![\x80-\xff0-9.])(\d+)\.(\d+)(?![0-9.])/g, (_, whole: string, decimals: string) =>
      (Number(`${whole}.${decimals}`) * scale()).toFixed(decimals.length),
    )
    .replace(/(?<=\t)\d{1,3}(?=\t|\r?\n)/g, (whole) => String(Math.round(Number(whole) * scale())));
  return Buffer.from(out, 'latin1');
}

/**
 * Writes `n` variants into `dir` (in sub-folders of 500 files, as archives are laid out), with mtimes
 * an hour old: an archive's files are not being written while it is ingested (see RACY_MTIME_MS in
 * src/ingest.ts). Returns the paths written.
 */
export function writeVariants(dir: string, n: number, seed = 1): string[] {
  const samples = sampleFiles();
  const rand = seeded(seed);
  const old = new Date(Date.now() - 3600_000);
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const sample = samples[i % samples.length]!;
    const folder = path.join(dir, `batch-${String(Math.floor(i / 500)).padStart(3, '0')}`);
    if (i % 500 === 0) fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${String(i).padStart(5, '0')}-${sample.name}`);
    fs.writeFileSync(file, perturbFigures(sample.bytes, rand));
    fs.utimesSync(file, old, old);
    files.push(file);
  }
  return files;
}
