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
