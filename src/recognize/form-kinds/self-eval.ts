// The self-evaluation forms (部门整体支出 / 项目支出 / 专项资金 绩效自评表) share one layout, block by
// block: identity rows (名称, 主管部门, 实施单位), the fund block (项目资金 / 年度资金 / 年度预算申请),
// 年度总体目标, the 绩效指标 block, and a 总分 row. Blocks are found by their header labels, in any
// order; a block's rows are read against its own header row.
import type { Column, GridCell, GridRow } from '../../normalize/table.js';
import { alignRow, cellsByRole, isBlank, isBlankRow, isPlaceholderRow, LabelCarry, labelText, mergeFragmentRows } from '../../normalize/table.js';
import type { FundLine, Indicator, Sources } from '../../../schemas/record.js';
import { FUND_BLOCK, type FundRole, fundLine, GOAL_ACTUAL, GOAL_EXPECTED, GOALS_BLOCK, isKnownFundLine, PREPARER, type IndicatorRole, isIndicatorLabel, standsAlone, NOTE_ROW, TOTAL_ROW } from '../labels.js';
import { emptyBody, type FormBody, message, note, numberOf, rowLabel, textOf } from './common.js';
import { fundColumns, identityCells, identityField, indicatorColumns, isFundHeader, isGoalsHeader, isIndicatorHeader, withSubHeader } from './headers.js';

/** 'other': a block the contract does not read (年度主要任务, 部门职责…) */
type Block = 'top' | 'funds' | 'goals' | 'indicators' | 'notes' | 'other';
type GoalRole = 'expected' | 'actual';

export function readSelfEval(rows: GridRow[]): FormBody {
  const body = emptyBody();
  let block: Block = 'top';
  let fundCols: Column<FundRole>[] = [];
  let goalCols: Column<GoalRole>[] = [];
  const goalTexts: Record<GoalRole, { text: string; cell: GridCell }[]> = { expected: [], actual: [] };
  let indicatorCols: Column<IndicatorRole>[] = [];
  const level1 = new LabelCarry(isIndicatorLabel, standsAlone);
  const level2 = new LabelCarry(isIndicatorLabel, standsAlone);
  let verticalGoals = false;
  let sawIndicatorHeader = false;
  let sawFundHeader = false;

  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (isBlankRow(row)) continue;
    const head = rowLabel(row);
    // identity rows head the form: inside the 绩效指标 block a cell ending in 主管部门 is an indicator
    if (block !== 'indicators' && block !== 'notes' && readIdentity(row, body)) continue;
    if (isIndicatorHeader(row)) {
      // a repeated header (page break) keeps the labels carried from above
      const twoRows = withSubHeader(row, rows[r + 1]);
      indicatorCols = indicatorColumns(twoRows ?? row);
      if (twoRows) r++;
      block = 'indicators';
      sawIndicatorHeader = true;
      continue;
    }
    if (isFundHeader(row)) {
      fundCols = fundColumns(row);
      block = 'funds';
      sawFundHeader = true;
      continue;
    }
    if (isGoalsHeader(row)) {
      goalCols = goalColumns(row);
      block = 'goals';
      // printed down, not across: "年度绩效目标 | 预期目标 | text" / "| 实际完成情况 | text"
      verticalGoals = readGoalPairs(row, goalTexts);
      if (verticalGoals) continue;
      // "年度总体目标 | text": the label sits beside its text, without 预期/实际 headings
      if (!goalCols.some((c) => c.role)) {
        const text = row.filter((c) => !isBlank(c.text)).slice(1).map((c) => c.text.trim());
        const cell = row.filter((c) => !isBlank(c.text))[1];
        if (cell) goalTexts.expected.push({ text: text.join('\n'), cell });
      }
      continue;
    }
    // 合计 inside the fund block is a fund line (the total of the amounts), not the form's 总分
    if (head && TOTAL_ROW.test(head.label) && (block !== 'funds' || /分/.test(head.label))) {
      readTotal(row, indicatorCols, body);
      continue;
    }
    // notes and the 填表人 line some templates print as the table's last row
    if ((head && head.cell === row[0] && NOTE_ROW.test(head.label)) || row.some((c) => PREPARER.test(c.text))) {
      block = 'notes';
      continue;
    }
    // a row labelled in the first column that names no fund line ends the fund block:
    // "年度主要任务 | 任务名称 | …" and its task rows are no fund lines
    if (block === 'funds' && !isBlank(row[0]?.text) && !row[0]?.continued && !isKnownFundLine(labelText(row[0]!.text)) && !FUND_BLOCK.test(labelText(row[0]!.text))) block = 'other';
    // a new label in the first column ends the goals: "年度主要任务 | 任务名称 | …" is no goal text
    if (block === 'goals' && !isBlank(row[0]?.text) && !row[0]?.continued && !isGoalsLabel(row[0]!)) block = 'other';
    if (block === 'funds') readFundLine(row, fundCols, body);
    else if (block === 'goals' && verticalGoals) readGoalPairs(row, goalTexts);
    else if (block === 'goals') readGoals(row, goalCols, goalTexts);
    else if (block === 'indicators') {
      const above = rows[r - 1];
      const { row: whole, used } = mergeFragmentRows(rows, r, indicatorCols);
      r += used - 1;
      if (continuesAcrossPage(whole, above, indicatorCols, body)) continue;
      readIndicator(whole, rows[r + 1], indicatorCols, level1, level2, body);
    }
  }

  if (goalTexts.expected.length || goalTexts.actual.length) {
    const join = (parts: { text: string }[]) => (parts.length ? parts.map((p) => p.text).join('\n') : null);
    body.goals = { expected: join(goalTexts.expected), actual: join(goalTexts.actual) };
    note(body.sources, 'goals.expected', goalTexts.expected[0]?.cell);
    note(body.sources, 'goals.actual', goalTexts.actual[0]?.cell);
  }
  const where = rows[0]?.[0]?.place ?? {};
  if (!sawIndicatorHeader) body.messages.push(message('form-no-indicators', 'form has no 绩效指标 block (no header row with 一级/二级/三级指标)', where));
  if (!sawFundHeader) body.messages.push(message('form-no-funds', 'form has no fund block (no header row with 预算数/执行数/执行率)', where, 'info'));
  return body;
}

