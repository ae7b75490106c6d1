// docform.mjs — drives the console's generated document forms
// (console/src/components/DocForm.vue) in the browser tests: every field is
// an .doc-field with data-field, data-type, data-required and data-empty.
import assert from 'node:assert/strict'

// Fills every required field the generated form left empty (the rest was
// prefilled from the case), by the field's type.
export async function fillRequired(dlg) {
  const page = dlg.page()
  const empty = dlg.locator('.doc-field[data-required="1"][data-empty="1"]')
  const tried = new Set()
  while (await empty.count()) {
    const first = empty.first()
    const type = await first.getAttribute('data-type')
    const key = await first.getAttribute('data-field')
    const it = dlg.locator(`.doc-field[data-field="${key}"]`)
    assert.ok(!tried.has(key), `required field ${key} (${type}) stays empty after filling`)
    tried.add(key)
    if (type === 'text') await it.locator('input').first().fill('测试' + key)
    else if (type === 'longtext') await it.locator('textarea').first().fill('浏览器测试填写的' + key + '内容。')
    else if (type === 'money') await it.locator('input').first().fill('5000.00')
    else if (type === 'integer') {
      await it.locator('input').first().fill('5')
      await it.locator('input').first().blur()
    } else if (type === 'enum') {
      await it.locator('.el-select').first().click()
      await page.locator('.el-select-dropdown__item:visible').first().click()
    } else if (type === 'lawrefs') {
      await it.locator('[data-test="add-law"]').click()
      await it.locator('input[data-sub="law"]').last().fill('中华人民共和国食品安全法')
      await it.locator('input[data-sub="article"]').last().fill('第三十四条')
    } else if (type === 'date' || type === 'datetime') {
      const today = new Date().toISOString().slice(0, 10)
      await it.locator('input').first().fill(type === 'date' ? today : today + ' 09:00')
      await it.locator('input').first().press('Enter')
    } else if (type === 'rows') {
      await it.locator('[data-test="add-row"]').click()
      const inputs = it.locator('.rows-row').last().locator('input[placeholder*="必填"]')
      for (let j = 0; j < (await inputs.count()); j++) await inputs.nth(j).fill('1')
    } else {
      assert.fail(`required field ${key} of type ${type} left empty by the prefill`)
    }
  }
  assert.equal(await dlg.locator('.doc-field[data-required="1"][data-empty="1"]').count(), 0, 'every required field filled')
}

