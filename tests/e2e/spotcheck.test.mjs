// 双随机、一公开 (issue 7) in a real browser: the department head imports the
// entity pool of a random-check plan from a CSV file (a bad row is reported,
// not imported), presses 随机抽取 and sees the seed commitment with the
// ledger entry of the seed before the draw's; enters a result; a member of
// the public opens the plan on the portal and finds the seed, the pool hash
// and how to re-check.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, newPage, login, ApiClient, BASE, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
function creditCode(n) {
  const body = '91360100MB' + String(n).padStart(7, '0')
  let s = 0
  for (let i = 0; i < 17; i++) s += ALPHABET.indexOf(body[i]) * WEIGHTS[i]
  return body + ALPHABET[(31 - (s % 31)) % 31]
}
const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)

test('the head imports a pool, draws with a committed seed, and the public can re-check it', async () => {
  const api = new ApiClient()
  const head = await api.login('head1')
  const title = '浏览器测试抽查计划 ' + Date.now()
  const r = await api.call('POST', `/departments/${head.user.department_id}/spotchecks`, {
    title, ratio_permille: 300, inspectors_per_entity: 2,
    period_from: '2026-01-01', period_to: '2026-12-31'
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const planId = r.data.id

  const rows = []
  for (let i = 1; i <= 10; i++) rows.push(`${creditCode(i)},南昌浏览器测试第${i}店,红谷滩区${i}号,零售`)
  rows.push('123456,校验码错误的商店,,')
  const dir = mkdtempSync(join(tmpdir(), 'zhifa-spot-'))
  const file = join(dir, '名录库.csv')
  writeFileSync(file, '\ufeff统一社会信用代码,名称,地址,类别\r\n' + rows.join('\r\n') + '\r\n')

  const { context, page } = await newPage(browser)
  try {
    await login(page, 'head1')
    await page.goto(CONSOLE + '#/spotchecks')
    await page.locator(`[data-test="spot-link"][href="#/spotchecks/${planId}"]`).click()
    await page.locator('[data-test="spot-info"]').waitFor()

    await page.locator('[data-test="spot-file"]').setInputFiles(file)
    const report = page.locator('[data-test="spot-report"]')
    await report.waitFor()
    const text = await report.textContent()
    assert.match(text, /已导入 10 户，拒绝 1 行/)
    assert.match(text, /第 12 行 123456：统一社会信用代码无效/)
    await page.locator('[data-test="spot-entities"] .el-table__row').nth(9).waitFor()

    await page.locator('[data-test="spot-draw"]').click()
    await page.locator('.el-message-box').waitFor()
    assert.match(await page.locator('.el-message-box').textContent(), /随机种子先写入防篡改台账/)
    await page.locator('.el-message-box').getByRole('button', { name: '抽取' }).click()

    const seed = (await page.locator('[data-test="spot-seed"]').textContent()).trim()
    assert.match(seed, /^[0-9a-f]{64}$/)
    const seedIdx = Number(await page.locator('[data-test="spot-seed-idx"]').textContent())
    const drawIdx = Number(await page.locator('[data-test="spot-draw-idx"]').textContent())
    assert.ok(seedIdx < drawIdx, `seed entry ${seedIdx} comes before the draw's ${drawIdx}`)
    const selRows = page.locator('[data-test="spot-selection"] .el-table__row')
    await selRows.first().waitFor()
    assert.equal(await selRows.count(), 3) // ceil(10 × 30 %)
    assert.equal(await page.locator('[data-test="spot-draw"]').count(), 0, 'no second draw button')

    // the head enters the first result
    await selRows.first().locator('[data-test="spot-enter"]').click()
    const dlg = page.locator('.el-dialog', { hasText: '录入检查结果' })
    await dlg.waitFor()
    const date = dlg.locator('.el-date-editor input').first()
    await date.fill(today())
    await date.press('Enter')
    await dlg.locator('[data-test="spot-result-save"]').click()
    await page.locator('[data-test="spot-result"]').first().filter({ hasText: '未发现问题' }).waitFor()

    // the public page: seed, hash, re-check instructions, the selection
    const plan = (await api.call('GET', `/spotchecks/${planId}`)).data
    await page.goto(BASE + '/spotchecks')
    await page.locator(`a[href="/spotchecks/${planId}"]`).click()
    await page.locator('h1', { hasText: title }).waitFor()
    const body = await page.locator('main').textContent()
    assert.ok(body.includes(seed), 'the portal shows the seed')
    assert.ok(body.includes(plan.pool_hash), 'the portal shows the pool hash')
    assert.ok(body.includes(`第 ${seedIdx} 号`), 'the portal names the ledger entry of the seed')
    assert.ok(body.includes('zhifa spotcheck redraw'), 'the portal says how to re-check')
    for (const s of plan.selection) assert.ok(body.includes(s.name), 'lists ' + s.name)
    const rec = await page.request.get(BASE + `/api/v1/spotchecks/${planId}/verification`)
    assert.equal(rec.status(), 200)
    assert.equal((await rec.json()).seed, seed)
  } finally {
    await context.close()
  }
})
