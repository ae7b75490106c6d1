// cases/templates.js — the document templates' field schemas
// (GET /api/v1/document-templates[/{code}]), normalised for DocForm, and
// kept in localStorage so a form can still be opened in the field without
// signal (移动执法).
import { api } from '../api.js'

const STORE = 'zhifa.doctpl.v1'
const memo = new Map()
let listMemo = null

// The server's type names, and a few spellings of them, to DocForm's.
const TYPES = {
  text: 'text', string: 'text',
  longtext: 'longtext', long_text: 'longtext', textarea: 'longtext',
  date: 'date', datetime: 'datetime', date_time: 'datetime',
  money: 'money', amount: 'money',
  int: 'integer', integer: 'integer', number: 'integer',
  enum: 'enum', select: 'enum',
  party: 'party',
  officers: 'officers', officer_list: 'officers',
  lawrefs: 'lawrefs', law_refs: 'lawrefs', laws: 'lawrefs', law_references: 'lawrefs',
  signatures: 'signatures',
  rows: 'rows', table: 'rows',
  docno: 'docno', doc_no: 'docno', document_number: 'docno'
}

function flagOf(f, name) {
  if (f[name] === true) return true
  if (Array.isArray(f.flags)) return f.flags.includes(name)
  return false
}

export function normalizeField(f) {
  const type = TYPES[String(f.type || 'text').toLowerCase()] || 'text'
  // a signatures field names its slots on the member "role"
  const roleMember = type === 'signatures' && (f.members || []).find((m) => m.key === 'role')
  return {
    key: f.key || f.name,
    label: f.label || f.key,
    type,
    required: flagOf(f, 'required'),
    derived: flagOf(f, 'derived') || type === 'docno',
    noprint: flagOf(f, 'noprint') || f.print === false || f.printed === false,
    maxLen: f.max_len || f.max_length || f.maxLength || 0,
    min: f.minimum ?? f.min ?? f.min_items ?? 0,
    max: f.maximum ?? f.max ?? f.max_items ?? 0,
    options: f.options || f.roles || f.enum || (roleMember && roleMember.options) || [],
    // a table's columns (and the members of a party block or list item)
    columns: (f.columns || f.members || []).map(normalizeField)
  }
}

export function normalizeTemplate(t) {
  return {
    code: t.code,
    name: t.name,
    group: t.group || '',
    layout: t.layout || '',
    numbered: !!(t.docno_kind || t.numbered),
    hasSignatures: (t.fields || []).some((f) => String(f.type).toLowerCase() === 'signatures'),
    // signature slots (当事人, 执法人员 …) when the document is signed
    slots: ((t.fields || []).map(normalizeField).find((f) => f.type === 'signatures') || { options: [] }).options,
    fields: (t.fields || []).map(normalizeField)
  }
}

function saved() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || '{}')
  } catch (e) {
    return {}
  }
}

function keep(code, raw) {
  try {
    const all = saved()
    all[code] = raw
    localStorage.setItem(STORE, JSON.stringify(all))
  } catch (e) {
    // storage full or disabled: the form still works online
  }
}

// One template with its fields. Online: asks the server (and keeps a copy);
// without a connection: the copy kept last time. Throws ApiError when the
// server refuses, or when there is neither.
export async function getTemplate(code) {
  if (memo.has(code)) return memo.get(code)
  try {
    const raw = await api.get('/document-templates/' + encodeURIComponent(code))
    keep(code, raw)
    const t = normalizeTemplate(raw)
    memo.set(code, t)
    return t
  } catch (e) {
    const copy = saved()[code]
    if (copy && (e.status === 0 || e.code === 'network_error')) return normalizeTemplate(copy)
    throw e
  }
}

// Every template (code, name, group) for the 新建文书 picker.
export async function listTemplates() {
  if (listMemo) return listMemo
  try {
    const r = await api.get('/document-templates')
    const items = Array.isArray(r) ? r : r.items || []
    listMemo = items.map((t) => ({ code: t.code, name: t.name, group: t.group || '' }))
    return listMemo
  } catch (e) {
    const copy = saved()
    const items = Object.values(copy).map((t) => ({ code: t.code, name: t.name, group: t.group || '' }))
    if (items.length && (e.status === 0 || e.code === 'network_error')) return items
    throw e
  }
}

// ---- values --------------------------------------------------------------

