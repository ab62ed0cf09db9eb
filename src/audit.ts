// Audit: the inconsistencies inside the recognised forms (CONTRACT.md, "Warnings: audit findings").
// Each rule runs once over the records, never over the document: what the forms hold is what is
// checked. A finding must be certain — a user reads every one — so an empty value raises nothing,
// a sum needs at least one printed number, amounts compare within 0.01 and rates within 1 point.
import type { Message, Place } from '../schemas/model.js';
import type { Expense, Form, FundLine, Indicator } from '../schemas/record.js';
import { squash } from './normalize/text.js';

export const AuditCode = {
  executionRate: 'execution-rate-mismatch',
  scoreOverWeight: 'score-exceeds-weight',
  level1Weight: 'level1-weight-mismatch',
  totalScore: 'total-score-mismatch',
  fundSum: 'fund-sum-mismatch',
  expenseSum: 'expense-sum-mismatch',
} as const;

const AMOUNT_TOLERANCE = 0.01;
const RATE_TOLERANCE = 1;

type Finding = { code: string; message: string; place?: Place | undefined };

export function audit(forms: Form[]): Message[] {
  return forms.flatMap((form, index) =>
    [
      ...executionRates(form),
      ...scoresOverWeight(form),
      ...level1Weights(form),
      ...totalScore(form),
      ...fundSum(form),
      ...expenseSums(form),
    ].map(({ code, message, place }) => ({
      code,
      message,
      severity: 'warning' as const,
      stage: 'audit',
      form: index,
      ...(place ? { place } : {}),
    })),
  );
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);
const pct = (n: number) => `${n.toFixed(2)}%`;

/** The sum of the printed numbers (an empty value counts 0), or null when none is printed. */
function sum(values: Array<number | null | undefined>): number | null {
  const printed = values.filter((v): v is number => v != null);
  return printed.length === 0 ? null : printed.reduce((a, b) => a + b, 0);
}

function executionRates(form: Form): Finding[] {
  return form.funds.flatMap((fund) => {
    const { executionRate: rate, executed, annualBudget, initialBudget } = fund;
    if (rate == null || executed == null || annualBudget == null || annualBudget <= 0) return [];
    const expected = (100 * executed) / annualBudget;
    if (Math.abs(rate - expected) <= RATE_TOLERANCE) return [];
    let message =
      `${fund.line}: 执行率 printed ${fmt(rate)}%, but 全年执行数/全年预算数 = ` +
      `${fmt(executed)}/${fmt(annualBudget)} = ${pct(expected)}`;
    if (initialBudget != null && initialBudget > 0) {
      const againstInitial = (100 * executed) / initialBudget;
      if (Math.abs(rate - againstInitial) <= RATE_TOLERANCE) {
        message += `; it matches 全年执行数/年初预算数 = ${fmt(executed)}/${fmt(initialBudget)} = ${pct(againstInitial)} instead`;
      }
    }
    return [{ code: AuditCode.executionRate, message, place: fund.sources['executionRate'] }];
  });
}

function scoresOverWeight(form: Form): Finding[] {
  const over = (score: number | null, weight: number | null) =>
    score != null && weight != null && score - weight > AMOUNT_TOLERANCE;
  const funds = form.funds
    .filter((f) => over(f.score, f.weight))
    .map((f) => ({
      code: AuditCode.scoreOverWeight,
      message: `${f.line}: 得分 ${fmt(f.score ?? 0)} is greater than its 分值 ${fmt(f.weight ?? 0)}`,
      place: f.sources['score'],
    }));
  const indicators = form.indicators
    .filter((i) => over(i.score, i.weight))
    .map((i) => ({
      code: AuditCode.scoreOverWeight,
      message: `${describeIndicator(i)}: 得分 ${fmt(i.score ?? 0)} is greater than its 分值 ${fmt(i.weight ?? 0)}`,
      place: i.sources['score'],
    }));
  return [...funds, ...indicators];
}

const describeIndicator = (i: Indicator) => [i.level1, i.level2, i.name].filter(Boolean).join(' / ');

/**
 * "产出指标(50分)": the weights of the rows under that one printed label add up to 50. A label is
 * one merged cell, so a run of consecutive rows with the same 一级指标 is one group (the maximum may be
 * recorded on its first row only).
 */
