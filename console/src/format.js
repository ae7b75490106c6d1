// format.js — small display helpers shared by pages.

// Timestamps may come as ISO 8601 text or Unix seconds; show local
// "YYYY-MM-DD HH:mm" either way, and "—" for nothing.
export function fmtTime(v) {
  if (v === null || v === undefined || v === '') return '—'
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v)
  if (isNaN(d.getTime())) return String(v)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

export function dash(v) {
  return v === null || v === undefined || v === '' ? '—' : v
}

// Days from today to a YYYY-MM-DD date (negative when past).
export function daysUntil(date) {
  if (!date) return null
  const t = new Date(date + 'T00:00:00')
  if (isNaN(t.getTime())) return null
  const today = new Date()
  today.setHours(0, 0, 0, 0)
  return Math.round((t - today) / 86400000)
}

// Ids arrive as numbers and travel through selects and URLs as text; the
// API wants the number back.
export function toId(v) {
  if (v === '' || v === null || v === undefined) return null
  const n = Number(v)
  return Number.isFinite(n) ? n : v
}

// Chinese names of the audit actions the server records (src/api, src/auth,
// src/cmd); an unknown code is shown as it is.
export const AUDIT_ACTIONS = {
  login: '登录成功',
  login_failed: '登录失败',
  login_refused_disabled: '登录被拒（账户已停用）',
  login_refused_locked: '登录被拒（账户已锁定）',
  login_refused_no_totp: '登录被拒（未绑定动态验证码）',
  lockout: '账户锁定',
  logout: '退出登录',
  forbidden: '越权访问被拒绝',
  password_change: '修改密码',
  totp_enable: '启用动态验证码',
  user_create: '新建账户',
  user_update: '修改账户',
  user_disable: '停用账户',
  user_enable: '启用账户',
  user_password_reset: '重置密码',
  user_totp_reset: '重置动态验证码',
  user_unlock: '解除锁定',
  api_token_create: '创建 API 令牌',
  api_token_revoke: '撤销 API 令牌',
  department_create: '新建执法主体',
  department_update: '修改执法主体',
  unit_create: '新增内设机构',
  unit_update: '修改内设机构',
  officer_create: '新增执法人员',
  officer_update: '修改执法人员',
  matter_create: '新增执法事项',
  matter_update: '修改执法事项',
  law_create: '新增法律法规'
}

export function auditActionName(code) {
  return AUDIT_ACTIONS[code] || code
}

const OBJECT_TYPES = { user: '账户', department: '执法主体', unit: '内设机构', officer: '执法人员', matter: '执法事项',
  law: '法律法规', api_token: 'API 令牌' }

// "执法人员 12" from an audit row's object_type and object.
export function auditObject(row) {
  const t = row.object_type ? OBJECT_TYPES[row.object_type] || row.object_type : ''
  const o = row.object || ''
  return [t, o].filter(Boolean).join(' ') || '—'
}
