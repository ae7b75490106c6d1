// Each demo login reaches its role's home; a wrong password is refused with
// the server's message; logging out returns to 登录.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, openLogin, fillLogin, CONSOLE, BASE } from './helpers.mjs'

const HOMES = {
  admin: '系统管理员工作台',
  officer1: '执法人员工作台',
  officer2: '执法人员工作台',
  reviewer1: '法制审核人员工作台',
  head1: '部门负责人工作台',
  publicity1: '公示管理员工作台',
  supervisor1: '司法局监督人员工作台',
  auditor1: '审计员工作台'
}

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

for (const [username, title] of Object.entries(HOMES)) {
  test(`${username} logs in and sees ${title}`, async () => {
    const { context, page } = await newPage(browser)
    try {
      assert.equal(await login(page, username), title)
      // The header names the user and their role.
      const who = await page.locator('[data-test="whoami"]').textContent()
      assert.match(who, new RegExp(title.replace('工作台', '')))
      // Home figures come from the API; none may stay as a loading skeleton.
      await page.waitForFunction(() => !document.querySelector('.stat .el-skeleton'))
      assert.deepEqual(page.errors, [])
    } finally {
      await context.close()
    }
  })
}

test('a wrong password shows 用户名或密码错误 and stays on 登录', async () => {
  const { context, page } = await newPage(browser)
  try {
    await openLogin(page)
    await fillLogin(page, 'officer2', 'not-the-password-1')
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.match(await alert.textContent(), /用户名或密码错误/)
    assert.match(page.url(), /#\/login/)
    assert.equal(await page.locator('[data-test="home-title"]').count(), 0)
    // The password field is cleared for the next try.
    assert.equal(await page.locator('#login-password').inputValue(), '')
  } finally {
    await context.close()
  }
})

test('an unknown user gets the same message (no user enumeration)', async () => {
  const { context, page } = await newPage(browser)
  try {
    await openLogin(page)
    await fillLogin(page, 'nobody-here', 'whatever-password-1')
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.match(await alert.textContent(), /用户名或密码错误/)
  } finally {
    await context.close()
  }
})

test('a page behind login sends a stranger to 登录, then back after login', async () => {
  const { context, page } = await newPage(browser)
  try {
    await page.goto(CONSOLE + '#/laws')
    await page.locator('#login-username').waitFor()
    assert.match(page.url(), /#\/login\?redirect=/)
    await fillLogin(page, 'reviewer1', 'demo-password-2026')
    await page.waitForURL(/#\/laws$/)
    await page.locator('h1.page-title', { hasText: '法律法规' }).waitFor()
  } finally {
    await context.close()
  }
})

test('退出登录 ends the session', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'publicity1')
    await page.locator('#logout').click()
    await page.locator('#login-username').waitFor()
    // The server no longer knows this session.
    const r = await context.request.get(CONSOLE.replace(/\/console\/$/, '') + '/api/v1/auth/me')
    assert.equal(r.status(), 401)
    await page.goto(CONSOLE + '#/')
    await page.locator('#login-username').waitFor()
  } finally {
    await context.close()
  }
})

test('the missing-calendar banner shows exactly when the server reports a missing year', async () => {
  const status = await (await fetch(BASE + '/api/v1/calendar/status')).json()
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    const banner = page.locator('#calendar-warning')
    if (status.missing_year) {
      await banner.waitFor()
      assert.match(await banner.textContent(), new RegExp(String(status.missing_year)))
    } else {
      // give the status request time to come back before asserting absence
      await page.waitForLoadState('networkidle')
      assert.equal(await banner.count(), 0)
    }
  } finally {
    await context.close()
  }
})
