/* sw.js — the staff console's service worker (移动执法: the console opens and
 * works without signal). Hand-written, no build plugin:
 *   - install: caches the app shell (index.html, manifest, icons) and every
 *     file the build lists in asset-manifest.json (vite build.manifest);
 *   - /console/assets/*: cache first (names carry a content hash, never change);
 *   - page loads: network first, the cached index.html when offline, and on
 *     each successful load the asset list is refreshed so a new release is
 *     cached too;
 *   - /api/*: never touched — records made offline wait in the page's
 *     IndexedDB queue (src/cases/offline.js), not here. */
const CACHE = 'zhifa-console-v1'
const SHELL = ['./', './index.html', './manifest.webmanifest', './icon.svg', './icon-192.png', './icon-512.png']

async function assetList() {
  const r = await fetch('./asset-manifest.json', { cache: 'no-store' })
  if (!r.ok) return []
  const m = await r.json()
  const files = new Set()
  for (const e of Object.values(m)) {
    if (e.file) files.add('./' + e.file)
    for (const c of e.css || []) files.add('./' + c)
    for (const a of e.assets || []) files.add('./' + a)
  }
  return [...files]
}

// Adds the release's files that are not cached yet and drops old ones.
async function precache() {
  const cache = await caches.open(CACHE)
  let files = []
  try {
    files = await assetList()
  } catch (e) {
    return
  }
  if (!files.length) return
  const want = new Set(files.map((f) => new URL(f, self.registration.scope).href))
  for (const req of await cache.keys()) {
    if (req.url.includes('/assets/') && !want.has(req.url)) await cache.delete(req)
  }
  for (const url of want) {
    if (!(await cache.match(url))) {
      try {
        await cache.add(url)
      } catch (e) {
        // one missing file does not stop the rest
      }
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await Promise.all(SHELL.map((u) => cache.add(u).catch(() => {})))
      await precache()
      await self.skipWaiting()
    })()
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const k of await caches.keys()) if (k !== CACHE) await caches.delete(k)
      await self.clients.claim()
    })()
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/console/')) return

  if (url.pathname.startsWith('/console/assets/')) {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE)
        const hit = await cache.match(req)
        if (hit) return hit
        const res = await fetch(req)
        if (res.ok) cache.put(req, res.clone())
        return res
      })()
    )
    return
  }

  if (req.mode === 'navigate') {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE)
        try {
          const res = await fetch(req)
          if (res.ok) {
            cache.put('./index.html', res.clone())
            event.waitUntil(precache())
          }
          return res
        } catch (e) {
          return (await cache.match('./index.html')) || (await cache.match('./')) || Response.error()
        }
      })()
    )
    return
  }

  // manifest, icons: the cached copy at once, refreshed in the background
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE)
      const hit = await cache.match(req)
      const fresh = fetch(req)
        .then((res) => {
          if (res.ok) cache.put(req, res.clone())
          return res
        })
        .catch(() => hit || Response.error())
      return hit || fresh
    })()
  )
})
