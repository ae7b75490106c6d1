// cases/offline.js — records made without signal (移动执法): a draft 现场笔录,
// photos and video, a signature. Each is put in an IndexedDB queue on the
// device first, with its own Idempotency-Key, and sent when the connection
// returns (the browser's "online" event, the app starting, a timer). The
// queue survives closing the browser.
//
// Never twice: evidence uploads carry the Idempotency-Key, which the server
// honours (a retry returns the first answer). Document drafts carry it too,
// and because a connection can drop after the server saved a draft but before
// its answer arrived, a retried draft is first looked for among the case's
// documents that did not exist before the first attempt (same template, same
// author, same fields); only when none is found is it sent again.
import { reactive } from 'vue'
import { session } from '../session.js'
import { ApiError } from '../api.js'
import { uploadEvidence } from './upload.js'

const DB_NAME = 'zhifa-offline'
const STORE = 'queue'

export const sync = reactive({
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  syncing: false,
  pending: 0, // waiting to be sent (including failed ones)
  failed: 0,
  items: [], // summaries for display (no file contents)
  lastSynced: null
})

let dbp = null
function db() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, 1)
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' })
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
  }
  return dbp
}

async function tx(mode, fn) {
  const d = await db()
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode)
    const st = t.objectStore(STORE)
    let out
    Promise.resolve(fn(st)).then((v) => (out = v))
    t.oncomplete = () => resolve(out)
    t.onerror = () => reject(t.error)
    t.onabort = () => reject(t.error)
  })
}

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

async function all() {
  const d = await db()
  return new Promise((resolve, reject) => {
    const r = d.transaction(STORE, 'readonly').objectStore(STORE).getAll()
    r.onsuccess = () => resolve((r.result || []).sort((a, b) => a.createdAt - b.createdAt))
    r.onerror = () => reject(r.error)
  })
}

async function put(item) {
  return tx('readwrite', (st) => req(st.put(item)))
}

export async function removeItem(id) {
  await tx('readwrite', (st) => req(st.delete(id)))
  await refresh()
}

export async function refresh() {
  try {
    const items = await all()
    const mine = items.filter((i) => !session.user || i.userId === session.user.id)
    sync.items = mine.map((i) => ({
      id: i.id,
      kind: i.kind,
      label: i.label,
      caseId: i.caseId,
      caseTitle: i.caseTitle || '',
      state: i.state,
      error: i.error || '',
      createdAt: i.createdAt,
      size: i.file ? i.file.size : 0,
      progress: i.progress || 0
    }))
    sync.pending = mine.length
    sync.failed = mine.filter((i) => i.state === 'failed').length
  } catch (e) {
    // IndexedDB unavailable (private mode): nothing can be queued
  }
}

// Adds a record to the queue and tries to send it at once.
//   { id: Idempotency-Key, kind: 'document' | 'evidence', caseId, caseTitle,
//     label, template, fields, file (Blob), meta }
export async function enqueue(item) {
  await put({ ...item, userId: session.user ? session.user.id : null, createdAt: Date.now(), state: 'pending', attempts: 0 })
  await refresh()
  trySync()
}

export async function retryItem(id) {
  const items = await all()
  const it = items.find((i) => i.id === id)
  if (!it) return
  it.state = 'pending'
  it.error = ''
  await put(it)
  await refresh()
  trySync()
}

function canon(v) {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']'
  if (v && typeof v === 'object') return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}'
  return JSON.stringify(v)
}

