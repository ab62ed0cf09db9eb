// The command line as a user runs it: `node bin/docingest.js …` in a child process, no build step.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, cliIn } from './helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentRecord } from '../schemas/record.js';
import { extract } from '../src/pipeline.js';

const root = path.join(import.meta.dirname, '..');
let dir: string;

const docingest = cliIn(() => dir, 120_000);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-cli-'));
  fs.cpSync(path.join(root, 'samples'), path.join(dir, 'samples'), { recursive: true });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('docingest', () => {
  it('ingests the samples (exit 0, one summary line), then finds them unchanged', () => {
    const first = docingest('ingest', 'samples', '--db', 'ok.sqlite');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.stdout).toMatch(/^ingested 7 files in [\d.]+ s: 7 new, 0 updated, 0 unchanged, 0 failed; ok\.sqlite holds 7 documents, 6 forms/);
    const again = docingest('ingest', 'samples', '--db', 'ok.sqlite', '--no-isolation');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 new, 0 updated, 7 unchanged, 0 failed/);
  });

  it('exports exactly what extract gives, one document a line', async () => {
    const out = docingest('export', '--db', 'ok.sqlite');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) {
      const record = DocumentRecord.parse(JSON.parse(line));
      const fresh = await extract(fs.readFileSync(path.join(dir, record.document.source)), record.document.source);
      expect(line).toBe(JSON.stringify(fresh));
    }
    const single = docingest('extract', 'samples/qingxi-forestry-scoring-table.txt', '--compact');
    expect(single.code).toBe(0);
    expect(lines).toContain(single.stdout.trim());
  });

  it('exports flat tables as CSV and queries read-only', () => {
    const csv = docingest('export', '--db', 'ok.sqlite', '--format', 'csv', '--kind', 'funds');
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toMatch(/^source,organization,fiscal_year,form,kind,form_name,ord,line,initial_budget,annual_budget,executed/);
    expect(rows.some((r) => r.includes('年度资金总额,80,120,114,10,142.5,9'))).toBe(true);

    const query = docingest('query', 'SELECT kind, count(*) AS n FROM v_forms GROUP BY kind ORDER BY kind', '--db', 'ok.sqlite', '--format', 'jsonl');
    expect(query.code).toBe(0);
    expect(query.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { kind: 'basic-data', n: 1 }, { kind: 'dept-self-eval', n: 1 }, { kind: 'fund-self-eval', n: 1 },
      { kind: 'project-self-eval', n: 2 }, { kind: 'scoring-table', n: 1 },
    ]);
    const table = docingest('query', 'SELECT code, form_kind FROM v_warnings WHERE stage = ?', 'audit', '--db', 'ok.sqlite');
    expect(table.stdout.split('\n')[2]).toMatch(/^execution-rate-mismatch\s+project-self-eval$/);
    const stats = docingest('stats', '--db', 'ok.sqlite', '--json');
    expect(JSON.parse(stats.stdout)).toMatchObject({ documents: 7, failed: 0, warnings: { 'execution-rate-mismatch': 1 } });
  });

  it('exits 1 when some documents fail, lists each on stderr and stores the others', () => {
    fs.mkdirSync(path.join(dir, 'mixed'));
    fs.copyFileSync(path.join(dir, 'samples', 'qingxi-forestry-basic-data.txt'), path.join(dir, 'mixed', 'good.txt'));
    fs.writeFileSync(path.join(dir, 'mixed', 'empty.docx'), '');
    fs.writeFileSync(path.join(dir, 'mixed', 'noise.pdf'), Buffer.from([0x00, 0x01, 0xfe, 0x13, 0x88, 0x00, 0x07]));
    const run = docingest('ingest', 'mixed', '--db', 'mixed.sqlite');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('failed: mixed/empty.docx: [empty-file]');
    expect(run.stderr).toContain('failed: mixed/noise.pdf: [unsupported-format]');
    expect(run.stdout).toMatch(/1 new, 0 updated, 0 unchanged, 2 failed/);
    expect(docingest('export', '--db', 'mixed.sqlite').stdout.trim().split('\n')).toHaveLength(1);
    expect(docingest('failures', '--db', 'mixed.sqlite').stdout).toMatch(/^mixed\/empty\.docx\tempty-file\t/);
    expect(docingest('extract', 'mixed/empty.docx')).toMatchObject({ code: 1, stderr: expect.stringContaining('[empty-file]') });
  });

  it('stops cleanly on Ctrl-C (exit 130): what was saved stays, the next run does the rest', async () => {
    const many = path.join(dir, 'many');
    for (let i = 0; i < 10; i++) {
      for (const f of fs.readdirSync(path.join(dir, 'samples'))) {
        fs.mkdirSync(path.join(many, String(i)), { recursive: true });
        fs.writeFileSync(path.join(many, String(i), f), `${fs.readFileSync(path.join(dir, 'samples', f), 'latin1')}\n${i}\n`, 'latin1');
      }
    }
    const child = spawn(process.execPath, [bin, 'ingest', 'many', '--db', 'int.sqlite', '--progress', '--concurrency', '1'], { cwd: dir });
    let stdout = '';
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const before = lines;
      lines += d.toString().split('\n').length - 1;
      if (before === 0 && lines >= 1) child.kill('SIGINT'); // once: a second Ctrl-C is the hard stop
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    const done = /interrupted after (\d+) of 70 files in [\d.]+ s: (\d+) new/.exec(stdout);
    expect(done).not.toBeNull();
    expect(Number(done![2])).toBeLessThan(70);
    expect(docingest('stats', '--db', 'int.sqlite', '--json').stdout).toContain(`"documents":${done![2]},`);
    const rest = docingest('ingest', 'many', '--db', 'int.sqlite', '--no-isolation');
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain(`${70 - Number(done![2])} new, 0 updated, ${done![2]} unchanged, 0 failed`);
  });

  it('exits 2 on usage errors', () => {
    expect(docingest('ingest').code).toBe(2);
    expect(docingest('ingest', 'samples', '--concurrency', '0').code).toBe(2);
    expect(docingest('ingest', 'no-such-folder', '--db', 'x.sqlite')).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file or folder') });
    expect(docingest('export', '--format', 'xml').code).toBe(2);
    expect(docingest('export', '--db', 'missing.sqlite').code).toBe(2);
    expect(docingest('frobnicate').code).toBe(2);
    const write = docingest('query', 'DELETE FROM documents', '--db', 'ok.sqlite');
    expect(write).toMatchObject({ code: 2, stderr: expect.stringContaining('only statements that read') });
    expect(docingest('--help').code).toBe(0);
  });
});
