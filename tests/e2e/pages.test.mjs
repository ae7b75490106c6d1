// Every role can open every page its side menu offers: the page's heading
// appears, no API call the page makes is refused or rejected (a 4xx here
// means the console asks for something the server does not allow or
// understand), and the page runs without script errors. Roles without the
// libraries (the auditor) must not be offered them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, tableSettled } from './helpers.mjs'

const MENUS = {
  admin: ['工作台', '账户管理', '期限规则', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '公开内容', '证件与照片', '个人设置'],
  officer1: ['工作台', '期限预警', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '个人设置'],
  reviewer1: ['工作台', '期限预警', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '个人设置'],
  head1: ['工作台', '期限预警', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '公开内容', '证件与照片', '个人设置'],
  publicity1: ['工作台', '期限预警', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '公开内容', '证件与照片', '个人设置'],
  supervisor1: ['工作台', '期限预警', '工作日历', '执法主体', '执法人员', '执法事项', '法律法规', '公开内容', '证件与照片', '审计日志', '个人设置'],
  auditor1: ['工作台', '工作日历', '审计日志', '个人设置']
}

// 法制审核 (issue 6): its menu group sits before the 三库 group (执法主体).
const REVIEW_MENU = {
  admin: ['审核监督', '目录清单', '审核人员库'],
  officer1: ['审核队列'],
  reviewer1: ['审核队列'],
  head1: ['审核队列', '审核监督', '目录清单', '审核人员库'],
  supervisor1: ['审核队列', '审核监督', '目录清单', '审核人员库']
}
// 案件办理 (issue 5): its menu group sits after 期限管理 (before 法制审核).
const CASE_MENU = {
  officer1: ['我的案件', '案源登记', '移动执法', '当事人档案', '案件统计'],
  reviewer1: ['我的案件', '待我审批', '当事人档案', '案件统计'],
  head1: ['我的案件', '案源登记', '待我审批', '移动执法', '当事人档案', '案件统计'],
  supervisor1: ['全部案件', '当事人档案', '案件统计', '案卷评查']
}
for (const [u, extra] of Object.entries(CASE_MENU)) MENUS[u].splice(MENUS[u].indexOf('工作日历') + 1, 0, ...extra)
for (const [u, extra] of Object.entries(REVIEW_MENU)) MENUS[u].splice(MENUS[u].indexOf('执法主体'), 0, ...extra)
// 事后公开 (issue 7): its menu group sits after 事前公开 (证件与照片), then 年报.
const PUBLICATION_MENU = { admin: ['决定公示'], head1: ['决定公示'], publicity1: ['决定公示'], supervisor1: ['决定公示'] }
for (const [u, extra] of Object.entries(PUBLICATION_MENU)) MENUS[u].splice(MENUS[u].indexOf('证件与照片') + 1, 0, ...extra, '执法数据年报')
// 执法监督 (issue 8): its menu group sits after 年报.
const SUPERVISION_MENU = {
  head1: ['任务分解表', '备案'],
  supervisor1: ['监督驾驶舱', '任务分解表', '备案']
}
for (const [u, extra] of Object.entries(SUPERVISION_MENU)) MENUS[u].splice(MENUS[u].indexOf('执法数据年报') + 1, 0, ...extra)
// 双随机、一公开 (issue 7), then 投诉举报 and 调阅监督 (issue 8): just before
// 审计日志, or 个人设置 when there is none.
const OVERSIGHT_MENU = {
  officer1: ['投诉举报'],
  head1: ['投诉举报'],
  supervisor1: ['投诉举报', '调阅监督'],
  auditor1: ['调阅监督']
}
for (const u of Object.keys(MENUS)) {
  const at = MENUS[u].includes('审计日志') ? MENUS[u].indexOf('审计日志') : MENUS[u].indexOf('个人设置')
  MENUS[u].splice(at, 0, '双随机抽查', ...(OVERSIGHT_MENU[u] || []))
}

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

for (const [username, entries] of Object.entries(MENUS)) {
  test(`${username}: every menu page opens cleanly`, async () => {
    const { context, page } = await newPage(browser)
    const refused = []
    try {
      await login(page, username)
      // Recorded from here on: before login, /auth/me rightly answers 401.
      page.on('response', (r) => {
        const u = new URL(r.url())
        if (u.pathname.startsWith('/api/') && r.status() >= 400) refused.push(`${r.status()} ${r.request().method()} ${u.pathname}${u.search}`)
      })
      const offered = (await page.locator('.el-aside .el-menu-item').allTextContents()).map((t) => t.trim())
      assert.deepEqual(offered, entries, 'side menu for ' + username)
      for (const label of entries) {
        await page.locator('.el-aside .el-menu-item', { hasText: label }).click()
        await page.locator('h1.page-title', { hasText: label }).waitFor()
        await tableSettled(page)
        await page.waitForTimeout(300) // let late requests (cards, pickers) answer
      }
      assert.deepEqual(refused, [], 'no API request refused')
      assert.deepEqual(page.errors, [], 'no script errors')
    } finally {
      await context.close()
    }
  })
}
