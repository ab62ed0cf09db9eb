// Header rows of the form blocks, told by the labels they print (with synonyms), never by position.
import { type Column, type GridRow, headerColumns, isBlank, labelText, numericHeader } from '../../normalize/table.js';
import {
  EXPENSE_BLOCK,
  FUND_BLOCK,
  FUND_HEADER_LABEL,
  type FundRole,
  fundRole,
  GOALS_BLOCK,
  IDENTITY,
  type IndicatorRole,
  indicatorRole,
  RUBRIC_EXPLANATION,
  type RubricRole,
  STAFFING_BLOCK,
  type StaffingRole,
  staffingRole,
} from '../labels.js';

export type IdentityField = keyof typeof IDENTITY;
export function identityField(label: string): IdentityField | null {
  // "项目名称：" — some templates close the label with a colon
  const bare = label.replace(/[:：]$/, '');
  for (const [field, re] of Object.entries(IDENTITY) as [IdentityField, RegExp][]) if (re.test(bare)) return field;
  return null;
}
/**
 * The identity fields a row names, each with the index of its label cell. A label is an identity
 * label only beside a value: in "项目名称 | 预算数 | 执行数" it heads a column of another table.
 */
export function identityCells(row: GridRow): { field: IdentityField; at: number }[] {
  if (row.some((c) => fundRole(labelText(c.text)) !== null)) return [];
  return row.flatMap((c, at) => {
    const field = identityField(labelText(c.text));
    return field ? [{ field, at }] : [];
  });
}
export const hasIdentity = (row: GridRow) => identityCells(row).length > 0;

const labels = (row: GridRow) => row.map((c) => labelText(c.text));

/**
 * The 一级/二级/三级 columns, left to right. Three level columns are levels 1-3 by their order, so
 * an OCR slip in the digit ("三级指标" read for 二级指标, "三报指标") still finds them; fewer go by
 * the digit they print.
 */
function levelColumns(all: string[], exclude: (label: string) => boolean): Map<number, 1 | 2 | 3> {
  const isLevel = (l: string) => l.length <= 4 && (/级/.test(l) || /^.{2}指标$/.test(l)) && l !== '绩效指标' && !exclude(l);
  const at = all.flatMap((l, k) => (isLevel(l) ? [k] : []));
  if (at.length === 3) return new Map(at.map((k, i) => [k, (i + 1) as 1 | 2 | 3]));
  const byDigit = new Map<number, 1 | 2 | 3>();
  for (const k of at) {
    const level = /^一级/.test(all[k]!) ? 1 : /^二级/.test(all[k]!) ? 2 : /^三级/.test(all[k]!) ? 3 : null;
    if (level) byDigit.set(k, level);
  }
  return byDigit;
}

function indicatorRoles(all: string[]): (IndicatorRole | null)[] {
  const levels = levelColumns(all, (l) => indicatorRole(l) === 'target' || indicatorRole(l) === 'actual');
  const roles = all.map((label, k): IndicatorRole | null => {
    const level = levels.get(k);
    if (level) return level === 1 ? 'level1' : level === 2 ? 'level2' : 'name';
    const role = indicatorRole(label);
    return role === 'level1' || role === 'level2' || (role === 'name' && /^.级/.test(label)) ? null : role;
  });
  // the unheaded column between 三级指标 and 年度指标值 holds 定量/定性/≥/=
  const nameAt = roles.indexOf('name');
  const targetAt = roles.indexOf('target');
  return roles.map((role, k) => (all[k] === '' && nameAt >= 0 && k > nameAt && (targetAt < 0 || k < targetAt) ? 'measure' : role));
}

/** 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 …: at least a name column and a value column. */
export function isIndicatorHeader(row: GridRow): boolean {
  const roles = new Set(indicatorRoles(labels(row)));
  return roles.has('name') && (roles.has('level2') || roles.has('level1')) && (roles.has('target') || roles.has('actual'));
}

export function indicatorColumns(row: GridRow): Column<IndicatorRole>[] {
  const roles = indicatorRoles(labels(row));
  return headerColumns<IndicatorRole>(row, (_label, k) => roles[k] ?? null, (role, label) => {
    if (role === 'weight' || role === 'score') return 'number';
    if (role === 'block' || role === 'level1' || role === 'level2' || role === 'name') return 'label';
    return role ? 'free' : numericHeader(role, label);
  });
}

