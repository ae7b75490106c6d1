// A user with the second factor on: the console asks for 动态验证码 after
// the password, refuses a wrong code with the server's message, and lets
// the right one in. The user is created for this test (so the shared demo
// logins stay factor-free) and its authenticator is played by totpCode().
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, openLogin, fillLogin, ApiClient, totpCode } from './helpers.mjs'

const USERNAME = 'e2e_totp_' + process.pid
const PASSWORD = 'Qiang-Mi-Ma-e2e-7391'

let browser
let secret
let enabledStep // the 30-second step whose code enabled the factor
before(async () => {
  browser = await launch()
  const admin = new ApiClient()
  await admin.login('admin')
  const depts = await admin.call('GET', '/departments?per_page=1')
  assert.equal(depts.status, 200)
  const created = await admin.call('POST', '/users', {
    username: USERNAME, display_name: '双因素测试', role: 'officer',
    department_id: depts.data.items[0].id, password: PASSWORD
  })
  assert.ok(created.status === 200 || created.status === 201, `create user: ${JSON.stringify(created.data)}`)

  const me = new ApiClient()
  await me.login(USERNAME, PASSWORD)
  const setup = await me.call('POST', '/auth/totp/setup', {})
  assert.equal(setup.status, 200, JSON.stringify(setup.data))
  secret = setup.data.secret
  assert.match(setup.data.otpauth_uri, /^otpauth:\/\/totp\//)
  enabledStep = Math.floor(Date.now() / 30000)
  const en = await me.call('POST', '/auth/totp/enable', { code: totpCode(secret, enabledStep * 30000) })
  assert.equal(en.status, 200, JSON.stringify(en.data))
})
after(async () => {
  await browser?.close()
})

test('login asks for 动态验证码, refuses a wrong one, accepts the right one', async () => {
  const { context, page } = await newPage(browser)
  try {
    await openLogin(page)
    assert.equal(await page.locator('#login-totp').count(), 0, 'no code field before the password')
    await fillLogin(page, USERNAME, PASSWORD)
    await page.locator('#login-totp').waitFor()

    // A code from far away in time is wrong now.
    await page.locator('#login-totp').fill(totpCode(secret, Date.now() - 3600 * 1000))
    await page.locator('#login-submit').click()
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.match(await alert.textContent(), /验证码/)
    assert.match(page.url(), /#\/login/)

    // The server refuses a code from a step it has already accepted (replay),
    // so log in with the next step's code, which its ±1-step window admits.
    const step = Math.max(enabledStep + 1, Math.floor(Date.now() / 30000))
    await page.locator('#login-totp').fill(totpCode(secret, step * 30000))
    await page.locator('#login-submit').click()
    const title = page.locator('[data-test="home-title"]')
    await title.waitFor()
    assert.equal((await title.textContent()).trim(), '执法人员工作台')
  } finally {
    await context.close()
  }
})
