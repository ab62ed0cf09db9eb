// npm run bench [-- N]   (or BENCH_N=N, default 1000; BENCH_SKIP=ocr,… to leave benches out): ingest throughput, memory and re-run cost over a synthetic
// corpus (bench/corpus.ts: N variants of samples/ with perturbed figures, in a temp folder), then the
// format and search benches of bench/*.ts on ../shared/corpus when both exist.
//
// Each corpus size is measured in a child process of its own, so one size's peak RSS (the kernel's
// high-water mark, VmHWM) does not carry into the next: memory is flat when the peak at 4×N is about
// the peak at N. The run is the library's ingest() with its defaults (extraction in the child-process
// pool, concurrency = cores, one writer), as `docingest ingest` runs it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ingest } from '../src/ingest.js';
import { Store } from '../src/store/index.js';
import { writeVariants } from './corpus.js';

const root = path.join(import.meta.dirname, '..');
const sharedCorpus = path.join(root, '..', 'shared', 'corpus');
const MAX_N = 10_000;
/** BENCH_SKIP=ocr,pdf leaves those benches out (OCR takes minutes on two cores) */
const skipped = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));

interface Measurement {
  n: number;
  concurrency: number;
  corpusMs: number;
  fullMs: number;
  rerunMs: number;
  rerunHashed: number;
  failed: number;
  stages: { listMs: number; hashMs: number; extractMs: number; storeMs: number };
  /** per detected format: documents and their mean time from stat to stored, ms */
  formats: Record<string, { docs: number; meanMs: number }>;
  /** peak RSS of this process (the writer), MB: the kernel's high-water mark */
  parentPeakMb: number;
  /** peak of the pool's children's RSS added up, MB, sampled every 100 ms */
  childrenPeakMb: number;
  dbMb: number;
}

