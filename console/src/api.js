// api.js — the one way the console talks to zhifa's JSON API (/api/v1).
//
// Every call returns the decoded JSON body or throws an ApiError carrying the
// server's error object ({code, message, field}); message is the server's
// Chinese sentence and is what pages show. The session cookie is sent by the
// browser; the CSRF token (from login and /auth/me) goes in X-CSRF-Token on
// every non-GET request. A 401 on anything but the auth calls themselves
// means the session ended: the session is cleared and the router is sent to
// the login page.
import { session, clearSession } from './session.js'

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message)
    this.status = status
    this.code = code
    this.field = field || ''
  }
}

let onUnauthenticated = () => {}

// The router registers what to do when a session ends (go to 登录).
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn
}

const BASE = '/api/v1'

// Builds "?a=1&b=2" from an object, leaving out empty values so that an
// unset filter is not sent as "department_id=".
export function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? '?' + s : ''
}

async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  if (opts.headers) Object.assign(headers, opts.headers) // Idempotency-Key …
  let res
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : opts.raw ? body : JSON.stringify(body)
    })
  } catch (e) {
    throw new ApiError(0, 'network_error', '无法连接服务器，请检查网络后重试', '')
  }
  let data = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch (e) {
      data = null
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {}
    const apiErr = new ApiError(
      res.status,
      err.code || 'http_' + res.status,
      err.message || `服务器返回错误（${res.status}）`,
      err.field
    )
    if (res.status === 401 && !opts.noRedirect) {
      clearSession()
      onUnauthenticated()
    }
    throw apiErr
  }
  return data
}

export const api = {
  get: (path, params, opts) => request('GET', path + query(params), undefined, opts),
  post: (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  // A JSON document posted exactly as read (an uploaded file), so the
  // server judges it and its error names the line that is wrong.
  postText: (path, text, opts) => request('POST', path, text, { ...opts, raw: true }),
  del: (path, opts) => request('DELETE', path, undefined, opts)
}

// Auth calls never trigger the "session ended" redirect: a failed login or
// a missing session is an answer the caller handles itself.
export const auth = {
  login: (body) => request('POST', '/auth/login', body, { noRedirect: true }),
  me: () => request('GET', '/auth/me', undefined, { noRedirect: true }),
  logout: () => request('POST', '/auth/logout', {}, { noRedirect: true })
}

// Total of a list endpoint, read cheaply with per_page=1. Returns null when
// the caller may not see that list, so a home card can say so quietly.
export async function countOf(path, params) {
  try {
    const r = await api.get(path, { ...params, page: 1, per_page: 1 })
    return typeof r.total === 'number' ? r.total : null
  } catch (e) {
    if (e.status === 401) throw e
    return null
  }
}

// Every item of a small list (departments, units) for dropdowns: at most
// max items, fetched in pages of 100 (the server's limit).
export async function listAll(path, params, max = 1000) {
  const out = []
  for (let page = 1; out.length < max; page++) {
    const r = await api.get(path, { ...params, page, per_page: 100 })
    out.push(...(r.items || []))
    if (!r.items || r.items.length < 100 || out.length >= r.total) break
  }
  return out
}

// All departments, for pickers; fetched once per page load and dropped
// when a department is created or renamed.
let deptCache = null
export function departmentsCached() {
  if (!deptCache) {
    deptCache = listAll('/departments', { sort: 'code' }).catch((e) => {
      deptCache = null
      throw e
    })
  }
  return deptCache
}
export function forgetDepartments() {
  deptCache = null
}
