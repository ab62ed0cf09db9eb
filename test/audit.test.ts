import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Expense, Form, FundLine, Indicator, RubricRow } from '../schemas/record.js';
import { audit } from '../src/audit.js';

function form(over: Partial<Form> = {}): Form {
  return {
    kind: 'project-self-eval',
    attachment: null,
    title: null,
    fiscalYear: 2022,
    name: '示例项目',
    supervisor: null,
    implementer: null,
    funds: [],
    goals: null,
    indicators: [],
    totalScore: null,
    staffing: null,
    expenses: [],
    rubric: [],
    preparer: null,
    place: { table: 0 },
    sources: {},
    ...over,
  };
}
function fund(line: string, over: Partial<FundLine> = {}): FundLine {
  return { line, initialBudget: null, annualBudget: null, executed: null, weight: null, executionRate: null, score: null, sources: {}, ...over };
}
function indicator(name: string, over: Partial<Indicator> = {}): Indicator {
  return { level1: '产出指标', level2: '数量指标', name, measure: null, target: null, actual: null, weight: null, score: null, note: null, sources: {}, ...over };
}
function expense(item: string, prevFinal: number | null, budget: number | null, final: number | null): Expense {
  return { item, prevFinal, budget, final, sources: {} };
}
function rubric(level3: string, points: number | null, score: number | null): RubricRow {
  return { level1: '项目决策', level2: '项目目标', level3, points, score, sources: {} };
}
const codes = (forms: Form[]) => audit(forms).map((m) => m.code);

describe('execution-rate-mismatch', () => {
  const place = { table: 1, row: 3, col: 6 };
  it('a printed rate more than 1 point off executed/annualBudget; says when it matches the initial budget', () => {
    const f = form({ funds: [fund('年度资金总额', { initialBudget: 526, annualBudget: 713.64, executed: 713.64, executionRate: 135.5, sources: { executionRate: place } })] });
    const [m] = audit([form(), f]);
    expect(m).toMatchObject({ code: 'execution-rate-mismatch', severity: 'warning', stage: 'audit', form: 1, place });
    expect(m?.message).toContain('135.5%');
    expect(m?.message).toContain('100.00%');
    expect(m?.message).toContain('年初预算数 = 713.64/526 = 135.67% instead');
  });

  it('no mention of the initial budget when the rate does not match it either', () => {
    const [m] = audit([form({ funds: [fund('当年财政拨款', { initialBudget: 50, annualBudget: 100, executed: 90, executionRate: 50 })] })]);
    expect(m?.code).toBe('execution-rate-mismatch');
    expect(m?.message).not.toContain('instead');
  });

  it('within 1 point, or with an empty or zero figure, nothing is raised', () => {
    const funds = [
      fund('年度资金总额', { annualBudget: 713.64, executed: 713.64, executionRate: 100 }),
      fund('当年财政拨款', { annualBudget: 3, executed: 2.57, executionRate: 86 }), // 85.67 printed rounded
      fund('上年结转资金', { annualBudget: 0, executed: 0, executionRate: 0 }),
      fund('其他资金', { annualBudget: null, executed: 5, executionRate: 40 }),
    ];
    expect(codes(funds.map((f) => form({ funds: [f] })))).toEqual([]);
  });
});

describe('score-exceeds-weight', () => {
  it('an indicator or a fund line scored above its weight', () => {
    const f = form({
      funds: [fund('年度资金总额', { weight: 10, score: 12 })],
      indicators: [indicator('参保人数', { weight: 10, score: 11, sources: { score: { table: 0, row: 9, col: 7 } } })],
    });
    const found = audit([f]);
    expect(found.map((m) => m.code)).toEqual(['score-exceeds-weight', 'score-exceeds-weight']);
    expect(found[1]).toMatchObject({ place: { table: 0, row: 9, col: 7 } });
    expect(found[1]?.message).toContain('参保人数');
  });

  it('equal, lower, empty scores and rubric rows raise nothing', () => {
    const f = form({
      kind: 'scoring-table',
      funds: [fund('年度资金总额', { weight: 10, score: 10 })],
      indicators: [indicator('参保人数', { weight: 10, score: 9 }), indicator('满意度', { weight: null, score: 5 })],
      rubric: [rubric('目标内容', 1, 4)], // one merged 得分 cell may cover several rows
    });
    expect(codes([f])).toEqual([]);
  });
});