/** One corpus size, in this process: prints its Measurement as JSON. */
async function measure(n: number): Promise<Measurement> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-bench-'));
  try {
    const t0 = performance.now();
    writeVariants(path.join(dir, 'corpus'), n, 2026);
    const corpusMs = performance.now() - t0;
    const db = path.join(dir, 'bench.sqlite');
    const store = Store.open(db);
    const msBySource = new Map<string, number>();
    const sampler = childrenRss();
    const full = await ingest(store, [path.join(dir, 'corpus')], {
      onProgress: (e) => {
        if (e.type === 'file') msBySource.set(e.source, e.ms);
      },
    });
    sampler.stop();
    const rerun = await ingest(store, [path.join(dir, 'corpus')]);
    const formats: Measurement['formats'] = {};
    for (const row of store.rows('documents')) {
      const format = (row.format as string | null) ?? `failed:${String(row.error_code)}`;
      const entry = (formats[format] ??= { docs: 0, meanMs: 0 });
      entry.docs++;
      entry.meanMs += msBySource.get(row.source as string) ?? 0;
    }
    for (const entry of Object.values(formats)) entry.meanMs /= entry.docs;
    store.close();
    return {
      n,
      concurrency: os.availableParallelism(),
      corpusMs,
      fullMs: full.ms,
      rerunMs: rerun.ms,
      rerunHashed: rerun.hashed,
      failed: full.failed,
      stages: full.stages,
      formats,
      parentPeakMb: peakRssKb('self') / 1024,
      childrenPeakMb: sampler.peakKb() / 1024,
      dbMb: fs.statSync(db).size / 1024 / 1024,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The kernel's high-water mark of a process's resident set, KB (Linux); 0 elsewhere. */
function peakRssKb(pid: number | 'self'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Samples the summed RSS of this process's children (the extraction pool) from /proc. */
function childrenRss(): { stop(): void; peakKb(): number } {
  let peak = 0;
  const sample = () => {
    let total = 0;
    let pids: string[] = [];
    try {
      pids = fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        total += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      } catch {
        // exited between the listing and the read
      }
    }
    peak = Math.max(peak, total);
  };
  const timer = setInterval(sample, 100);
  return { stop: () => clearInterval(timer), peakKb: () => peak };
}

/** Runs `measure(n)` in a fresh process so that each size has its own peak RSS. */
function measureInChild(n: number): Measurement {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bench.ts'), '--measure', String(n)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`measuring N=${n} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Measurement;
}

function table(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join('\n');
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);

/** Corpus files of one kind (doc.docx, doc.pdf, …) in ../shared/corpus/<name>/, or none. */
function sharedFiles(match: (name: string) => boolean): string[] {
  if (!fs.existsSync(sharedCorpus)) return [];
  return fs
    .readdirSync(sharedCorpus, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(sharedCorpus, d.name)).filter(match).map((f) => path.join(sharedCorpus, d.name, f)))
    .sort();
}

/** Imports bench/<name>.ts when it exists and calls its export `fn`; says why when it does not run. */
async function otherBench(name: string, fn: string, args: unknown[]): Promise<void> {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  if (skipped.has(name)) return console.log(`\n${name}: skipped (BENCH_SKIP)`);
  if (!fs.existsSync(file)) return console.log(`\n${name}: skipped (bench/${name}.ts not written yet)`);
  if (args.length === 1 && Array.isArray(args[0]) && args[0].length === 0) {
    return console.log(`\n${name}: skipped (no input files: ${sharedCorpus} is absent or holds none)`);
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const run = mod[fn];
  if (typeof run !== 'function') return console.log(`\n${name}: skipped (bench/${name}.ts has no ${fn}())`);
  const t0 = performance.now();
  try {
    const result = (await (run as (...a: unknown[]) => unknown)(...args)) as unknown;
    console.log(`\n${name} (${fn}, ${fixed((performance.now() - t0) / 1000)} s):`);
    console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v), 2));
  } catch (err) {
    console.log(`\n${name}: failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--measure') {
    process.stdout.write(`${JSON.stringify(await measure(Number(args[1])))}\n`);
    return;
  }
  const n = Math.min(MAX_N, Math.max(7, Math.floor(Number(args[0] ?? process.env.BENCH_N ?? 1000))));
  const sizes = [n, Math.min(MAX_N, 4 * n)];
  console.log(`docingest bench: ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
  console.log(`synthetic corpus: N text dumps from samples/ with perturbed figures; sizes ${sizes.join(' and ')}\n`);
  const results = sizes.map((size) => {
    process.stderr.write(`measuring N=${size}…\n`);
    return measureInChild(size);
  });

  console.log('ingest (full run, then an unchanged re-run over the same tree):');
  console.log(
    table(
      results.map((m) => ({
        N: m.n,
        'full s': fixed(m.fullMs / 1000),
        'docs/s': fixed((m.n / m.fullMs) * 1000),
        'rerun s': fixed(m.rerunMs / 1000, 2),
        'rerun %': fixed((m.rerunMs / m.fullMs) * 100, 2),
        'rerun hashed': m.rerunHashed,
        failed: m.failed,
        'writer peak RSS MB': fixed(m.parentPeakMb, 0),
        'pool peak RSS MB': fixed(m.childrenPeakMb, 0),
        'db MB': fixed(m.dbMb, 1),
      })),
    ),
  );
  console.log('\nstage times of the full runs, s (list: wall-clock; hash, extract, store: summed over documents):');
  console.log(
    table(results.map((m) => ({ N: m.n, list: fixed(m.stages.listMs / 1000, 2), hash: fixed(m.stages.hashMs / 1000, 2), extract: fixed(m.stages.extractMs / 1000), store: fixed(m.stages.storeMs / 1000) }))),
  );
  const largest = results.at(-1)!;
  console.log(`\nper format (N=${largest.n}; ms = mean time of one document from stat to stored, ${largest.concurrency} at a time):`);
  console.log(
    table(
      Object.entries(largest.formats).map(([format, f]) => ({
        format,
        docs: f.docs,
        'ms/doc': fixed(f.meanMs),
        'docs/s (all cores)': fixed((largest.concurrency * 1000) / f.meanMs),
      })),
    ),
  );
  const [small, big] = results;
  if (small && big && big.n > small.n) {
    const growth = (x: number, y: number) => (x > 0 ? `${fixed((y / x - 1) * 100, 0)}%` : 'n/a');
    console.log(
      `\nmemory as N grows ${small.n} -> ${big.n}: writer peak RSS ${growth(small.parentPeakMb, big.parentPeakMb)}, ` +
        `pool peak RSS ${growth(small.childrenPeakMb, big.childrenPeakMb)}`,
    );
  }

  console.log(`\nformat and search benches (${fs.existsSync(sharedCorpus) ? sharedCorpus : `${sharedCorpus} absent`}):`);
  await otherBench('docx', 'benchDocx', [sharedFiles((f) => f.endsWith('.docx'))]);
  await otherBench('pdf', 'benchPdf', [sharedFiles((f) => f === 'doc.pdf')]);
  // the page images only: scan.pdf holds the same pages, so OCR time would double for nothing
  await otherBench('ocr', 'benchOcr', [sharedFiles((f) => /^scan-p\d+\.png$/.test(f))]);
  // the search issue's figure is latency over 10,000 documents, whatever N the ingest part uses
  await otherBench('search', 'benchSearch', [MAX_N]);
}

await main();
