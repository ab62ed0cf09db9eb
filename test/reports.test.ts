import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupFindings, Store } from '../src/store/index.js';
import { buildRecord } from './fixtures/build-record.js';

const meta = { size: 1, mtime: null, extractorVersion: 1 };
const root = path.join(import.meta.dirname, '..');
let dir: string;
let dbFile: string;
let store: Store;

const records = [
  buildRecord('r1.txt', {
    organization: '华容县医疗保障局', fiscalYear: 2022,
    sections: [{ heading: '一、预算执行情况', text: '年度预算200万元。' }],
    forms: [
      {
        kind: 'project-self-eval', name: '医保信息化', totalScore: 95,
        funds: [
          { line: '年度资金总额', annualBudget: 200, executed: 150, executionRate: 80, score: 8 },
          { line: '当年财政拨款', annualBudget: 190, executed: 150 },
        ],
      },
      { kind: 'basic-data' },
    ],
    warnings: [
      { code: 'ocr-low-confidence', stage: 'extract', severity: 'info', message: 'page 2' },
      { code: 'fund-sum-mismatch', form: 0, message: '年度资金总额 200 ≠ 190' },
      { code: 'execution-rate-mismatch', form: 0, message: '执行率 80% ≠ 75%' },
    ],
  }),
  buildRecord('r2.txt', {
    organization: '邻水县医疗保障局', fiscalYear: 2023,
    forms: [{ kind: 'dept-self-eval', name: '邻水县医疗保障局', fiscalYear: 2023, totalScore: 88, funds: [{ annualBudget: 0, executed: 0 }] }],
    warnings: [{ code: 'total-score-mismatch', form: 0, message: '总分 88 ≠ 90' }],
  }),
  buildRecord('r3.txt', {
    organization: '青溪县林业局', fiscalYear: 2022,
    forms: [
      { kind: 'scoring-table', totalScore: 90 },
      { kind: 'project-self-eval', name: '林下经济', fiscalYear: 2021, funds: [{ annualBudget: 100, executed: 99, executionRate: 99 }] },
    ],
    warnings: [{ code: 'level1-weight-mismatch', form: 1, message: '产出指标(50分): 45' }],
  }),
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docingest-reports-'));
  dbFile = path.join(dir, 'test.sqlite');
  store = Store.open(dbFile);
  for (const record of records) store.saveDocument(record, meta);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const codes = (filter: Parameters<Store['auditFindings']>[0]) => store.auditFindings(filter).map((f) => `${f.source}#${f.form} ${f.code}`);

describe('report audit', () => {
  it("lists the audit codes by document and form, others only when asked", () => {
    expect(codes({})).toEqual([
      'r1.txt#0 fund-sum-mismatch', 'r1.txt#0 execution-rate-mismatch', 'r2.txt#0 total-score-mismatch', 'r3.txt#1 level1-weight-mismatch',
    ]);
    expect(codes({ allCodes: true })[0]).toBe('r1.txt#null ocr-low-confidence');
  });

  it("filters by the form's year (else its document's) and by part of the organisation's name", () => {
    expect(codes({ year: 2022 })).toEqual(['r1.txt#0 fund-sum-mismatch', 'r1.txt#0 execution-rate-mismatch']);
    expect(codes({ year: 2021 })).toEqual(['r3.txt#1 level1-weight-mismatch']);
    expect(codes({ org: '医疗保障' })).toEqual(['r1.txt#0 fund-sum-mismatch', 'r1.txt#0 execution-rate-mismatch', 'r2.txt#0 total-score-mismatch']);
    expect(codes({ org: '医疗保障', year: 2023 })).toEqual(['r2.txt#0 total-score-mismatch']);
  });

  it('groups findings under their document and form', () => {
    const groups = groupFindings(store.auditFindings({ allCodes: true }));
    expect(groups.map((g) => [g.source, g.forms.map((f) => [f.form, f.kind, f.name, f.findings.length])])).toEqual([
      ['r1.txt', [[null, null, null, 1], [0, 'project-self-eval', '医保信息化', 2]]],
      ['r2.txt', [[0, 'dept-self-eval', '邻水县医疗保障局', 1]]],
      ['r3.txt', [[1, 'project-self-eval', '林下经济', 1]]],
    ]);
  });
});

describe('report scores', () => {
  it('gives every scored form its total score and 年度资金总额 budget, executed and rates', () => {
    const rows = store.scoreRows().map((r) => [r.organization, r.fiscalYear, r.source, r.form, r.totalScore, r.annualBudget, r.executed, r.executionRate, r.computedRate, r.fundScore]);
    expect(rows).toEqual([
      ['华容县医疗保障局', 2022, 'r1.txt', 0, 95, 200, 150, 80, 75, 8],
      ['邻水县医疗保障局', 2023, 'r2.txt', 0, 88, 0, 0, null, null, null],
      ['青溪县林业局', 2021, 'r3.txt', 1, null, 100, 99, 99, 99, null],
      ['青溪县林业局', 2022, 'r3.txt', 0, 90, null, null, null, null, null],
    ]);
    expect(store.scoreRows({ year: 2022, org: '青溪' }).map((r) => r.form)).toEqual([0]);
  });
});

describe('the commands', () => {
  const docingest = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'docingest.js'), ...args, '--db', dbFile], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('report audit prints CSV, report scores JSON, search one hit a line', () => {
    const csv = docingest('report', 'audit', '--format', 'csv', '--org', '华容').trim().split('\n');
    expect(csv[0]).toBe('source,organization,fiscalYear,form,formKind,formName,code,severity,message');
    expect(csv.slice(1).map((l) => l.split(',')[6])).toEqual(['fund-sum-mismatch', 'execution-rate-mismatch']);
    const scores = JSON.parse(docingest('report', 'scores', '--format', 'json', '--year', '2023')) as { source: string; totalScore: number }[];
    expect(scores.map((s) => [s.source, s.totalScore])).toEqual([['r2.txt', 88]]);
    const hits = docingest('search', '预算', '--format', 'jsonl').trim().split('\n').map((l) => JSON.parse(l) as { source: string; kind: string });
    expect(hits.map((h) => `${h.source} ${h.kind}`)).toEqual(['r1.txt section']);
  });
});
