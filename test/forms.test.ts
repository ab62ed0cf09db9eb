import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block, Cell, DocModel } from '../schemas/model.js';
import { Form } from '../schemas/record.js';
import { extractText } from '../extractors/text.js';
import { recognizeForms } from '../src/recognize/forms.js';
import { readPreparer } from '../src/recognize/form-context.js';
import { fundLine } from '../src/recognize/labels.js';

// --- building models by hand ------------------------------------------------------------------
type CellSpec = string | { text: string; span?: number; continued?: boolean; col?: number };
const para = (text: string): Block => ({ type: 'paragraph', text, place: {} });
const grid = (...rows: CellSpec[][]): Block => ({
  type: 'table',
  confidence: 1,
  place: {},
  rows: rows.map((specs) => {
    let col = 0;
    return specs.map((spec): Cell => {
      const s = typeof spec === 'string' ? { text: spec } : spec;
      const cell: Cell = {
        text: s.text,
        col: s.col ?? col,
        colSpan: s.span ?? 1,
        rowSpan: 1,
        continued: s.continued ?? false,
        place: {},
      };
      col = cell.col + cell.colSpan;
      return cell;
    });
  }),
});
/** Numbers tables and blocks, and gives every cell its place, as an extractor would. */
function model(...blocks: Block[]): DocModel {
  let tables = 0;
  blocks.forEach((b, block) => {
    b.place.block = block;
    if (b.type !== 'table') return;
    const table = tables++;
    b.place.table = table;
    b.place.page = 3;
    b.rows.forEach((cells, row) => cells.forEach((c) => (c.place = { table, row, col: c.col, page: 3 })));
  });
  return { format: 'docx', blocks, messages: [] };
}
const strip = <T extends { sources?: unknown }>(x: T) => {
  const { sources: _s, ...rest } = x;
  return rest;
};

// --- a 项目支出绩效自评表 as a text dump prints it (ragged rows, vertical labels) ---------------------
const projectForm = () =>
  model(
    para('附件5'),
    para('2022年度项目支出绩效自评表'),
    grid(
      ['项目支\n出名称', '医疗保障服务能力建设'],
      ['主管部门', '某县医疗保障局', '实施单位', '某县医保中心'],
      ['项目资金\n（万元）', '', '年初\n预算数', '全年\n预算数', '全年\n执行数', '分值', '执行率', '得分'],
      ['', '年度资金总额', '', '80', '80', '10', '100%', '10'],
      ['', '其中：当年财政拨款', '', '80', '80', '', '', ''],
      ['', '上年结转资金', '', '', '', '', '', ''],
      ['年度总体目标', '预期目标', '实际完成情况'],
      ['', '提升服务能力', '完成'],
      ['绩\n效\n指\n标', '一级指标', '二级指标', '三级指标', '年度\n指标值', '实际\n完成值', '分值', '得分', '偏差原因分析及改进措施'],
      ['', '产出指标\n(50分)', '数量指标', '系统正常运行率', '　100%', '100%', '20', '20', ''],
      ['', '', '', '…… ', '', '', '', '', ''],
      ['', '', '', '', '', '', '', '', ''],
      ['', '', '质量指标', '医保经办服务下沉', '17项至镇\n5项到村', '已完成', '10', '10', ''],
      ['', '效益指标\n（30分）', '经济效', '集中采购', '国家标准', '落实', '10', '10', ''],
      ['', '', '益指标', '价格谈判', '国家标准', '落实', '10', '9', '谈判延期'],
      ['', '', '生态效\n益指标', '', '', '', '', '', ''],
      ['', '满意度\n指标\n（10分）', '服务对象满意度指标', '群众满意度', '≥90%', '135.5%', '10', '——', ''],
      ['总分', '100', '99', ''],
    ),
    para('备注：一个一级项目支出一张表。'),
    para('填表人：张三 填报日期：2023年7月4日 联系电话：13700000000   单位负责人签字：'),
  );

