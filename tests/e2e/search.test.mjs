// The public portal search (issue 7): a member of the public, with no login,
// types a two-character term into the header's search box, gets results with
// the term highlighted, narrows them with the type filter and follows a hit.
// The form is a plain GET, so this also runs with JavaScript disabled.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { launch, BASE } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

for (const javaScriptEnabled of [true, false]) {
  test(`public search for a two-character term shows highlighted results (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled, viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(15000)
    try {
      await page.goto(BASE + '/')
      await page.locator('#site-search-q').fill('处罚')
      await Promise.all([page.waitForURL(/\/search\?q=/), page.locator('.site-search button').click()])
      await page.locator('#search-total').waitFor()
      assert.match(await page.locator('h1').innerText(), /“处罚”的搜索结果/)
      assert.match(await page.locator('#search-total').innerText(), /找到 \d+ 条结果/)
      const hits = page.locator('.hit')
      assert.ok((await hits.count()) >= 5, 'a page of hits')
      // the term is marked in every hit's title or snippet
      for (let i = 0; i < await hits.count(); i++) {
        const marks = await hits.nth(i).locator('mark').allInnerTexts()
        assert.ok(marks.length > 0 && marks.every((m) => m === '处罚'), 'highlight in hit ' + i)
      }
      // the box keeps what was typed
      assert.equal(await page.locator('#search-page-q').inputValue(), '处罚')

      // narrow to laws with the type filter, submitted by the form's button
      await page.locator('#search-kind').selectOption('law')
      await Promise.all([page.waitForURL(/kind=law/), page.locator('.search-main button').click()])
      const tags = await page.locator('.hit .tag').allInnerTexts()
      assert.ok(tags.length > 0 && tags.every((t) => t === '法律法规'), 'only laws: ' + tags)

      // follow a hit to its law page, which shows the article
      const first = page.locator('.hit-title a').first()
      const title = await first.innerText()
      await Promise.all([page.waitForURL(/\/laws\/\d+#a\d+/), first.click()])
      const law = title.split(' ')[0]
      assert.equal((await page.locator('h1').innerText()).trim(), law)
      const anchor = new URL(page.url()).hash
      assert.ok(await page.locator(anchor).count() === 1, 'the article anchor exists')

      // nothing found: a helpful empty state
      await page.goto(BASE + '/search?q=' + encodeURIComponent('魑魅魍魉'))
      assert.match(await page.locator('.search-empty').innerText(), /没有找到“魑魅魍魉”的结果，试试/)
    } finally {
      await context.close()
    }
  })
}
