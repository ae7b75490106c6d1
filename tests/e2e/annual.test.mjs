// The annual report (年报, issue 7) end to end: the publicity officer
// generates last year's report in the console and previews it, the head
// reviews it (through the API, as a second person must), the publicity
// officer publishes it in the console; a member of the public then finds it
// on the portal — the year's list, the report page with its server-rendered
// charts and tables (also with JavaScript off) — and downloads the Excel
// file; the Justice Bureau's console page lists the departments still late.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, ApiClient, BASE, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const YEAR = new Date().getFullYear() - 1

test('a department generates, reviews and publishes its annual report; the public reads it on the portal', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'publicity1')
    await page.goto(CONSOLE + '#/annual-reports')
    await page.locator('[data-test="annual-list"]').waitFor()
    const gen = page.locator('[data-test="annual-generate"]')
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/annual-reports' && r.request().method() === 'POST'),
      gen.click()
    ])
    const card = page.locator('[data-test="annual-preview-card"]')
    await card.waitFor()
    assert.match(await card.innerText(), new RegExp(`${YEAR} 年度行政执法数据年报（草稿`))
    assert.match(await page.locator('[data-test="annual-section-penalty"]').innerText(), /罚款/)

    // the same person cannot review what they generated: the console says why
    await page.locator('[data-test="annual-review"]').first().click()
    await page.locator('.el-message--error').waitFor()
    assert.match(await page.locator('.el-message--error').innerText(), /生成人以外/)

    // the head reviews
    const head = new ApiClient()
    await head.login('head1')
    const list = await head.call('GET', `/annual-reports?year=${YEAR}`)
    const id = list.data.items[0].id
    const r = await head.call('POST', `/annual-reports/${id}/review`)
    assert.equal(r.status, 200, JSON.stringify(r.data))

    // the publicity officer publishes
    await page.reload()
    await page.locator('[data-test="annual-publish"]').waitFor()
    await Promise.all([
      page.waitForResponse((res) => new URL(res.url()).pathname === `/api/v1/annual-reports/${id}/publish`),
      page.locator('[data-test="annual-publish"]').click()
    ])
    await page.locator('[data-test="annual-list"]').getByText('已公开').waitFor()
    assert.deepEqual(page.errors, [])

    // the public portal, with and without JavaScript
    for (const javaScriptEnabled of [true, false]) {
      const pub = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled })
      const p = await pub.newPage()
      p.setDefaultTimeout(15000)
      await p.goto(BASE + `/annual-reports?year=${YEAR}`)
      assert.equal((await p.locator('h1').innerText()).trim(), '行政执法数据年报')
      await Promise.all([p.waitForURL(new RegExp(`/annual-reports/${id}$`)), p.locator(`a[href="/annual-reports/${id}"]`).click()])
      assert.match(await p.locator('h1').innerText(), new RegExp(`${YEAR} 年度行政执法数据年报`))
      // a chart per section, each with a text alternative, and the tables
      const charts = p.locator('svg.chart[role="img"]')
      assert.ok((await charts.count()) >= 6, 'charts')
      assert.match(await charts.first().locator('desc').textContent(), /准予行政许可：\d+/)
      assert.ok((await p.locator('table.data').count()) >= 6, 'tables')
      // the Excel download is a real spreadsheet
      const href = await p.locator('a', { hasText: 'Excel 表格' }).getAttribute('href')
      const res = await p.request.get(BASE + href)
      assert.equal(res.status(), 200)
      assert.match(res.headers()['content-type'], /spreadsheetml/)
      const body = await res.body()
      assert.equal(body.subarray(0, 2).toString(), 'PK')
      await pub.close()
    }
  } finally {
    await context.close()
  }
})

test('the Justice Bureau sees the departments that are late', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'supervisor1')
    await page.goto(CONSOLE + '#/annual-reports')
    const late = page.locator('[data-test="annual-late"]')
    await late.waitFor()
    // last year's report was due by 31 January (China time)
    if (Date.now() > Date.parse(`${YEAR + 1}-01-31T23:59:59+08:00`)) {
      await page.waitForFunction(() => document.querySelectorAll('[data-test="annual-late"] tbody tr').length > 0)
      const text = await late.innerText()
      assert.match(text, /市生态环境局/) // unpublished after the deadline
      assert.match(text, /逾期未公开/)
    } else {
      await late.getByText('没有逾期的部门').waitFor()
    }
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('the case list downloads as an Excel file with the same filters', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(CONSOLE + '#/cases?procedure=penalty_general')
    const link = page.locator('[data-test="cases-export"]')
    await link.waitFor()
    const href = await link.getAttribute('href')
    assert.match(href, /^\/api\/v1\/cases\?.*procedure=penalty_general.*format=xlsx/)
    const res = await page.request.get(BASE + href) // the page's session cookie
    assert.equal(res.status(), 200)
    assert.match(res.headers()['content-type'], /spreadsheetml/)
    assert.equal((await res.body()).subarray(0, 2).toString(), 'PK')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
