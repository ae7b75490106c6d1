// 法制审核 in the console: a major licensing decision whose review passes in
// its third round. officer1 submits from the review page with the required
// materials; reviewer1 finds it in the queue with its countdown, receives it,
// works through the checklist and concludes 暂不同意; officer1 resubmits;
// 不同意; resubmits; 同意. Before the last round the decision is refused with
// the review gate's reason; after it head1's 准予许可 is recorded. The
// Justice Bureau's view then shows the department's volumes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, ApiClient, CONSOLE } from './helpers.mjs'

const PARTY = { type: '法人', name: '赣江市青云粮油贸易有限公司', legal_rep: '王建国' }
const OFFICERS = [{ name: '张三', cert_no: '3601002026001' }, { name: '李四', cert_no: '3601012026002' }]
const FIELDS = {
  license_accept: { applicant: PARTY, item: '食品经营许可', apply_date: '2026-03-02', accept_date: '2026-03-02', time_limit_days: 20, issue_date: '2026-03-02' },
  site_record: { start_time: '2026-03-02 09:00', end_time: '2026-03-02 11:30', place: '经营场所', party: PARTY, officers: OFFICERS, recorder: '张三', notice: '已告知。', findings: '场所符合要求。' },
  license_grant: { applicant: PARTY, item: '食品经营许可', apply_date: '2026-03-02', accept_date: '2026-03-02', content: '准予食品经营许可。', law_refs: [{ law: '中华人民共和国行政许可法', article: '第三十八条', clause: '第一款' }], decision_date: '2026-03-02' }
}

// GB 32100 统一社会信用代码: the check character of 17 characters.
function uscc(body17) {
  const alpha = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += alpha.indexOf(body17[i]) * weights[i]
  return body17 + alpha[(31 - (sum % 31)) % 31]
}

let browser
let officerApi, headApi
let caseId

async function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.data)}`)
  return r.data
}

async function doc(cid, tpl) {
  const d = await ok(await officerApi.call('POST', `/cases/${cid}/documents`, { template: tpl, fields: FIELDS[tpl] }), tpl)
  await ok(await officerApi.call('POST', `/cases/${cid}/documents/${d.id}/finalize`), tpl + ' finalize')
}

before(async () => {
  browser = await launch()
  officerApi = new ApiClient()
  const me = await officerApi.login('officer1')
  const o2 = new ApiClient()
  const me2 = await o2.login('officer2')
  headApi = new ApiClient()
  await headApi.login('head1')
  const matters = await ok(await officerApi.call('GET', `/matters?department_id=${me.user.department_id}&per_page=100`), 'matters')
  const lic = matters.items.find((m) => m.power_type === 'licensing')
  const c = await ok(await officerApi.call('POST', '/cases', {
    procedure: 'license', title: '浏览器测试：食品经营许可（重大）', summary: '法制审核三轮', source: '申请',
    matter_id: lic ? lic.id : undefined, officers: [me.user.officer_id, me2.user.officer_id],
    parties: [{ kind: '法人', name: '赣江市浏览器测试有限公司', identifier: uscc('91360100MA3AB12C3') }]
  }), 'create case')
  caseId = c.id
  await doc(caseId, 'license_accept')
  await ok(await officerApi.call('POST', `/cases/${caseId}/actions`, { action: 'accept' }), 'accept')
  await doc(caseId, 'site_record')
  await ok(await officerApi.call('POST', `/cases/${caseId}/actions`, { action: 'verify' }), 'verify')
  await ok(await officerApi.call('POST', `/cases/${caseId}/actions`, { action: 'review_done' }), 'review_done')
  await doc(caseId, 'license_grant')
})

after(async () => {
  await browser?.close()
})

async function openReview(page) {
  const url = CONSOLE + `#/reviews/case/${caseId}`
  // the same hash again would not reload what the other user changed
  if (page.url() === url) await page.reload()
  else await page.goto(url)
  await page.locator('[data-test="review-stage"]').waitFor()
}

