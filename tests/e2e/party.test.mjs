// 当事人档案 (issue 4, 集中储存): an officer looks up one party by its unified
// social credit code with a stated reason and sees, in one place, the
// party's cases with their documents and the recordings about it. The look
// is refused without a reason and recorded with one.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, CONSOLE, BASE } from './helpers.mjs'

const DEMO_COMPANY = '91369900MA35K7Q2XT' // the demo city's 青云粮油 (src/cmd/demo.c)

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('an officer opens one party\'s file: cases, documents and recordings', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    // a recording about the party, uploaded as the field app does
    const me = await (await page.request.get(BASE + '/api/v1/auth/me')).json()
    const up = await page.request.put(BASE + '/api/v1/evidence/raw?kind=video&party_id=' + DEMO_COMPANY +
      '&filename=' + encodeURIComponent('现场检查录像.mp4'), {
      headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'video/mp4' },
      data: Buffer.from('party-file-e2e-' + Date.now())
    })
    assert.ok([200, 201].includes(up.status()), await up.text())

    await page.goto(CONSOLE + '#/party-records')
    await page.locator('[data-test="party-ident"] input').fill(DEMO_COMPANY)
    // no reason: refused in the page, nothing asked of the server
    await page.locator('[data-test="party-search"]').click()
    await page.getByText('请填写查阅事由').waitFor()
    assert.equal(await page.locator('[data-test="party-cases"]').count(), 0)

    await page.locator('[data-test="party-reason"] input').fill('核查当事人以往违法记录')
    await page.locator('[data-test="party-search"]').click()
    const cases = page.locator('[data-test="party-cases"]')
    await cases.waitFor()
    assert.match(await cases.locator('.el-card__header').innerText(), /（[1-9]\d* 件案件）/)
    // the demo cases of the officer's department carry documents
    assert.ok((await cases.locator('.el-table__row').count()) >= 1, 'documents of the party\'s cases are listed')
    const ev = page.locator('[data-test="party-evidence"]')
    await ev.getByText('现场检查录像.mp4').waitFor()

    // the look was recorded with its reason (the auditor's view)
    const audit = await context.request.get(BASE + '/api/v1/audit?action=party_view')
    assert.equal(audit.status(), 403, 'an officer cannot read the audit trail')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('the auditor sees the party look-ups in the audit trail', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'auditor1')
    const r = await page.request.get(BASE + '/api/v1/audit?action=party_view&per_page=100')
    assert.equal(r.status(), 200)
    const rows = (await r.json()).items
    assert.ok(rows.filter((x) => x.actor === 'officer1').length >= 2, 'two look-ups: cases and records')
    assert.ok(rows.every((x) => !JSON.stringify(x).includes(DEMO_COMPANY)), 'the identifier stays out of the audit trail')
  } finally {
    await context.close()
  }
})
