// What the kind readers share: the draft a reader fills, and how a cell becomes a value with its source.
import type { Message, Place } from '../../../schemas/model.js';
import type { Expense, Form, FundLine, Indicator, RubricRow, Sources } from '../../../schemas/record.js';
import { type GridCell, type GridRow, isBlank, labelText } from '../../normalize/table.js';
import { isPlaceholder, parseNumber } from '../../normalize/text.js';

/** The part of a Form read from its grid (heading, year and preparer come from around it). */
export interface FormBody {
  name: string | null;
  supervisor: string | null;
  implementer: string | null;
  funds: FundLine[];
  goals: Form['goals'];
  indicators: Indicator[];
  totalScore: number | null;
  staffing: { authorized: number | null; actual: number | null; controlRate: number | null } | null;
  expenses: Expense[];
  rubric: RubricRow[];
  sources: Sources;
  messages: Message[];
}

export const emptyBody = (): FormBody => ({
  name: null,
  supervisor: null,
  implementer: null,
  funds: [],
  goals: null,
  indicators: [],
  totalScore: null,
  staffing: null,
  expenses: [],
  rubric: [],
  sources: {},
  messages: [],
});

/** Cell text as a value: trimmed, verbatim otherwise; blank and "……" give null. */
export function textOf(cell: GridCell | undefined): string | null {
  if (!cell || isBlank(cell.text) || isPlaceholder(cell.text)) return null;
  return cell.text.trim();
}

export function numberOf(cell: GridCell | undefined): number | null {
  return cell ? parseNumber(cell.text) : null;
}

/** Record where `field` was read from, when it was read from a cell. */
export function note(sources: Sources, field: string, cell: GridCell | undefined | null): void {
  if (cell) sources[field] = cell.place;
}

/** The first non-blank cell's label key: what a row is about ("总分", "说明", "年度总体目标"). */
export function rowLabel(row: GridRow): { label: string; cell: GridCell } | null {
  const cell = row.find((c) => !isBlank(c.text));
  return cell ? { label: labelText(cell.text), cell } : null;
}

export function message(code: string, text: string, place: Place, severity: Message['severity'] = 'warning'): Message {
  return { code, message: text, severity, stage: 'recognize', place };
}
