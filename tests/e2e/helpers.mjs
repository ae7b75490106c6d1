// helpers.mjs — shared by the browser tests: start Debian's chromium through
// playwright-core (no browser is ever downloaded), open the console, log in.
//
// ZHIFA_URL is the running server (tests/e2e/run.sh starts one on a free
// port with a fresh demo data directory); CHROMIUM overrides the browser.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'

export const BASE = (process.env.ZHIFA_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const CONSOLE = BASE + '/console/'
export const DEMO_PASSWORD = 'demo-password-2026'

// Flags keep chromium from reaching the network on its own (updates, sync,
// QUIC probes) and let it run as root in a container. Playwright adds
// --headless and a fresh temporary --user-data-dir of its own on launch()
// (and deletes it on close), so every run starts from an empty profile.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
]

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60000
  })
}

// A fresh context (own cookies) and page. Uncaught page errors are
// collected so a test can assert the console ran cleanly.
export async function newPage(browser) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  page.errors = []
  page.on('pageerror', (e) => page.errors.push(String(e)))
  return { context, page }
}

export async function openLogin(page) {
  await page.goto(CONSOLE + '#/login')
  await page.locator('#login-username').waitFor()
}

export async function fillLogin(page, username, password) {
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(password)
  await page.locator('#login-submit').click()
}

// Logs in and waits for the role's home title ("执法人员工作台" ...).
export async function login(page, username, password = DEMO_PASSWORD) {
  await openLogin(page)
  await fillLogin(page, username, password)
  // Either the home appears or the login page says why not; report the
  // server's sentence rather than a bare timeout.
  const title = page.locator('[data-test="home-title"]')
  const refusal = page.locator('[data-test="login-error"], #login-totp')
  await title.or(refusal).first().waitFor()
  if (!(await title.count())) {
    const why = (await page.locator('[data-test="login-error"]').count())
      ? await page.locator('[data-test="login-error"]').textContent()
      : 'the server asked for 动态验证码'
    assert.fail(`login as ${username} refused: ${why.trim()}`)
  }
  return (await title.textContent()).trim()
}

// The "共 N 条" figure under a list.
export async function listTotal(page) {
  const t = page.locator('.el-pagination__total').first()
  await t.waitFor()
  const m = (await t.textContent()).match(/(\d+)/)
  assert.ok(m, 'pagination total shows a number')
  return Number(m[1])
}

// Runs action (a click, a fill...) and waits for the list request it
// triggers to answer and the table to redraw, so assertions never read the
// rows of the previous request.
export async function listReload(page, apiPath, action) {
  await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1' + apiPath && r.request().method() === 'GET'),
    action()
  ])
  await tableSettled(page)
}

// Waits until the table has finished loading (no spinner mask).
export async function tableSettled(page) {
  await page.waitForFunction(() => !document.querySelector('.el-table .el-loading-mask'))
}

// The text of one column (by header label) for every row of the first table.
export async function columnTexts(page, label) {
  return page.evaluate((label) => {
    const table = document.querySelector('.el-table')
    const heads = [...table.querySelectorAll('.el-table__header-wrapper th')]
    const idx = heads.findIndex((th) => th.textContent.trim() === label)
    if (idx < 0) throw new Error('no column ' + label)
    const rows = [...table.querySelectorAll('.el-table__body-wrapper tbody tr')]
    return rows.map((tr) => (tr.children[idx] ? tr.children[idx].textContent.trim() : ''))
  }, label)
}

// A minimal API client for test setup (creating a user, enabling TOTP):
// keeps the session cookie and CSRF token like the console does.
export class ApiClient {
  constructor() {
    this.cookie = ''
    this.csrf = ''
  }

  async call(method, path, body) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.cookie) headers.Cookie = this.cookie
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf
    const res = await fetch(BASE + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const setCookie = res.headers.get('set-cookie')
    const m = setCookie && setCookie.match(/zf_session=([^;]*)/)
    if (m) this.cookie = 'zf_session=' + m[1]
    const text = await res.text()
    const data = text ? JSON.parse(text) : null
    if (data && data.csrf_token) this.csrf = data.csrf_token
    return { status: res.status, data }
  }

  async login(username, password = DEMO_PASSWORD, totp) {
    const r = await this.call('POST', '/auth/login', totp ? { username, password, totp } : { username, password })
    assert.equal(r.status, 200, `API login ${username}: ${JSON.stringify(r.data)}`)
    return r.data
  }
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, so a test can
// act as the authenticator app.
export function totpCode(secretB32, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of secretB32.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch)
    if (v < 0) continue
    bits += v.toString(2).padStart(5, '0')
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8))
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2)
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const off = mac[mac.length - 1] & 0x0f
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000
  return String(n).padStart(6, '0')
}
