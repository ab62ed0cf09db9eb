import { describe, expect, it } from 'vitest';
import {
  alignRow,
  cellsByRole,
  type Column,
  type ColumnType,
  type GridCell,
  type GridRow,
  isPlaceholderRow,
  LabelCarry,
  labelText,
  mergeFragmentRows,
  splitMaximum,
} from '../src/normalize/table.js';

/** A text-dump row: col = sequence index, span 1. */
const row = (...texts: string[]): GridRow => texts.map((text, col) => cell(text, col));
const cell = (text: string, col: number, span = 1, continued = false): GridCell => ({
  text,
  col,
  span,
  continued,
  place: { table: 0, row: 0, col },
});
const columns = (...spec: [string | null, ColumnType][]): Column[] =>
  spec.map(([role, type], k) => ({ role, type, start: k, end: k + 1, header: cell(role ?? '', k) }));

describe('labels', () => {
  it('joins vertical and padded labels and folds a label printed twice', () => {
    expect(labelText('绩\n效\n指\n标')).toBe('绩效指标');
    expect(labelText('产   出   指   标')).toBe('产出指标');
    expect(labelText('产   出   指   标\n产   出   指   标')).toBe('产出指标');
    expect(labelText('项目支\n出名称')).toBe('项目支出名称');
  });

  it('strips a printed maximum and keeps it', () => {
    expect(splitMaximum('产出\n指标\n(50分)')).toEqual({ label: '产出指标', max: 50 });
    expect(splitMaximum('效益⏎指标（30分）'.replace('⏎', '\n'))).toEqual({ label: '效益指标', max: 30 });
    expect(splitMaximum('满意度指标')).toEqual({ label: '满意度指标', max: null });
  });

  it('tells placeholder rows', () => {
    expect(isPlaceholderRow(row('', '', '……', '', ''))).toBe(true);
    expect(isPlaceholderRow(row('', '', '', ''))).toBe(true);
    expect(isPlaceholderRow(row('', '', '参保人数', ''))).toBe(false);
  });
});

