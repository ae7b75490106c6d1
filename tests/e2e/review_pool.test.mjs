// 审核人员库 in the console: supervisor1 sees each department's reviewers
// against 5% of its officers with shortfalls flagged, adds reviewer1 to the
// city-wide pool by login name (a wrong name is refused beside the field),
// sees the member with kind and qualification, and removes them again.
// head1 sees the staffing but is offered no editing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function openPool(page) {
  await page.goto(CONSOLE + '#/review-pool')
  await page.locator('h1.page-title', { hasText: '审核人员库' }).waitFor()
  await page.locator('[data-test="pool-staffing"] .el-table__row').first().waitFor()
}

test('the supervisor keeps the pool and sees staffing shortfalls', async () => {
  const s = await newPage(browser)
  await login(s.page, 'supervisor1')
  await openPool(s.page)
  assert.ok(await s.page.locator('[data-test="pool-shortfall"]').count() >= 1, 'a shortfall is flagged')
  const total = Number((await s.page.locator('[data-test="pool-total-shortfall"]').textContent()).trim())
  assert.ok(total >= 1)

  await s.page.locator('input[data-test="pool-username"]').fill('no_such_reviewer')
  await s.page.locator('[data-test="pool-add"]').click()
  await s.page.locator('[data-test="pool-add-form"] .el-form-item__error', { hasText: '没有用户名' }).waitFor()

  await s.page.locator('input[data-test="pool-username"]').fill('reviewer1')
  await s.page.locator('input[data-test="pool-note"]').fill('浏览器测试')
  await Promise.all([
    s.page.waitForResponse((r) => r.url().endsWith('/reviews/pool') && r.request().method() === 'POST' && r.status() === 201),
    s.page.locator('[data-test="pool-add"]').click()
  ])
  const row = s.page.locator('[data-test="pool-list"] .el-table__row', { hasText: 'reviewer1' })
  await row.waitFor()
  assert.match(await row.textContent(), /公职律师/)
  assert.match(await row.textContent(), /已取得/)

  await row.locator('[data-test="pool-remove"]').click()
  await Promise.all([
    s.page.waitForResponse((r) => r.url().includes('/reviews/pool/') && r.request().method() === 'DELETE' && r.status() === 200),
    s.page.locator('.el-popconfirm .el-button--primary').click()
  ])
  await s.page.locator('[data-test="pool-list"] .el-table__row', { hasText: 'reviewer1' }).waitFor({ state: 'detached' })
  assert.deepEqual(s.page.errors, [])
  await s.context.close()
})

test('a head sees the staffing but cannot edit the pool', async () => {
  const h = await newPage(browser)
  await login(h.page, 'head1')
  await openPool(h.page)
  assert.equal(await h.page.locator('[data-test="pool-staffing"] .el-table__row').count(), 1, 'their own department only')
  assert.equal(await h.page.locator('[data-test="pool-add-form"]').count(), 0)
  assert.deepEqual(h.page.errors, [])
  await h.context.close()
})