describe('level1-weight-mismatch', () => {
  it('weights under "产出指标(50分)" that do not add up to 50: one finding per label', () => {
    const f = form({
      indicators: [
        indicator('a', { level1Max: 50, weight: 20 }),
        indicator('b', { level1Max: 50, weight: 20 }),
        indicator('c', { level1: '效益指标', level1Max: 30, weight: 30 }),
      ],
    });
    const found = audit([f]);
    expect(found.map((m) => m.code)).toEqual(['level1-weight-mismatch']);
    expect(found[0]?.message).toMatch(/50.*40/);
  });

  it('a matching sum, a label without a maximum, or no weights at all raise nothing', () => {
    const f = form({
      indicators: [
        indicator('a', { level1Max: 50, weight: 30 }),
        indicator('b', { level1Max: null, weight: 20 }), // the maximum recorded on the first row only
        indicator('c', { level1: '效益指标', weight: 7 }),
        indicator('d', { level1: '满意度指标', level1Max: 10 }),
      ],
    });
    expect(codes([f])).toEqual([]);
  });
});

describe('total-score-mismatch', () => {
  const scored = [indicator('a', { score: 50 }), indicator('b', { score: 39 })];
  it('总分 against the indicators plus the 年度资金总额 score', () => {
    expect(codes([form({ totalScore: 100, indicators: scored, funds: [fund('年度资金总额', { score: 10 })] })])).toEqual(['total-score-mismatch']);
    expect(codes([form({ totalScore: 99, indicators: scored, funds: [fund('年度资金总额', { score: 10 })] })])).toEqual([]);
  });

  it('where 年度资金总额 has no score, the one fund line that is scored', () => {
    const funds = [fund('年度资金总额'), fund('当年财政拨款', { score: 10 })];
    expect(codes([form({ totalScore: 99, indicators: scored, funds })])).toEqual([]);
    expect(codes([form({ totalScore: 95, indicators: scored, funds })])).toEqual(['total-score-mismatch']);
    const withZeros = [fund('年度资金总额'), fund('当年财政拨款', { score: 10 }), fund('上年结转资金', { score: 0 }), fund('其他资金', { score: 0 })];
    expect(codes([form({ totalScore: 99, indicators: scored, funds: withZeros })])).toEqual([]);
    const ambiguous = [fund('年度资金总额'), fund('当年财政拨款', { score: 6 }), fund('其他资金', { score: 4 })];
    expect(codes([form({ totalScore: 120, indicators: scored, funds: ambiguous })])).toEqual([]);
  });

  it('a scoring table against the sum of its rubric scores', () => {
    const rows = [rubric('目标内容', 4, 4), rubric('决策依据', 3, 3)];
    expect(codes([form({ kind: 'scoring-table', totalScore: 8, rubric: rows })])).toEqual(['total-score-mismatch']);
    expect(codes([form({ kind: 'scoring-table', totalScore: 7, rubric: rows })])).toEqual([]);
  });

  it('no printed total, or nothing scored, raises nothing', () => {
    expect(codes([form({ totalScore: null, indicators: scored })])).toEqual([]);
    expect(codes([form({ totalScore: 90, indicators: [indicator('a')] })])).toEqual([]);
  });
});

