// cases/meta.js — names and colours the case pages share: procedures and
// their stages (the same tables as src/core/workflow.c, docs/workflow.md),
// party kinds, clock states, and the stages where a department head (or
// reviewer) has to act, for 待我审批.

export const PROCEDURES = [
  { code: 'penalty_general', name: '行政处罚（普通程序）', power: 'penalty' },
  { code: 'penalty_summary', name: '行政处罚（简易程序）', power: 'penalty' },
  { code: 'license', name: '行政许可', power: 'license' },
  { code: 'license_change', name: '行政许可变更', power: 'license' },
  { code: 'license_renewal', name: '行政许可延续', power: 'license' },
  { code: 'license_revocation', name: '撤销行政许可', power: 'license' },
  { code: 'license_cancellation', name: '注销行政许可', power: 'license' },
  { code: 'coercion_seizure', name: '行政强制措施（查封、扣押）', power: 'coercion' },
  { code: 'coercion_freeze', name: '行政强制措施（冻结）', power: 'coercion' },
  { code: 'coercion_demolition', name: '行政强制执行（强制拆除）', power: 'coercion' },
  { code: 'inspection', name: '行政检查', power: 'inspection' },
  { code: 'spot_check', name: '双随机抽查', power: 'inspection' },
  { code: 'expropriation', name: '行政征收征用', power: 'expropriation' }
]

export const POWER_NAMES = {
  penalty: '行政处罚',
  license: '行政许可',
  coercion: '行政强制',
  inspection: '行政检查',
  expropriation: '行政征收征用'
}

const LICENSE_STAGES = [
  ['apply', '申请'], ['supplement', '补正'], ['review', '审查'], ['decision', '决定'],
  ['service', '送达'], ['closed', '办结'], ['archived', '归档']
]
const COERCION_STAGES = [
  ['approval', '审批'], ['implement', '实施'], ['deliver', '送达决定书'], ['in_effect', '期限内处理'],
  ['closed', '结案'], ['archived', '归档']
]
const CHECK_STAGES = (first) => [
  first, ['inspect', '检查'], ['result', '检查结果'], ['handle', '处理'], ['publicize', '公示'],
  ['closed', '办结'], ['archived', '归档']
]

// procedure → [[stage code, name] ...] in order
export const STAGES = {
  penalty_general: [
    ['source', '案源登记'], ['investigation', '调查取证'], ['investigation_end', '调查终结'],
    ['case_review', '案件审核'], ['legal_review', '法制审核'], ['notify', '告知'], ['statement', '陈述申辩'],
    ['hearing', '听证'], ['decision', '决定'], ['service', '送达'], ['execution', '执行'], ['closed', '结案'],
    ['archived', '归档']
  ],
  penalty_summary: [['on_spot', '当场处罚'], ['service', '送达'], ['execution', '执行'], ['closed', '结案'], ['archived', '归档']],
  license: LICENSE_STAGES,
  license_change: LICENSE_STAGES,
  license_renewal: LICENSE_STAGES,
  license_revocation: [
    ['initiate', '启动'], ['investigation', '调查核实'], ['decision', '决定'], ['service', '送达'],
    ['closed', '办结'], ['archived', '归档']
  ],
  license_cancellation: [['initiate', '核实注销情形'], ['decision', '决定'], ['service', '送达'], ['closed', '办结'], ['archived', '归档']],
  coercion_seizure: COERCION_STAGES,
  coercion_freeze: COERCION_STAGES,
  coercion_demolition: [
    ['remind', '催告'], ['statement', '陈述申辩'], ['decision', '强制执行决定'], ['announce', '公告'],
    ['execute', '实施'], ['closed', '结案'], ['archived', '归档']
  ],
  inspection: CHECK_STAGES(['prepare', '检查准备']),
  spot_check: CHECK_STAGES(['draw', '随机抽取']),
  expropriation: [
    ['initiate', '立项'], ['survey', '调查登记'], ['plan', '方案与听证'], ['decision', '决定'],
    ['compensation', '补偿'], ['execution', '执行'], ['closed', '结案'], ['archived', '归档']
  ]
}

// Stage options for a filter: one procedure's stages, or every stage name
// once when no procedure is chosen.
export function stageOptions(procedure) {
  if (procedure && STAGES[procedure]) return STAGES[procedure].map(([code, name]) => ({ code, name }))
  const seen = new Map()
  for (const list of Object.values(STAGES)) for (const [code, name] of list) if (!seen.has(code)) seen.set(code, name)
  return [...seen].map(([code, name]) => ({ code, name }))
}