async function call(method, path, body, headers = {}) {
  let res
  try {
    res = await fetch('/api/v1' + path, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' && session.csrf ? { 'X-CSRF-Token': session.csrf } : {}),
        ...headers
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch (e) {
    throw new ApiError(0, 'network_error', '无法连接服务器', '')
  }
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch (e) {
    data = null
  }
  if (!res.ok) {
    const err = (data && data.error) || {}
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || `服务器返回错误（${res.status}）`, err.field)
  }
  return data
}

// A draft this queue item already created (an earlier attempt whose answer
// was lost), or null.
async function findEarlierDraft(it) {
  const list = await call('GET', `/cases/${it.caseId}/documents`)
  const known = new Set(it.knownIds || [])
  const want = canon(it.fields)
  for (const d of list.items || []) {
    if (known.has(d.id) || d.template !== it.template) continue
    if (session.user && d.created_by !== session.user.id) continue
    const full = await call('GET', `/cases/${it.caseId}/documents/${d.id}`)
    if (canon(full.fields) === want) return full
  }
  return null
}

async function pngSha256(dataUrl) {
  const bin = atob(dataUrl.split(',')[1] || '')
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const d = await crypto.subtle.digest('SHA-256', bytes)
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

// A record in steps, each recorded in the queue item before the next, so a
// retry resumes where the last attempt stopped: the draft (looked up, see
// findEarlierDraft), then — for a record signed at the scene — 定稿 and the
// signatures (an image already on the document is not posted again).
async function sendDocument(it) {
  let doc = null
  if (!it.docId) {
    if (it.attempts > 0) doc = await findEarlierDraft(it)
    else {
      const list = await call('GET', `/cases/${it.caseId}/documents`)
      it.knownIds = (list.items || []).map((d) => d.id)
    }
    if (!doc) {
      it.attempts++
      await put(it) // recorded before sending: a lost answer is looked up next time
      doc = await call('POST', `/cases/${it.caseId}/documents`, { template: it.template, fields: it.fields }, { 'Idempotency-Key': it.id })
    }
    it.docId = doc.id
    await put(it)
  }
  const base = `/cases/${it.caseId}/documents/${it.docId}`
  if (it.finalize) {
    try {
      doc = await call('POST', base + '/finalize', {})
    } catch (e) {
      if (e.code !== 'document_final') throw e
    }
    const sigs = it.signatures || []
    if (sigs.length) {
      const have = new Set(((await call('GET', base + '/signatures')).items || []).map((g) => g.image_sha256))
      for (const g of sigs) {
        if (have.has(await pngSha256(g.image))) continue
        await call('POST', base + '/signatures', g)
      }
    }
  }
  return doc || (await call('GET', base))
}

async function sendEvidence(it) {
  it.attempts++
  await put(it)
  let lastShown = 0
  return uploadEvidence(it.file, { ...(it.meta || {}), case_id: it.caseId }, it.id, (sent, total) => {
    const pct = total ? Math.round((sent * 100) / total) : 0
    if (pct !== lastShown) {
      lastShown = pct
      const s = sync.items.find((x) => x.id === it.id)
      if (s) s.progress = pct
    }
  })
}

let running = null

// Sends what is waiting, oldest first. Stops at the first network failure
// (still offline); a refusal by the server marks that item 失败 with the
// server's sentence and goes on with the next.
export function trySync() {
  if (running) return running
  running = (async () => {
    if (!navigator.onLine || !session.user) return
    sync.syncing = true
    try {
      const items = (await all()).filter((i) => i.state === 'pending' && i.userId === session.user.id)
      for (const it of items) {
        try {
          const result = it.kind === 'evidence' ? await sendEvidence(it) : await sendDocument(it)
          await tx('readwrite', (st) => req(st.delete(it.id)))
          window.dispatchEvent(new CustomEvent('zhifa-synced', { detail: { id: it.id, kind: it.kind, caseId: it.caseId, result } }))
        } catch (e) {
          if (e.status === 0) break
          if (e.status === 401) break // the session ended; keep everything for the next login
          it.state = 'failed'
          it.error = e.message
          await put(it)
        }
      }
      sync.lastSynced = Date.now()
    } finally {
      sync.syncing = false
      await refresh()
    }
  })().finally(() => {
    running = null
  })
  return running
}

let started = false
// Called once after login (by the 待同步 indicator in the page frame).
export function startSync() {
  if (started) {
    trySync()
    return
  }
  started = true
  window.addEventListener('online', () => {
    sync.online = true
    trySync()
  })
  window.addEventListener('offline', () => {
    sync.online = false
  })
  setInterval(() => {
    sync.online = navigator.onLine
    if (sync.pending > sync.failed) trySync()
  }, 15000)
  refresh().then(trySync)
}
