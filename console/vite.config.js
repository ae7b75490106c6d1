// Vite build of the staff console. zhifa serves console/dist at /console/,
// and the app uses hash routing, so the server only ever needs index.html
// plus the hashed files under /console/assets/.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// During `npx vite` development, API calls go to a running zhifa.
const target = process.env.ZHIFA_URL || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/asset-manifest.json lists every built file; public/sw.js caches
    // them so the console opens without signal (移动执法).
    manifest: 'asset-manifest.json',
    // Element Plus is large but served once and cached (hashed names).
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element'
          if (id.includes('node_modules')) return 'vendor'
        }
      }
    }
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/healthz': { target }
    }
  }
})