describe('recognizeForms: project-self-eval', () => {
  const { forms, messages } = recognizeForms(projectForm());
  const form = forms[0]!;

  it('recognises one valid form with its heading and identity', () => {
    expect(forms).toHaveLength(1);
    expect(Form.safeParse(form).success).toBe(true);
    expect(messages).toEqual([]);
    expect(form).toMatchObject({
      kind: 'project-self-eval',
      attachment: '附件5',
      title: '2022年度项目支出绩效自评表',
      fiscalYear: 2022,
      name: '医疗保障服务能力建设',
      supervisor: '某县医疗保障局',
      implementer: '某县医保中心',
      totalScore: 99,
      goals: { expected: '提升服务能力', actual: '完成' },
      preparer: { name: '张三', date: '2023-07-04', phone: '13700000000' },
    });
    expect(form.place).toEqual({ block: 2, table: 0, page: 3 });
  });

  it('keeps the fund lines that hold a figure, named by the contract', () => {
    expect(form.funds.map(strip)).toEqual([
      { line: '年度资金总额', initialBudget: null, annualBudget: 80, executed: 80, weight: 10, executionRate: 100, score: 10 },
      { line: '当年财政拨款', initialBudget: null, annualBudget: 80, executed: 80, weight: null, executionRate: null, score: null },
    ]);
    expect(form.funds[0]!.sources.executionRate).toEqual({ table: 0, row: 3, col: 6, page: 3 });
    expect(form.funds[1]!.sources.line).toEqual({ table: 0, row: 4, col: 1, page: 3 });
  });

  it('reads indicators: carried labels, split labels, maxima, placeholders dropped', () => {
    expect(form.indicators.map((i) => [i.level1, i.level2, i.name])).toEqual([
      ['产出指标', '数量指标', '系统正常运行率'],
      ['产出指标', '质量指标', '医保经办服务下沉'],
      ['效益指标', '经济效益指标', '集中采购'],
      ['效益指标', '经济效益指标', '价格谈判'],
      ['满意度指标', '服务对象满意度指标', '群众满意度'],
    ]);
    expect(form.indicators.map((i) => i.level1Max)).toEqual([50, 50, 30, 30, 10]);
    expect(strip(form.indicators[1]!)).toMatchObject({ target: '17项至镇\n5项到村', actual: '已完成', weight: 10, score: 10, note: null, measure: null });
    expect(form.indicators[0]!.target).toBe('100%');
    expect(form.indicators[3]!.note).toBe('谈判延期');
    expect(form.indicators[4]).toMatchObject({ target: '≥90%', actual: '135.5%', score: null });
  });

  it('records the cell each indicator value came from, carried labels included', () => {
    const carried = form.indicators[1]!;
    expect(carried.sources.level1).toEqual({ table: 0, row: 9, col: 1, page: 3 });
    expect(carried.sources.level2).toEqual({ table: 0, row: 12, col: 2, page: 3 });
    expect(carried.sources.target).toEqual({ table: 0, row: 12, col: 4, page: 3 });
    expect(form.sources.totalScore).toEqual({ table: 0, row: 17, col: 2, page: 3 });
  });
});

describe('recognizeForms: fund-self-eval with a measure column', () => {
  const { forms } = recognizeForms(
    model(
      para('2023年度某市医疗保障事务中心专项资金绩效自评报告'),
      para('附件6-1：'),
      para('专项资金绩效目标自评表'),
      grid(
        [''],
        ['专项资金名称', '大病互助保险管理经费', '负责人\n及电话', '某某 2730808'],
        ['市级主管部门', ''],
        ['地方主管部门', '某市医疗保障局', '实施单位', '某市医疗保障事务中心'],
        ['项目资金（万元）', '', '全年预算数（A）', '全年执行数（B）', '执行率（B／A）'],
        ['', '年度资金总额', '', '50.00', '100%'],
        ['', '其中：中央补助', '', '50.00', '100%'],
        ['', '省级资金', '', '', ''],
        ['年度总体目标', '年初设定目标', '全年实际完成情况'],
        ['', '做好大病保障', '大病互助收入1552万元\n支出1874万元'],
        ['绩  效    指  标', '一级指标', '二级指标', '三级指标', '', '年度指标值', '全年\n完成值', '未完成原因和\n改进措施'],
        ['', '产   出   指   标', '数量指标', '大病互助收入', '定量', '1500万元', '1552万元', ''],
        ['', '', '', '待遇拨付率', '=', '100%'],
        ['100%'],
        ['　'],
        ['', '', '……', '', '', '', ''],
        ['绩  效    指  标', '效   益   指   标\n效   益   指   标', '生态效益  指标', '生态影响', '', '100%', '100%', ''],
        ['说明', '无'],
        ['注：1、其他资金包括…'],
      ),
    ),
  );
  const form = forms[0]!;

  it('reads kind, attachment, the filled 主管部门 and the year of the document', () => {
    expect(forms).toHaveLength(1);
    expect(form).toMatchObject({
      kind: 'fund-self-eval',
      attachment: '附件6-1',
      title: '专项资金绩效目标自评表',
      fiscalYear: 2023,
      name: '大病互助保险管理经费',
      supervisor: '某市医疗保障局',
      implementer: '某市医疗保障事务中心',
      totalScore: null,
      preparer: null,
    });
    expect(form.funds.map((f) => [f.line, f.annualBudget, f.executed, f.executionRate])).toEqual([
      ['年度资金总额', null, 50, 100],
      ['中央补助', null, 50, 100],
    ]);
  });

  it('reads the unheaded measure column and mends a row a blank line broke', () => {
    expect(form.indicators.map(strip)).toEqual([
      { level1: '产出指标', level1Max: null, level2: '数量指标', name: '大病互助收入', measure: '定量', target: '1500万元', actual: '1552万元', weight: null, score: null, note: null },
      { level1: '产出指标', level1Max: null, level2: '数量指标', name: '待遇拨付率', measure: '=', target: '100%', actual: '100%', weight: null, score: null, note: null },
      { level1: '效益指标', level1Max: null, level2: '生态效益指标', name: '生态影响', measure: null, target: '100%', actual: '100%', weight: null, score: null, note: null },
    ]);
  });
});

