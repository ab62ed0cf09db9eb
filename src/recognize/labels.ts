// The vocabulary of the forms: which printed labels name which field. Every test runs on a label key
// (labelText: white space removed, full-width folded), so "项目支\n出名称" and "项目支出名称" are one.
// Synonyms come from the templates different regions and years print; add a row here to teach a new one.

/** Identity labels: the cell to the right holds the value. */
export const IDENTITY = {
  projectName: /^(项目(支出)?名称|项目名)$/,
  // 财政部 区域绩效自评表: "转移支付（项目）名称"
  fundName: /^(专项)?资金(项目)?名称$|^专项名称$|^转移支付(\(项目\))?名称$/,
  deptName: /^((县|市|省|区)级)?(预算)?部门(（单位）|\(单位\))?名称$|^(预算)?单位名称$/,
  supervisor: /主管部门(（单位）|\(单位\))?$|^主管单位$/,
  // 预算单位 on a project form is the unit that spends the money (a dept form names itself 部门名称)
  implementer: /^(项目)?(实施|承担)单位$|^资金使用单位$|^项目单位$|^预算单位$/,
} as const;

/** A 分值 column: "分值", "权重", "指标分值", "标准分值". */
const WEIGHT = /^(指标|标准)?分值|^权重/;

/** Fund block header (项目资金 / 年度资金 / 年度预算申请): columns by role. */
export type FundRole = 'line' | 'initialBudget' | 'annualBudget' | 'executed' | 'weight' | 'executionRate' | 'score';
export const FUND_BLOCK = /^(项目资金|年度资金|年度预算申请|预算申请|资金情况|预算执行情况|资金)/;
export function fundRole(label: string): FundRole | null {
  if (/执行率|完成率/.test(label)) return 'executionRate';
  if (/年初/.test(label) && /预算|安排/.test(label)) return 'initialBudget';
  // 实际到位数 (funds received) is not what was spent: left unread rather than read as 执行数
  if (/执行数|支出数|决算数|实际支出|执行金额|支出金额/.test(label)) return 'executed';
  if (/预算数|预算金额|调整预算|全年预算/.test(label)) return 'annualBudget';
  if (WEIGHT.test(label)) return 'weight';
  if (/得分|评分/.test(label)) return 'score';
  return null;
}

/**
 * Fund line labels, normalised to the contract's names. "其中：" and trailing colons are dropped first;
 * an unknown label is kept as printed (cleaned), never discarded when it carries a figure. Regions word
 * the same lines many ways: "中央转移支付资金", "省级财政补助资金", "市级配套资金", "以前年度结转资金".
 * A 州 (autonomous prefecture) is a city-level government: "州级资金" is 市级资金. County-level lines
 * (县级资金, 县级配套资金, 本级资金) have no contract name: they stay as printed, and the audit's fund
 * sum counts them only where that makes the block add up.
 */
const FUND_LINES: [RegExp, string][] = [
  // "年度资金总额", "资金总计", "预算资金总额", "总额", "合计"
  [/^(年度)?(预算)?资金总(额|计)$|^(资金)?(合计|总计|总额)$/, '年度资金总额'],
  [/^(当年|本年|本年度)?财政(拨款|资金|拨款资金)$/, '当年财政拨款'],
  [/^(上年|上年度|以前年度)(结转|结余|结转结余)(资金)?$/, '上年结转资金'],
  [/^其他资金$|^其他$/, '其他资金'],
  [/^中央(财政|转移支付|专项|补助|直达|资金)+$/, '中央补助'],
  [/^(?=.{2})省(级|本级)?(财政|专项|转移支付|补助|配套|资金)*$/, '省级资金'],
  [/^(?=.{2})(市|州)(级|本级)?(财政|专项|转移支付|补助|配套|资金)*$/, '市级资金'],
];
export function fundLine(label: string): string {
  const s = label.replace(/^其中[:：]?/, '').replace(/[:：]$/, '');
  for (const [re, line] of FUND_LINES) if (re.test(s)) return line;
  return s;
}
export const isKnownFundLine = (label: string) => FUND_LINES.some(([, line]) => line === fundLine(label));
/** What may stand left of the figures in a fund header: the block label, "（万元）", or nothing. */
export const FUND_HEADER_LABEL = /资金|预算|拨款|万元|^$/;

/** Goals block: 年度总体目标 with 预期目标 / 实际完成情况 (年初设定目标 / 全年实际完成情况). */
export const GOALS_BLOCK = /总体目标|绩效目标$|^年度目标$/;
export const GOAL_EXPECTED = /预期|年初|设定|计划目标|^目标$/;
export const GOAL_ACTUAL = /实际|完成情况|完成/;