function level1Weights(form: Form): Finding[] {
  const groups: Indicator[][] = [];
  for (const indicator of form.indicators) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (head && head.level1 === indicator.level1) last.push(indicator);
    else groups.push([indicator]);
  }
  return groups.flatMap((group) => {
    const labelled = group.find((i) => i.level1Max != null);
    const max = labelled?.level1Max;
    if (!labelled || max == null) return [];
    const total = sum(group.map((i) => i.weight));
    if (total == null || Math.abs(total - max) <= AMOUNT_TOLERANCE) return [];
    return [
      {
        code: AuditCode.level1Weight,
        message: `${labelled.level1 ?? '一级指标'}: prints a maximum of ${fmt(max)}分, but the 分值 of its ${group.length} indicators add up to ${fmt(total)}`,
        place: labelled.sources['level1Max'] ?? labelled.sources['level1'],
      },
    ];
  });
}

const TOTAL_LINE = '年度资金总额';

/**
 * The fund block's score: the 年度资金总额 line's; where it has none, the one fund line that is scored.
 * Lines printing 0 next to it (上年结转资金 0, 其他资金 0) are not scored; two lines with points make
 * the block ambiguous (undefined), and an ambiguous block is not audited.
 */
function fundBlockScore(funds: FundLine[]): number | null | undefined {
  const total = funds.find((f) => f.line === TOTAL_LINE)?.score;
  if (total != null) return total;
  const scored = funds.filter((f) => f.score != null && f.score !== 0);
  if (scored.length > 1) return undefined;
  return scored[0]?.score ?? (funds.some((f) => f.score === 0) ? 0 : null);
}

function totalScore(form: Form): Finding[] {
  const printed = form.totalScore;
  if (printed == null) return [];
  let expected: number | null;
  let what: string;
  if (form.kind === 'scoring-table') {
    expected = sum(form.rubric.map((r) => r.score));
    what = `the ${form.rubric.length} rubric scores add up to`;
  } else {
    const indicators = sum(form.indicators.map((i) => i.score));
    const funds = fundBlockScore(form.funds);
    if (funds === undefined) return [];
    expected = sum([indicators, funds]);
    what = `the indicators' scores (${indicators == null ? 'none' : fmt(indicators)}) plus the fund block's score (${funds == null ? 'none' : fmt(funds)}) make`;
  }
  if (expected == null || Math.abs(printed - expected) <= AMOUNT_TOLERANCE) return [];
  return [
    {
      code: AuditCode.totalScore,
      message: `总分 printed ${fmt(printed)}, but ${what} ${fmt(expected)}`,
      place: form.sources['totalScore'],
    },
  ];
}

/** The two ways forms break 年度资金总额 down; 其他资金 belongs to both. */
const BY_SOURCE = ['当年财政拨款', '上年结转资金', '其他资金'];
const BY_LEVEL = ['中央补助', '省级资金', '市级资金', '其他资金'];
const AMOUNT_COLUMNS = [
  ['initialBudget', '年初预算数'],
  ['annualBudget', '全年预算数'],
  ['executed', '全年执行数'],
] as const;

/**
 * A line named by neither breakdown (县级配套资金, 本级资金, 一般公共预算, 专项债券资金) may be one more
 * part of the total or a sub-line of a part: the total is wrong only when it matches neither the known
 * parts alone nor the known parts together with such lines, so a consistent block is never flagged.
 */
function fundSum(form: Form): Finding[] {
  const total = form.funds.find((f) => f.line === TOTAL_LINE);
  if (!total) return [];
  const bySource = form.funds.some((f) => f.line === '当年财政拨款' || f.line === '上年结转资金');
  const parts = form.funds.filter((f) => (bySource ? BY_SOURCE : BY_LEVEL).includes(f.line));
  if (parts.length === 0) return [];
  const unnamed = form.funds.filter((f) => f.line !== TOTAL_LINE && !BY_SOURCE.includes(f.line) && !BY_LEVEL.includes(f.line));
  const wrong: string[] = [];
  let place: Place | undefined;
  for (const [key, label] of AMOUNT_COLUMNS) {
    const printed = total[key];
    const expected = sum(parts.map((p) => p[key]));
    const withUnnamed = sum([...parts, ...unnamed].map((p) => p[key]));
    if (printed == null || expected == null) continue;
    if (Math.abs(printed - expected) <= AMOUNT_TOLERANCE) continue;
    if (unnamed.length > 0 && withUnnamed != null && Math.abs(printed - withUnnamed) <= AMOUNT_TOLERANCE) continue;
    wrong.push(`${label} ${fmt(printed)} ≠ ${fmt(expected)}`);
    place ??= total.sources[key];
  }
  if (wrong.length === 0) return [];
  return [
    {
      code: AuditCode.fundSum,
      message: `${TOTAL_LINE} differs from the sum of ${parts.map((p) => p.line).join(' + ')}${unnamed.length ? ` (also with ${unnamed.map((p) => p.line).join(' + ')})` : ''}: ${wrong.join('; ')}`,
      place,
    },
  ];
}

