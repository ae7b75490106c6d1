// Editing through the console reaches the server: an admin creates an
// account that can then log in, a department head edits an officer of their
// own department and adds an internal unit. Each change is read back from
// the API, not just from the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, listReload, columnTexts, ApiClient, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('admin creates an account in 账户管理 and the new user can log in', async () => {
  const username = 'e2e_new_' + process.pid
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'admin')
    await page.goto(CONSOLE + '#/users')
    await page.locator('#user-create').click()
    const dlg = page.locator('.el-dialog', { hasText: '新建账户' })
    await dlg.waitFor()
    const item = (label) => dlg.locator('.el-form-item', { hasText: label })
    await item('用户名').locator('input').fill(username)
    await item('姓名').locator('input').fill('测试新用户')
    await item('所属部门').locator('.el-select').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '市场监督管理局' }).first().click()
    await item('初始密码').locator('input').fill('Xin-Zhang-Hu-Mi-Ma-8826')
    await listReload(page, '/users', () => dlg.locator('button', { hasText: '保存' }).click())
    await page.locator('.el-message--success', { hasText: '已创建' }).waitFor()

    const api = new ApiClient()
    await api.login('admin')
    const r = await api.call('GET', '/users?q=' + username)
    assert.equal(r.status, 200)
    const row = r.data.items.find((u) => u.username === username)
    assert.ok(row, 'the API lists the new account')
    assert.equal(row.role, 'officer', 'default role is 执法人员')
    assert.match(row.department_name, /市场监督管理局/)

    const { context: c2, page: p2 } = await newPage(browser)
    try {
      assert.equal(await login(p2, username, 'Xin-Zhang-Hu-Mi-Ma-8826'), '执法人员工作台')
    } finally {
      await c2.close()
    }
  } finally {
    await context.close()
  }
})

test('head edits an officer of their department; the API has the change', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'head1')
    const api = new ApiClient()
    const me = await api.login('head1')
    const deptId = me.user.department_id
    await page.goto(CONSOLE + `#/officers?department_id=${deptId}&sort=certificate_no`)
    await page.locator('[data-test="officer-table"] tbody tr').first().waitFor()
    const cert = (await columnTexts(page, '执法证号'))[0]

    await page.locator('[data-test="officer-table"] tbody tr').first().locator('button', { hasText: '编辑' }).click()
    const dlg = page.locator('.el-dialog', { hasText: '编辑执法人员' })
    await dlg.waitFor()
    const pos = dlg.locator('.el-form-item', { hasText: '职务' }).locator('input')
    const newPos = '副科长' + (process.pid % 100)
    await pos.fill(newPos)
    await listReload(page, '/officers', () => dlg.locator('button', { hasText: '保存' }).click())
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()

    const r = await api.call('GET', '/officers?q=' + encodeURIComponent(cert))
    assert.equal(r.status, 200)
    assert.equal(r.data.items.length, 1)
    assert.equal(r.data.items[0].position, newPos)
  } finally {
    await context.close()
  }
})

test('head adds an internal unit to their own department', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'head1')
    const api = new ApiClient()
    const me = await api.login('head1')
    const deptId = me.user.department_id
    const before = (await api.call('GET', `/departments/${deptId}`)).data.units.length

    await page.goto(CONSOLE + `#/departments/${deptId}`)
    await page.locator('button', { hasText: '新增内设机构' }).click()
    const dlg = page.locator('.el-dialog', { hasText: '新增内设机构' })
    await dlg.waitFor()
    const name = '测试科' + process.pid
    await dlg.locator('.el-form-item', { hasText: '名称' }).locator('input').fill(name)
    await dlg.locator('button', { hasText: '保存' }).click()
    await page.locator('.el-table', { hasText: name }).waitFor()

    const units = (await api.call('GET', `/departments/${deptId}`)).data.units
    assert.equal(units.length, before + 1)
    assert.ok(units.some((u) => u.name === name))
  } finally {
    await context.close()
  }
})