async function submitFromConsole(page, first) {
  await openReview(page)
  const form = page.locator('[data-test="review-submit-form"]')
  await form.waitFor()
  if (first) {
    await page.locator('[data-test="review-fact-kind"]').click()
    await page.locator('.el-select-dropdown__item', { hasText: /^准予$/ }).first().click()
    await page.locator('[data-test="review-fact-affects_public_safety"]').click()
    await page.locator('[data-test="review-classify"]').click()
    await assert.doesNotReject(page.locator('[data-test="review-preview"]', { hasText: '属于重大执法决定' }).waitFor())
    // incomplete: the server's list of what is missing is shown
    await page.locator('textarea[data-test="review-material-situation"]').fill('申请人拟从事涉及公共安全的经营活动')
    await page.locator('[data-test="review-submit"]').click()
    await page.locator('[data-test="review-error"]', { hasText: '送审材料不全' }).waitFor()
    const msg = await page.locator('[data-test="review-error"]').textContent()
    assert.match(msg, /法律依据/)
    assert.doesNotMatch(msg, /情况说明/)
    await page.locator('textarea[data-test="review-material-legal_basis"]').fill('《中华人民共和国行政许可法》第三十八条')
    await page.locator('textarea[data-test="review-material-facts_evidence"]').fill('文书:site_record')
    await page.locator('textarea[data-test="review-material-procedure"]').fill('受理、现场核查材料')
    await page.locator('textarea[data-test="review-material-proposal"]').fill('拟准予许可')
  }
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/cases/${caseId}/review/submit`) && r.status() === 201),
    page.locator('[data-test="review-submit"]').click()
  ])
  await page.locator('[data-test="review-stage"]', { hasText: '已送审' }).waitFor()
}

async function reviewFromConsole(page, outcome, reasons, problem) {
  await page.goto(CONSOLE + '#/reviews')
  const row = page.locator('[data-test="review-queue"] tr', { hasText: '浏览器测试：食品经营许可' })
  await row.first().waitFor()
  assert.match(await row.first().locator('[data-test="review-queue-left"]').textContent(), /待接收|剩余/)
  await row.first().locator('[data-test="review-open"]').click()
  await page.locator('[data-test="review-receive"]').click()
  await page.locator('[data-test="review-form"]').waitFor()
  assert.match(await page.locator('[data-test="review-countdown"]').textContent(), /剩余 3 个工作日/)
  if (problem) {
    await page.locator('[data-test="review-point-facts"] label', { hasText: '存在问题' }).click()
    await page.locator('input[data-test="review-note-facts"]').fill(problem)
  }
  await page.locator('[data-test="review-outcome"] label', { hasText: new RegExp('^' + outcome + '$') }).click()
  if (reasons) await page.locator('textarea[data-test="review-reasons"]').fill(reasons)
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/cases/${caseId}/review/conclude`) && r.status() === 200),
    page.locator('[data-test="review-conclude"]').click()
  ])
}

async function decide() {
  return headApi.call('POST', `/cases/${caseId}/actions`, { action: 'grant' })
}