/** Indicator header (绩效指标): columns by role; an unheaded column between 三级指标 and 指标值 is the measure. */
export type IndicatorRole = 'block' | 'level1' | 'level2' | 'name' | 'measure' | 'target' | 'actual' | 'weight' | 'score' | 'note';
export function indicatorRole(label: string): IndicatorRole | null {
  if (/^绩效指标$|^绩$/.test(label)) return 'block';
  if (/^一级/.test(label)) return 'level1';
  if (/^二级/.test(label)) return 'level2';
  if (/^三级|^指标名称$|^绩效指标名称$|^指标内容$/.test(label)) return 'name';
  if (/指标值|目标值|预期值|计划值|^年度目标$/.test(label)) return 'target';
  // 完成率 is a figure derived from the two values, not the actual value: left unread
  if (/完成值|实际值|完成情况|实际完成/.test(label)) return 'actual';
  if (WEIGHT.test(label)) return 'weight';
  if (/得分|评分/.test(label)) return 'score';
  if (/原因|措施|偏差|备注/.test(label)) return 'note';
  if (/性质|定量|定性|指标方向/.test(label)) return 'measure';
  return null;
}
/** A 一级/二级指标 label that is whole ("经济效益指标", "满意度指标"), not a fragment ("经济效"). */
export const isIndicatorLabel = (label: string) => /指标$/.test(label);
/** The 一级/二级指标 names the templates print, whole. */
const INDICATOR_LABELS = new Set([
  '产出指标', '效益指标', '成本指标', '满意度指标', '数量指标', '质量指标', '时效指标', '经济效益指标', '社会效益指标',
  '生态效益指标', '可持续影响指标', '服务对象满意度指标', '社会公众满意度指标', '经济成本指标', '社会成本指标', '生态环境成本指标',
]);
/**
 * Whether a label cell below ("满意度指标") is a label of its own rather than the tail of the label
 * above, cut by a page: it starts like a whole label ("益指标", "响指标", "指标" do not), and joined
 * to the part above it makes no name the templates print ("服务对象" + "满意度指标" does; "经济效益" +
 * "社会效益指标" does not).
 */
export const standsAlone = (part: string, joined: string) =>
  /^(产出|效益|成本|满意度|数量|质量|时效|经济|社会|生态|环境|可持续|服务对象|社会公众|群众|项目|过程|决策|履职|管理|职责)\S*指标$/.test(part) &&
  !INDICATOR_LABELS.has(joined);

/** Scoring table (评分表 / 共性指标表) columns. */
export type RubricRole = 'level1' | 'level2' | 'level3' | 'points' | 'score' | 'explanation';
export const RUBRIC_EXPLANATION = /指标解释|指标说明|评价标准|评分标准|评价要点|具体指标|评分细则|评分办法|指标内涵/;

/** basic-data (基础数据表): staffing and 经费控制情况 headers. */
export const STAFFING_BLOCK = /供养人员|人员情况|编制数/;
export const EXPENSE_BLOCK = /经费控制|经费情况|支出情况/;
export type StaffingRole = 'authorized' | 'actual' | 'controlRate';
export function staffingRole(label: string): StaffingRole | null {
  if (/控制率/.test(label)) return 'controlRate';
  if (/编制/.test(label)) return 'authorized';
  if (/在职|实有|实际/.test(label)) return 'actual';
  return null;
}

/** Rows that close a form's blocks: 总分 / 合计, notes. */
export const TOTAL_ROW = /^(总分|合计|总计|综合得分|总得分|自评总分|得分合计)$/;
export const NOTE_ROW = /^(说明|备注|注|填表说明)([:：1１、]|$)/;

/** Lines around a form: 附件 labels, titles, "（2022年度）" subtitles. */
export const ATTACHMENT = /^附件\s*([0-9０-９]+(?:\s*[-－—]\s*[0-9０-９]+)?|[一二三四五六七八九十]+)\s*[:：]?\s*(.*)$/;
export const YEAR_LINE = /^[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?$/;
export function isFormTitle(line: string): boolean {
  const s = line.replace(/\s+/g, '');
  return s.length >= 4 && s.length <= 60 && /表([（(][^）)]{1,12}[)）])?$/.test(s) && !/[。；;，,]/.test(s) && !/^(说明|注|备注)/.test(s);
}
export const PREPARER = /填表人|填报人/;
/** Lines between a title and its table that are no heading: "填报单位（盖章）：某局　单位：万元". */
export const FORM_PREAMBLE = /^(填报|编制|报送)?单位(\((盖章|公章)\))?[:：]|^金额单位[:：]/;
