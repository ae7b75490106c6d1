// 工作日历 and 期限预警 in the console: the month view marks the 2024
// National Day holiday and its 调休 Saturday as the State Council's notice
// says, the calculator counts working days through them, the administrator
// imports a year's schedule from a holiday-cn JSON file (a bad file gets the
// server's Chinese reason), other roles are offered no import, and the
// supervisor's 期限预警 agrees with the API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, newPage, login, listTotal, tableSettled, columnTexts, BASE } from './helpers.mjs'

// The imported year is one no other test looks at: importing 2027 would
// race login.test.mjs's banner check from December 2026 on (the banner
// follows /calendar/status, which would flip from "2027 missing" to none).
// 2099-01-01 is a Thursday, 2099-01-03 a Saturday.
const IMPORT_YEAR = 2099
const GOOD = {
  year: IMPORT_YEAR,
  papers: ['https://example.invalid/2099-holidays'],
  days: [
    { name: '元旦', date: '2099-01-01', isOffDay: true },
    { name: '元旦', date: '2099-01-02', isOffDay: true },
    { name: '元旦', date: '2099-01-03', isOffDay: false }
  ]
}
const BAD = { year: IMPORT_YEAR, days: [{ name: '元旦', date: '2099-02-30', isOffDay: true }] }

let browser
let dir
before(async () => {
  browser = await launch()
  dir = await mkdtemp(join(tmpdir(), 'zhifa-cal-'))
})
after(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

// Waits for a GET of apiPath (and, when given, a query param value) that
// action triggers.
async function reload(page, apiPath, action, param) {
  await Promise.all([
    page.waitForResponse((r) => {
      const u = new URL(r.url())
      if (u.pathname !== '/api/v1' + apiPath || r.request().method() !== 'GET') return false
      return !param || u.searchParams.get(param[0]) === param[1]
    }),
    action()
  ])
}

async function pick(page, selectTest, optionText) {
  await page.locator(`[data-test="${selectTest}"]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click()
}

async function openCalendar(page) {
  await page.locator('.el-sub-menu__title', { hasText: '期限管理' }).waitFor()
  await reload(page, '/calendar/years', () => page.locator('.el-aside .el-menu-item', { hasText: '工作日历' }).click())
  await page.locator('h1.page-title', { hasText: '工作日历' }).waitFor()
  assert.match(page.url(), /#\/calendar/)
}

test('officer sees 国庆节 2024 and its 调休 working day in 工作日历, and counts working days', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await openCalendar(page)

    // To October 2024 with the year and month pickers; the 2024 month is
    // fetched from the API, which covers the days the grid shows.
    await reload(page, '/calendar', () => pick(page, 'cal-year', '2024 年'))
    await reload(page, '/calendar', () => pick(page, 'cal-month', '10 月'), ['from', '2024-09-24'])
    const oct1 = page.locator('.cell[data-date="2024-10-01"]')
    await oct1.waitFor()
    await page.waitForFunction(() => document.querySelector('.cell[data-date="2024-10-01"]').classList.contains('is-rest'))
    assert.match(await oct1.textContent(), /休/)
    assert.match(await oct1.textContent(), /国庆节/)
    for (const d of ['2024-10-02', '2024-10-07']) {
      assert.match(await page.locator(`.cell[data-date="${d}"]`).getAttribute('class'), /is-rest/, d + ' is a holiday')
    }
    const oct12 = page.locator('.cell[data-date="2024-10-12"]')
    assert.match(await oct12.getAttribute('class'), /is-work/, '2024-10-12 (Saturday) is a 调休 working day')
    assert.match(await oct12.textContent(), /班/)
    assert.doesNotMatch(await oct12.textContent(), /休/)
    const oct8 = page.locator('.cell[data-date="2024-10-08"]')
    assert.doesNotMatch(await oct8.getAttribute('class'), /is-rest|is-work|is-weekend/, 'an ordinary Tuesday')
    assert.match(await page.locator('.cell[data-date="2024-10-19"]').getAttribute('class'), /is-weekend/)
    // The page shows what the API says for every marked day of the month.
    const api = await (await context.request.get(BASE + '/api/v1/calendar?from=2024-10-01&to=2024-10-31')).json()
    const marked = await page.evaluate(() =>
      [...document.querySelectorAll('.cell.is-rest, .cell.is-work')].map((c) => c.dataset.date).filter((d) => d.startsWith('2024-10')))
    assert.deepEqual(marked.sort(), api.days.filter((d) => d.kind !== 'normal').map((d) => d.date).sort())

    // Calculator: 2024-09-27 (Friday) + 7 working days. 9-28 is a plain
    // Saturday, 9-29 (Sunday) a 调休 working day, 10-1..7 off, and 10-12
    // (Saturday) a working day again: 9-29, 9-30, 10-8, 10-9, 10-10, 10-11,
    // 10-12 — the 7th is 2024-10-12 and the 6th 2024-10-11.
    async function calc(from, n) {
      await page.locator('#calc-from').fill(from)
      await page.locator('#calc-from').press('Enter')
      await page.locator('#calc-n').fill(String(n))
      await page.locator('#calc-n').press('Tab')
      await reload(page, '/calendar/add-workdays', () => page.locator('#calc-run').click())
      await page.locator('#calc-result').waitFor()
      return (await page.locator('[data-test="calc-date"]').textContent()).trim()
    }
    assert.equal(await calc('2024-09-27', 7), '2024-10-12')
    assert.match(await page.locator('#calc-result').textContent(), /星期六.*国庆节调休上班/)
    assert.equal(await calc('2024-09-27', 6), '2024-10-11')
    assert.equal(await calc('2024-09-27', 0), '2024-09-27', 'N = 0 is the date itself')
    const sum = await (await context.request.get(BASE + '/api/v1/calendar/add-workdays?from=2024-09-27&n=7')).json()
    assert.equal(sum.date, '2024-10-12', 'the console shows what the API computes')

    // Loaded years, each with its version and source notice.
    const years = await columnTexts(page, '年度')
    for (let y = 2019; y <= 2026; y++) assert.ok(years.includes(String(y)), `year ${y} listed (${years.join(',')})`)
    const notices = await page.locator('[data-test="year-table"]').textContent()
    assert.match(notices, /国务院办公厅关于2024年部分节假日安排的通知/)
    assert.match(notices, /2024\.1/)

    // Not an administrator: no import offered.
    assert.equal(await page.locator('#calendar-import').count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('admin imports a year from a holiday-cn JSON file; a bad file gets the server\'s reason', async () => {
  const good = join(dir, `${IMPORT_YEAR}.json`)
  const bad = join(dir, `${IMPORT_YEAR}-bad.json`)
  await writeFile(good, JSON.stringify(GOOD, null, 2))
  await writeFile(bad, JSON.stringify(BAD))
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'admin')
    await openCalendar(page)
    await page.locator('#calendar-import').click()
    const dlg = page.locator('.el-dialog', { hasText: '导入年度节假日安排' })
    await dlg.waitFor()

    // An impossible date: nothing is imported, the server says why.
    await page.locator('#calendar-file').setInputFiles(bad)
    await page.locator('#calendar-import-submit:not([disabled])').waitFor()
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/calendar/import')
    await page.locator('#calendar-import-submit').click()
    assert.equal((await refused).status(), 400)
    const err = page.locator('[data-test="import-error"]')
    await err.waitFor()
    assert.match(await err.textContent(), /2099-02-30/)
    assert.match(await err.textContent(), /日期不存在/)

    // The good file: preview, import, result with the version.
    await page.locator('#calendar-file').setInputFiles(good)
    const preview = page.locator('[data-test="import-preview"]')
    await preview.waitFor()
    assert.match(await preview.textContent(), /2099/)
    assert.match(await preview.textContent(), /2 天 \/ 1 天/)
    const imported = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/calendar/import')
    await page.locator('#calendar-import-submit').click()
    const res = await imported
    assert.equal(res.status(), 200)
    const body = await res.json()
    const result = page.locator('[data-test="import-result"]')
    await result.waitFor()
    const text = await result.textContent()
    assert.match(text, new RegExp(String(IMPORT_YEAR)))
    assert.ok(body.new_version && text.includes(body.new_version), `result shows version ${body.new_version}`)
    assert.match(text, /期限重算/)
    await dlg.locator('.el-button', { hasText: '关闭' }).click()

    // The year is listed as imported, by admin.
    const row = page.locator('[data-test="year-table"] tbody tr', { hasText: String(IMPORT_YEAR) })
    await row.waitFor()
    assert.match(await row.textContent(), /管理员导入/)
    assert.match(await row.textContent(), /admin/)
    const years = await (await context.request.get(BASE + '/api/v1/calendar/years')).json()
    assert.ok(years.items.some((y) => y.year === IMPORT_YEAR && y.source === 'imported'))

    // And the month view marks it.
    await reload(page, '/calendar', () => pick(page, 'cal-year', `${IMPORT_YEAR} 年`))
    await reload(page, '/calendar', () => pick(page, 'cal-month', '1 月'), ['from', '2098-12-25'])
    await page.waitForFunction(() => {
      const c = document.querySelector('.cell[data-date="2099-01-03"]')
      return c && c.classList.contains('is-work')
    })
    assert.match(await page.locator('.cell[data-date="2099-01-01"]').getAttribute('class'), /is-rest/)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('supervisor opens 期限预警: all departments, state filter, rules read-only', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'supervisor1')
    await page.locator('.el-sub-menu__title', { hasText: '期限管理' }).waitFor()
    await reload(page, '/deadlines', () => page.locator('.el-aside .el-menu-item', { hasText: '期限预警' }).click())
    await page.locator('h1.page-title', { hasText: '期限预警' }).waitFor()
    await tableSettled(page)

    const api = await (await context.request.get(BASE + '/api/v1/deadlines?per_page=1')).json()
    assert.equal(await listTotal(page), api.total, 'total matches the API')
    if (api.total === 0) {
      const empty = page.locator('[data-test="deadline-empty"]')
      await empty.waitFor()
      assert.match(await empty.textContent(), /各部门目前没有正在计时的办理期限/)
    } else {
      assert.ok((await columnTexts(page, '期限事项')).length > 0)
    }
    // The supervisor chooses among departments; no "own department only".
    await page.locator('[data-test="deadline-dept"]').waitFor()
    assert.equal(await page.locator('[data-test="deadline-scope"]').count(), 0)

    // 已逾期: the filter goes to the URL and the server.
    await reload(page, '/deadlines', () => page.locator('[data-test="deadline-state"] label', { hasText: '已逾期' }).click(),
      ['state', 'overdue'])
    assert.match(page.url(), /state=overdue/)
    await tableSettled(page)
    const overdue = await (await context.request.get(BASE + '/api/v1/deadlines?per_page=1&state=overdue')).json()
    assert.equal(await listTotal(page), overdue.total)
    if (overdue.total === 0) assert.match(await page.locator('[data-test="deadline-empty"]').textContent(), /没有已逾期的期限/)
    else {
      const states = await columnTexts(page, '状态')
      assert.ok(states.every((s) => s === '已逾期'), states.join(','))
    }

    // The rules the clocks count by, read-only.
    const rules = page.locator('[data-test="rule-table"]')
    await rules.locator('tbody tr', { hasText: '行政处罚决定公示' }).waitFor()
    assert.match(await rules.locator('tbody tr', { hasText: '行政处罚决定公示' }).textContent(), /7 个工作日/)
    assert.match(await rules.locator('tbody tr', { hasText: '行政执法年度数据公开' }).textContent(), /次年 1 月 31 日前/)
    assert.equal(await rules.locator('.el-button', { hasText: '编辑' }).count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('officer sees only their own department\'s 期限预警', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await reload(page, '/deadlines', () => page.locator('.el-aside .el-menu-item', { hasText: '期限预警' }).click())
    await tableSettled(page)
    await page.locator('[data-test="deadline-scope"]', { hasText: '仅显示本部门' }).waitFor()
    assert.equal(await page.locator('[data-test="deadline-dept"]').count(), 0)
    const api = await (await context.request.get(BASE + '/api/v1/deadlines?per_page=1')).json()
    assert.equal(await listTotal(page), api.total)
    if (api.total === 0) await page.locator('[data-test="deadline-empty"]', { hasText: '本部门目前没有' }).waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('admin edits a deadline rule\'s working days in 期限规则 and the change is kept', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'admin')
    assert.equal(await page.locator('.el-aside .el-menu-item', { hasText: '期限预警' }).count(), 0, 'admin sees no clocks')
    await reload(page, '/deadline-rules', () => page.locator('.el-aside .el-menu-item', { hasText: '期限规则' }).click())
    await page.locator('h1.page-title', { hasText: '期限规则' }).waitFor()
    const row = () => page.locator('[data-test="rule-table"] tbody tr', { hasText: '双随机抽查结果公示' })
    await row().waitFor()
    const before = (await (await context.request.get(BASE + '/api/v1/deadline-rules')).json()).items
      .find((r) => r.code === 'publish_spot_check')
    assert.match(await row().textContent(), new RegExp(`${before.workdays} 个工作日`))

    async function setWorkdays(n) {
      await page.locator('[data-test="rule-edit-publish_spot_check"]').click()
      await page.locator('#rule-workdays').waitFor()
      await page.locator('#rule-workdays').fill(String(n))
      await page.locator('#rule-workdays').press('Tab')
      const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === '/api/v1/deadline-rules/publish_spot_check')
      await page.locator('#rule-save').click()
      assert.equal((await saved).status(), 200)
      await page.locator('.el-message', { hasText: '期限规则已保存' }).last().waitFor()
      await page.locator('#rule-workdays').waitFor({ state: 'hidden' })
    }
    await setWorkdays(before.workdays + 1)
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-test="rule-table"] tbody tr')]
      .some((tr) => tr.textContent.includes('双随机抽查结果公示') && tr.textContent.includes(`${n} 个工作日`)), before.workdays + 1)
    const after = (await (await context.request.get(BASE + '/api/v1/deadline-rules')).json()).items
      .find((r) => r.code === 'publish_spot_check')
    assert.equal(after.workdays, before.workdays + 1)
    // Put it back for whatever runs next against this server.
    await setWorkdays(before.workdays)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
