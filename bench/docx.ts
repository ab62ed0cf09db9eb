// .docx throughput: our extractor (mammoth + the HTML model) against pandoc reading the same files,
// when pandoc is installed. Each figure is measured after one warm-up pass, files one after another.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { extractDocx } from '../extractors/docx.js';
import { defaultLimits } from '../src/formats.js';

export interface DocxBench {
  docs: number;
  /** .docx files turned into a DocModel per second */
  docsPerSec: number;
  /** pandoc's seconds per document (docx -> plain text), null when pandoc is not installed */
  pandocSecPerDoc: number | null;
}

export async function benchDocx(files: string[]): Promise<DocxBench> {
  if (files.length === 0) return { docs: 0, docsPerSec: 0, pandocSecPerDoc: null };
  const inputs = files.map((file) => ({ file, bytes: fs.readFileSync(file) }));
  const run = async () => {
    for (const { file, bytes } of inputs) await extractDocx(bytes, { source: file, limits: defaultLimits });
  };
  await run(); // warm-up: module loading and JIT
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return { docs: files.length, docsPerSec: files.length / seconds, pandocSecPerDoc: benchPandoc(files) };
}

function benchPandoc(files: string[]): number | null {
  if (spawnSync('pandoc', ['--version'], { stdio: 'ignore' }).status !== 0) return null;
  const run = () => {
    for (const file of files) execFileSync('pandoc', ['-f', 'docx', '-t', 'plain', file], { stdio: ['ignore', 'ignore', 'ignore'] });
  };
  run();
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000 / files.length;
}
