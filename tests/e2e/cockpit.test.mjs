// 执法监督 in the console (issue 8): head1 submits the department's 行政执法
// 事项清单 for filing; supervisor1 returns it with comments, head1 sees the
// comments and submits again, supervisor1 accepts; the 任务分解表 then shows
// the task done (late: the seed's plan was due in 2019). The cockpit draws
// its charts (ECharts canvases), says how fresh its numbers are, lists the
// warnings with their reasons, and a warning's link drills down.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, CONSOLE } from './helpers.mjs'

let browser

before(async () => {
  browser = await launch()
})

after(async () => {
  if (browser) await browser.close()
})

async function submitMatters(page, note) {
  await page.goto(CONSOLE + '#/filings')
  await page.locator('[data-test="filing-form"]').waitFor()
  await page.locator('[data-test="filing-kind"]').getByText('行政执法事项清单').click()
  await page.locator('input[data-test="filing-note"]').fill(note)
  await page.locator('[data-test="filing-submit"]').click()
  await page.getByText('已报送').first().waitFor()
}

function rowWith(page, text) {
  return page.locator('[data-test="filings"] .el-table__row', { hasText: text })
}

test('a filing is returned with comments, resubmitted and accepted', async () => {
  const head = await newPage(browser)
  const sup = await newPage(browser)
  try {
    await login(head.page, 'head1')
    await login(sup.page, 'supervisor1')

    await submitMatters(head.page, '浏览器测试首报')
    await rowWith(head.page, '浏览器测试首报').getByText('待审查').waitFor()

    await sup.page.goto(CONSOLE + '#/filings')
    const first = rowWith(sup.page, '浏览器测试首报')
    await first.waitFor()
    await first.locator('[data-test="filing-return"]').click()
    // an empty comment is refused by the server with its sentence
    await sup.page.locator('[data-test="filing-return-confirm"]').click()
    await sup.page.getByText('退回备案须填写审查意见').waitFor()
    await sup.page.locator('textarea[data-test="filing-comments"]').fill('缺少行政检查类事项，请补充后重报')
    await sup.page.locator('[data-test="filing-return-confirm"]').click()
    await first.getByText('已退回').waitFor()

    await head.page.reload()
    await rowWith(head.page, '浏览器测试首报').getByText('缺少行政检查类事项').waitFor()
    await submitMatters(head.page, '浏览器测试重报')

    await sup.page.reload()
    const second = rowWith(sup.page, '浏览器测试重报')
    await second.locator('[data-test="filing-accept"]').click()
    await second.getByText('已备案').waitFor()

    // the tracker: 编制行政执法事项清单 is done for head1's department, after its 2019 due date
    await head.page.goto(CONSOLE + '#/tracker')
    const task = head.page.locator('[data-test="tracker"] .el-table__row', { hasText: '编制行政执法事项清单' })
    await task.getByText('逾期完成').waitFor()
    assert.deepEqual(head.page.errors, [])
    assert.deepEqual(sup.page.errors, [])
  } finally {
    await head.context.close()
    await sup.context.close()
  }
})

test('the cockpit draws its charts, its cards and drills down from a warning', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'supervisor1')
    await page.goto(CONSOLE + '#/cockpit')
    await page.locator('[data-test="cockpit-freshness"]').waitFor()
    assert.match(await page.locator('[data-test="cockpit-freshness"]').textContent(), /数据计算于 .*统计日 \d{4}-\d{2}-\d{2}/)
    for (const chart of ['chart-publications', 'chart-scores', 'chart-reviews', 'chart-stages']) {
      await page.locator(`[data-test="${chart}"] canvas`).first().waitFor()
    }
    // the demo city is short of reviewers: yellow cards with their reasons
    const warnings = page.locator('[data-test="cockpit-warnings"] .el-table__row')
    await warnings.first().waitFor()
    assert.ok((await warnings.count()) > 0)
    const reason = await warnings.filter({ hasText: '法制审核人员少于执法人员' }).first().textContent()
    assert.match(reason, /按不少于 5% 的要求应配备法制审核人员至少 \d+ 人/)
    assert.match(await page.locator('[data-test="stat-yellow"]').textContent(), /黄牌\s*[1-9]/)
    // departments table and drill-down
    await page.locator('[data-test="cockpit-departments"] .el-table__row').first().waitFor()
    await warnings.filter({ hasText: '法制审核人员少于执法人员' }).first().locator('[data-test="warning-link"]').click()
    await page.waitForURL(/#\/cockpit\/\d+$/)
    await page.locator('h1', { hasText: '驾驶舱' }).waitFor()
    await page.locator('[data-test="stat-reviewers"]').waitFor()
    // recompute on demand
    await page.locator('[data-test="cockpit-refresh"]').click()
    await page.getByText('已重新计算').waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
