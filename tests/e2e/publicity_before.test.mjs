// 事前公开 / 事中公示 (issue 7) in a real browser:
//  * a member of the public checks an officer's certificate from the portal
//    (the 执法人员核验 link, the form, the result; an unknown number gets a
//    clear 404 page);
//  * the publicity officer writes a service guide in the console, it cannot
//    be published before someone else reviews it (the head does), then the
//    publicity officer publishes it and it appears on the portal.
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

const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)

test('a member of the public verifies an officer by certificate number', async () => {
  const api = new ApiClient()
  await api.login('admin')
  const r = await api.call('GET', '/officers?status=active&per_page=100')
  const officer = r.data.items.find((o) => o.certificate_valid_from <= today() && o.certificate_valid_to >= today())
  assert.ok(officer, 'the demo city has an officer with a valid certificate')

  const { context, page } = await newPage(browser)
  try {
    await page.goto(BASE + '/')
    await page.locator('.site-nav a', { hasText: '执法人员核验' }).click()
    await page.locator('h1', { hasText: '执法人员身份核验' }).waitFor()
    await page.getByRole('textbox', { name: '执法证号', exact: true }).fill(officer.certificate_no)
    await page.getByRole('button', { name: '核验', exact: true }).click()
    await page.locator('h1', { hasText: '执法证件核验结果' }).waitFor()
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), '/verify/officer/' + officer.certificate_no)
    const verdict = (await page.locator('[role="status"]').textContent()).trim()
    assert.match(verdict, /证件有效/)
    assert.equal((await page.locator('#officer-name').textContent()).trim(), officer.name)
    const facts = await page.locator('.officer-card dl').textContent()
    assert.ok(facts.includes(officer.department_name), 'shows the department')
    assert.ok(facts.includes(`${officer.certificate_valid_from} 至 ${officer.certificate_valid_to}`), 'shows the validity')
    for (const c of officer.categories) assert.ok(facts.includes(c), 'shows the category ' + c)

    // An unknown number: a 404 page that says so in Chinese.
    await page.goto(BASE + '/verify')
    await page.getByRole('textbox', { name: '执法证号', exact: true }).fill('赣0000000000000')
    const [resp] = await Promise.all([
      page.waitForResponse((x) => decodeURIComponent(new URL(x.url()).pathname).startsWith('/verify/officer/')),
      page.getByRole('button', { name: '核验', exact: true }).click()
    ])
    assert.equal(resp.status(), 404)
    await page.locator('main', { hasText: '未查询到执法证号为“赣0000000000000”的执法人员' }).waitFor()

    // The printable card carries a QR code of the verification page.
    await page.goto(BASE + '/verify/officer/' + encodeURIComponent(officer.certificate_no) + '/card')
    await page.locator('svg.qr[role="img"]').waitFor()
    assert.ok((await page.locator('.card-url').textContent()).includes('/verify/officer/'))
  } finally {
    await context.close()
  }
})

async function openPublicity(page) {
  // the group starts open; a click on its title would fold it (a long menu)
  const group = page.locator('.el-sub-menu', { hasText: '事前公开' })
  if (!(await group.evaluate((e) => e.classList.contains('is-opened')))) await page.locator('.el-sub-menu__title', { hasText: '事前公开' }).click()
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/publicity-items'),
    page.locator('.el-aside .el-menu-item', { hasText: '公开内容' }).click()
  ])
  await page.locator('h1.page-title', { hasText: '公开内容' }).waitFor()
  await tableSettled(page)
}