const EXPENSE_COLUMNS = [
  ['prevFinal', '上年决算数'],
  ['budget', '预算数'],
  ['final', '决算数'],
] as const;

/**
 * An expense line's name without "其中：", its numbering, quotes and a closing colon:
 * "1.公务用车购置和维护经费" -> "公务用车购置和维护经费", "其中：“三公”经费" -> "三公经费".
 */
function expenseName(item: string): string {
  return squash(item)
    .replace(/["“”'‘’]/g, '')
    .replace(/^其中[:：]?/, '')
    .replace(/^(?:[一二三四五六七八九十]+、|\(?\d+\)?[.、．]?|[(（][一二三四五六七八九十\d]+[)）])/, '')
    .replace(/[:：]$/, '');
}
const isTopLevel = (item: string) => /^[一二三四五六七八九十]+、/.test(squash(item));
const isNumbered = (item: string) => /^\d+[.、．]/.test(squash(item).replace(/^其中[:：]?/, ''));

const isThreePublic = (name: string) => name.includes('三公经费');
/** 公务用车购置和维护经费, 公务用车购置及运行维护费 */
const isCarParent = (name: string) => /(公务用车|公车)/.test(name) && /购置/.test(name) && /(维护|运行)/.test(name);
const isCarPurchase = (name: string) => /^(公务用车|公车)购置(费|经费|支出)?$/.test(name);
const isCarRunning = (name: string) => /^(公务用车|公车)运行(维护)?(费|经费|支出)?$/.test(name);
const isAbroad = (name: string) => name.includes('出国');
const isReception = (name: string) => name.includes('公务接待');
const isProjectSpending = (name: string) => name === '项目支出';

/**
 * 三公经费 = 公务用车购置和维护经费 + 出国经费 + 公务接待; 公务用车购置和维护经费 = 公车购置 + 公车运行维护;
 * 项目支出 = its numbered lines. The parts are looked for below their parent, before the next
 * top-level line ("二、项目支出"), so a block that lists two such groups is read group by group.
 */
function expenseSums(form: Form): Finding[] {
  const rows = form.expenses;
  const findings: Finding[] = [];
  rows.forEach((parent, i) => {
    const name = expenseName(parent.item);
    let end = rows.findIndex((r, j) => j > i && isTopLevel(r.item));
    if (end < 0) end = rows.length;
    const below = rows.slice(i + 1, end);
    let parts: Expense[] = [];
    if (isThreePublic(name)) {
      const car = below.filter((r) => isCarParent(expenseName(r.item)));
      const carParts = below.filter((r) => isCarPurchase(expenseName(r.item)) || isCarRunning(expenseName(r.item)));
      parts = [
        ...(car.length > 0 ? car : carParts),
        ...below.filter((r) => isAbroad(expenseName(r.item)) || isReception(expenseName(r.item))),
      ];
    } else if (isCarParent(name)) {
      parts = below.filter((r) => isCarPurchase(expenseName(r.item)) || isCarRunning(expenseName(r.item)));
    } else if (isProjectSpending(name) && isTopLevel(parent.item)) {
      parts = below.filter((r) => isNumbered(r.item));
    }
    if (parts.length === 0) return;
    const wrong: string[] = [];
    let place: Place | undefined;
    for (const [key, label] of EXPENSE_COLUMNS) {
      const printed = parent[key];
      const expected = sum(parts.map((p) => p[key]));
      if (printed == null || expected == null || Math.abs(printed - expected) <= AMOUNT_TOLERANCE) continue;
      wrong.push(`${label} ${fmt(printed)} ≠ ${fmt(expected)}`);
      place ??= parent.sources[key];
    }
    if (wrong.length === 0) return;
    findings.push({
      code: AuditCode.expenseSum,
      message: `${parent.item.trim()} differs from the sum of ${parts.map((p) => p.item.trim()).join(' + ')}: ${wrong.join('; ')}`,
      place,
    });
  });
  return findings;
}
