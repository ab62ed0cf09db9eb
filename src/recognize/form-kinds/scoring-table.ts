// Scoring tables (评分表 / 共性指标表): one rubric row per 三级指标 with its 分值 and 得分. Long
// 指标解释 / 评价要点 texts run on over continuation rows (三级指标 blank); a merged 得分 cell prints
// its figure on whichever of those rows sits in its middle, so a continuation row's score belongs to
// the rubric row it continues ("实际完成率" … continuation "… | 3").
import type { Column, GridRow } from '../../normalize/table.js';
import { cellsByRole, isBlank, isBlankRow, LabelCarry, labelText, mergeFragmentRows } from '../../normalize/table.js';
import type { RubricRow } from '../../../schemas/record.js';
import { NOTE_ROW, type RubricRole, TOTAL_ROW } from '../labels.js';
import { emptyBody, type FormBody, message, note, numberOf, rowLabel } from './common.js';
import { isRubricHeader, rubricColumns } from './headers.js';

/** A row under the header that finishes its labels: "一级 | 二级" / "指标 | 指标". */
const isHeaderTail = (row: GridRow) =>
  row.every((c) => isBlank(c.text) || /^(指标|名称|分值|得分|内容)$/.test(labelText(c.text)));

export function readScoringTable(rows: GridRow[]): FormBody {
  const body = emptyBody();
  let cols: Column<RubricRole>[] = [];
  const level1 = new LabelCarry();
  const level2 = new LabelCarry();
  let current: RubricRow | null = null;
  let afterHeader = false;

  for (let r = 0; r < rows.length; r++) {
    if (isBlankRow(rows[r]!)) continue;
    let row = rows[r]!;
    if (isRubricHeader(row)) {
      cols = rubricColumns(row);
      afterHeader = true;
      continue;
    }
    if (cols.length === 0) continue;
    if (afterHeader && isHeaderTail(row)) continue;
    afterHeader = false;
    const head = rowLabel(row);
    if (head && TOTAL_ROW.test(head.label)) {
      const cell = cellsByRole(row, cols, true).get('score');
      if (numberOf(cell) !== null && body.totalScore === null) {
        body.totalScore = numberOf(cell);
        note(body.sources, 'totalScore', cell);
      }
      current = null;
      continue;
    }
    if (head && head.cell === row[0] && NOTE_ROW.test(head.label)) break;

    const whole = mergeFragmentRows(rows, r, cols);
    row = whole.row;
    r += whole.used - 1;
    const cells = cellsByRole(row, cols);
    const before = level1.next(undefined);
    const l1 = level1.next(cells.get('level1'));
    if (l1 !== before && isBlank(cells.get('level2')?.text)) level2.reset();
    const l2 = level2.next(cells.get('level2'));
    const deepest: RubricRole = cols.some((c) => c.role === 'level3') ? 'level3' : 'level2';
    const keyCell = cells.get(deepest);
    const scoreCell = cells.get('score');
    if (keyCell && !isBlank(keyCell.text) && !keyCell.continued) {
      const pointsCell = cells.get('points');
      const sources: RubricRow['sources'] = {};
      note(sources, 'level1', l1?.cell);
      note(sources, 'level2', l2?.cell);
      note(sources, 'level3', deepest === 'level3' ? keyCell : undefined);
      note(sources, 'points', pointsCell);
      note(sources, 'score', scoreCell);
      current = {
        level1: l1?.label ?? null,
        level2: l2?.label ?? null,
        level3: deepest === 'level3' ? labelText(keyCell.text) : null,
        points: numberOf(pointsCell),
        score: numberOf(scoreCell),
        sources,
      };
      body.rubric.push(current);
    } else if (current && current.score === null && numberOf(scoreCell) !== null) {
      current.score = numberOf(scoreCell);
      note(current.sources, 'score', scoreCell);
    }
  }
  if (body.rubric.length === 0) {
    body.messages.push(message('rubric-empty', 'scoring table has a header but no rubric rows', rows[0]?.[0]?.place ?? {}));
  }
  return body;
}