/** The sub-labels a header's merged cell may be split into on a second header row. */
const SUB_HEADER_ROLES = new Set<IndicatorRole>(['measure', 'target', 'actual', 'weight', 'score', 'note']);
const widthOf = (row: GridRow) => row.reduce((w, c) => Math.max(w, c.col + c.span), 0);

/**
 * An indicator header printed in two rows: "… | 三级指标 | 指标值 | 分值 | …" over
 * "| | | | 年度指标值 | 实际完成值 | | …" — the lower row's labels split the merged cell above them.
 * Returns the header as one row, or null when `below` is no such second header row. A grid format
 * keeps the columns (the merged cell spans the labels below it); a text dump prints the merged cell
 * once, so the header row is short by the extra columns and the cells right of it shift.
 */
export function withSubHeader(header: GridRow, below: GridRow | undefined): GridRow | null {
  const labelled = (below ?? []).filter((c) => !isBlank(c.text) && !c.continued);
  if (labelled.length < 2 || !labelled.every((c) => SUB_HEADER_ROLES.has(indicatorRole(labelText(c.text)) as IndicatorRole))) return null;
  const first = labelled[0]!.col;
  const last = labelled.at(-1)!.col + labelled.at(-1)!.span;
  const extra = widthOf(below ?? []) - widthOf(header);
  if (extra > 0) {
    const parent = header.find((c) => c.col === first);
    if (!parent || last - first !== parent.span + extra) return null;
    return [...header.filter((c) => c.col < first), ...labelled, ...header.filter((c) => c.col > first).map((c) => ({ ...c, col: c.col + extra }))];
  }
  const parents = header.filter((c) => c.span > 1 && labelled.some((l) => l.col >= c.col && l.col + l.span <= c.col + c.span));
  if (parents.length === 0 || !labelled.every((l) => parents.some((p) => l.col >= p.col && l.col + l.span <= p.col + p.span))) return null;
  return [...header.filter((c) => !parents.includes(c)), ...labelled].sort((a, b) => a.col - b.col);
}

/** 项目资金（万元） | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 */
export function isFundHeader(row: GridRow): boolean {
  const all = labels(row);
  const roles = all.map(fundRole);
  const amounts = roles.filter((r) => r === 'initialBudget' || r === 'annualBudget' || r === 'executed' || r === 'executionRate');
  // left of the figures only the block label: "年度主要任务 | 任务名称 | 主要内容 | 预算数 | 执行数" and
  // "项目名称 | 预算数 | 执行数 | 执行率" (a table of the narrative) are other tables
  const firstValue = roles.findIndex((r) => r !== null);
  const leftOk = all.slice(0, Math.max(0, firstValue)).every((l) => FUND_HEADER_LABEL.test(l));
  return amounts.length >= 2 && leftOk && !isIndicatorHeader(row) && !isExpenseHeader(row);
}

export function fundColumns(row: GridRow): Column<FundRole>[] {
  const all = labels(row);
  const firstValue = all.findIndex((l) => fundRole(l) !== null);
  return headerColumns<FundRole>(row, (label, k) => {
    const role = fundRole(label);
    if (role) return role;
    // the column just left of the figures names the line (often an unheaded column)
    return k === firstValue - 1 && !(FUND_BLOCK.test(label) && k > 0) ? 'line' : null;
  }, (role) => (role === 'line' || role === null ? 'label' : 'number'));
}

/** 年度总体目标 | 预期目标 | 实际完成情况 (or the label alone beside the text). */
export function isGoalsHeader(row: GridRow): boolean {
  const first = row.findIndex((c) => !isBlank(c.text));
  return first >= 0 && first <= 1 && GOALS_BLOCK.test(labelText(row[first]!.text)) && labelText(row[first]!.text).length <= 12;
}

function rubricRoles(all: string[]): (RubricRole | null)[] {
  const levels = levelColumns(all, (l) => RUBRIC_EXPLANATION.test(l));
  return all.map((label, k) => {
    const level = levels.get(k);
    if (level) return level === 1 ? 'level1' : level === 2 ? 'level2' : 'level3';
    const role = rubricRole(label);
    return role === 'level1' || role === 'level2' || role === 'level3' ? null : role;
  });
}

