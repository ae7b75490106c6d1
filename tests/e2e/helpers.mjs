// helpers.mjs — shared by the browser tests: start Debian's chromium through
// playwright-core (no browser is ever downloaded), open the console, log in.
//
// ZHIFA_URL is the running server (tests/e2e/run.sh starts one on a free
// port with a fresh demo data directory); CHROMIUM overrides the browser.
import { chromium } from 'playwright-core'
import assert from 'node:assert/strict'

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
  const title = page.locator('[data-test="home-title"]')
  await title.waitFor()
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
