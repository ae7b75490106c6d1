// 移动执法 without signal: the officer opens the field page, the device goes
// offline (context.setOffline), a 现场笔录 is filled, a photo taken and the
// party signs on the screen. The console keeps it all on the device and shows
// 待同步; nothing reaches the server. Back online, the queue is sent — and
// the first answers are made to get lost on the way back (the server did the
// work, the page saw a dropped connection), so the retries must not create
// anything twice. The API then holds exactly one signed, final 现场笔录 and
// one photo.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, ApiClient, CONSOLE } from './helpers.mjs'
import { fillRequired } from './docform.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function newCase(api) {
  const r = await api.call('POST', '/cases', {
    procedure: 'penalty_general',
    title: `离线测试案件 ${process.pid}-${Date.now() % 100000}`,
    source: '监督检查',
    parties: [{ kind: '法人', name: '赣江市青云粮油贸易有限公司', identifier: '91369900MA35K7Q2XT', legal_rep: '王建国', address: '滨江路88号' }],
    officers: [1, 6]
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  return r.data
}

async function counts(api, caseId) {
  const docs = (await api.call('GET', `/cases/${caseId}/documents`)).data.items.filter((d) => d.template === 'site_record')
  const ev = (await api.call('GET', `/evidence?case_id=${caseId}`)).data
  return { docs, evidence: ev.items }
}

test('a record made offline waits as 待同步 and is sent exactly once when the connection returns', { timeout: 120000 }, async () => {
  const api = new ApiClient()
  await api.login('officer1')
  const c = await newCase(api)
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(CONSOLE + `#/field?case=${c.id}`)
    const form = page.locator('[data-test="doc-form"]')
    await form.waitFor()
    await page.locator('[data-test="field-record"]', { hasText: '现场笔录' }).waitFor()

    // ---- no signal ----
    await context.setOffline(true)
    await page.locator('[data-test="offline-banner"]').waitFor()
    await fillRequired(form)
    await page.locator('[data-test="field-camera"]').setInputFiles({
      name: '现场照片-离线.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('offline photo ' + process.pid + ' ' + Date.now()), Buffer.from([0xff, 0xd9])])
    })
    // the party signs on the screen
    const pad = page.locator('[data-test="signature-pad"] canvas')
    await pad.scrollIntoViewIfNeeded()
    const box = await pad.boundingBox()
    await page.mouse.move(box.x + 20, box.y + 40)
    await page.mouse.down()
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 15, box.y + 40 + (i % 2 ? 30 : -10))
    await page.mouse.up()
    await page.locator('[data-test="signature-confirm"]').click()
    await page.locator('[data-test="field-signer"]').fill('王建国')
    await page.locator('[data-test="field-save"]').click()

    const pending = page.locator('[data-test="sync-pending"]')
    await pending.waitFor()
    assert.match(await pending.textContent(), /待同步\s*2/, 'the record and the photo wait on the device')
    assert.equal(await page.locator('[data-test="queue-item"]').count(), 2)
    // nothing has reached the server
    let now = await counts(api, c.id)
    assert.equal(now.docs.length, 0)
    assert.equal(now.evidence.length, 0)

    // ---- the connection returns, but the first answers are lost ----
    let lostDoc = 0
    let lostEv = 0
    await page.route(`**/api/v1/cases/${c.id}/documents`, async (route) => {
      if (route.request().method() === 'POST' && lostDoc++ === 0) {
        await route.fetch() // the server saves the draft…
        return route.abort('connectionreset') // …and the answer never arrives
      }
      return route.continue()
    })
    await page.route('**/api/v1/evidence', async (route) => {
      if (route.request().method() === 'POST' && lostEv++ === 0) {
        await route.fetch()
        return route.abort('connectionreset')
      }
      return route.continue()
    })
    await context.setOffline(false)
    // the queue retries (the button stands for the periodic retry)
    const deadline = Date.now() + 60000
    while ((await pending.count()) && Date.now() < deadline) {
      await page.waitForTimeout(700)
      const btn = page.locator('[data-test="sync-now"]')
      if ((await pending.count()) && (await btn.isEnabled())) await btn.click().catch(() => {})
    }
    assert.equal(await pending.count(), 0, '待同步 cleared')
    // the photo was posted again under its Idempotency-Key (the server
    // replays its first answer); the draft was found among the case's
    // documents instead of being posted again
    assert.ok(lostEv >= 2, `the photo's lost answer was retried (${lostEv} requests)`)
    assert.equal(lostDoc, 1, 'the draft whose answer was lost is not posted a second time')

    now = await counts(api, c.id)
    assert.equal(now.docs.length, 1, 'exactly one 现场笔录 on the server')
    assert.equal(now.docs[0].status, 'final', 'signed at the scene, so finalized')
    const sigs = (await api.call('GET', `/cases/${c.id}/documents/${now.docs[0].id}/signatures`)).data.items
    assert.equal(sigs.length, 1, 'exactly one signature')
    assert.equal(sigs[0].name, '王建国')
    assert.match(sigs[0].image, /^data:image\/png;base64,/)
    assert.equal(now.evidence.length, 1, 'exactly one photo')
    assert.equal(now.evidence[0].filename, '现场照片-离线.jpg')

    // a reload and another round of syncing change nothing
    await page.unrouteAll()
    await page.reload()
    await page.locator('[data-test="doc-form"]').waitFor()
    await page.waitForTimeout(1500)
    now = await counts(api, c.id)
    assert.equal(now.docs.length, 1)
    assert.equal(now.evidence.length, 1)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('the console is an installable web app: manifest and service worker', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    const href = await page.locator('link[rel="manifest"]').getAttribute('href')
    const m = await (await fetch(new URL(href, CONSOLE))).json()
    assert.equal(m.scope, '/console/')
    assert.equal(m.display, 'standalone')
    assert.ok(m.icons.some((i) => i.sizes === '512x512'))
    // the worker takes control and keeps the app shell
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready
      return { scope: reg.scope, active: !!reg.active }
    })
    assert.ok(state.active)
    assert.match(state.scope, /\/console\/$/)
    const cached = await page.evaluate(async () => {
      for (let i = 0; i < 50; i++) {
        const keys = await caches.keys()
        if (keys.length) {
          const c = await caches.open(keys[0])
          const reqs = await c.keys()
          if (reqs.some((r) => r.url.includes('/assets/'))) return reqs.map((r) => new URL(r.url).pathname)
        }
        await new Promise((r) => setTimeout(r, 200))
      }
      return []
    })
    assert.ok(cached.includes('/console/index.html'), 'index.html cached')
    assert.ok(cached.some((p) => p.startsWith('/console/assets/') && p.endsWith('.js')), 'scripts cached')
    // offline, the console still opens
    await context.setOffline(true)
    await page.reload()
    await page.locator('[data-test="home-title"]').or(page.locator('#login-username')).first().waitFor()
    await context.setOffline(false)
  } finally {
    await context.close()
  }
})