test('a review that passes in its third round, through the console', async () => {
  const o = await newPage(browser)
  const rv = await newPage(browser)
  assert.equal(await login(o.page, 'officer1'), '执法人员工作台')
  assert.equal(await login(rv.page, 'reviewer1'), '法制审核人员工作台')

  // round 1: 暂不同意 (the checklist notes a problem)
  await submitFromConsole(o.page, true)
  let r = await decide()
  assert.equal(r.status, 409)
  await reviewFromConsole(rv.page, '暂不同意', '缺少现场照片，请补充', '现场核查未附照片')
  await rv.page.locator('[data-test="review-stage"]', { hasText: '已退回' }).waitFor()
  r = await decide()
  assert.equal(r.status, 409)
  assert.equal(r.data.error.code, 'review_required')

  // the officer sees where it stands, and resubmits (round 2): 不同意
  await openReview(o.page)
  await o.page.locator('[data-test="review-stage"]', { hasText: '已退回' }).waitFor()
  assert.match(await o.page.locator('[data-test="review-gate-reason"]').textContent(), /法制审核/)
  await submitFromConsole(o.page, false)
  await reviewFromConsole(rv.page, '不同意', '适用法律错误')
  r = await decide()
  assert.equal(r.status, 409)

  // round 3: 同意
  await submitFromConsole(o.page, false)
  await reviewFromConsole(rv.page, '同意', '')
  await rv.page.locator('[data-test="review-gate"]', { hasText: '可以作出决定' }).waitFor()

  // the officer's view: three rounds, the last agreed
  await openReview(o.page)
  await o.page.locator('[data-test="review-gate"]', { hasText: '可以作出决定' }).waitFor()
  const outcomes = await o.page.locator('[data-test="review-round-outcome"]').allTextContents()
  assert.deepEqual(outcomes.map((s) => s.trim()), ['暂不同意', '不同意', '同意'])

  // the 法制审核意见书: a final document the reviewer signs on the review page;
  // the officer downloads it as PDF
  await openReview(rv.page)
  const sign = rv.page.locator('[data-test="review-opinion-sign"]')
  assert.equal(await sign.count(), 1, 'only the latest round offers 签名')
  await sign.click()
  const pad = rv.page.locator('[data-test="review-sign-dialog"] [data-test="signature-pad"] canvas')
  await pad.waitFor()
  const box = await pad.boundingBox()
  await rv.page.mouse.move(box.x + 20, box.y + 40)
  await rv.page.mouse.down()
  for (let i = 1; i <= 12; i++) await rv.page.mouse.move(box.x + 20 + i * 15, box.y + 40 + (i % 2 ? 30 : -10))
  await rv.page.mouse.up()
  await Promise.all([
    rv.page.waitForResponse((x) => x.url().endsWith(`/cases/${caseId}/review/opinion/signature`) && x.status() === 201),
    rv.page.locator('[data-test="review-sign-dialog"] [data-test="signature-confirm"]').click()
  ])
  await rv.page.locator('[data-test="review-opinion-signed"]').waitFor()
  assert.equal(await rv.page.locator('[data-test="review-opinion-sign"]').count(), 0, 'signed once')
  await openReview(o.page)
  const links = o.page.locator('[data-test="review-opinion-pdf"]')
  assert.equal(await links.count(), 3)
  const pdf = await o.page.request.get(new URL(await links.nth(2).getAttribute('href'), o.page.url()).href)
  assert.equal(pdf.status(), 200)
  assert.equal(pdf.headers()['content-type'], 'application/pdf')
  const html = await o.page.request.get(new URL(await o.page.locator('[data-test="review-opinion-view"]').nth(2).getAttribute('href'), o.page.url()).href)
  const text = await html.text()
  assert.match(text, /法制审核意见书/)
  assert.match(text, /审核人员/)
  assert.match(text, /data:image\/png;base64,/, 'the signature is printed')

  // the decision is now recorded
  r = await decide()
  assert.equal(r.status, 200, JSON.stringify(r.data))
  assert.equal(r.data.stage, 'service')

  assert.deepEqual(o.page.errors, [])
  assert.deepEqual(rv.page.errors, [])
  await o.context.close()
  await rv.context.close()
})

test("the Justice Bureau's view shows volumes and staffing", async () => {
  const s = await newPage(browser)
  await login(s.page, 'supervisor1')
  await s.page.goto(CONSOLE + '#/review-bureau')
  const row = s.page.locator('[data-test="review-stats"] tr', { hasText: '市场监督管理局' })
  await row.first().waitFor()
  const outcomes = (await row.first().locator('[data-test="review-stats-outcome"]').allTextContents()).map((t) => t.trim())
  for (const o of ['暂不同意 1', '不同意 1', '同意 1']) assert.ok(outcomes.includes(o), `${o} in ${outcomes}`)
  assert.ok(await s.page.locator('[data-test="review-shortfall"]').count() >= 1, 'a shortfall is flagged')
  assert.deepEqual(s.page.errors, [])
  await s.context.close()
})
