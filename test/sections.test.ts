import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block, DocModel } from '../schemas/model.js';
import { extractText } from '../extractors/text.js';
import { markerLevel, recognizeSections } from '../src/recognize/sections.js';

const TABLE = Symbol('table');
/** A model from paragraphs in order; TABLE stands for a table block. */
function model(...items: Array<string | typeof TABLE | { text: string; headingHint: number }>): DocModel {
  const blocks: Block[] = items.map((item, i): Block => {
    if (item === TABLE) {
      const cell = { text: '2.按照本规程规定执行', col: 0, colSpan: 1, rowSpan: 1, continued: false, place: { row: 0, col: 0 } };
      return { type: 'table', rows: [[cell]], confidence: 1, place: { block: i } };
    }
    if (typeof item === 'string') return { type: 'paragraph', text: item, place: { block: i } };
    return { type: 'paragraph', text: item.text, headingHint: item.headingHint, place: { block: i } };
  });
  return { format: 'text', blocks, messages: [] };
}
const headings = (m: DocModel) => recognizeSections(m).map((s) => s.heading);
const BODY = '这是一段正文，说明项目的实施情况。';

describe('markerLevel: the level comes from the marker as printed', () => {
  it.each([
    ['第一部分 部门概况', 0],
    ['第3部分 名词解释', 0],
    ['一、基本情况', 1],
    ['十一、其他重要事项的情况说明', 1],
    ['（一）项目概况', 2],
    ['(一)项目概况。', 2],
    ['(一）贯彻执行', 2],
    ['1、机构情况:', 3],
    ['1.主要职能', 3],
    ['1．资金计划', 3],
    ['3 、建立绩效评价管理工作的长效机制', 3],
    ['（1）项目基本情况', 4],
    ['(1) 年度总目标', 4],
  ])('%s -> %i', (text, level) => expect(markerLevel(text)).toBe(level));

  it.each(['12.00', '2022年度收、支总计6796.16万元。', '一是建立工作推进制度。', '资金到位情况及使用情况：'])(
    '%s has no marker',
    (text) => expect(markerLevel(text)).toBeNull(),
  );
});

