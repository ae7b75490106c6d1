// 投诉举报 (issue 8) in a real browser:
//  * a member of the public files a complaint on the portal's plain form
//    (no JavaScript needed), with a photo attached, and gets a tracking
//    number and query code;
//  * the department head accepts it in the console, shows the complainant's
//    data on a stated reason, assigns officer1, who replies; the head closes;
//  * the complainant checks progress with number and code and reads the reply.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, tableSettled, BASE, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const REPLY = '经调查，执法人员确有未出示证件的情形，已责令整改并向您致歉。'

test('a complaint filed on the portal is handled in the console and tracked by number', async () => {
  let no, code
  // 1. the public: portal form, JavaScript off
  {
    const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false })
    const page = await context.newPage()
    try {
      await page.goto(BASE + '/')
      await page.locator('.site-nav a', { hasText: '投诉举报' }).click()
      await page.locator('h1', { hasText: '投诉举报' }).waitFor()
      await page.getByLabel('被投诉的执法部门（必填）').selectOption({ label: '市市场监督管理局' })
      await page.getByLabel('执法人员', { exact: true }).check()
      await page.getByLabel('执法人员姓名或执法证号 / 案件文号').fill('张海燕')
      await page.getByLabel('投诉内容（必填，10 至 5000 字）').fill('检查时未出示执法证件，也未说明检查依据。')
      await page.getByLabel('您的姓名（选填）').fill('王小红')
      await page.getByLabel('联系电话（选填）').fill('13900001111')
      await page.locator('#attachments').setInputFiles({
        name: '现场照片.png', mimeType: 'image/png',
        buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)])
      })
      await page.getByRole('button', { name: '提交投诉' }).click()
      await page.locator('h1', { hasText: '投诉已提交' }).waitFor()
      no = (await page.locator('#tracking-no').textContent()).trim()
      code = (await page.locator('#query-code').textContent()).trim()
      assert.match(no, /^TS-\d{4}-[0-9A-Z]{8}-[0-9A-Z]$/)
      assert.match(code, /^[0-9A-Z]{8}$/)
    } finally {
      await context.close()
    }
  }

  // 2. the head: accept, reveal on a reason, assign officer1
  {
    const { context, page } = await newPage(browser)
    try {
      await login(page, 'head1')
      await page.goto(CONSOLE + '#/complaints')
      await tableSettled(page)
      const row = page.locator('[data-test="complaints"] tr', { hasText: no })
      await row.waitFor()
      assert.ok((await row.textContent()).includes('王**'), 'the list shows the name masked')
      assert.ok(!(await row.textContent()).includes('王小红'))
      await row.click()
      await page.locator('h1', { hasText: no }).waitFor()
      assert.ok((await page.locator('[data-test="complainant"]').textContent()).includes('139****1111'))
      assert.ok((await page.locator('[data-test="attachments"]').textContent()).includes('现场照片.png'))
      await page.locator('[data-test="reveal"]').click()
      await page.locator('[data-test="reason"]').fill('电话回访核实投诉事实')
      await page.locator('[data-test="reveal-confirm"]').click()
      await page.locator('[data-test="complainant"]', { hasText: '13900001111' }).waitFor()
      await page.locator('[data-test="action"] label', { hasText: '受理' }).first().click()
      await page.locator('[data-test="submit"]').click()
      await page.locator('[data-test="status"]', { hasText: '已受理' }).waitFor()
      await page.locator('[data-test="action"] label', { hasText: '指定承办人' }).click()
      await page.locator('[data-test="handler"]').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: '张海燕' }).click()
      await page.locator('[data-test="submit"]').click()
      await page.locator('[data-test="status"]', { hasText: '调查处理中' }).waitFor()
      assert.deepEqual(page.errors, [])
    } finally {
      await context.close()
    }
  }

  // 3. the handler replies
  {
    const { context, page } = await newPage(browser)
    try {
      await login(page, 'officer1')
      await page.goto(CONSOLE + '#/complaints?mine=1')
      await tableSettled(page)
      await page.locator('[data-test="complaints"] tr', { hasText: no }).click()
      await page.locator('h1', { hasText: no }).waitFor()
      await page.locator('[data-test="action"] label', { hasText: '答复' }).click()
      await page.locator('[data-test="note"]').fill(REPLY)
      await page.locator('[data-test="submit"]').click()
      await page.locator('[data-test="status"]', { hasText: '已答复' }).waitFor()
      assert.deepEqual(page.errors, [])
    } finally {
      await context.close()
    }
  }

  // 4. the complainant checks progress
  {
    const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false })
    const page = await context.newPage()
    try {
      await page.goto(BASE + '/complaints/track')
      await page.getByLabel('投诉编号').fill(no.toLowerCase())
      await page.getByLabel('查询码').fill(code)
      await page.getByRole('button', { name: '查询' }).click()
      await page.locator('#complaint-status', { hasText: '已答复' }).waitFor()
      assert.equal((await page.locator('#complaint-reply').textContent()).trim(), REPLY)
      assert.ok(!(await page.content()).includes('13900001111'))
      // a wrong code shows nothing of it
      await page.goto(BASE + '/complaints/track')
      await page.getByLabel('投诉编号').fill(no)
      await page.getByLabel('查询码').fill(code.slice(0, 7) + (code[7] === '0' ? '1' : '0'))
      await page.getByRole('button', { name: '查询' }).click()
      await page.locator('[role="alert"]', { hasText: '投诉编号或查询码不正确' }).waitFor()
      assert.equal(await page.locator('#complaint-reply').count(), 0)
    } finally {
      await context.close()
    }
  }
})

test('the auditor sees the recorded look at the complainant in 调阅监督', async () => {
  const { context, page } = await newPage(browser)
  try {
    await login(page, 'auditor1')
    await page.goto(CONSOLE + '#/access-review')
    await tableSettled(page)
    const row = page.locator('[data-test="access-log"] tr', { hasText: '电话回访核实投诉事实' }).first()
    await row.waitFor()
    assert.ok((await row.textContent()).includes('查看投诉人信息'))
    const href = await page.locator('[data-test="csv"]').getAttribute('href')
    assert.ok(href.startsWith('/api/v1/access-log?') && href.includes('format=csv'))
    await page.getByRole('tab', { name: '异常提示' }).click()
    await page.locator('[data-test="flags-run"]').click()
    await page.locator('text=分析了').waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
