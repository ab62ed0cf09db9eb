// Our own samples (invented content, the Tika text-dump layout) through the whole core: every form
// kind is recognised, the GB18030 file decodes, the one deliberate audit finding is found and the
// consistent forms raise none, the narrative's headings follow CONTRACT.md's rules.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormKind, type DocumentRecord } from '../schemas/record.js';
import { extract } from '../src/pipeline.js';

const dir = path.join(import.meta.dirname, '..', 'samples');
const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
const records = new Map<string, DocumentRecord>();
const recordOf = async (file: string) => {
  let r = records.get(file);
  if (!r) records.set(file, (r = await extract(fs.readFileSync(path.join(dir, file)), `samples/${file}`)));
  return r;
};

describe('samples', () => {
  it('has at least one sample of every form kind, and a GB18030 one', async () => {
    const kinds = new Set<string>();
    for (const file of files) for (const form of (await recordOf(file)).forms) kinds.add(form.kind);
    expect([...kinds].sort()).toEqual([...FormKind.options].sort());
    const gb = files.find((f) => f.includes('gb18030'))!;
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(path.join(dir, gb)))).toThrow();
  });

  it('decodes the GB18030 sample to the same characters as written', async () => {
    const record = await recordOf('lanshan-water-project-gb18030.txt');
    expect(record.document.format).toBe('text');
    expect(record.document.title).toBe('岚山县水利局二〇二三年度项目支出绩效自评报告');
    const [form] = record.forms;
    expect(form).toMatchObject({ kind: 'project-self-eval', name: '小型水库除险加固', supervisor: '岚山县水利局', totalScore: 98 });
    expect(form!.funds.map((f) => f.line)).toContain('年度资金总额');
  });

  it('finds the deliberate audit finding (a rate against the initial budget) and nothing else', async () => {
    const audit = new Set(['execution-rate-mismatch', 'score-exceeds-weight', 'level1-weight-mismatch', 'total-score-mismatch', 'fund-sum-mismatch', 'expense-sum-mismatch']);
    const findings: string[] = [];
    for (const file of files) {
      for (const w of (await recordOf(file)).warnings) if (audit.has(w.code)) findings.push(`${file}: ${w.code}`);
    }
    expect(findings).toEqual(['qingxi-forestry-project-self-eval.txt: execution-rate-mismatch']);
    const record = await recordOf('qingxi-forestry-project-self-eval.txt');
    const total = record.forms[0]!.funds.find((f) => f.line === '年度资金总额');
    expect(total).toMatchObject({ initialBudget: 80, annualBudget: 120, executed: 114, executionRate: 142.5, score: 9 });
  });

  it('reads the forms field by field', async () => {
    const dept = (await recordOf('qingxi-forestry-dept-self-eval.txt')).forms[0]!;
    expect(dept).toMatchObject({ kind: 'dept-self-eval', name: '青溪县林业局', totalScore: 98 });
    expect(dept.indicators.map((i) => i.name)).toEqual([
      '完成造林面积', '森林抚育面积', '造林成活率', '资金拨付及时率', '造林成本控制', '护林员就业人数', '森林覆盖率', '群众满意度',
    ]);
    expect(dept.indicators[6]).toMatchObject({ level1: '效益指标', level2: '生态效益指标', weight: 20, score: 19 });
    const basic = (await recordOf('qingxi-forestry-basic-data.txt')).forms[0]!;
    expect(basic.staffing).toEqual({ authorized: 58, actual: 55, controlRate: 94.8 });
    expect(basic.expenses.find((e) => e.item.includes('公务接待'))).toMatchObject({ prevFinal: 2.5, budget: 2.5, final: 2.1 });
    const rubric = (await recordOf('qingxi-forestry-scoring-table.txt')).forms[0]!;
    expect(rubric.rubric).toHaveLength(16);
    expect(rubric.totalScore).toBe(94);
    const fund = (await recordOf('lanshan-water-fund-self-eval.txt')).forms[0]!;
    expect(fund).toMatchObject({ kind: 'fund-self-eval', name: '农村饮水安全巩固提升', supervisor: '岚山县水利局', implementer: '岚山县农村供水服务中心' });
    expect(fund.indicators.filter((i) => i.measure === '定性')).toHaveLength(3);
  });

  it('finds the narrative headings by the contract rules', async () => {
    const { sections, forms } = await recordOf('baishui-culture-final-accounts.txt');
    expect(forms).toEqual([]);
    expect(sections.map((s) => `${s.level} ${s.heading}`)).toEqual([
      '0 第一部分 部门概况',
      '1 一、基本职能及主要工作', // its first line "（一）主要职能。负责…" is a run-in label: body text
      '2 (二）2023年重点工作完成情况。',
      '1 二、机构设置', // "1.白水县文化馆" / "2.白水县图书馆" are a list
      '0 第二部分 2023年度部门决算情况说明',
      '3 1、 收入支出决算总体情况说明',
      '3 2、 收入决算情况说明',
      '1 三、财政拨款收入支出决算总体情况说明',
      '2 （一）一般公共预算财政拨款支出决算总体情况',
      '2 （二）一般公共预算财政拨款支出决算具体情况',
      '1 四、“三公”经费财政拨款支出决算情况说明',
      '0 第三部分 名词解释',
    ]);
    const last = sections.at(-1)!;
    expect(last.text).not.toContain('2024年6月18日'); // the sign-off is not body text
    expect(sections[6]!.text).not.toContain('1206.45\t'); // chart residue stops the text
  });
});