/** "项目支出名称 | X", "主管部门 | X | 实施单位 | Y": each label's value is the cell to its right. */
function readIdentity(row: GridRow, body: FormBody): boolean {
  const found = identityCells(row);
  for (const { field, at: k } of found) {
    const valueCell = row[k + 1];
    const value = valueCell && !identityField(labelText(valueCell.text)) ? textOf(valueCell) : null;
    const key = field === 'projectName' || field === 'fundName' || field === 'deptName' ? 'name' : field;
    // 市级主管部门 left blank, 地方主管部门 filled: the filled one is the supervisor
    if (value !== null && body[key] === null) {
      body[key] = value;
      note(body.sources, key, valueCell);
    }
  }
  return found.length > 0;
}

const isGoalsLabel = (cell: GridCell) => GOALS_BLOCK.test(labelText(cell.text));

function goalColumns(row: GridRow): Column<GoalRole>[] {
  const first = row.findIndex((c) => !isBlank(c.text));
  return row.map((cell, k) => {
    const label = labelText(cell.text);
    const role: GoalRole | null = k <= first ? null : GOAL_ACTUAL.test(label) ? 'actual' : GOAL_EXPECTED.test(label) ? 'expected' : null;
    return { role, type: 'free' as const, start: cell.col, end: cell.col + cell.span, header: cell };
  });
}

/** A goal sub-label (预期目标, 实际完成情况, 年初设定目标…), not the text of a goal. */
function goalRole(cell: GridCell | undefined): GoalRole | null {
  const label = cell ? labelText(cell.text) : '';
  if (label === '' || label.length > 8 || GOALS_BLOCK.test(label)) return null;
  return GOAL_ACTUAL.test(label) ? 'actual' : GOAL_EXPECTED.test(label) ? 'expected' : null;
}

/** "预期目标 | text" pairs of a vertically printed goals block; false when the row holds none. */
function readGoalPairs(row: GridRow, texts: Record<GoalRole, { text: string; cell: GridCell }[]>): boolean {
  let found = false;
  row.forEach((cell, k) => {
    const role = goalRole(cell);
    const next = row[k + 1];
    const text = textOf(next);
    if (!role || !next || text === null || goalRole(next) !== null) return;
    texts[role].push({ text, cell: next });
    found = true;
  });
  return found;
}

function readGoals(row: GridRow, cols: Column<GoalRole>[], texts: Record<GoalRole, { text: string; cell: GridCell }[]>): void {
  const cells = cellsByRole(row, cols);
  for (const role of ['expected', 'actual'] as const) {
    const cell = cells.get(role);
    const text = textOf(cell);
    if (cell && text !== null) texts[role].push({ text, cell });
  }
}

function readFundLine(row: GridRow, cols: Column<FundRole>[], body: FormBody): void {
  const at = alignRow(row, cols);
  const cells = cellsByRole(row, cols);
  // the line's label: its own column, else the last text left of the figures (a merged label cell);
  // never a figure under a column nobody reads (实际到位数)
  const labelCell = [...row].reverse().find((c, k) => {
    const role = cols[at[row.length - 1 - k]!]?.role ?? null;
    return (role === null || role === 'line') && textOf(c) !== null && numberOf(c) === null;
  });
  const label = labelCell ? labelText(labelCell.text) : '';
  if (label === '') return;
  const sources: Sources = { line: labelCell!.place };
  const value = (role: FundRole) => {
    const cell = cells.get(role);
    note(sources, role, cell);
    return numberOf(cell);
  };
  const line: FundLine = {
    line: fundLine(label),
    initialBudget: value('initialBudget'),
    annualBudget: value('annualBudget'),
    executed: value('executed'),
    weight: value('weight'),
    executionRate: value('executionRate'),
    score: value('score'),
    sources,
  };
  const figures = [line.initialBudget, line.annualBudget, line.executed, line.weight, line.executionRate, line.score];
  if (figures.some((v) => v !== null)) body.funds.push(line);
}