describe('recognizeSections: what a heading is', () => {
  it('a numbered short line above body text is a heading, at the level of its marker', () => {
    const sections = recognizeSections(model('四、部门整体支出绩效情况', '1、 收入支出决算总体情况说明', BODY));
    expect(sections.map((s) => [s.heading, s.level, s.text])).toEqual([
      ['四、部门整体支出绩效情况', 1, ''],
      ['1、 收入支出决算总体情况说明', 3, BODY],
    ]);
    expect(sections[1]?.place).toEqual({ block: 1 });
  });

  it('a decimal such as 12.00 on its own line is body text', () => {
    const [s] = recognizeSections(model('3、项目基本性质', '医保信息系统维护', '12.00', '万元，主要用于监管。'));
    expect(s?.text).toBe('医保信息系统维护\n12.00\n万元，主要用于监管。');
  });

  it('more than 40 characters is body text', () => {
    const long = `（九）${'贯彻落实上级医疗保险生育保险医疗救助等政策规定'.repeat(2)}`;
    expect(headings(model('一、基本情况', long, BODY))).toEqual(['一、基本情况']);
  });

  it('a sentence break before the last character makes a run-in label, which is body text', () => {
    const m = model(
      '二、绩效评价工作情况',
      '（一）前期准备：根据文件要求成立自评工作小组。',
      '1．资金计划。该项目资金为县级财政年初预算资金。',
      '1.财政拨款收入：指单位从同级财政部门取得的财政预算资金。',
    );
    expect(headings(m)).toEqual(['二、绩效评价工作情况']);
  });

  it('a break only at the end still makes a heading: "(一)项目概况。" and "1、机构情况:"', () => {
    expect(headings(model('(一)项目概况。', BODY, '1、机构情况:', BODY))).toEqual(['(一)项目概况。', '1、机构情况:']);
  });

  it('a heading must head something: not a table, an 附件N label, a sign-off, chart data or the end', () => {
    expect(headings(model('一、基本情况', TABLE))).toEqual([]);
    expect(headings(model('2、一个一级项目一张表。', '附件5'))).toEqual([]);
    expect(headings(model('七、其他说明', '怀化市医疗保障事务中心', '2023年6月20日'))).toEqual([]);
    expect(headings(model('七、其他说明', '2023年6月20日'))).toEqual([]);
    expect(headings(model('（三）结构', '收入决算结构图', '一般公共预算\t政府性基金\t5996.78\t799.38'))).toEqual([]);
    expect(headings(model(BODY, '（三）相关建议'))).toEqual([]);
  });

  it('items of a numbered list are not headings, nor is the item that closes it', () => {
    const m = model(
      '二、机构设置',
      '纳入2022年度部门决算编制范围的二级预算单位包括',
      '1.邻水县医疗保障局',
      '2.邻水县医疗保险服务中心',
      '第二部分 2022年度部门决算情况说明',
      BODY,
    );
    expect(headings(m)).toEqual(['二、机构设置', '第二部分 2022年度部门决算情况说明']);
    expect(recognizeSections(m)[0]?.text).toBe('纳入2022年度部门决算编制范围的二级预算单位包括\n1.邻水县医疗保障局\n2.邻水县医疗保险服务中心');
  });

  it('（十） after the long （一）…（九） closes the list: no body of its own', () => {
    const m = model(
      '3.主要职能:',
      '（八）负责医疗保障经办管理、公共服务体系和信息化建设。建立健全异地就医管理和费用结算制度。',
      '（九）贯彻落实上级医疗保险、生育保险、医疗救助等政策规定，负责全市医疗保障经办业务。',
      '（十）完成县委、县政府交办的其他任务。',
      '二、基本支出情况',
      BODY,
    );
    expect(headings(m)).toEqual(['3.主要职能:', '二、基本支出情况']);
    expect(recognizeSections(m)[0]?.text.split('\n')).toHaveLength(3);
  });

  it('only the neighbours count: "(2) 阶段性目标：" after the run-in (1) has text of its own', () => {
    const m = model('1、项目绩效总目标和阶段性目标', '(1) 年度总目标：按照省委决策部署，统筹完善医保制度体系。', '(2) 阶段性目标：', '统一规范基本政策。');
    const sections = recognizeSections(m);
    expect(sections.map((s) => s.heading)).toEqual(['1、项目绩效总目标和阶段性目标', '(2) 阶段性目标：']);
    expect(sections[1]?.text).toBe('统一规范基本政策。');
  });

  it('a numbered line inside a table cell is never a heading; headingHint is only a hint', () => {
    expect(headings(model(TABLE, { text: '项目支出绩效自评表说明', headingHint: 1 }, BODY))).toEqual([]);
  });

  it('the heading drops bookmarks and outer white space, keeps inner spaces', () => {
    const m = model('[bookmark: _Toc15396600]\u30001、 收入支出决算总体情况说明\t', '[bookmark: _Toc1]', BODY);
    expect(recognizeSections(m).map((s) => [s.heading, s.text])).toEqual([['1、 收入支出决算总体情况说明', BODY]]);
  });
});

