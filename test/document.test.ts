import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block, Cell, DocModel } from '../schemas/model.js';
import type { Form } from '../schemas/record.js';
import { extractText } from '../extractors/text.js';
import { describeDocument } from '../src/recognize/document.js';

const cell = (text: string, col: number): Cell => ({ text, col, colSpan: 1, rowSpan: 1, continued: false, place: { col } });
/** Paragraphs in order; an array of rows of cell texts stands for a table. */
function model(...items: Array<string | string[][]>): DocModel {
  const blocks: Block[] = items.map((item, i): Block =>
    typeof item === 'string'
      ? { type: 'paragraph', text: item, place: { block: i } }
      : { type: 'table', rows: item.map((r) => r.map(cell)), confidence: 1, place: { block: i } },
  );
  return { format: 'text', blocks, messages: [] };
}
const BODY = '本单位2022年度预算执行情况良好。';

describe('describeDocument: title', () => {
  it('joins a title the cover breaks over lines, up to the line that starts with the year', () => {
    const m = model('（此页为封面）', '2022年度某某县医疗保障局', '医疗保障服务能力建设项目支出', '绩效自评报告', '一、基本情况', BODY);
    expect(describeDocument(m, []).title).toBe('2022年度某某县医疗保障局医疗保障服务能力建设项目支出绩效自评报告');
  });

  it('a report title below the first heading heads an appended report: the document has no title', () => {
    const m = model('第一部分 部门概况', '一、基本职能', BODY, '2023年县级部门整体支出绩效自评报告', '一、部门概况', BODY);
    expect(describeDocument(m, []).title).toBeNull();
  });

  it('a form title (…自评表) is not the report title', () => {
    expect(describeDocument(model('附件2', '2022年度部门整体支出绩效自评表', [['部门名称', '某某县医疗保障局']]), []).title).toBeNull();
  });
});

describe('describeDocument: final-accounts notes (决算说明) and covers', () => {
  it('a 决算说明 title is the title: its unit is the organization, its year the fiscal year', () => {
    const m = model('某某县财政局2023年度部门决算说明', '第一部分 部门概况', '一、主要职能', '按照某某市财政局要求，某某市财政局审核了决算。');
    expect(describeDocument(m, [])).toEqual({ title: '某某县财政局2023年度部门决算说明', organization: '某某县财政局', fiscalYear: 2023 });
    const yearFirst = model('2023年度某某县卫生健康局部门决算公开说明', '第一部分 部门概况', '一、主要职能', '某某县财政局、某某县财政局、某某县财政局。');
    expect(describeDocument(yearFirst, []).organization).toBe('某某县卫生健康局');
    const cover = model('某某县水务局2023年度部门决算', '第一部分 部门概况', '一、主要职能', '某某县财政局、某某县财政局。');
    expect(describeDocument(cover, [])).toMatchObject({ title: '某某县水务局2023年度部门决算', organization: '某某县水务局' });
  });

  it('a 决算说明 title\'s bare "2023年" is the year accounted for, whatever years the text compares with', () => {
    const m = model('某某县民政局', '2023年部门决算说明', '第一部分 部门概况', '一、收入决算情况说明', '与2022年度相比增加312.18万元，较2022年度增长6.38%，比2022年度多。');
    expect(describeDocument(m, []).fiscalYear).toBe(2023);
  });

  it('a short bracketed qualifier does not stop a line being the title: "某某县教育局（本级）2023年度部门决算说明"', () => {
    const m = model('某某县教育局（本级）2023年度部门决算说明', '第一部分 部门概况', '一、主要职能', '按照某某县财政局部署，某某县财政局审核。');
    expect(describeDocument(m, [])).toMatchObject({ organization: '某某县教育局', fiscalYear: 2023 });
    expect(describeDocument(model('某某县林业局部门整体支出绩效自评报告（2023年度）', '一、部门概况', BODY), []).organization).toBe('某某县林业局');
  });

  it('a unit\'s name on the line above a title that starts with the year opens the title', () => {
    const m = model('某某县交通运输局', '2023年度农村公路养护项目', '支出绩效自评报告', '一、项目基本情况', BODY);
    expect(describeDocument(m, [])).toMatchObject({ title: '某某县交通运输局2023年度农村公路养护项目支出绩效自评报告', organization: '某某县交通运输局' });
  });

  it('a sign-off whose unit line carries its seal mark: "某某县林业局（盖章）" / date', () => {
    const m = model('关于2023年度部门整体支出绩效自评情况的报告', '县财政局：', '根据某某县财政局要求，某某县财政局安排。', '一、部门概况', BODY, '某某县林业局（盖章）', '2024年5月10日');
    expect(describeDocument(m, []).organization).toBe('某某县林业局');
  });

  it('a cover\'s unit line with a seal mark: "单位名称（盖章）：…", "编制单位（公章）：…"', () => {
    const implementer = { kind: 'project-self-eval', name: '养护项目', implementer: '某某县农村公路养护中心', supervisor: null, fiscalYear: 2023 } as Form;
    for (const line of ['单位名称（盖章）：某某县交通运输局', '编制单位（公章）：某某县交通运输局', '编制单位：某某县交通运输局（盖章）']) {
      const m = model('2023年度农村公路养护项目支出绩效自评报告', line, '一、项目基本情况', BODY);
      expect(describeDocument(m, [implementer]).organization, line).toBe('某某县交通运输局');
    }
  });
});