function readIndicator(
  row: GridRow,
  below: GridRow | undefined,
  cols: Column<IndicatorRole>[],
  level1: LabelCarry,
  level2: LabelCarry,
  body: FormBody,
): void {
  const cells = cellsByRole(row, cols);
  const next = below && !isIndicatorHeader(below) ? cellsByRole(below, cols) : undefined;
  const before = level1.next(undefined);
  const l1 = level1.next(cells.get('level1'), next?.get('level1'));
  // a new 一级指标 with its 二级指标 cell left blank starts without one
  if (l1 !== before && textOf(cells.get('level2')) === null) level2.reset();
  const l2 = level2.next(cells.get('level2'), next?.get('level2'));
  if (isPlaceholderRow(row)) return;
  const nameCell = cells.get('name');
  const name = textOf(nameCell);
  const valued = (['measure', 'target', 'actual', 'weight', 'score', 'note'] as const).some((r) => textOf(cells.get(r)) !== null);
  const previous = body.indicators.at(-1);
  if ((level1.cutRow || level2.cutRow) && name !== null && !valued && previous) {
    // the lower half of a row a page cut: "生态效益 | 对生态环境所带来" / "指标 | 的直接或间接影响情况。"
    previous.name = `${previous.name}\n${name}`;
    return;
  }
  const value = (role: IndicatorRole) => textOf(cells.get(role));
  if (name === null) {
    if (valued) body.messages.push(message('indicator-without-name', 'indicator row has values but no 三级指标 name; row dropped', row[0]!.place));
    return;
  }
  const sources: Sources = {};
  note(sources, 'level1', l1?.cell);
  if (l1?.max != null) note(sources, 'level1Max', l1.cell);
  note(sources, 'level2', l2?.cell);
  for (const role of ['name', 'measure', 'target', 'actual', 'weight', 'score', 'note'] as const) {
    if (cells.get(role)) note(sources, role, cells.get(role));
  }
  const indicator: Indicator = {
    level1: l1?.label ?? null,
    level1Max: l1?.max ?? null,
    level2: l2?.label ?? null,
    name,
    measure: value('measure'),
    target: value('target'),
    actual: value('actual'),
    weight: numberOf(cells.get('weight')),
    score: numberOf(cells.get('score')),
    note: value('note'),
    sources,
  };
  body.indicators.push(indicator);
}

const PAGE_CUT_FIELDS = ['name', 'measure', 'target', 'actual', 'note'] as const;
const pageOf = (row: GridRow | undefined, at: 'first' | 'last') => (at === 'first' ? row?.[0] : row?.at(-1))?.place.page;

/**
 * The lower half of an indicator row a page break cut (a PDF table row allowed to break across
 * pages): "成本指标 | 法律援助案 | ≤3500 | 3420元 | 10 | 10" ends page 2, "| | | 均补贴 | 元 | | |" starts
 * page 3. On the new page the row has no label, no 分值 and no 得分 of its own while the row above
 * had them; its texts are the rest of the row above's. A whole row that starts a page always
 * prints its 分值 or 得分. Formats without pages (text dumps, HTML, docx) never take this path.
 */
function continuesAcrossPage(row: GridRow, above: GridRow | undefined, cols: Column<IndicatorRole>[], body: FormBody): boolean {
  const page = pageOf(row, 'first');
  const abovePage = pageOf(above, 'last');
  if (page === undefined || abovePage === undefined || page <= abovePage) return false;
  const previous = body.indicators.at(-1);
  if (!previous || (previous.weight === null && previous.score === null)) return false;
  if (previous.sources['name']?.row !== above?.[0]?.place.row) return false;
  const cells = cellsByRole(row, cols);
  if (textOf(cells.get('level1')) !== null || textOf(cells.get('level2')) !== null) return false;
  if (numberOf(cells.get('weight')) !== null || numberOf(cells.get('score')) !== null) return false;
  const parts = PAGE_CUT_FIELDS.flatMap((field) => {
    const text = textOf(cells.get(field));
    return text === null ? [] : [{ field, text }];
  });
  if (parts.length === 0) return false;
  for (const { field, text } of parts) {
    const before = previous[field];
    previous[field] = before === null ? text : `${before}\n${text}`;
  }
  return true;
}

/** "总分 | 100 | 99": the figure under 得分 (ragged rows fitted to the header by alignRow). */
function readTotal(row: GridRow, cols: Column<IndicatorRole>[], body: FormBody): void {
  if (cols.length === 0) return;
  const cell = cellsByRole(row, cols, true).get('score');
  const score = numberOf(cell);
  if (score !== null && body.totalScore === null) {
    body.totalScore = score;
    note(body.sources, 'totalScore', cell);
  }
}