describe('recognizeForms: dept-self-eval, basic-data, scoring-table', () => {
  const { forms } = recognizeForms(
    model(
      para('附件1'),
      para('2022年度部门整体支出绩效评价基础数据表'),
      grid(
        ['财政供养人员情况（人）', '编制数', '2022年实际在职人数', '控制率'],
        ['', '43', '41', '95%'],
        ['经费控制情况（万元）', '2021年决算数', '2022年预算数', '2022年决算数'],
        ['一、基本支出：', '535.76', '573.02', '573.02'],
        ['其中：公车运行维护', '0', '0', ''],
        ['2. 提升能力建设支出', '', '80', '80'],
        ['', '', '', ''],
        ['厉行节约保障措施', '1、狠抓各项制度的落实'],
      ),
      para('附件2'),
      para('2022年度部门整体支出绩效自评表'),
      grid(
        ['县级预算部门名称', '某县医疗保障局'],
        ['年度\n预算\n申请\n（万元）', '', '年初\n预算数', '全年\n预算数', '全年\n执行数', '分值', '执行率', '得分'],
        ['', '年度资金总额', '526', '713.64', '713.64', '10', '135.5%', '10'],
        ['', '按收入性质分：', '按支出性质分：'],
        ['', '其中：  一般公共预算：713.64', '其中：基本支出：573.02'],
        ['年度\n总体目标', '预期目标', '实际完成情况'],
        ['', '单位正常运行', '已完成'],
        ['年度主要任务', '任务名称', '主要内容'],
        ['', '医保征缴', '应保尽保'],
        ['绩\n效\n指\n标', '一级\n指标', '二级\n指标', '三级\n指标', '年度\n指标值', '实际\n完成值', '分值', '得分', '偏差原因分析及改进措施'],
        ['', '产出\n指标\n(50分)', '数量\n指标', '参保人数', '≧**人', '64.57万人', '10', '10', ''],
        ['总分', '100', '99', ''],
      ),
      para('附件4'),
      para('项目支出绩效评价评分表（共性）'),
      grid(
        ['一级', '二级', '三级指标', '分值', '指标解释', '指标说明', '得分'],
        ['指标', '指标', '', '', '', '', ''],
        ['投入', '项目立项', '项目立项规范性', '6', '项目的申请、设立过程是否符合相关要求。', '评价要点：', ''],
        ['', '', '', '', '', '①是否按照规定的程序申请设立；', '6'],
        ['', '资金落实', '资金到位率', '3', '实际到位资金与计划投入资金的比率。', '资金到位率=（实际/计划）×100%。', ''],
        ['', '', '', '', '', '实际到位资金：…', '2.5'],
        ['过程', '业务管理', '管理制度健全性', '5', '业务管理制度是否健全。', '评价要点：', '5'],
      ),
      para('得分：93.5分'),
    ),
  );

  it('reads basic-data staffing and expenses', () => {
    const basic = forms[0]!;
    expect(basic.kind).toBe('basic-data');
    expect(basic.staffing).toEqual({ authorized: 43, actual: 41, controlRate: 95 });
    expect(basic.expenses.map(strip)).toEqual([
      { item: '一、基本支出：', prevFinal: 535.76, budget: 573.02, final: 573.02 },
      { item: '其中：公车运行维护', prevFinal: 0, budget: 0, final: null },
      { item: '2. 提升能力建设支出', prevFinal: null, budget: 80, final: 80 },
    ]);
    expect(basic.expenses[2]!.sources.budget).toEqual({ table: 0, row: 5, col: 2, page: 3 });
  });

  it('reads dept-self-eval: 部门名称, goals, one fund line, 135.5%', () => {
    const dept = forms[1]!;
    expect(dept).toMatchObject({ kind: 'dept-self-eval', attachment: '附件2', name: '某县医疗保障局', supervisor: null, totalScore: 99 });
    // 年度主要任务 is a block of its own, not more goal text
    expect(dept.goals).toEqual({ expected: '单位正常运行', actual: '已完成' });
    expect(dept.funds.map(strip)).toEqual([
      { line: '年度资金总额', initialBudget: 526, annualBudget: 713.64, executed: 713.64, weight: 10, executionRate: 135.5, score: 10 },
    ]);
    expect(dept.indicators[0]).toMatchObject({ level1: '产出指标', level1Max: 50, level2: '数量指标', target: '≧**人' });
  });

  it('reads a scoring table: rubric rows, scores on continuation rows, total below it', () => {
    const scoring = forms[2]!;
    expect(scoring).toMatchObject({ kind: 'scoring-table', attachment: '附件4', name: null, totalScore: 93.5, fiscalYear: 2022 });
    expect(scoring.rubric.map(strip)).toEqual([
      { level1: '投入', level2: '项目立项', level3: '项目立项规范性', points: 6, score: 6 },
      { level1: '投入', level2: '资金落实', level3: '资金到位率', points: 3, score: 2.5 },
      { level1: '过程', level2: '业务管理', level3: '管理制度健全性', points: 5, score: 5 },
    ]);
    expect(scoring.rubric[0]!.sources.score).toEqual({ table: 2, row: 3, col: 6, page: 3 });
  });
});

