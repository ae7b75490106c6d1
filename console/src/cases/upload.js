// cases/upload.js — evidence uploads from the console with a progress bar.
//
// Small files go in one multipart POST /api/v1/evidence; large ones (from
// RESUMABLE_FROM bytes) through the resumable uploads API: POST
// /evidence/uploads declares the size, then PUT /evidence/uploads/{id}
// sends CHUNK-sized pieces with Content-Range, asking the server how much
// it holds (GET, Upload-Offset) after an interruption. Every request of one
// file carries the same Idempotency-Key, so a retry — after a dropped
// connection, a reload or from the offline queue — never creates a second
// record. XMLHttpRequest is used because fetch() reports no upload progress.
import { session } from '../session.js'
import { ApiError } from '../api.js'

export const CHUNK = 8 * 1024 * 1024
export const RESUMABLE_FROM = 16 * 1024 * 1024
const SESSIONS = 'zhifa.uploads.v1' // Idempotency-Key → upload id, for resuming after a reload

export function kindOf(file) {
  const t = (file && file.type) || ''
  if (t.startsWith('image/')) return 'photo'
  if (t.startsWith('video/')) return 'video'
  if (t.startsWith('audio/')) return 'audio'
  if (t === 'application/pdf') return 'scan'
  return 'other'
}

function send({ method, url, body, headers = {}, onProgress }) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open(method, url)
    x.setRequestHeader('Accept', 'application/json')
    if (session.csrf) x.setRequestHeader('X-CSRF-Token', session.csrf)
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v)
    if (onProgress && x.upload) x.upload.onprogress = (e) => onProgress(e.loaded, e.total)
    x.onerror = () => reject(new ApiError(0, 'network_error', '网络中断，上传未完成，可稍后重试（不会重复登记）', ''))
    x.ontimeout = x.onerror
    x.onload = () => {
      let data = null
      try {
        data = x.responseText ? JSON.parse(x.responseText) : null
      } catch (e) {
        data = null
      }
      if (x.status >= 200 && x.status < 300) {
        resolve({ status: x.status, data, header: (n) => x.getResponseHeader(n) })
        return
      }
      const err = (data && data.error) || {}
      const e = new ApiError(x.status, err.code || 'http_' + x.status, err.message || `服务器返回错误（${x.status}）`, err.field)
      e.uploadOffset = x.getResponseHeader('Upload-Offset')
      reject(e)
    }
    x.send(body)
  })
}

function remember(key, id) {
  try {
    const all = JSON.parse(localStorage.getItem(SESSIONS) || '{}')
    if (id) all[key] = id
    else delete all[key]
    localStorage.setItem(SESSIONS, JSON.stringify(all))
  } catch (e) {
    // without storage a reload restarts the upload; the key still prevents a duplicate
  }
}

function recalled(key) {
  try {
    return JSON.parse(localStorage.getItem(SESSIONS) || '{}')[key] || null
  } catch (e) {
    return null
  }
}

function metaFields(file, meta) {
  const m = { kind: meta.kind || kindOf(file), filename: meta.filename || file.name || 'file', ...meta }
  if (!m.content_type && file.type) m.content_type = file.type
  for (const k of Object.keys(m)) if (m[k] === '' || m[k] === null || m[k] === undefined) delete m[k]
  return m
}

// One multipart request: metadata parts first, then the file.
async function uploadSimple(file, meta, key, onProgress) {
  const fd = new FormData()
  for (const [k, v] of Object.entries(metaFields(file, meta))) fd.append(k, String(v))
  fd.append('file', file, meta.filename || file.name || 'file')
  const r = await send({
    method: 'POST',
    url: '/api/v1/evidence',
    body: fd,
    headers: { 'Idempotency-Key': key },
    onProgress: (loaded, total) => onProgress && onProgress(Math.min(loaded, file.size), total || file.size)
  })
  onProgress && onProgress(file.size, file.size)
  return r.data
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function uploadResumable(file, meta, key, onProgress) {
  const size = file.size
  let id = recalled(key)
  let offset = 0
  if (id) {
    try {
      const s = await send({ method: 'GET', url: `/api/v1/evidence/uploads/${id}` })
      if (s.data.complete && s.data.evidence_id) {
        remember(key, null)
        return (await send({ method: 'GET', url: `/api/v1/evidence/${s.data.evidence_id}` })).data
      }
      offset = s.data.received || 0
    } catch (e) {
      if (e.status === 0) throw e
      id = null // expired or unknown: start again under the same key
    }
  }
  if (!id) {
    const body = JSON.stringify({ ...metaFields(file, meta), size })
    const r = await send({
      method: 'POST',
      url: '/api/v1/evidence/uploads',
      body,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }
    })
    id = r.data.id
    offset = r.data.received || 0
    remember(key, id)
  }
  let failures = 0
  for (;;) {
    const end = Math.min(offset + CHUNK, size)
    const start = offset
    try {
      const r = await send({
        method: 'PUT',
        url: `/api/v1/evidence/uploads/${id}`,
        body: file.slice(start, end),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${end - 1}/${size}` },
        onProgress: (loaded) => onProgress && onProgress(start + Math.min(loaded, end - start), size)
      })
      failures = 0
      const d = r.data || {}
      if (d.sha256) {
        // the last piece: the evidence record (or the record of a finished task)
        remember(key, null)
        onProgress && onProgress(size, size)
        return d
      }
      offset = typeof d.received === 'number' ? d.received : end
    } catch (e) {
      if (e.code === 'offset_mismatch' && e.uploadOffset != null) {
        offset = Number(e.uploadOffset)
        continue
      }
      if (e.status !== 0 || ++failures > 5) throw e
      // the connection dropped: wait, ask how much arrived, go on from there
      await sleep(Math.min(8000, 500 * 2 ** failures))
      try {
        const s = await send({ method: 'GET', url: `/api/v1/evidence/uploads/${id}` })
        offset = s.data.received || 0
      } catch (e2) {
        if (e2.status !== 0) throw e2
      }
    }
  }
}

// Uploads file with metadata meta ({case_id, kind, location, ...}); key is
// the Idempotency-Key (the same on every retry of this file). onProgress
// receives (bytes sent, total). Resolves to the evidence record.
export function uploadEvidence(file, meta, key, onProgress) {
  if (file.size >= RESUMABLE_FROM) return uploadResumable(file, meta, key, onProgress)
  return uploadSimple(file, meta, key, onProgress)
}

// "data:image/png;base64,..." → Blob (a signature drawn on the screen).
export function dataUrlToBlob(url) {
  const [head, b64] = url.split(',')
  const type = (head.match(/data:([^;]+)/) || [])[1] || 'application/octet-stream'
  const bin = atob(b64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return new Blob([bytes], { type })
}

// A data URL of an image file, for a preview (the console's CSP allows
// data: images, not blob: ones).
export function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(r.result)
    r.onerror = () => reject(r.error)
    r.readAsDataURL(file)
  })
}