describe('alignRow', () => {
  const rubric = columns(
    ['level1', 'label'], [null, 'number'], ['level2', 'label'], [null, 'number'],
    ['level3', 'label'], ['points', 'number'], ['explanation', 'free'], ['explanation', 'free'], ['score', 'number'],
  );

  it('reads a full row by grid position', () => {
    expect(alignRow(row('项目决策', '20', '项目目标', '4', '目标内容', '4', 'a', 'b', '4'), rubric)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('fits a ragged row that lost its leading label slots to the right', () => {
    const ragged = row('资金到位', '5', '到位率', '3', '实际到位/计划到位*100%', '根据到位率计算得分（3分）', '3');
    expect(alignRow(ragged, rubric)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps a short label row at the label position', () => {
    expect(alignRow(row('项目管理', '25'), rubric)).toEqual([0, 1]);
  });

  it('fits a 总分 row to the 分值 and 得分 columns', () => {
    const indicators = columns(
      ['block', 'label'], ['level1', 'label'], ['level2', 'label'], ['name', 'label'],
      ['target', 'free'], ['actual', 'free'], ['weight', 'number'], ['score', 'number'], ['note', 'free'],
    );
    const scored = cellsByRole(row('总分', '100', '99', ''), indicators);
    expect(scored.get('weight')?.text).toBe('100');
    expect(scored.get('score')?.text).toBe('99');
    const unscored = cellsByRole(row('总分', '100', '', ''), indicators);
    expect(unscored.get('weight')?.text).toBe('100');
    expect(unscored.get('score')?.text).toBe('');
    // a grid format that placed the figures under the label columns is fitted by content on request
    const misplaced: GridRow = [cell('总分', 0), cell('100', 1), cell('99', 2), cell('', 3, 6)];
    expect(cellsByRole(misplaced, indicators).get('score')).toBeUndefined();
    expect(cellsByRole(misplaced, indicators, true).get('score')?.text).toBe('99');
  });

  it('puts a merged (colSpan) cell under the column it starts in', () => {
    const funds = columns(['block', 'label'], ['line', 'label'], ['annualBudget', 'number'], ['executed', 'number'], ['executionRate', 'number']);
    const merged: GridRow = [cell('年度资金总额', 0, 2), cell('15.00', 2), cell('15.00', 3), cell('100%', 4)];
    expect(alignRow(merged, funds)).toEqual([0, 2, 3, 4]);
  });

  it('shifts a row longer than a header that printed a merged cell once', () => {
    const funds: Column[] = columns(['block', 'label'], ['initialBudget', 'number'], ['annualBudget', 'number']);
    expect(alignRow(row('', '年度资金总额', '5', '6'), funds)).toEqual([0, 0, 1, 2]);
  });
});

describe('mergeFragmentRows', () => {
  const eight = columns(
    ['block', 'label'], ['level1', 'label'], ['level2', 'label'], ['name', 'label'],
    ['measure', 'free'], ['target', 'free'], ['actual', 'free'], ['note', 'free'],
  );

  it('joins a row a blank line broke into pieces', () => {
    const rows = [row('', '产出指标', '数量指标', '职工医保待遇拨付率', '=', '100%'), row('100%'), row(''), row('', '', '', '下一个')];
    const { row: whole, used } = mergeFragmentRows(rows, 0, eight);
    expect(used).toBe(3);
    expect(whole.map((c) => c.text)).toEqual(['', '产出指标', '数量指标', '职工医保待遇拨付率', '=', '100%', '100%', '']);
    expect(whole.map((c) => c.col)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('re-lays a grid cell that spans the columns of its lost pieces', () => {
    const broken: GridRow = [cell('', 0), cell('产出指标', 1), cell('数量指标', 2), cell('拨付率', 3), cell('=', 4), cell('100%', 5, 3)];
    const rows = [broken, [cell('100%', 0, 8)], [cell('', 0, 8)]];
    const { row: whole } = mergeFragmentRows(rows, 0, eight);
    expect(whole[5]).toMatchObject({ text: '100%', col: 5, span: 1 });
    expect(whole[6]).toMatchObject({ text: '100%', col: 6 });
  });

  it('leaves a short row alone when the rows after it do not complete it', () => {
    const rows = [row('', '', '……', '', '', '', ''), row('', '', '质量指标', 'x', '', '1', '1', '')];
    expect(mergeFragmentRows(rows, 0, eight)).toEqual({ row: rows[0], used: 1 });
  });
});

describe('LabelCarry', () => {
  it('carries a label down over empty, continued and placeholder cells', () => {
    const carry = new LabelCarry();
    expect(carry.next(cell('数量指标', 2))?.label).toBe('数量指标');
    expect(carry.next(cell('', 2))?.label).toBe('数量指标');
    expect(carry.next(cell('', 2, 1, true))?.label).toBe('数量指标');
    expect(carry.next(cell('……', 2))?.label).toBe('数量指标');
    expect(carry.next(cell('质量指标', 2))?.label).toBe('质量指标');
  });

  it('joins a label a page cut into two rows', () => {
    const carry = new LabelCarry((l) => /指标$/.test(l));
    expect(carry.next(cell('经济效', 2), cell('益指标', 2))?.label).toBe('经济效益指标');
    expect(carry.next(cell('益指标', 2))?.label).toBe('经济效益指标');
    expect(carry.next(cell('社会效益指标', 2))?.label).toBe('社会效益指标');
  });

  it('joins labels a page break cut between two data rows', () => {
    // PDF: "满意度" / "服务对象" end page 2 beside 群众满意度; "指标（10分）" / "满意度指标" start page 3
    const level1 = new LabelCarry((l) => /指标$/.test(l));
    const level2 = new LabelCarry((l) => /指标$/.test(l));
    expect(level1.next(cell('满意度', 1), cell('指标\n（10分）', 1))).toMatchObject({ label: '满意度指标', max: 10 });
    expect(level2.next(cell('服务对象', 2), cell('满意度指\n标', 2))?.label).toBe('服务对象满意度指标');
    expect(level1.next(cell('指标\n（10分）', 1))?.label).toBe('满意度指标');
    expect(level2.next(cell('满意度指\n标', 2))?.label).toBe('服务对象满意度指标');
  });

  it('joins a maximum a row line cut ("产出指标（50" / "分）"); the row below keeps its own labels', () => {
    const level1 = new LabelCarry((l) => /指标$/.test(l));
    expect(level1.next(cell('产出指\n标（50', 1), cell('分）', 1))).toMatchObject({ label: '产出指标', max: 50 });
    expect(level1.next(cell('分）', 1), cell('', 1, 1, true))).toMatchObject({ label: '产出指标', max: 50 });
    expect(level1.cutRow).toBe(false);
    expect(level1.next(cell('', 1, 1, true))).toMatchObject({ label: '产出指标', max: 50 });
    expect(level1.next(cell('效益指标（', 1), cell('30分）', 1))).toMatchObject({ label: '效益指标', max: 30 });
    // a bracket that is not a maximum's stays as printed
    expect(new LabelCarry().next(cell('产出指标（50', 1), cell('数量指标', 1))?.label).toBe('产出指标(50');
  });

  it('takes a maximum printed on its own row', () => {
    const carry = new LabelCarry();
    carry.next(cell('效益指标', 1));
    expect(carry.next(cell('（30分）', 1))).toMatchObject({ label: '效益指标', max: 30 });
  });
});
