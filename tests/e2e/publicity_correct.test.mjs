// 纠错 of published 事前公开 content (issue 7) in a real browser: the
// publicity officer corrects a published service guide; the correction is a
// new draft version with its note, the portal keeps the published version
// until someone else reviews the correction and it is published, and the
// history keeps both versions and the note.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, tableSettled, ApiClient, BASE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const GUIDE = {
  name: '食品小作坊登记（纠错测试）', basis: '《江西省食品小作坊小餐饮小食杂店管理条例》', accepting_body: '区市场监管分局窗口',
  approving_body: '区市场监督管理局', materials: '1. 登记申请书\n2. 身份证明', process: '申请、受理、现场核查、登记',
  time_limit: '15 个工作日', supervision: '市司法局 0791-88880000', remedies: '行政复议或行政诉讼',
  office_hours: '工作日 9:00-17:00', address: '卫东大道 1 号', phone: '0791-86660000'
}

test('a correction of a published guide waits for review, then replaces it on the portal with its history kept', async () => {
  const stamp = String(Date.now()).slice(-6)
  const before1 = `生产场所面积不小于${stamp}平方米`
  const after2 = `生产场所面积不小于${stamp}平方米，并有独立的原料库房`
  const pub = new ApiClient()
  const dept = (await pub.login('publicity1')).user.department_id
  const head = new ApiClient()
  await head.login('head1')
  // a matter of the department without a guide yet (the last one; the other
  // browser test writes the first)
  let r = await pub.call('GET', `/matters?department_id=${dept}&per_page=100`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const taken = new Set((await pub.call('GET', '/publicity-items?kind=guide&per_page=100')).data.items.map((i) => i.matter_id))
  const matter = r.data.items.filter((m) => !taken.has(m.id)).pop()
  assert.ok(matter, 'a matter without a guide')
  r = await pub.call('POST', `/departments/${dept}/publicity-items`, { kind: 'guide', matter_id: matter.id, ...GUIDE, conditions: before1 })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id
  assert.equal((await head.call('POST', `/publicity-items/${id}/review`)).status, 200)
  assert.equal((await pub.call('POST', `/publicity-items/${id}/publish`)).status, 200)
  const portalPath = `/departments/${dept}/guides/${matter.id}`
  assert.ok((await (await fetch(BASE + portalPath)).text()).includes(before1), 'published')

  const { context, page } = await newPage(browser)
  try {
    await login(page, 'publicity1')
    await page.goto(BASE + '/console/#/publicity?kind=guide')
    await page.locator('h1.page-title', { hasText: '公开内容' }).waitFor()
    await tableSettled(page)
    const row = page.locator('.el-table__row', { hasText: GUIDE.name }).first()
    await row.locator('[data-test="pub-row-state"]', { hasText: '已发布' }).waitFor()
    await row.locator('[data-test="pub-edit"]', { hasText: '纠错' }).click()
    const dlg = page.locator('.el-dialog', { hasText: '纠错：服务指南' })
    await dlg.waitFor()
    await dlg.locator('.el-alert', { hasText: '保存后生成新版本草稿' }).waitFor()
    await dlg.locator('[data-test="pub-field-conditions"]').fill(after2)
    // the note is required for a correction: the server says so
    const [refused] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/api/v1/publicity-items/${id}` && x.request().method() === 'PUT'),
      dlg.locator('[data-test="pub-save"]').click()
    ])
    assert.equal(refused.status(), 400)
    await dlg.locator('.el-alert--error').waitFor()
    await dlg.locator('[data-test="pub-note"]').fill('补充原料库房要求')
    const [saved] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/api/v1/publicity-items/${id}` && x.request().method() === 'PUT'),
      dlg.locator('[data-test="pub-save"]').click()
    ])
    assert.equal(saved.status(), 200, await saved.text())
    await tableSettled(page)
    await row.locator('[data-test="pub-row-state"]', { hasText: '草稿' }).waitFor()
    assert.match(await row.textContent(), /第 2 版.*公开第 1 版/)
    // the portal still shows version 1
    let portal = await (await fetch(BASE + portalPath)).text()
    assert.ok(portal.includes(before1) && !portal.includes('原料库房'), 'the published version stays until the correction is published')

    // head1 reviews; publicity1 publishes from the console
    assert.equal((await head.call('POST', `/publicity-items/${id}/review`)).status, 200)
    await page.reload()
    await tableSettled(page)
    await row.locator('[data-test="pub-row-state"]', { hasText: '已审核' }).waitFor()
    const [published] = await Promise.all([
      page.waitForResponse((x) => new URL(x.url()).pathname === `/api/v1/publicity-items/${id}/publish`),
      row.locator('[data-test="pub-publish"]').click()
    ])
    assert.equal(published.status(), 200)
    await row.locator('[data-test="pub-row-state"]', { hasText: '已发布' }).waitFor()
    portal = await (await fetch(BASE + portalPath)).text()
    assert.ok(portal.includes(after2), 'the correction is on the portal')

    // the history keeps both versions and the note
    await row.locator('[data-test="pub-history"]').click()
    const hist = page.locator('[data-test="pub-history-list"]')
    await hist.locator('text=补充原料库房要求').waitFor()
    const text = await hist.textContent()
    for (const s of ['创建', '审核', '发布', '第 1 版', '第 2 版', '说明：补充原料库房要求']) assert.ok(text.includes(s), 'history has ' + s)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
