// The export contract (../shared/CONTRACT.md, v1): one DocumentRecord per ingested document.
// Extra fields beyond the contract are allowed; ours are `sources` (where each value came from)
// and the non-audit warnings.
import { z } from 'zod';
import { Format, Message, Place } from './model.js';

const num = z.number().finite().nullable();
const text = z.string().nullable();
/** field name -> the cell it was read from */
export const Sources = z.record(z.string(), Place);

export const FundLine = z.object({
  line: z.string(),
  initialBudget: num,
  annualBudget: num,
  executed: num,
  weight: num,
  executionRate: num,
  score: num,
  sources: Sources,
});
export const Indicator = z.object({
  level1: text,
  /** the maximum the 一级指标 label prints, "产出指标(50分)" -> 50; null when it prints none */
  level1Max: z.number().nullable().optional(),
  level2: text,
  name: z.string(),
  measure: text,
  target: text,
  actual: text,
  weight: num,
  score: num,
  note: text,
  sources: Sources,
});
export const Expense = z.object({
  item: z.string(),
  prevFinal: num,
  budget: num,
  final: num,
  sources: Sources,
});
export const RubricRow = z.object({
  level1: text,
  level2: text,
  level3: text,
  points: num,
  score: num,
  sources: Sources,
});
export const Preparer = z.object({ name: text, date: text, phone: text });
export const Staffing = z.object({ authorized: num, actual: num, controlRate: num });
export const Goals = z.object({ expected: text, actual: text });

export const FormKind = z.enum(['basic-data', 'dept-self-eval', 'project-self-eval', 'fund-self-eval', 'scoring-table']);
export const Form = z.object({
  kind: FormKind,
  attachment: text,
  title: text,
  fiscalYear: z.number().int().nullable(),
  name: text,
  supervisor: text,
  implementer: text,
  funds: z.array(FundLine),
  goals: Goals.nullable(),
  indicators: z.array(Indicator),
  totalScore: num,
  staffing: Staffing.nullable(),
  expenses: z.array(Expense),
  rubric: z.array(RubricRow),
  preparer: Preparer.nullable(),
  /** the table(s) the form was read from */
  place: Place,
  sources: Sources,
});

export const Section = z.object({
  heading: z.string(),
  level: z.number().int().min(0).max(4),
  text: z.string(),
  place: Place,
});

export const DocumentInfo = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string(),
  format: Format,
  organization: text,
  fiscalYear: z.number().int().nullable(),
  title: text,
});

export const Warning = Message;

export const DocumentRecord = z.object({
  document: DocumentInfo,
  forms: z.array(Form),
  sections: z.array(Section),
  warnings: z.array(Warning),
});

export type FundLine = z.infer<typeof FundLine>;
export type Indicator = z.infer<typeof Indicator>;
export type Expense = z.infer<typeof Expense>;
export type RubricRow = z.infer<typeof RubricRow>;
export type Preparer = z.infer<typeof Preparer>;
export type FormKind = z.infer<typeof FormKind>;
export type Form = z.infer<typeof Form>;
export type Section = z.infer<typeof Section>;
export type DocumentInfo = z.infer<typeof DocumentInfo>;
export type Warning = z.infer<typeof Warning>;
export type DocumentRecord = z.infer<typeof DocumentRecord>;
export type Sources = z.infer<typeof Sources>;