describe('recognizeForms: grid formats (colSpan, continued cells)', () => {
  it('reads merged cells by the grid columns they cover', () => {
    const { forms } = recognizeForms(
      model(
        grid(
          [{ text: '附件2  预算支出绩效自评表', span: 9 }],
          [{ text: '（ 2021  年度）', span: 9 }],
          ['项目名称', { text: '信息系统运维', span: 8 }],
          ['项目资金（万元）', '', '年初预算数', '全年预算数', '全年执行数', '分值', '执行率', '得分', ''],
          [{ text: '', continued: true }, '年度资金总额', '20', '20', '20', '10', '100%', '10', ''],
          ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'],
          [{ text: '', continued: true }, '产出指标', '数量指标', '覆盖率', '100%', '100%', '40', '40', ''],
          [{ text: '', continued: true }, { text: '', continued: true }, { text: '', continued: true }, '及时率', '100%', '98%', '10', '9', ''],
          [{ text: '总分', span: 6 }, '100', '49', ''],
        ),
      ),
    );
    expect(forms).toHaveLength(1);
    expect(forms[0]).toMatchObject({ kind: 'project-self-eval', attachment: '附件2', title: '预算支出绩效自评表', fiscalYear: 2021, name: '信息系统运维', totalScore: 49 });
    expect(forms[0]!.indicators.map((i) => [i.level1, i.level2, i.name, i.score])).toEqual([
      ['产出指标', '数量指标', '覆盖率', 40],
      ['产出指标', '数量指标', '及时率', 9],
    ]);
  });

  it('mends labels and a name that a page cut between two rows (PDF, OCR)', () => {
    const { forms } = recognizeForms(
      model(
        grid(
          ['项目支出名称', '丁项目'],
          ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'],
          [{ text: '', continued: true }, '效益指标', '生态效益', '对生态环境所带来', '100%', '100%', '5', '5', ''],
          [{ text: '', continued: true }, { text: '', continued: true }, '指标', '的直接或间接影响情况。', '', '', '', '', ''],
          [{ text: '', continued: true }, '满意度', '服务对象', '群众满意度', '100%', '100%', '5', '5', ''],
          ['', '指标\n（10分）', '满意度指\n标', '政策知晓率', '100%', '98%', '5', '4', ''],
        ),
      ),
    );
    expect(forms[0]!.indicators.map((i) => [i.level1, i.level1Max, i.level2, i.name])).toEqual([
      ['效益指标', null, '生态效益指标', '对生态环境所带来\n的直接或间接影响情况。'],
      ['满意度指标', 10, '服务对象满意度指标', '群众满意度'],
      ['满意度指标', 10, '服务对象满意度指标', '政策知晓率'],
    ]);
  });

  it('reads two forms a converter joined into one grid', () => {
    const form = (name: string, executed: string): CellSpec[][] => [
      [{ text: '附件2  预算支出绩效自评表', span: 8 }],
      ['项目支出名称', { text: name, span: 7 }],
      ['项目资金', '', '年初预算数', '全年预算数', '全年执行数', '分值', '执行率', '得分'],
      ['', '年度资金总额', '1', '1', executed, '10', '100%', '10'],
    ];
    const { forms } = recognizeForms(model(grid(...form('甲', '1'), ...form('乙', '0.5'))));
    expect(forms.map((f) => [f.name, f.attachment, f.funds[0]?.executed, f.place.row ?? 0])).toEqual([
      ['甲', '附件2', 1, 0],
      ['乙', '附件2', 0.5, 4],
    ]);
  });

  it('continues a form over a table a page break split off', () => {
    const header = ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'];
    const { forms } = recognizeForms(
      model(
        para('2022年度项目支出绩效自评表'),
        grid(['项目支出名称', '甲项目'], header, ['', '产出指标', '数量指标', '覆盖率', '100%', '100%', '40', '40', '']),
        para('-3-'),
        grid(header, ['', '效益指标', '社会效益指标', '满意度', '90%', '95%', '10', '10', ''], ['总分', '100', '50', '']),
      ),
    );
    expect(forms).toHaveLength(1);
    expect(forms[0]!.indicators.map((i) => i.name)).toEqual(['覆盖率', '满意度']);
    expect(forms[0]!.indicators[1]!.sources.name).toMatchObject({ table: 1, row: 1 });
    expect(forms[0]!.totalScore).toBe(50);
  });
});