/** 一级指标 | 分值 | 二级指标 | … | 三级指标 | 分值 | 评价标准 | 得分, without 指标值/完成值. */
export function isRubricHeader(row: GridRow): boolean {
  const all = labels(row);
  const roles = new Set(rubricRoles(all));
  const levels = ['level1', 'level2', 'level3'].filter((r) => roles.has(r as RubricRole)).length;
  const indicatorish = all.some((l) => /指标值|完成值/.test(l));
  return levels >= 2 && roles.has('points') && (roles.has('score') || roles.has('explanation')) && !indicatorish;
}

export function rubricRole(label: string): RubricRole | null {
  if (RUBRIC_EXPLANATION.test(label)) return 'explanation';
  if (/^一级/.test(label)) return 'level1';
  if (/^二级/.test(label)) return 'level2';
  if (/^三级/.test(label)) return 'level3';
  if (/^(分值|权重|标准分|满分|指标分值)/.test(label)) return 'points';
  if (/得分|评分$/.test(label)) return 'score';
  return null;
}

/**
 * Rubric columns: of several 分值 columns (one per level), the points of a row are the one right of
 * the deepest level column; the others are figures nobody reads.
 */
export function rubricColumns(row: GridRow): Column<RubricRole>[] {
  const roles = rubricRoles(labels(row));
  const deepest = roles.includes('level3') ? roles.lastIndexOf('level3') : roles.lastIndexOf('level2');
  const pointsAt = roles.findIndex((r, k) => r === 'points' && k > deepest);
  return headerColumns<RubricRole>(row, (_label, k) => {
    const role = roles[k] ?? null;
    if (role === 'points') return k === pointsAt || (pointsAt < 0 && k === roles.lastIndexOf('points')) ? 'points' : null;
    return role;
  }, (role, label) => (role === 'points' || role === 'score' || /分值/.test(label) ? 'number' : role === 'explanation' ? 'free' : role ? 'label' : 'free'));
}

/** 财政供养人员情况（人） | 编制数 | 实际在职人数 | 控制率 */
export function isStaffingHeader(row: GridRow): boolean {
  const all = labels(row);
  return all.some((l) => STAFFING_BLOCK.test(l)) && all.filter((l) => staffingRole(l) !== null).length >= 2;
}
export function staffingColumns(row: GridRow): Column<StaffingRole>[] {
  return headerColumns<StaffingRole>(row, (label, k) => (k === 0 && STAFFING_BLOCK.test(label) && !/编制数/.test(label) ? null : staffingRole(label)), (role) => (role ? 'number' : 'label'));
}

/**
 * 经费控制情况（万元） | 2021年决算数 | 2022年预算数 | 2022年决算数 — or, under a section row
 * "二、经费控制情况（万元）" (`above`), a header "项目 | 2022年决算数 | 2023年预算数 | 2023年决算数".
 */
export function isExpenseHeader(row: GridRow, above?: GridRow): boolean {
  const all = labels(row);
  const figures = all.filter((l) => /决算|预算/.test(l)).length >= 2 && all.some((l) => /决算/.test(l));
  const section = above?.filter((c) => !isBlank(c.text)) ?? [];
  const opened = section.length === 1 && EXPENSE_BLOCK.test(labelText(section[0]!.text));
  return figures && (EXPENSE_BLOCK.test(all.find((l) => l !== '') ?? '') || opened);
}
export type ExpenseRole = 'item' | 'prevFinal' | 'budget' | 'final';
export function expenseColumns(row: GridRow): Column<ExpenseRole>[] {
  const all = labels(row);
  const year = (l: string) => Number(/((?:19|20)\d{2})/.exec(l)?.[1] ?? NaN);
  const finals = all.map((l, k) => ({ l, k })).filter(({ l }) => /决算/.test(l));
  // two 决算数 columns: the earlier year (or 上年) is last year's, the other this year's
  const prev = finals.length >= 2
    ? finals.reduce((a, b) => (year(b.l) < year(a.l) || /上年|上一年/.test(b.l) ? b : a)).k
    : finals.length === 1 && /上年|上一年/.test(finals[0]!.l) ? finals[0]!.k : -1;
  return headerColumns<ExpenseRole>(row, (label, k) => {
    if (k === prev) return 'prevFinal';
    if (/决算/.test(label)) return 'final';
    if (/预算/.test(label)) return 'budget';
    return k === 0 ? 'item' : null;
  }, (role) => (role === 'item' || role === null ? 'label' : 'number'));
}