describe('fund-sum-mismatch', () => {
  it('年度资金总额 differs from 当年财政拨款 + 上年结转资金 + 其他资金: one finding per form', () => {
    const funds = [
      fund('年度资金总额', { initialBudget: 30, annualBudget: 30, executed: 30 }),
      fund('当年财政拨款', { initialBudget: 20, annualBudget: 20, executed: 20 }),
      fund('上年结转资金', { initialBudget: 0, annualBudget: 0, executed: 0 }),
    ];
    const found = audit([form({ funds })]);
    expect(found.map((m) => m.code)).toEqual(['fund-sum-mismatch']);
    expect(found[0]?.message).toContain('全年执行数 30 ≠ 20');
  });

  it('中央补助 + 省级资金 + 市级资金 + 其他资金; empty parts count 0; an empty total raises nothing', () => {
    const ok = [fund('年度资金总额', { annualBudget: 15, executed: 15 }), fund('市级资金', { annualBudget: 15, executed: 15 }), fund('其他资金')];
    expect(codes([form({ funds: ok })])).toEqual([]);
    const wrong = [fund('年度资金总额', { executed: 15 }), fund('中央补助', { executed: 10 }), fund('省级资金', { executed: 4 })];
    expect(codes([form({ funds: wrong })])).toEqual(['fund-sum-mismatch']);
    const emptyTotal = [fund('年度资金总额'), fund('中央补助', { executed: 10 })];
    expect(codes([form({ funds: emptyTotal })])).toEqual([]);
  });

  it('a line neither breakdown names (县级配套资金) counts as a part only where that makes the block add up', () => {
    const withCounty = (total: number) => [
      fund('年度资金总额', { annualBudget: total }),
      fund('中央补助', { annualBudget: 50 }),
      fund('省级资金', { annualBudget: 30 }),
      fund('县级配套资金', { annualBudget: 20 }),
    ];
    expect(codes([form({ funds: withCounty(100) })])).toEqual([]);
    expect(codes([form({ funds: withCounty(80) })])).toEqual([]); // 县级配套资金 may be a sub-line
    expect(codes([form({ funds: withCounty(120) })])).toEqual(['fund-sum-mismatch']);
  });
});

describe('expense-sum-mismatch', () => {
  const block = (carRunning: number | null, project2: number | null) => [
    expense('一、基本支出：', 535.76, 573.02, 573.02),
    expense('其中：三公经费', 2.69, 3, 2.57),
    expense('1.公务用车购置和维护经费', 0, 0, 0),
    expense('其中：公车购置', 0, 0, 0),
    expense('公车运行维护', 0, 0, carRunning),
    expense('2.出国经费', 0, 0, 0),
    expense('3.公务接待', 2.69, 3, 2.57),
    expense('二、项目支出：', 496, 140.62, 140.62),
    expense('1. 业务工作经费', 496, 60.62, 60.62),
    expense('2. 提升能力建设支出', null, 80, project2),
  ];
  it('a consistent block (empty cells count 0) raises nothing; 基本支出 is never checked', () => {
    expect(codes([form({ kind: 'basic-data', expenses: block(null, 80) })])).toEqual([]);
  });

  it('one finding per parent line that differs', () => {
    const found = audit([form({ kind: 'basic-data', expenses: block(1, 70) })]);
    expect(found.map((m) => m.message.split(' ')[0])).toEqual(['1.公务用车购置和维护经费', '二、项目支出：']);
    expect(found.every((m) => m.code === 'expense-sum-mismatch')).toBe(true);
  });

  it('三公经费 against its three parts', () => {
    const rows = [expense('其中：“三公”经费', 5, 5, 5), expense('1.公务用车购置和维护经费', 1, 1, 1), expense('2.出国经费', 0, 0, 0), expense('3.公务接待', 2, 2, 2)];
    expect(codes([form({ kind: 'basic-data', expenses: rows })])).toEqual(['expense-sum-mismatch']);
  });
});

const SHARED = '/work/shared/truth';
describe.skipIf(!fs.existsSync(SHARED))('audit over the truth forms finds exactly the truth warnings', () => {
  const stems = fs.existsSync(SHARED) ? fs.readdirSync(SHARED).map((f) => path.basename(f, '.json')) : [];
  it.each(stems)('%s', (stem) => {
    const truth = JSON.parse(fs.readFileSync(path.join(SHARED, `${stem}.json`), 'utf8')) as {
      forms: Array<Record<string, unknown> & { funds: object[]; indicators: object[]; expenses: object[]; rubric: object[] }>;
      warnings: Array<{ code: string; form: number }>;
    };
    const src = <T extends object>(x: T) => ({ ...x, sources: {} });
    const forms = truth.forms.map((f) => ({
      ...src(f),
      place: {},
      funds: f.funds.map(src),
      indicators: f.indicators.map(src),
      expenses: f.expenses.map(src),
      rubric: f.rubric.map(src),
    })) as unknown as Form[];
    expect(audit(forms).map((m) => [m.code, m.form])).toEqual(truth.warnings.map((w) => [w.code, w.form]));
  });
});