describe('recognizeForms: an indicator row a PDF page break cut in two', () => {
  // LibreOffice lets a table row break across pages: the PDF text layer yields the row's lower half
  // as a row of its own at the top of the next page, with no labels, 分值 or 得分
  const cutModel = (lowerHalf: string[]) => {
    const m = model(
      para('2023年度部门整体支出绩效自评表'),
      grid(
        ['部门名称', '某县司法局'],
        ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分'],
        ['', '产出指标（50分）', '数量指标', '法律援助案件数', '≥600件', '648件', '40', '40'],
        ['', '', '成本指标', '法律援助案', '≤3500', '3420元', '10', '10'],
        lowerHalf,
        ['', '满意度指标（10分）', '服务对象满意度指标', '受援群众满意度', '≥90%', '92.1%', '10', '8'],
        ['总分', '100', '58'],
      ),
    );
    const table = m.blocks[1]!;
    if (table.type === 'table') table.rows.slice(4).forEach((row) => row.forEach((c) => (c.place.page = 4)));
    return recognizeForms(m).forms[0]!;
  };

  it('joins the lower half to the row above it', () => {
    const form = cutModel(['', '', '', '均补贴', '元', '', '', '']);
    expect(form.indicators.map((i) => [i.name, i.target, i.actual, i.weight])).toEqual([
      ['法律援助案件数', '≥600件', '648件', 40],
      ['法律援助案\n均补贴', '≤3500\n元', '3420元', 10],
      ['受援群众满意度', '≥90%', '92.1%', 10],
    ]);
  });

  it('a whole row at the top of a page stays a row of its own', () => {
    const form = cutModel(['', '', '', '单件办理时长', '≤30天', '26天', '5', '5']);
    expect(form.indicators.map((i) => i.name)).toEqual(['法律援助案件数', '法律援助案', '单件办理时长', '受援群众满意度']);
  });
});

describe('recognizeForms: an indicator header printed in two rows', () => {
  const values = (rows: CellSpec[][]) =>
    recognizeForms(model(para('2023年度项目支出绩效自评表'), grid(['项目名称', '垃圾收运项目'], ...rows, ['总分', '100', '32']))).forms[0]!.indicators.map((i) => [i.name, i.target, i.actual, i.weight, i.score]);
  const expected = [['覆盖行政村数', '12个', '12个', 20, 20], ['垃圾无害化处理率', '≥95%', '96.2%', 15, 12]];

  it('a text dump prints the merged 指标值 once: the lower row splits it, the cells right of it shift', () => {
    expect(values([
      ['绩效指标', '一级指标', '二级指标', '三级指标', '指标值', '分值', '得分', '偏差原因分析及改进措施'],
      ['', '', '', '', '年度指标值', '实际完成值', '', '', ''],
      ['', '产出指标（35分）', '数量指标', '覆盖行政村数', '12个', '12个', '20', '20', ''],
      ['', '', '质量指标', '垃圾无害化处理率', '≥95%', '96.2%', '15', '12', ''],
    ])).toEqual(expected);
  });

  it('a grid keeps the columns: the merged 指标值 spans the two labels below it', () => {
    const c = (text: string) => ({ text, continued: true });
    expect(values([
      ['绩效指标', '一级指标', '二级指标', '三级指标', { text: '指标值', span: 2 }, '分值', '得分', '偏差原因分析及改进措施'],
      [c(''), c(''), c(''), c(''), '年度指标值', '实际完成值', c(''), c(''), c('')],
      ['', '产出指标（35分）', '数量指标', '覆盖行政村数', '12个', '12个', '20', '20', ''],
      [c(''), c(''), '质量指标', '垃圾无害化处理率', '≥95%', '96.2%', '15', '12', ''],
    ])).toEqual(expected);
  });

  it('a first indicator row is no second header row', () => {
    expect(values([
      ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'],
      ['', '产出指标（35分）', '数量指标', '覆盖行政村数', '12个', '12个', '20', '20', ''],
      ['', '', '质量指标', '垃圾无害化处理率', '≥95%', '96.2%', '15', '12', ''],
    ])).toEqual(expected);
  });
});

describe('recognizeForms: template variants', () => {
  it('reads goals printed down, a 年度主要任务 block, and a 填表人 row inside the table', () => {
    const { forms, messages } = recognizeForms(
      model(
        grid(
          ['部门（单位）名称', '某县住建局'],
          ['年度预算申请（万元）', '', '年初预算数', '全年预算数', '全年执行数', '分值', '执行率', '得分'],
          ['', '年度资金总额', '30', '30', '29', '10', '96.67%', '9.7'],
          ['年度主要任务', '任务名称', '主要内容', '预算数（万元）', '执行数（万元）'],
          ['', '老旧小区改造', '完成8个小区改造', '20', '19'],
          ['年度绩效目标', '预期目标', '完成8个老旧小区改造。'],
          ['', '实际完成情况', '完成8个老旧小区1236户改造。'],
          ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'],
          ['', '产出指标', '数量指标', '改造户数', '≥1200户', '1236户', '20', '20', ''],
          [{ text: '填表人：韦珍  填报时间：2024年5月30日  联系方式：0743-8521066', span: 9 }],
        ),
      ),
    );
    expect(messages).toEqual([]);
    expect(forms[0]).toMatchObject({
      kind: 'dept-self-eval',
      goals: { expected: '完成8个老旧小区改造。', actual: '完成8个老旧小区1236户改造。' },
      preparer: { name: '韦珍', date: '2024-05-30', phone: '0743-8521066' },
    });
    expect(forms[0]!.funds.map((f) => f.line)).toEqual(['年度资金总额']);
    expect(forms[0]!.indicators.map((i) => i.name)).toEqual(['改造户数']);
  });

  it('reads a basic-data form whose blocks open with section rows', () => {
    const { forms } = recognizeForms(
      model(
        para('附件1'),
        para('2023年度部门整体支出绩效评价基础数据表'),
        para('填报单位（盖章）：某县自然资源局　单位：万元'),
        grid(
          ['一、财政供养人员情况（人）'],
          ['编制数', '实有人数', '控制率', '备注'],
          ['52', '49', '94.2%', ''],
          ['二、经费控制情况（万元）'],
          ['项目', '2022年决算数', '2023年预算数', '2023年决算数'],
          ['一、基本支出', '905.6', '948.2', '936.74'],
        ),
      ),
    );
    expect(forms[0]).toMatchObject({ kind: 'basic-data', attachment: '附件1', staffing: { authorized: 52, actual: 49, controlRate: 94.2 } });
    expect(forms[0]!.expenses.map(strip)).toEqual([{ item: '一、基本支出', prevFinal: 905.6, budget: 948.2, final: 936.74 }]);
  });
});

