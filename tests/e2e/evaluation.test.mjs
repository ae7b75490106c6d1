// 案卷评查 in the console: the supervisor draws a sample of closed cases,
// fills the score sheet of a sampled case (a deduction on one item) and sees
// the department's result; each step is read back from the API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, ApiClient, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

// 案源登记 -> 不予立案: the shortest way to a closed case.
async function closedCase(officer, head, title) {
  let r = await officer.call('POST', '/cases', { procedure: 'penalty_general', title, officers: [] })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id
  const fields = {
    source: '监督检查', source_date: '2026-03-02', summary: '线索核查。', registrar_opinion: '不符合立案条件。',
    officers: [{ name: '张三', cert_no: '3601002026001' }, { name: '李四', cert_no: '3601012026002' }], register_date: '2026-03-02'
  }
  r = await officer.call('POST', `/cases/${id}/documents`, { template: 'case_source', fields })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  r = await officer.call('POST', `/cases/${id}/documents/${r.data.id}/finalize`, {})
  assert.equal(r.status, 200, JSON.stringify(r.data))
  r = await head.call('POST', `/cases/${id}/actions`, { action: 'not_file', reason: '不符合立案标准' })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  return id
}

test('the supervisor draws, scores a case file and reads the department result', async () => {
  const officer = new ApiClient()
  const me = await officer.login('officer1')
  const dept = (me.user || me).department_id
  const head = new ApiClient()
  await head.login('head1')
  await closedCase(officer, head, '评查浏览器测试一')
  await closedCase(officer, head, '评查浏览器测试二')
  const sup = new ApiClient()
  await sup.login('supervisor1')

  const { context, page } = await newPage(browser)
  try {
    await login(page, 'supervisor1')
    await page.locator('.el-aside .el-menu-item', { hasText: '案卷评查' }).click()
    await page.locator('[data-test="eval-checklist"] .el-table__row').first().waitFor()
    await page.locator('[data-test="eval-new"]').click()
    const dlg = page.locator('[data-test="eval-dialog"]')
    await dlg.waitFor()
    const title = '浏览器评查 ' + process.pid
    await dlg.locator('input[data-test="eval-title"], [data-test="eval-title"] input').first().fill(title)
    await dlg.locator('.el-form-item', { hasText: '部门' }).locator('.el-select').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '市场监督管理局' }).first().click()
    await dlg.locator('.el-dialog__title').click() // closes the multi-select's dropdown
    await dlg.locator('[data-test="eval-create"]').click()
    await page.locator('.el-message--success', { hasText: '已抽取' }).waitFor()
    await page.locator('[data-test="eval-seed"]').waitFor()

    let r = await sup.call('GET', '/evaluations/draws')
    const d = r.data.items.find((x) => x.title === title)
    assert.ok(d, 'the API lists the new draw')
    assert.deepEqual(d.department_ids, [dept])
    assert.equal(d.samples_count, 2)

    // score the first sampled case: full marks but one item, 1 point off
    const rows = page.locator('[data-test="eval-samples"] .el-table__row')
    assert.equal(await rows.count(), 2)
    await rows.first().locator('[data-test="eval-score-open"]').click()
    const sheet = page.locator('[data-test="eval-sheet"]')
    await sheet.waitFor()
    const first = sheet.locator('.el-input-number').first()
    await first.locator('.el-input-number__decrease').click()
    await sheet.locator('textarea').last().fill('卷内材料基本齐全，个别文书不规范。')
    await sheet.locator('[data-test="eval-save"]').click()
    await page.locator('.el-message--success', { hasText: '评分已保存' }).waitFor()
    await page.locator('[data-test="eval-score"]').first().waitFor()

    r = await sup.call('GET', `/evaluations/draws/${d.id}`)
    const scored = r.data.samples.filter((s) => s.score !== null)
    assert.equal(scored.length, 1)
    const total = r.data.checklist.reduce((s, i) => s + i.weight, 0)
    assert.equal(scored[0].score, Math.round(((total - 1) * 100 / total) * 100) / 100)
    assert.equal(scored[0].comment, '卷内材料基本齐全，个别文书不规范。')

    await page.locator('.el-tabs__item', { hasText: '评查结果' }).click()
    const avg = page.locator('[data-test="eval-report"] [data-test="eval-average"]').first()
    await avg.waitFor()
    assert.equal((await avg.textContent()).trim(), scored[0].score.toFixed(2))
  } finally {
    await context.close()
  }
})