describe('recognizeSections: where text stops', () => {
  it('nothing before the first heading belongs to a section; figure placeholders and lead-ins are body', () => {
    const m = model('2022年度某县医疗保障局', '专项资金绩效自评报告', '一、基本情况', '资金到位情况及使用情况：', '（图1：收入支出变动情况图）（柱状图）');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['资金到位情况及使用情况：\n（图1：收入支出变动情况图）（柱状图）']);
  });

  it('a table, then notes below it: the notes belong to no section', () => {
    const m = model('六、其他需要说明的问题', '暂无', TABLE, '备注：一个一级项目支出一张表。', '填表人：某某');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['暂无']);
  });

  it('an 附件N label stops the text', () => {
    const m = model('七、其他需要说明的情况', '暂无', '附件4', '项目支出绩效评价评分表（共性）');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['暂无']);
  });

  it('a bare 附件 label (a single attachment, no number) stops the text and heads nothing', () => {
    const m = model('三、自评结论', '项目自评得分100分。', '附件', '2023年度项目支出绩效自评表');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['项目自评得分100分。']);
    expect(headings(model(BODY, '四、附表', '附件：', '2023年度项目支出绩效自评表'))).toEqual([]);
    // the word in running text, or a label with its list, is body text
    expect(recognizeSections(model('四、附表', '附件：1.项目支出绩效自评表', BODY)).map((s) => s.text)).toEqual([`附件：1.项目支出绩效自评表\n${BODY}`]);
  });

  it('a report title and the bracketed subtitle under it stop the text', () => {
    const m = model('（三）改进建议。', BODY, '2023年县级项目支出绩效自评报告', '（2022年离休干部医疗补助项目）', '1、 项目概况', '（1） 项目基本情况', BODY);
    expect(recognizeSections(m).map((s) => [s.heading, s.text])).toEqual([
      ['（三）改进建议。', BODY],
      ['1、 项目概况', ''],
      ['（1） 项目基本情况', BODY],
    ]);
  });

  it('a sign-off (the signer above a date) stops the text', () => {
    const m = model('七、其他需要说明的问题', '无', '怀化市医疗保障事务中心', '2023年6月20日', '专项资金绩效评价共性指标表说明文字。');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['无']);
  });

  it('chart residue (a caption, then a line with two or more TABs) stops the text; one TAB is body', () => {
    const m = model('（3） 相关建议', '人员经费\t4,623,280.05元。', '收入决算结构图', '一般公共预算\t政府性基金\t5996.78\t799.38', '支出决算结构图');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['人员经费\t4,623,280.05元。']);
  });

  it('chart data whose TABs a format lost (HTML, PDF) still stops the text; running text with numbers does not', () => {
    const m = model('（3） 相关建议', '完成预算 100 %，较上年增加 0.02 万元。', '收入决算结构图', '一般公共预算财政拨款收入 政府性基金预算财政拨款收入 5996.78 799.38');
    expect(recognizeSections(m).map((s) => s.text)).toEqual(['完成预算 100 %，较上年增加 0.02 万元。']);
    expect(recognizeSections(model('（3） 相关建议', '2021年度 2022年度 7147.37 6796.16'))).toEqual([]);
  });
});

describe('text dumps keep the narrative after a page-number footer', () => {
  it('"\\t-1-" is page furniture, not a table that swallows the narrative below it', () => {
    const dump = '（此页为封面）\n\t-1-\n\n2022年度某县医疗保障局整体支出\n绩效自评报告\n\n一、部门（单位）基本情况\n1、机构情况:\n医保局为县政府组成部门。\n';
    const m = extractText(Buffer.from(dump, 'utf8'));
    expect(m.blocks.every((b) => b.type === 'paragraph')).toBe(true);
    expect(recognizeSections(m).map((s) => [s.heading, s.text])).toEqual([
      ['一、部门（单位）基本情况', ''],
      ['1、机构情况:', '医保局为县政府组成部门。'],
    ]);
  });
});

const SHARED = '/work/shared';
const norm = (s: string) => s.replace(/[\s\u3000\u00a0]+/g, '');
describe.skipIf(!fs.existsSync(path.join(SHARED, 'truth')))('recognizeSections on the shared seeds', () => {
  const stems = fs.existsSync(path.join(SHARED, 'truth'))
    ? fs.readdirSync(path.join(SHARED, 'truth')).map((f) => path.basename(f, '.json'))
    : [];
  const dumps = stems.flatMap((stem) =>
    [path.join(SHARED, 'seeds', `${stem}.txt`), path.join(SHARED, 'corpus', stem, 'dump-gbk.txt')]
      .filter((file) => fs.existsSync(file))
      .map((file) => [stem, path.relative(SHARED, file)] as const),
  );
  it.each(dumps)('%s (%s): every heading, level and text of the truth', (stem, file) => {
    const truth = JSON.parse(fs.readFileSync(path.join(SHARED, 'truth', `${stem}.json`), 'utf8')) as {
      sections: Array<{ heading: string; level: number; text: string }>;
    };
    const got = recognizeSections(extractText(fs.readFileSync(path.join(SHARED, file))));
    expect(got.map((s) => [s.heading, s.level, norm(s.text)])).toEqual(truth.sections.map((s) => [s.heading, s.level, norm(s.text)]));
  });
});