// Where a department head (or, for 案件审核, a reviewer) has to act: the
// actions the workflow gives to HEAD (立案, 决定, 结案, 批准实施 ...).
export const APPROVAL_STAGES = [
  { procedure: 'penalty_general', stage: 'source', label: '立案审批', roles: ['head'] },
  { procedure: 'penalty_general', stage: 'case_review', label: '案件审核', roles: ['head', 'reviewer'] },
  { procedure: 'penalty_general', stage: 'decision', label: '作出处罚决定', roles: ['head'] },
  { procedure: 'penalty_general', stage: 'execution', label: '结案审批', roles: ['head'] },
  { procedure: 'penalty_summary', stage: 'execution', label: '当场处罚备案', roles: ['head'] },
  { procedure: 'license', stage: 'decision', label: '许可决定', roles: ['head'] },
  { procedure: 'license_change', stage: 'decision', label: '变更决定', roles: ['head'] },
  { procedure: 'license_renewal', stage: 'decision', label: '延续决定', roles: ['head'] },
  { procedure: 'license_revocation', stage: 'initiate', label: '立案核查', roles: ['head'] },
  { procedure: 'license_revocation', stage: 'decision', label: '撤销决定', roles: ['head'] },
  { procedure: 'license_cancellation', stage: 'decision', label: '注销决定', roles: ['head'] },
  { procedure: 'coercion_seizure', stage: 'approval', label: '强制措施审批', roles: ['head'] },
  { procedure: 'coercion_freeze', stage: 'approval', label: '冻结审批', roles: ['head'] },
  { procedure: 'coercion_demolition', stage: 'decision', label: '强制执行决定', roles: ['head'] },
  { procedure: 'expropriation', stage: 'initiate', label: '征收立项', roles: ['head'] },
  { procedure: 'expropriation', stage: 'plan', label: '确定补偿方案', roles: ['head'] },
  { procedure: 'expropriation', stage: 'decision', label: '征收决定', roles: ['head'] }
]

// Sent as the Chinese name: the API accepts both, and the Chinese names
// fit every length limit.
export const PARTY_KINDS = [
  { code: '法人', name: '法人', idType: '统一社会信用代码' },
  { code: '非法人组织', name: '非法人组织', idType: '统一社会信用代码' },
  { code: '个体工商户', name: '个体工商户', idType: '统一社会信用代码' },
  { code: '自然人', name: '自然人', idType: '居民身份证号码' }
]
// A case party's document types (src/store/case_store.c checks the first two)
export const ID_TYPES = ['统一社会信用代码', '居民身份证号码', '护照']
// …and a document's party block (src/core/doctpl.c, an enum)
export const DOC_ID_TYPES = ['统一社会信用代码', '居民身份证', '护照', '港澳居民来往内地通行证', '台湾居民来往大陆通行证']

export const SOURCES = ['监督检查', '投诉', '举报', '其他部门移送', '上级机关交办', '下级机关报请', '其他']

export const SECRECY = [
  { code: 'none', name: '无' },
  { code: 'personal_privacy', name: '个人隐私' },
  { code: 'commercial_secret', name: '商业秘密' },
  { code: 'state_secret', name: '国家秘密' }
]

// el-tag type of a clock state (CaseClock.state)
export function clockTagType(state) {
  return { overdue: 'danger', due_soon: 'warning', on_time: 'success', paused: 'info', done_late: 'danger' }[state] || 'info'
}

export function stageTagType(c) {
  if (!c) return ''
  if (c.archived_at || c.stage === 'archived') return 'info'
  if (c.suspended || (c.flags && c.flags.suspended)) return 'warning'
  if (c.stage === 'closed') return 'success'
  return 'primary'
}

export function fmtDuration(seconds) {
  if (seconds == null) return '—'
  const d = seconds / 86400
  if (d >= 1) return d.toFixed(1) + ' 天'
  const h = seconds / 3600
  if (h >= 1) return h.toFixed(1) + ' 小时'
  return Math.max(1, Math.round(seconds / 60)) + ' 分钟'
}

export function fmtFen(fen) {
  if (fen == null) return '—'
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' 元'
}

// A fresh key for Idempotency-Key: the same key on every retry of one
// record, so the server never creates it twice.
export function newKey(prefix = 'zf') {
  const c = globalThis.crypto
  if (c && c.randomUUID) return prefix + '-' + c.randomUUID()
  const b = new Uint8Array(16)
  c.getRandomValues(b)
  return prefix + '-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
}
