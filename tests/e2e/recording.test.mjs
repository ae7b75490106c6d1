// 音像记录中断 in the case page: the officer records an interruption of a
// step's recording (cause, reason, device, time) in the 录像中断 tab; the
// API then lists it and the case timeline shows it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, newPage, login, ApiClient, CONSOLE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('an officer records a recording interruption; it shows in the list and the timeline', async () => {
  const officer = new ApiClient()
  const me = await officer.login('officer1')
  const dept = (me.user || me).department_id
  const head = new ApiClient()
  await head.login('head1')
  const serial = 'DSJ-E2E-' + process.pid
  let r = await head.call('POST', `/departments/${dept}/devices`, { serial, kind: 'body_camera', model: 'E2E' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  r = await officer.call('POST', '/cases', { procedure: 'coercion_seizure', title: '录像中断浏览器测试', summary: 'e2e' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id

  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(CONSOLE + `#/cases/${id}?tab=interruptions`)
    await page.locator('[data-test="case-stage"]').waitFor()
    await page.locator('.el-tabs__item', { hasText: '录像中断' }).click()
    await page.locator('[data-test="interruption-add"]').click()
    const dlg = page.locator('[data-test="interruption-dialog"]')
    await dlg.waitFor()
    // saving without a reason is stopped with a Chinese message
    await dlg.locator('[data-test="interruption-save"]').click()
    await dlg.locator('.el-form-item__error').first().waitFor()
    await dlg.locator('[data-test="interruption-action"]').click()
    await page.locator('.el-select-dropdown__item:visible').first().click()
    await dlg.locator('[data-test="interruption-cause"]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '电量耗尽' }).click()
    await dlg.locator('textarea[data-test="interruption-reason"], [data-test="interruption-reason"] textarea').first().fill('记录仪电量耗尽，已更换备用设备')
    await dlg.locator('[data-test="interruption-device"]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: serial }).click()
    const at = dlg.locator('.el-form-item', { hasText: '中断时间' }).locator('input').first()
    await at.click()
    await at.fill('2026-01-05 09:30:00')
    await at.press('Enter')
    await dlg.locator('[data-test="interruption-save"]').click()
    await page.locator('.el-message--success', { hasText: '已登记录像中断' }).waitFor()
    const row = page.locator('[data-test="interruption-table"] .el-table__row', { hasText: '电量耗尽' })
    await row.waitFor()
    assert.match(await row.textContent(), new RegExp(serial))

    r = await officer.call('GET', `/cases/${id}/recording-interruptions`)
    assert.equal(r.status, 200)
    assert.equal(r.data.items.length, 1)
    assert.equal(r.data.items[0].cause, 'battery')
    assert.equal(r.data.items[0].device_serial, serial)

    await page.locator('.el-tabs__item', { hasText: '时间线' }).click()
    await page.locator('[data-test="timeline"]', { hasText: '音像记录中断' }).waitFor()
  } finally {
    await context.close()
  }
})

test('an evidence upload names the device the officer picked', async () => {
  const officer = new ApiClient()
  const me = await officer.login('officer1')
  const user = me.user || me
  let r = await officer.call('GET', `/departments/${user.department_id}/devices`)
  assert.equal(r.status, 200)
  const pick = r.data.items.find((d) => d.status === 'active' && d.serial.startsWith('ZD-'))
  assert.ok(pick, 'the demo department has a handheld terminal')
  r = await officer.call('POST', '/cases', { procedure: 'inspection', title: '设备标记浏览器测试', summary: 'e2e' })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id

  const { context, page } = await newPage(browser)
  try {
    await login(page, 'officer1')
    await page.goto(CONSOLE + `#/cases/${id}`)
    await page.locator('[data-test="case-stage"]').waitFor()
    await page.locator('.el-tabs__item', { hasText: '证据' }).click()
    const sel = page.locator('.ev-upload .el-select').first()
    await sel.click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: pick.serial }).click()
    const bytes = Buffer.alloc(4096)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + process.pid + Date.now()) & 0xff
    await page.locator('[data-test="file-input"]').setInputFiles({ name: 'clip.bin', mimeType: 'application/octet-stream', buffer: bytes })
    await page.locator('[data-test="upload-item"] .el-progress.is-success').waitFor({ timeout: 20000 })
    r = await officer.call('GET', `/evidence?case_id=${id}`)
    assert.equal(r.status, 200)
    assert.equal(r.data.items.length, 1)
    assert.equal(r.data.items[0].device_id, pick.id)
    assert.equal(r.data.items[0].device, pick.serial)
  } finally {
    await context.close()
  }
})