export function today() {
  const d = new Date()
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export function nowMinute(offsetMinutes = 0) {
  const d = new Date(Date.now() + offsetMinutes * 60000)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

export function emptyValue(f) {
  switch (f.type) {
    case 'integer':
      return null
    case 'party':
      return { type: '', name: '', id_type: '', id_no: '', address: '', legal_rep: '', phone: '' }
    case 'officers':
    case 'lawrefs':
    case 'signatures':
    case 'rows':
      return []
    default:
      return ''
  }
}

// The case's first party in a document's party block.
export function partyFromCase(c) {
  const p = c && c.parties && c.parties[0]
  if (!p) return null
  return {
    type: p.kind_name || '',
    name: p.name || '',
    id_type: p.id_type === '居民身份证号码' ? '居民身份证' : p.id_type || '',
    id_no: p.identifier || '',
    address: p.address || '',
    legal_rep: p.legal_rep || '',
    phone: p.phone || ''
  }
}

export function officersFromCase(c) {
  return ((c && c.officers) || []).map((o) => ({ name: o.name, cert_no: o.certificate_no }))
}

// A new document's fields filled from what the case already knows (party,
// officers, case name, dates of today), so an officer types only the facts.
// docs: the case's documents (for 送达回证 and 卷内文件目录).
export function prefill(tpl, c, docs = [], user = null) {
  const out = {}
  const finals = docs.filter((d) => d.status === 'final')
  const decision = [...finals].reverse().find((d) => /decision|onsite_penalty|license_grant|license_deny/.test(d.template))
  for (const f of tpl.fields) {
    let v = emptyValue(f)
    if (f.derived) continue
    if (f.type === 'party') v = partyFromCase(c) || v
    else if (f.type === 'officers') v = officersFromCase(c)
    else if (f.type === 'date' && f.required) v = today()
    else if (f.type === 'datetime' && f.required) v = /^start/.test(f.key) ? nowMinute(-60) : nowMinute()
    else if (f.type === 'enum' && f.key === 'source' && c && f.options.includes(c.source)) v = c.source
    else if (f.type === 'text' || f.type === 'longtext') {
      if (['case_cause', 'case_name'].includes(f.key)) v = (c && c.title) || ''
      else if (f.key === 'case_no') v = (c && c.case_no) || ''
      else if (f.key === 'authority') v = (c && c.department_name) || ''
      else if (['party_name', 'recipient'].includes(f.key)) v = (c && c.parties && c.parties[0] && c.parties[0].name) || ''
      else if (['recorder', 'compiler'].includes(f.key)) v = (user && user.display_name) || ''
      else if (f.key === 'decision_no' && decision) v = decision.doc_no || ''
      else if (f.key === 'document' && decision) v = `${decision.template_name} ${decision.doc_no || ''}`.trim()
    } else if (f.type === 'rows' && f.key === 'entries') {
      v = finals.map((d, i) => ({ doc_no: d.doc_no || '', title: d.template_name, date: '', pages: String(i + 1), author: '', note: '' }))
    }
    out[f.key] = v
  }
  return out
}

function blank(v) {
  return v === '' || v === null || v === undefined || (Array.isArray(v) && v.length === 0)
}

function cleanObject(o) {
  const r = {}
  for (const [k, v] of Object.entries(o || {})) if (!blank(v)) r[k] = typeof v === 'string' ? v.trim() : v
  return r
}

// What is sent: empty optional values left out (the server refuses an
// empty string where a date or a number belongs), party blocks without any
// content dropped, list rows without content dropped.
export function cleanFields(tpl, values) {
  const out = {}
  for (const f of tpl.fields) {
    let v = values[f.key]
    if (f.derived || f.type === 'signatures') continue
    if (f.type === 'party') {
      v = cleanObject(v)
      if (!Object.keys(v).length) v = null
    } else if (['officers', 'lawrefs', 'signatures', 'rows'].includes(f.type)) {
      v = (v || []).map(cleanObject).filter((r) => Object.keys(r).length)
    } else if (f.type === 'integer') {
      v = v === '' || v === null || v === undefined ? null : Number(v)
    } else if (typeof v === 'string') {
      v = v.trim()
    }
    if (!blank(v)) out[f.key] = v
  }
  return out
}

// Loads stored fields into a form: every key present with the right shape.
export function toForm(tpl, fields) {
  const out = {}
  for (const f of tpl.fields) {
    const v = fields ? fields[f.key] : undefined
    if (v === undefined || v === null) out[f.key] = emptyValue(f)
    else if (f.type === 'party') out[f.key] = { ...emptyValue(f), ...v }
    else if (f.type === 'money') out[f.key] = String(v)
    else out[f.key] = Array.isArray(v) ? v.map((x) => ({ ...x })) : v
  }
  return out
}

// "fields.party.name" / "fields.officers[1].cert_no" → { top: 'party',
// sub: 'name', index: null } etc.
export function splitErrorPath(path) {
  const p = String(path || '').replace(/^fields\.?/, '')
  const m = p.match(/^([A-Za-z0-9_]+)(?:\[(\d+)\])?(?:\.([A-Za-z0-9_]+))?/)
  if (!m) return { top: '', index: null, sub: '' }
  return { top: m[1], index: m[2] !== undefined ? Number(m[2]) : null, sub: m[3] || '' }
}
