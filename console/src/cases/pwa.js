// cases/pwa.js — installs the console's service worker (public/sw.js,
// served at /console/sw.js), which keeps the app shell so the console opens
// without signal in the field (移动执法). Only in the built app: during
// `vite` development files change on every save and must not be cached.
export function registerServiceWorker() {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return
  window.addEventListener('load', () => {
    navigator.serviceWorker.register(import.meta.env.BASE_URL + 'sw.js', { scope: import.meta.env.BASE_URL }).catch(() => {
      // without a worker the console still works online
    })
  })
}
