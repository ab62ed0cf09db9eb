// The basic-data form (部门整体支出绩效评价基础数据表): staffing (编制数 / 实际在职人数 / 控制率)
// and the 经费控制情况 block, one expense row per item with last year's final accounts, this year's
// budget and final accounts. Items keep their printed wording ("其中：三公经费", "1. 业务工作经费"):
// the audit's parent/sub-item sums read the numbering.
import type { Column, GridRow } from '../../normalize/table.js';
import { cellsByRole, isBlankRow, labelText } from '../../normalize/table.js';
import type { Expense } from '../../../schemas/record.js';
import { type StaffingRole, staffingRole } from '../labels.js';
import { emptyBody, type FormBody, message, note, numberOf, textOf } from './common.js';
import { type ExpenseRole, expenseColumns, isExpenseHeader, isStaffingHeader, staffingColumns } from './headers.js';

export function readBasicData(rows: GridRow[]): FormBody {
  const body = emptyBody();
  let staffingCols: Column<StaffingRole>[] | null = null;
  let expenseCols: Column<ExpenseRole>[] | null = null;

  rows.forEach((row, k) => {
    if (isBlankRow(row)) return;
    if (isStaffingHeader(row)) {
      staffingCols = staffingColumns(row);
      expenseCols = null;
      return;
    }
    if (isExpenseHeader(row, rows[k - 1])) {
      expenseCols = expenseColumns(row);
      staffingCols = null;
      return;
    }
    if (staffingCols) {
      const cells = cellsByRole(row, staffingCols);
      const staffing = {
        authorized: numberOf(cells.get('authorized')),
        actual: numberOf(cells.get('actual')),
        controlRate: numberOf(cells.get('controlRate')),
      };
      if (Object.values(staffing).some((v) => v !== null)) {
        body.staffing = staffing;
        for (const role of ['authorized', 'actual', 'controlRate'] as const) note(body.sources, `staffing.${role}`, cells.get(role));
      }
      staffingCols = null;
      return;
    }
    if (!expenseCols && readStaffingPairs(row, body)) return;
    if (expenseCols) {
      const cells = cellsByRole(row, expenseCols);
      const itemCell = cells.get('item') ?? row[0];
      const item = textOf(itemCell);
      const sources: Expense['sources'] = {};
      const value = (role: ExpenseRole) => {
        note(sources, role, cells.get(role));
        return numberOf(cells.get(role));
      };
      const expense = { item: item ?? '', prevFinal: value('prevFinal'), budget: value('budget'), final: value('final'), sources };
      // rows without a figure (厉行节约保障措施 and its text, empty template rows) are no expenses
      if (item === null || [expense.prevFinal, expense.budget, expense.final].every((v) => v === null)) return;
      note(sources, 'item', itemCell);
      body.expenses.push(expense);
    }
  });
  if (!body.staffing && body.expenses.length === 0) {
    body.messages.push(message('basic-data-empty', 'basic-data form has neither staffing figures nor expense rows', rows[0]?.[0]?.place ?? {}));
  }
  return body;
}

/**
 * Staffing printed down instead of across: "编制数 | 43" / "实有人数 | 41" / "控制率 | 95.35%", each
 * label beside its figure (also two pairs on one row: "编制数 | 43 | 实有人数 | 41").
 */
function readStaffingPairs(row: GridRow, body: FormBody): boolean {
  let found = false;
  row.forEach((cell, k) => {
    const role = staffingRole(labelText(cell.text));
    const value = row[k + 1];
    const figure = numberOf(value);
    if (!role || figure === null || labelText(cell.text).length > 12) return;
    body.staffing ??= { authorized: null, actual: null, controlRate: null };
    if (body.staffing[role] !== null) return;
    body.staffing[role] = figure;
    note(body.sources, `staffing.${role}`, value);
    found = true;
  });
  return found;
}