describe('recognizeForms: tables that are no form', () => {
  it('keeps a table that matches no kind out of the forms', () => {
    const { forms, messages } = recognizeForms(
      model(
        para('（二）资金计划、到位及使用情况'),
        grid(['项目', '金额（万元）'], ['办公费', '12.5'], ['差旅费', '3']),
        grid([''], ['']),
        grid([]),
      ),
    );
    expect(forms).toEqual([]);
    expect(messages).toEqual([]);
  });

  it('does not take a funding table of the narrative (项目名称 as a column header) for a form', () => {
    const { forms } = recognizeForms(model(grid(['项目名称', '预算数', '执行数', '执行率'], ['小型水库维修养护', '120', '117.6', '98%'], ['合计', '120', '117.6', '98%'])));
    expect(forms).toEqual([]);
  });

  it('reports a titled form it cannot read', () => {
    const { forms, messages } = recognizeForms(model(para('附件3'), para('2022年度绩效目标申报表'), grid(['填报单位', '某局'], ['备注', ''])));
    expect(forms).toEqual([]);
    expect(messages).toMatchObject([{ code: 'form-unrecognised', severity: 'warning', stage: 'recognize', place: { table: 0 } }]);
  });

  it('reports a self-evaluation form without its 绩效指标 block', () => {
    const { forms, messages } = recognizeForms(
      model(
        grid(
          ['项目支出名称', '乙项目'],
          ['项目资金', '', '全年预算数', '全年执行数', '执行率'],
          ['', '年度资金总额', '5', '5', '100%'],
        ),
      ),
    );
    expect(forms).toHaveLength(1);
    expect(messages).toMatchObject([{ code: 'form-no-indicators', form: 0, stage: 'recognize' }]);
  });

  it('aligns ragged fund rows (a merged label cell printed once) to the header', () => {
    const { forms } = recognizeForms(
      model(
        grid(
          ['项目名称', '戊项目'],
          ['项目资金（万元）', '', '年初预算数', '全年预算数', '全年执行数', '分值', '执行率', '得分'],
          ['年度资金总额', '526', '713.64', '713.64', '10', '135.5%', '10'],
          ['其中：财政拨款', '', '80', '80', '10', '100%', '10'],
          ['', '上年结转', '', '', '', '', '', ''],
          ['', '其他资金', '0', '', '', '', '', ''],
          ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'],
        ),
      ),
    );
    expect(forms[0]!.funds.map(strip)).toEqual([
      { line: '年度资金总额', initialBudget: 526, annualBudget: 713.64, executed: 713.64, weight: 10, executionRate: 135.5, score: 10 },
      { line: '当年财政拨款', initialBudget: null, annualBudget: 80, executed: 80, weight: 10, executionRate: 100, score: 10 },
      { line: '其他资金', initialBudget: 0, annualBudget: null, executed: null, weight: null, executionRate: null, score: null },
    ]);
  });

  it('reads a text dump end to end without crashing on ragged rows', () => {
    const dump = ['附件5', '2022年度项目支出绩效自评表', '\t项目支出名称', '\t丙项目', '', '\t项目资金', '\t', '\t全年预算数', '\t全年执行数', '\t执行率', '', '\t', '\t年度资金总额', '\t7', '\t7', '\t100%', '', '', '正文。'].join('\n');
    const { forms } = recognizeForms(extractText(new TextEncoder().encode(dump)));
    expect(forms.map((f) => [f.kind, f.name, f.funds[0]?.executed])).toEqual([['project-self-eval', '丙项目', 7]]);
  });
});

