// The case list's total when the server only counted up to a bound (issue 5
// "Speed"): the pager must not show it as an exact "共 N 条" but as
// "N 条以上（未逐条统计）"; below the bound it is the usual exact total.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, listTotal, tableSettled, ApiClient, CONSOLE } from './helpers.mjs'

const KEYWORD_BOUND = 200 // CASE_LIST_KEYWORD_EXACT_MAX in src/api/cases.c
let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('a bounded total is shown as "N 条以上", an exact one as "共 N 条"', async () => {
  const api = new ApiClient()
  await api.login('officer1')
  const tag = '界限浏览' + (Date.now() % 100000)
  for (let i = 0; i < KEYWORD_BOUND + 2; i++) {
    const r = await api.call('POST', '/cases', { procedure: 'inspection', title: `${tag}${i}号` })
    assert.equal(r.status, 201, JSON.stringify(r.data))
  }
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(CONSOLE + '#/cases?q=' + encodeURIComponent(tag))
    const bound = page.locator('[data-test="total-bound"]')
    await bound.waitFor()
    assert.equal((await bound.innerText()).trim(), `${KEYWORD_BOUND} 条以上（未逐条统计）`)
    assert.equal(await page.locator('.el-pagination__total').count(), 0)
    // one case: exact again, the usual figure
    await page.goto(CONSOLE + '#/cases?q=' + encodeURIComponent(`${tag}199号`))
    await tableSettled(page)
    assert.equal(await listTotal(page), 1)
    assert.equal(await page.locator('[data-test="total-bound"]').count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
