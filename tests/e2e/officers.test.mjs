// An officer browses 执法人员: the list pages, filters by department, and
// finds one officer by certificate number. The console's figures must
// agree with the API's.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, listTotal, listReload, columnTexts, BASE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('officer browses 执法人员 and filters by department and certificate number', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.locator('.el-sub-menu__title', { hasText: '三库' }).waitFor()
    await listReload(page, '/officers', () => page.locator('.el-menu-item', { hasText: '执法人员' }).click())
    assert.match(page.url(), /#\/officers/)

    const all = await listTotal(page)
    const api = await (await context.request.get(BASE + '/api/v1/officers?per_page=1')).json()
    assert.equal(all, api.total, 'unfiltered total matches the API')
    assert.ok(all >= 80, `demo city has at least 80 officers (got ${all})`)
    assert.equal((await columnTexts(page, '姓名')).length, 20, 'first page holds 20 rows')

    // Filter by 市场监督管理局.
    await page.locator('[data-test="officer-dept"]').click()
    await listReload(page, '/officers', () =>
      page.locator('.el-select-dropdown__item:visible', { hasText: '市场监督管理局' }).first().click())
    assert.match(page.url(), /department_id=/)
    const deptId = new URL(page.url().replace('#/', '')).searchParams.get('department_id')
    const filtered = await listTotal(page)
    const apiDept = await (await context.request.get(`${BASE}/api/v1/officers?per_page=1&department_id=${deptId}`)).json()
    assert.equal(filtered, apiDept.total, 'filtered total matches the API')
    assert.ok(filtered > 0 && filtered < all, `department filter narrows the list (${filtered} of ${all})`)
    const depts = await columnTexts(page, '所属部门')
    assert.ok(depts.every((d) => d.includes('市场监督管理局')), `only that department: ${depts.join(',')}`)

    // Search one certificate number: exactly that officer.
    const certs = await columnTexts(page, '执法证号')
    const names = await columnTexts(page, '姓名')
    await page.locator('#officer-q').fill(certs[0])
    await listReload(page, '/officers', () => page.locator('#officer-search').click())
    assert.match(page.url(), /q=/)
    assert.deepEqual(await columnTexts(page, '执法证号'), [certs[0]])
    assert.deepEqual(await columnTexts(page, '姓名'), [names[0]])

    // A search that matches nothing explains itself.
    await page.locator('#officer-q').fill('没有这个人-zz')
    await listReload(page, '/officers', () => page.locator('#officer-search').click())
    await page.locator('.el-empty', { hasText: '没有符合条件的执法人员' }).waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('officer sorts 执法人员 by certificate validity', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(page.url().replace(/#.*$/, '#/officers'))
    await page.locator('[data-test="officer-table"] tbody tr').first().waitFor()
    await listReload(page, '/officers', () => page.locator('.el-table__header-wrapper th', { hasText: '证件有效期至' }).click())
    assert.match(page.url(), /sort=valid_to/)
    const dates = (await columnTexts(page, '证件有效期至')).filter((d) => d !== '—')
    assert.ok(dates.length > 1)
    assert.deepEqual(dates, [...dates].sort(), 'ascending by valid_to')
  } finally {
    await context.close()
  }
})