describe('recognizeForms: other regions\' labels', () => {
  const indicatorHeader = ['绩效指标', '一级指标', '二级指标', '指标内容', '计划值', '实际完成值', '完成率', '指标分值', '得分'];
  it('reads 项目名称： with its colon, 主管单位, 项目单位, 支出金额, and 指标内容 / 计划值 / 指标分值 columns', () => {
    const { forms } = recognizeForms(
      model(
        para('项目支出绩效自评表'),
        grid(
          ['项目名称：', '乡村道路养护'],
          ['主管单位', '某县交通运输局', '项目单位', '某县公路中心'],
          ['项目资金（万元）', '', '全年预算数', '实际到位数', '支出金额', '执行率'],
          ['', '年度资金总额', '50', '48', '45', '90%'],
          indicatorHeader,
          ['', '产出指标', '数量指标', '养护里程', '≥120公里', '126公里', '105%', '30', '30'],
        ),
      ),
    );
    expect(forms[0]).toMatchObject({ kind: 'project-self-eval', name: '乡村道路养护', supervisor: '某县交通运输局', implementer: '某县公路中心' });
    // 实际到位数 (funds received) is not read as spent
    expect(forms[0]!.funds.map(strip)).toEqual([
      { line: '年度资金总额', initialBudget: null, annualBudget: 50, executed: 45, weight: null, executionRate: 90, score: null },
    ]);
    // 完成率 is a derived figure, not the actual value
    expect(strip(forms[0]!.indicators[0]!)).toMatchObject({ name: '养护里程', target: '≥120公里', actual: '126公里', weight: 30, score: 30 });
  });

  it('reads 专项名称 and 承担单位 on a fund form, 预算单位 as the implementer', () => {
    const { forms } = recognizeForms(
      model(
        para('2023年度专项资金绩效自评表'),
        grid(
          ['专项名称', '农村饮水安全补助'],
          ['主管部门', '某县水利局', '承担单位', '某县农村供水站'],
          ['资金情况', '', '全年预算数', '全年执行数', '执行率'],
          ['', '年度资金总额', '20', '20', '100%'],
          ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分'],
          ['', '产出指标', '数量指标', '受益人口', '≥5000人', '5200人', '40', '40'],
        ),
        para('项目支出绩效自评表'),
        grid(['项目名称', '乙'], ['预算单位', '某县卫生院'], ['项目资金', '', '全年预算数', '全年执行数'], ['', '年度资金总额', '1', '1']),
      ),
    );
    expect(forms.map((f) => [f.kind, f.name, f.supervisor, f.implementer])).toEqual([
      ['fund-self-eval', '农村饮水安全补助', '某县水利局', '某县农村供水站'],
      ['project-self-eval', '乙', null, '某县卫生院'],
    ]);
  });

  it('reads a 填表人 line printed between the title and the table, never one printed above the title', () => {
    const form = (name: string) => grid(['项目名称', name], ['项目资金', '', '全年预算数', '全年执行数'], ['', '年度资金总额', '1', '1']);
    const { forms } = recognizeForms(
      model(
        para('附件1'),
        para('项目支出绩效自评表'),
        para('填报单位：某县林业局　填表人：贺宇　填报日期：2024年5月16日　联系电话：0738-6652019'),
        form('甲'),
        para('填表人：李四 联系电话：0738-1234567'),
        para('附件2'),
        para('项目支出绩效自评表'),
        form('乙'),
      ),
    );
    expect(forms.map((f) => f.preparer)).toEqual([{ name: '贺宇', date: '2024-05-16', phone: '0738-6652019' }, null]);
  });

  it('reads a preparer line whose colon OCR took for a semicolon; an unfilled one is none', () => {
    expect(readPreparer('填表人：吴蓉 填报日期；2023年7月4日 联系电话：13762795777')).toEqual({ name: '吴蓉', date: '2023-07-04', phone: '13762795777' });
    expect(readPreparer('填表人：   填报日期;   联系电话：')).toBeNull();
  });

  it('reads staffing printed down (编制数 | 43 as rows)', () => {
    const { forms } = recognizeForms(
      model(
        para('部门整体支出绩效评价基础数据表'),
        grid(
          ['财政供养人员情况（人）', ''],
          ['编制数', '43'],
          ['实际在职人数', '41'],
          ['控制率', '95.35%'],
          ['经费控制情况（万元）', '2022年决算数', '2023年预算数', '2023年决算数'],
          ['一、基本支出', '535.76', '573.02', '573.02'],
        ),
      ),
    );
    expect(forms[0]).toMatchObject({ kind: 'basic-data', staffing: { authorized: 43, actual: 41, controlRate: 95.35 } });
    expect(forms[0]!.expenses.map((e) => e.item)).toEqual(['一、基本支出']);
  });
});

