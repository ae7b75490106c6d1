// browser_session.test.mjs — a real browser's console session across several
// zhifa servers behind nginx (issue 9). Run by tests/multi/test_multi.py with
// ZHIFA_URL = nginx's address and NSERVERS = how many servers stand behind it;
// nginx names the server of each answer in X-Upstream.
//
// The officer logs in once, then opens the case list and a case again and
// again (every reload asks the API afresh, round-robin over the servers).
// Sessions live in the database, so every server must know the cookie: the
// console must never fall back to 登录, and every server must have answered.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, listTotal, CONSOLE } from '../e2e/helpers.mjs'

const NSERVERS = Number(process.env.NSERVERS || 3)

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('one console session is served by every server', async () => {
  const { context, page } = await newPage(browser)
  const upstreams = new Set()
  const refused = []
  let loggedIn = false // before login, /auth/me answers 401 by design
  page.on('response', (r) => {
    if (!r.url().includes('/api/v1/')) return
    const up = r.headers()['x-upstream']
    if (up) upstreams.add(up)
    if (loggedIn && r.status() === 401) refused.push(r.url())
  })
  try {
    assert.equal(await login(page, 'officer1'), '执法人员工作台')
    loggedIn = true
    for (let i = 0; i < 4; i++) {
      await page.goto(CONSOLE + '#/cases')
      await page.reload()
      assert.ok((await listTotal(page)) > 0, 'the case list shows the demo cases')
      // open the first case of the list, then reload it
      await page.locator('.el-table__row').first().click()
      await page.waitForURL(/#\/cases\/\d+/)
      await page.reload()
      await page.locator('[data-test="whoami"]').waitFor()
      assert.equal(await page.locator('#login-username').count(), 0, 'the console never asks to log in again')
    }
    assert.deepEqual(refused, [], 'no API call was refused as unauthenticated')
    assert.equal(upstreams.size, NSERVERS, `answered by ${[...upstreams].join(', ')}`)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