describe('describeDocument: organization', () => {
  it('from the title', () => {
    const m = model('2022年度某某市医疗保障事务中心', '专项资金绩效自评报告', '一、项目基本情况', BODY);
    expect(describeDocument(m, []).organization).toBe('某某市医疗保障事务中心');
  });

  it('from the title: the longest unit name, ending in a unit word right before what the title says next', () => {
    const orgOf = (title: string) => describeDocument(model(title, '一、基本情况', BODY), []).organization;
    expect(orgOf('中共某某县委宣传部2023年度部门整体支出绩效自评报告')).toBe('中共某某县委宣传部');
    expect(orgOf('某某市公安局交通警察支队2023年度部门整体支出绩效自评报告')).toBe('某某市公安局交通警察支队');
    expect(orgOf('关于某某县人民政府办公室2023年度部门整体支出绩效自评的报告')).toBe('某某县人民政府办公室');
    expect(orgOf('2023年度某某区卫生健康委员会部门整体支出绩效自评报告')).toBe('某某区卫生健康委员会');
    expect(orgOf('某某县青山镇人民政府2023年度整体支出绩效自评报告')).toBe('某某县青山镇人民政府');
    expect(orgOf('某某县第一中学2023年度项目支出绩效自评报告')).toBe('某某县第一中学');
    expect(orgOf('某某市市场监督管理局部门整体支出绩效自评报告')).toBe('某某市市场监督管理局');
    // a unit word inside a project name is no end: the first unit word ends the name then
    expect(orgOf('2023年度某某县教育局学校运转经费项目支出绩效自评报告')).toBe('某某县教育局');
  });

  it('from a cover line "部门（单位）名称：…"', () => {
    expect(describeDocument(model('部门（单位）名称：某某县卫生健康委员会', '2023年7月4日'), []).organization).toBe('某某县卫生健康委员会');
  });

  it('from the forms: the dept-self-eval 部门名称, else the 实施单位', () => {
    const form = (over: Partial<Form>) => ({ kind: 'project-self-eval', name: null, supervisor: '某某市医疗保障局', implementer: null, fiscalYear: 2022, ...over }) as Form;
    expect(describeDocument(model(), [form({ implementer: '某某市医疗保障事务中心' })]).organization).toBe('某某市医疗保障事务中心');
    expect(describeDocument(model(), [form({})]).organization).toBe('某某市医疗保障局');
    expect(describeDocument(model(), [form({ kind: 'dept-self-eval', name: '某某县医疗保障局' })]).organization).toBe('某某县医疗保障局');
  });

  it('from the tables when no form was recognised: the cell after 实施单位 / 主管部门', () => {
    const m = model([['项目名称', '参保筹资工作经费'], ['主管部门', '\u3000某某市财政局', '实施单位', '某某市医疗保障局']]);
    expect(describeDocument(m, []).organization).toBe('某某市医疗保障局');
  });

  it('from a sign-off, else the unit the text names most often', () => {
    expect(describeDocument(model('七、其他', '无', '某某市医疗保障事务中心', '2023年6月20日'), []).organization).toBe('某某市医疗保障事务中心');
    const text = model(
      '第一部分 部门概况',
      '某某县医疗保障局是县政府工作部门，根据某某县财政局要求编制决算。',
      '2022年，某某县医疗保障局机关运行经费支出117.2万元。',
      '截至2022年12月31日，某某县医疗保障局共有车辆1辆。',
    );
    expect(describeDocument(text, []).organization).toBe('某某县医疗保障局');
  });
});