describe('recognizeForms: heuristics kept from over-reaching', () => {
  const header = ['绩效指标', '一级指标', '二级指标', '三级指标', '年度指标值', '实际完成值', '分值', '得分', '偏差原因分析及改进措施'];
  const form = (...tail: string[][]) =>
    grid(['项目支出名称', '甲项目'], header, ['', '产出指标', '数量指标', '覆盖率', '100%', '100%', '40', '40', ''], ...tail);

  it('a heading-less narrative table after a form, as wide as it, is not absorbed', () => {
    const wide = grid(
      ['序号', '项目名称', '年初预算数', '全年预算数', '全年执行数', '执行率', '资金来源', '实施单位', '备注'],
      ['1', '乡村道路养护', '50', '50', '45', '90%', '县级', '公路中心', ''],
    );
    const closed = recognizeForms(model(para('2022年度项目支出绩效自评表'), form(['总分', '100', '90', '']), para('-3-'), wide));
    expect(closed.forms[0]!.indicators.map((i) => i.name)).toEqual(['覆盖率']);
    const open = recognizeForms(model(para('2022年度项目支出绩效自评表'), form(), wide));
    expect(open.forms[0]!.indicators.map((i) => i.name)).toEqual(['覆盖率']);
    // after a closed form, rows as wide as it are not more of it
    const rows = grid(['', '效益指标', '社会效益指标', '满意度', '90%', '95%', '10', '10', '']);
    expect(recognizeForms(model(para('2022年度项目支出绩效自评表'), form(['总分', '100', '90', '']), rows)).forms[0]!.indicators).toHaveLength(1);
    // while it is open they are (a page break split it)
    expect(recognizeForms(model(para('2022年度项目支出绩效自评表'), form(), para('- 3 -'), rows)).forms[0]!.indicators).toHaveLength(2);
  });

  it('joins a label a page cut ("可持续影" / "响指标") but not a label and the next row\'s own ("经济效益" / "社会效益指标")', () => {
    const { forms } = recognizeForms(
      model(
        para('2022年度项目支出绩效自评表'),
        form(
          ['', '效益指标', '经济效益', '带动增收', '≥10万元', '12万元', '10', '10', ''],
          ['', '', '社会效益指标', '受益户数', '≥100户', '120户', '10', '10', ''],
          ['', '', '可持续影', '管护机制', '健全', '健全', '10', '10', ''],
          ['', '', '响指标', '', '', '', '', '', ''],
        ),
      ),
    );
    expect(forms[0]!.indicators.map((i) => i.level2)).toEqual(['数量指标', '经济效益', '社会效益指标', '可持续影响指标']);
  });
});

describe('fund line names: the regions\' wordings, normalised to the contract\'s', () => {
  it.each([
    ['中央转移支付资金', '中央补助'],
    ['中央专项资金', '中央补助'],
    ['中央财政资金', '中央补助'],
    ['其中：中央财政补助资金', '中央补助'],
    ['省级财政补助资金', '省级资金'],
    ['省级专项资金', '省级资金'],
    ['省级补助资金', '省级资金'],
    ['市级配套资金', '市级资金'],
    ['市本级资金', '市级资金'],
    ['州级资金', '市级资金'], // an autonomous prefecture is city level
    ['以前年度结转资金', '上年结转资金'],
    ['上年结余资金', '上年结转资金'],
    ['财政拨款资金', '当年财政拨款'],
    ['本年财政拨款', '当年财政拨款'],
    ['预算资金总额', '年度资金总额'],
    ['总额', '年度资金总额'],
    ['资金总计', '年度资金总额'],
    // no contract name: kept as printed (the audit's fund sum decides whether they are parts)
    ['县级配套资金', '县级配套资金'],
    ['县级资金', '县级资金'],
    ['本级资金', '本级资金'],
    ['一般公共预算', '一般公共预算'],
    ['省', '省'],
  ])('%s -> %s', (printed, line) => expect(fundLine(printed)).toBe(line));
});

const SEEDS = '/work/shared/seeds';
describe.skipIf(!fs.existsSync(SEEDS))('recognizeForms on the shared seeds', () => {
  const read = (stem: string) => {
    const file = fs.readdirSync(SEEDS).find((f) => f.startsWith(stem))!;
    return recognizeForms(extractText(fs.readFileSync(path.join(SEEDS, file))));
  };

  it('000: the forms in order, with exact figures', () => {
    const { forms } = read('000_');
    expect(forms.map((f) => f.kind)).toEqual(['basic-data', 'dept-self-eval', 'scoring-table', 'project-self-eval', 'project-self-eval']);
    expect(forms[1]!.funds[0]!.executionRate).toBe(135.5);
    expect(forms[2]!.rubric.find((r) => r.level3 === '到位率')).toMatchObject({ level1: '项目管理', level2: '资金到位', points: 3, score: 3 });
    expect(forms[2]!.totalScore).toBe(99);
    expect(forms[4]!.preparer).toBeNull();
  });

  it('001 and 002: project forms in table heads, fund forms with measures', () => {
    const y = read('001_');
    expect(y.forms).toHaveLength(5);
    expect(y.forms[0]).toMatchObject({ attachment: '附件2', title: '预算支出绩效自评表', totalScore: null, preparer: null });
    const h = read('002_');
    expect(h.forms.map((f) => f.kind)).toEqual(['scoring-table', ...Array(6).fill('fund-self-eval')]);
    expect(h.forms[0]!.totalScore).toBe(97);
    expect(h.forms[5]!.indicators[0]).toMatchObject({ name: '职工医保待遇拨付率', measure: '=', target: '100%', actual: '100%' });
  });

  it('004: a 决算说明 without forms', () => {
    expect(read('004_').forms).toEqual([]);
  });
});
