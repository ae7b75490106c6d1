// 法制审核目录清单 in the console: head1 opens their department's catalog,
// adds a rule of their own whose condition is checked live as it is typed
// (a misspelt field is named, then the corrected one is accepted), saves the
// draft and submits it for 备案; supervisor1 returns it with a comment,
// which head1 then sees; head1 submits again and supervisor1 files it, and
// the filed version is the one in force.
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

async function openCatalog(page) {
  const url = CONSOLE + '#/review-catalog'
  // the same hash again would not reload what the other user changed
  if (page.url() === url) await page.reload()
  else await page.goto(url)
  await page.locator('h1.page-title', { hasText: '法制审核目录清单' }).waitFor()
  await page.locator('[data-test="catalog-rule"]').first().waitFor()
}

async function stateOfLatest(page) {
  return (await page.locator('[data-test="catalog-versions"] [data-test="catalog-state"]').first().textContent()).trim()
}

test('a department edits its catalog, files it, and sees the bureau\'s comments', async () => {
  const h = await newPage(browser)
  const s = await newPage(browser)
  await login(h.page, 'head1')
  await login(s.page, 'supervisor1')

  await openCatalog(h.page)
  const before = await h.page.locator('[data-test="catalog-rule"]').count()
  assert.ok(before >= 20, 'the city defaults are listed')
  // the defaults cannot be edited
  assert.ok(await h.page.locator('[data-test="catalog-rule"]').first().locator('textarea[data-test="rule-when"]').isDisabled())

  await h.page.locator('[data-test="catalog-add"]').click()
  const rule = h.page.locator('[data-test="catalog-rule"]').nth(before)
  await rule.locator('input[data-test="rule-code"]').fill('fine_after_hearing')
  await rule.locator('input[data-test="rule-title"]').fill('听证后作出的不予处罚决定')
  await rule.locator('input[data-test="rule-basis"]').fill('本局重大执法决定法制审核目录清单第1项')
  const when = rule.locator('textarea[data-test="rule-when"]')
  // live validation: the server names the mistake
  await when.fill('{"all":[{"field":"decision_kind","eq":"no_penalty"},{"field":"hearing_hel","eq":true}]}')
  await rule.locator('[data-test="rule-error"]', { hasText: 'hearing_hel' }).waitFor()
  assert.ok(await h.page.locator('[data-test="catalog-save"]').isDisabled(), 'an invalid catalog cannot be saved')
  await when.fill('{"all":[{"field":"decision_kind","eq":"no_penalty"},{"field":"hearing_held","eq":true}]}')
  await rule.locator('[data-test="rule-ok"]').waitFor()

  await Promise.all([
    h.page.waitForResponse((r) => r.url().includes('/review-catalog/submit') && r.status() === 200),
    h.page.locator('[data-test="catalog-submit"]').click()
  ])
  assert.equal(await stateOfLatest(h.page), '已报送备案')

  // the Justice Bureau returns it with a comment
  await openCatalog(s.page)
  await s.page.locator('[data-test="catalog-dept"]').click()
  await s.page.locator('.el-select-dropdown__item', { hasText: '市场监督管理局' }).first().click()
  await s.page.locator('[data-test="catalog-bureau"]').waitFor()
  await s.page.locator('input[data-test="catalog-return-input"]').fill('第21项的依据请写明文件名称和文号')
  await Promise.all([
    s.page.waitForResponse((r) => r.url().includes('/review-catalog/return') && r.status() === 200),
    s.page.locator('[data-test="catalog-return"]').click()
  ])

  // head1 sees the comment, revises, submits again
  await openCatalog(h.page)
  await h.page.locator('[data-test="catalog-return-reason"]', { hasText: '请写明文件名称和文号' }).waitFor()
  const mine = h.page.locator('[data-test="catalog-rule"]').nth(before)
  assert.equal(await mine.locator('input[data-test="rule-code"]').inputValue(), 'fine_after_hearing')
  await mine.locator('input[data-test="rule-basis"]').fill('《赣江市市场监督管理局重大执法决定法制审核目录清单》（赣市监法〔2026〕3号）第1项')
  await Promise.all([
    h.page.waitForResponse((r) => r.url().includes('/review-catalog/submit') && r.status() === 200),
    h.page.locator('[data-test="catalog-submit"]').click()
  ])

  // filed: in force
  await openCatalog(s.page)
  await s.page.locator('[data-test="catalog-dept"]').click()
  await s.page.locator('.el-select-dropdown__item', { hasText: '市场监督管理局' }).first().click()
  await s.page.locator('[data-test="catalog-bureau"]').waitFor()
  await s.page.locator('input[data-test="catalog-filing-ref"]').fill('赣司备〔2026〕7号')
  await Promise.all([
    s.page.waitForResponse((r) => r.url().includes('/review-catalog/file') && r.status() === 200),
    s.page.locator('[data-test="catalog-file"]').click()
  ])
  await s.page.locator('[data-test="catalog-effective"]', { hasText: '已备案' }).waitFor()
  assert.equal(await stateOfLatest(s.page), '已备案')

  assert.deepEqual(h.page.errors, [])
  assert.deepEqual(s.page.errors, [])
  await h.context.close()
  await s.context.close()
})