test('the publicity officer publishes a service guide after review and it appears on the portal', async () => {
  const marker = '经营场所面积不小于' + String(Date.now()).slice(-6) + '平方米'
  const pub = await newPage(browser)
  const head = await newPage(browser)
  try {
    // 1. publicity1 writes the guide.
    const page = pub.page
    await login(page, 'publicity1')
    await openPublicity(page)
    await page.locator('[data-test="pub-new"]').click()
    await page.locator('.el-dialog', { hasText: '新建服务指南' }).waitFor()
    await page.locator('[data-test="pub-matter"]').click()
    await page.locator('.el-select-dropdown__item:visible').first().click()
    const values = {
      name: '食品经营许可（网页测试）', basis: '《中华人民共和国食品安全法》第三十五条', accepting_body: '政务服务中心市场监管窗口',
      approving_body: '市市场监督管理局', conditions: marker, materials: '1. 申请书\n2. 营业执照', process: '申请、受理、审查、决定',
      time_limit: '10 个工作日', supervision: '市司法局 0791-88880000', remedies: '行政复议或行政诉讼',
      office_hours: '工作日 9:00-17:00', address: '卫东大道 1 号', phone: '0791-86660000'
    }
    for (const [k, v] of Object.entries(values)) await page.locator(`[data-test="pub-field-${k}"]`).fill(v)
    const [created] = await Promise.all([
      page.waitForResponse((r) => /\/publicity-items$/.test(new URL(r.url()).pathname) && r.request().method() === 'POST'),
      page.locator('[data-test="pub-save"]').click()
    ])
    assert.equal(created.status(), 201, await created.text())
    const item = await created.json()
    await tableSettled(page)
    const row = page.locator('.el-table__row', { hasText: values.name }).first()
    await row.locator('[data-test="pub-row-state"]', { hasText: '草稿' }).waitFor()
    // Nobody reviews their own text: the button is there but disabled.
    assert.ok(await row.locator('[data-test="pub-review"]').isDisabled(), 'own draft cannot be reviewed')
    const portalPath = `/departments/${item.department_id}/guides/${item.matter_id}`
    let portal = await (await fetch(BASE + portalPath)).text()
    assert.ok(!portal.includes(marker), 'a draft is not on the portal')

    // 2. head1 reviews it.
    await login(head.page, 'head1')
    await openPublicity(head.page)
    const hrow = head.page.locator('.el-table__row', { hasText: values.name }).first()
    await Promise.all([
      head.page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(`/publicity-items/${item.id}/review`)),
      hrow.locator('[data-test="pub-review"]').click()
    ])
    await hrow.locator('[data-test="pub-row-state"]', { hasText: '已审核' }).waitFor()
    portal = await (await fetch(BASE + portalPath)).text()
    assert.ok(!portal.includes(marker), 'reviewed but unpublished is not on the portal')

    // 3. publicity1 publishes it.
    await page.reload()
    await page.locator('h1.page-title', { hasText: '公开内容' }).waitFor()
    await tableSettled(page)
    const prow = page.locator('.el-table__row', { hasText: values.name }).first()
    const [published] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(`/publicity-items/${item.id}/publish`)),
      prow.locator('[data-test="pub-publish"]').click()
    ])
    assert.equal(published.status(), 200)
    await prow.locator('[data-test="pub-row-state"]', { hasText: '已发布' }).waitFor()

    // 4. The history shows the three steps.
    await prow.locator('[data-test="pub-history"]').click()
    const hist = page.locator('[data-test="pub-history-list"]')
    await hist.locator('text=发布').waitFor()
    const histText = await hist.textContent()
    for (const a of ['创建', '审核', '发布']) assert.ok(histText.includes(a), 'history has ' + a)

    // 5. It is on the portal, every field of it.
    const portalPage = await pub.context.newPage()
    await portalPage.goto(BASE + portalPath)
    await portalPage.locator('dl.guide').waitFor()
    const guide = await portalPage.locator('dl.guide').textContent()
    assert.ok(guide.includes(marker), 'the published guide shows its conditions')
    for (const label of ['事项名称', '设定依据', '受理机构', '审批机构', '受理条件', '申请材料', '办理流程', '办理时限', '监督方式', '救济渠道', '办公时间', '办公地址', '办公电话']) {
      assert.ok(guide.includes(label), 'guide has ' + label)
    }
    await portalPage.locator('svg.flowchart title').first().waitFor({ state: 'attached' })
    assert.deepEqual(pub.page.errors, [])
    assert.deepEqual(head.page.errors, [])
  } finally {
    await pub.context.close()
    await head.context.close()
  }
})