describe('describeDocument: fiscalYear', () => {
  it('the title\'s "2022年度"', () => {
    expect(describeDocument(model('2021年度某某县医疗保障局整体支出绩效自评报告', '一、基本情况', BODY), []).fiscalYear).toBe(2021);
  });

  it('a bare "2023年" title is the year of writing: the year most often written "NNNN年度" wins', () => {
    const m = model('2023年某某县部门整体支出绩效自评报告', '一、部门概况', '纳入2022年度部门决算编制范围的单位。', '2022年度收、支总计6796.16万元，2021年度为7147.37万元。', '2022年度参保人数减少。');
    expect(describeDocument(m, []).fiscalYear).toBe(2022);
  });

  it('never the year of a cited document 《…》; the year the text says it evaluates wins', () => {
    const m = model('某某县林业局项目支出绩效自评报告', '按照《某某县2024年度预算绩效管理工作方案》要求，我局对2023年度项目支出开展了绩效自评。', '一、基本情况', BODY);
    expect(describeDocument(m, []).fiscalYear).toBe(2023);
    const stated = model('某某县林业局项目支出绩效自评报告', '一、基本情况', '2024年度预算已下达。', '2024年度工作计划见附件。', '现将2023年度项目支出绩效自评情况报告如下。');
    expect(describeDocument(stated, []).fiscalYear).toBe(2023);
    const cited = model('某某县林业局项目支出绩效自评报告', '一、基本情况', '依据《2024年度绩效自评工作通知》《2024年度预算》，2022年度资金已拨付。');
    expect(describeDocument(cited, []).fiscalYear).toBe(2022);
    const unquoted = model('某某县林业局项目支出绩效自评报告', '按照2024年度绩效评价工作方案要求，我局开展了自评。', '一、基本情况', '2023年度预算180万元。', '2023年度已全部执行。');
    expect(describeDocument(unquoted, []).fiscalYear).toBe(2023);
  });

  it('a year the text compares against ("与2022年度相比", "较2022年度") is no evidence of the year evaluated', () => {
    const m = model('某某县民政局部门整体支出绩效自评报告', '一、基本情况', '2023年度收支总计5208.62万元。', '与2022年度相比增加312.18万元。', '较2022年度增长6.38%。');
    expect(describeDocument(m, []).fiscalYear).toBe(2023);
  });

  it('"参与2023年度…" states the year: 参与 is no comparison', () => {
    const m = model('关于部门整体支出绩效自评情况的报告', '我局参与2023年度部门整体支出绩效评价。', '一、基本情况', '2022年度结转资金已用完。');
    expect(describeDocument(m, []).fiscalYear).toBe(2023);
  });

  it('the forms\' year before the text\'s', () => {
    expect(describeDocument(model('2021年度预算'), [{ fiscalYear: 2022 } as Form]).fiscalYear).toBe(2022);
  });
});

const SHARED = '/work/shared';
describe.skipIf(!fs.existsSync(path.join(SHARED, 'truth')))('describeDocument on the shared seeds (before any form is recognised)', () => {
  const stems = fs.existsSync(path.join(SHARED, 'truth')) ? fs.readdirSync(path.join(SHARED, 'truth')).map((f) => path.basename(f, '.json')) : [];
  it.each(stems)('%s', (stem) => {
    const truth = JSON.parse(fs.readFileSync(path.join(SHARED, 'truth', `${stem}.json`), 'utf8')) as {
      document: { organization: string | null; fiscalYear: number | null; title: string | null };
    };
    const m = extractText(fs.readFileSync(path.join(SHARED, 'seeds', `${stem}.txt`)));
    const { organization, fiscalYear, title } = truth.document;
    expect(describeDocument(m, [])).toEqual({ organization, fiscalYear, title });
  });
});
