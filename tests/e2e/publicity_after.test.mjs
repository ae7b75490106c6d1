// 事后公开 (issue 7) in a real browser: an officer's decision (made through
// the API, as the console's case pages do) waits in the publicity officer's
// queue with its countdown; 保密审查 shows the text before and after masking
// side by side with the masked spans marked; publishing needs the
// confirmation; the portal then shows the masked text only; a withdrawal
// with its reason replaces the content on the portal. A supervisor reads
// the masked side only.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, tableSettled, BASE } from './helpers.mjs'
import { queueDecision } from './decisions.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function openQueue(page) {
  const group = page.locator('.el-sub-menu', { hasText: '事后公开' })
  if (!(await group.evaluate((e) => e.classList.contains('is-opened')))) await page.locator('.el-sub-menu__title', { hasText: '事后公开' }).click()
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/publications'),
    page.locator('.el-aside .el-menu-item', { hasText: '决定公示' }).click()
  ])
  await page.locator('h1.page-title', { hasText: '决定公示' }).waitFor()
  await tableSettled(page)
}

test('the publicity officer reviews masking, publishes a decision and withdraws it', async () => {
  const d = await queueDecision()
  const masked = d.person.slice(0, 1) + '*'.repeat(16) + d.person.slice(-1)
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'publicity1')
    await openQueue(page)
    // the pending queue, with the working days left as the server counts them
    const api = await (await page.request.get(BASE + '/api/v1/publications?state=pending')).json()
    const item = api.items.find((i) => i.id === d.publicationId)
    assert.ok(item && typeof item.workdays_left === 'number', 'the API gives the working days left')
    const row = page.locator('.el-table__row', { has: page.locator(`[data-test="pubq-open"][data-id="${d.publicationId}"]`) })
    await row.locator('[data-test="pubq-row-state"]', { hasText: '待公示' }).waitFor()
    const countdown = row.locator('[data-test="pubq-countdown"]')
    const left = item.workdays_left
    assert.equal((await countdown.textContent()).trim(), left > 0 ? `剩余 ${left} 个工作日` : left === 0 ? '今日到期' : `已逾期 ${-left} 个工作日`)
    const level = item.clock_state === 'overdue' || left <= 0 ? 'red' : item.clock_state === 'due_soon' || left <= 2 ? 'yellow' : 'green'
    assert.equal(await countdown.getAttribute('data-level'), level)
    assert.ok(await countdown.evaluate((e, l) => e.classList.contains({ red: 'el-tag--danger', yellow: 'el-tag--warning', green: 'el-tag--success' }[l]), level), 'coloured ' + level)

    // 保密审查 of this decision: unmasked and masked side by side
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/publications/${d.publicationId}`),
      page.locator(`[data-test="pubq-open"][data-id="${d.publicationId}"]`, { hasText: '保密审查' }).click()
    ])
    const drawer = page.locator('[data-test="pubq-side"]')
    await drawer.waitFor()
    const unmasked = (await drawer.locator('[data-test="pubq-unmasked"]').allTextContents()).join('\n')
    const shown = (await drawer.locator('[data-test="pubq-masked"]').allTextContents()).join('\n')
    assert.ok(unmasked.includes(d.person) && unmasked.includes(d.phone), 'the original text is there for the review')
    assert.ok(!shown.includes(d.person) && !shown.includes(d.phone), 'the public side is masked')
    assert.ok(shown.includes(masked), 'the ID number masked to ' + masked)
    assert.ok(await drawer.locator('mark.pii', { hasText: d.person }).count() >= 1, 'the ID number is marked on the original side')
    assert.ok(await drawer.locator('mark.masked', { hasText: masked }).count() >= 1, 'and its mask on the public side')
    assert.match(await page.locator('[data-test="pubq-findings"]').textContent(), /已自动脱敏 \d+ 处：.*身份证号码 \d+ 处/)

    // publishing waits for the confirmation
    const publish = page.locator('[data-test="pubq-publish"]')
    assert.ok(await publish.isDisabled(), 'no publishing before 保密审查 is confirmed')
    await page.locator('[data-test="pubq-confirm"]').click()
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/publications/${d.publicationId}/publish`),
      publish.click()
    ])
    assert.equal(resp.status(), 200, await resp.text())
    await page.locator('.el-drawer .el-tag', { hasText: '公示中' }).waitFor()

    // the portal shows it, masked
    const portal = await context.newPage()
    await portal.goto(BASE + `/publications/${d.publicationId}`)
    const text = await portal.locator('main').textContent()
    assert.ok(text.includes('销售过期食品') && text.includes(masked), 'the decision is on the portal')
    assert.ok(!text.includes(d.person) && !text.includes(d.phone), 'nothing personal on the portal')

    // the row moved out of the pending queue
    await page.locator(`[data-test="pubq-open"][data-id="${d.publicationId}"]`).waitFor({ state: 'detached' })

    // withdraw it with a reason, from the drawer
    await page.locator('[data-test="pubq-drawer-withdraw"]').click()
    const box = page.locator('.el-message-box')
    await box.waitFor()
    // an empty reason is refused by the form
    await box.locator('.el-button--primary').click()
    await box.locator('.el-message-box__errormsg', { hasText: '请填写理由' }).waitFor()
    await box.locator('input').fill('原处罚决定已被依法撤销')
    const [wd] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/publications/${d.publicationId}/withdraw`),
      box.locator('.el-button--primary').click()
    ])
    assert.equal(wd.status(), 200, await wd.text())
    await page.locator('.el-drawer .el-tag', { hasText: '已撤下' }).waitFor()
    assert.match(await page.locator('.el-drawer').textContent(), /撤下理由：原处罚决定已被依法撤销/)
    await portal.reload()
    const after = await portal.locator('main').textContent()
    assert.ok(after.includes('原处罚决定已被依法撤销'), 'the portal shows the reason')
    assert.ok(!after.includes('销售过期食品'), 'and no longer the decision')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('a supervisor sees the masked text only, and no publish button', async () => {
  const d = await queueDecision()
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'supervisor1')
    await openQueue(page)
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/publications/${d.publicationId}`),
      page.locator(`[data-test="pubq-open"][data-id="${d.publicationId}"]`, { hasText: '查看' }).click()
    ])
    await page.locator('[data-test="pubq-side"]').waitFor()
    assert.equal(await page.locator('[data-test="pubq-unmasked"]').count(), 0)
    assert.equal(await page.locator('[data-test="pubq-publish"]').count(), 0)
    const shown = (await page.locator('[data-test="pubq-masked"]').allTextContents()).join('\n')
    assert.ok(!shown.includes(d.person))
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
