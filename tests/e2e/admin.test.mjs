// The administrator manages accounts: 账户管理 lists the demo users, and
// filtering by role narrows the list. Other roles have no such menu entry.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, listTotal, listReload, columnTexts, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('admin opens 账户管理 and sees the user list', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'admin')
    await listReload(page, '/users', () => page.locator('.el-menu-item', { hasText: '账户管理' }).click())
    assert.match(page.url(), /#\/users/)
    await page.locator('h1.page-title', { hasText: '账户管理' }).waitFor()
    await page.locator('[data-test="user-table"] tbody tr').first().waitFor()
    const names = await columnTexts(page, '用户名')
    for (const u of ['admin', 'officer1', 'officer2', 'reviewer1', 'head1', 'publicity1', 'supervisor1', 'auditor1']) {
      assert.ok(names.includes(u), `user list shows ${u} (got ${names.join(',')})`)
    }
    const all = await listTotal(page)
    assert.ok(all >= 8)

    // Filter by role 执法人员: only officers remain.
    await page.locator('.toolbar .el-select', { hasText: '全部角色' }).click()
    await listReload(page, '/users', () => page.locator('.el-select-dropdown__item:visible', { hasText: /^执法人员$/ }).click())
    assert.match(page.url(), /role=officer/)
    const roles = await columnTexts(page, '角色')
    assert.ok(roles.length >= 2)
    assert.ok(roles.every((r) => r === '执法人员'), `only officers: ${roles.join(',')}`)
    assert.ok((await listTotal(page)) < all)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('admin opens 新建账户 and sees a validated form', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'admin')
    await page.goto(CONSOLE + '#/users')
    await page.locator('#user-create').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建账户' })
    await dialog.waitFor()
    await dialog.locator('button', { hasText: '保存' }).click()
    await dialog.locator('.el-form-item__error', { hasText: '请输入姓名' }).waitFor()
  } finally {
    await context.close()
  }
})

test('an officer has no 账户管理 and is turned away from it', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    assert.equal(await page.locator('.el-menu-item', { hasText: '账户管理' }).count(), 0)
    await page.goto(CONSOLE + '#/users')
    await page.locator('.el-result', { hasText: '无权访问' }).waitFor()
  } finally {
    await context.close()
  }
})
