// Accessibility of the public portal (issue 7, GB/T 37668): every portal page
// type is opened in chromium and checked with axe-core (the WCAG 2.x A and AA
// rules that GB/T 37668 follows); a serious or critical violation fails the
// test and is printed with the elements it was found on. The feeds
// (Atom/JSON), the stylesheet and officer photos are not pages and are left
// out. The portal's Content-Security-Policy forbids inline scripts, so the
// test contexts bypass it (bypassCSP) to inject axe; the pages are unchanged.
//
// The pages are enumerated from the portal's route tables (src/web/*.c); a
// route added there without a row here is caught by the last test, which
// reads the route tables from the source.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { launch, ApiClient, BASE } from './helpers.mjs'
import { publishedDecision } from './decisions.mjs'

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

// Routes that are not HTML pages (or are the same page type as another).
const NOT_PAGES = new Set([
  '/static/*',
  '/feeds/publications.atom',
  '/feeds/publications.json',
  '/verify/officer/{certificate}/photo',
  // annual report downloads (XLSX, PDF)
  '/annual-reports/{id}/xlsx',
  '/annual-reports/{id}/pdf',
  '/annual-reports/city/{year}/xlsx',
  '/annual-reports/city/{year}/pdf'
])

let browser
let pages // [{ route, name, url, status }]

const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)

// A published annual report of the publicity officer's department, for a
// year no other browser test uses (annual.test.mjs takes last year).
async function publishedAnnualReport(pub, head) {
  const year = new Date().getFullYear() - 3
  let r = await pub.call('POST', '/annual-reports', { year })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id
  r = await head.call('POST', `/annual-reports/${id}/review`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  r = await pub.call('POST', `/annual-reports/${id}/publish`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  return { id, year }
}

// A spot-check plan of the head's department, drawn (its page is public
// once the seed is committed).
async function drawnSpotCheck(head, dept) {
  const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  const code = (n) => {
    const body = '91360100MC' + String(n).padStart(7, '0')
    let sum = 0
    for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(body[i]) * WEIGHTS[i]
    return body + ALPHABET[(31 - (sum % 31)) % 31]
  }
  let r = await head.call('POST', `/departments/${dept}/spotchecks`, {
    title: '无障碍检查抽查计划', ratio_permille: 500, inspectors_per_entity: 2,
    period_from: '2026-01-01', period_to: '2026-12-31'
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const id = r.data.id
  const entities = [1, 2, 3, 4].map((i) => ({ credit_code: code(i), name: `无障碍测试第${i}店`, address: `东湖区${i}号`, category: '零售' }))
  r = await head.call('POST', `/spotchecks/${id}/entities`, { entities })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  r = await head.call('POST', `/spotchecks/${id}/draw`, { confirm: true })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  return id
}

before(async () => {
  browser = await launch()
  const pub = new ApiClient()
  const dept = (await pub.login('publicity1')).user.department_id
  const head = new ApiClient()
  await head.login('head1')
  let r = await pub.call('GET', `/officers?status=active&per_page=100&department_id=${dept}`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const officer = r.data.items.find((o) => o.department_id === dept && o.certificate_valid_from <= today() && o.certificate_valid_to >= today())
  assert.ok(officer, 'an officer of the department with a valid certificate')
  // a published decision (with its document's 核验码) and a published 岗位信息
  const decision = await publishedDecision()
  r = await pub.call('POST', `/departments/${dept}/publicity-items`, {
    kind: 'post', window: '3 号窗口', unit: '行政审批科', name: '王晓燕', position: '窗口受理员',
    duties: '受理食品经营许可申请', services: '食品经营许可', complaint: '12345'
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const post = r.data.id
  r = await head.call('POST', `/publicity-items/${post}/review`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  r = await pub.call('POST', `/publicity-items/${post}/publish`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  r = await pub.call('GET', `/matters?department_id=${dept}&per_page=1`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const matter = r.data.items[0].id
  r = await pub.call('GET', '/laws?per_page=1')
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const law = r.data.items[0].id
  const cert = encodeURIComponent(officer.certificate_no)
  const annual = await publishedAnnualReport(pub, head)
  const plan = await drawnSpotCheck(head, dept)
  pages = [
    { route: '/', name: '首页', url: '/' },
    { route: '/departments/{id}', name: '部门页', url: `/departments/${dept}` },
    { route: '/departments/{id}', name: '部门页（不存在，404）', url: '/departments/999999', status: 404 },
    { route: '/departments/{id}/matters', name: '执法事项与流程图', url: `/departments/${dept}/matters` },
    { route: '/departments/{id}/guides/{matter}', name: '服务指南', url: `/departments/${dept}/guides/${matter}` },
    { route: '/departments/{id}/random-checks', name: '随机抽查事项清单', url: `/departments/${dept}/random-checks` },
    { route: '/departments/{id}/remedies', name: '救济渠道', url: `/departments/${dept}/remedies` },
    { route: '/departments/{id}/posts', name: '窗口岗位信息', url: `/departments/${dept}/posts` },
    { route: '/departments/{id}/posts/{item}/board', name: '岗位信息公示牌', url: `/departments/${dept}/posts/${post}/board` },
    { route: '/verify', name: '执法人员核验', url: '/verify' },
    { route: '/verify/officer/{certificate}', name: '核验结果（有效）', url: `/verify/officer/${cert}` },
    { route: '/verify/officer/{certificate}', name: '核验结果（未知，404）', url: '/verify/officer/' + encodeURIComponent('赣0000000000000'), status: 404 },
    { route: '/verify/officer/{certificate}/card', name: '执法证核验卡', url: `/verify/officer/${cert}/card` },
    { route: '/publications', name: '执法决定公示列表', url: '/publications' },
    { route: '/publications/{id}', name: '执法决定公示', url: `/publications/${decision.publicationId}` },
    { route: '/publications', name: '参数错误（400）', url: '/publications?department_id=x', status: 400 },
    { route: '/search', name: '搜索（有结果）', url: '/search?q=' + encodeURIComponent('处罚') },
    { route: '/search', name: '搜索（无结果）', url: '/search?q=' + encodeURIComponent('魑魅魍魉') },
    { route: '/laws/{id}', name: '法律法规', url: `/laws/${law}` },
    { route: '/ledger', name: '防篡改台账', url: '/ledger' },
    { route: '/verify/document/{code}', name: '文书核验', url: `/verify/document/${decision.verifyCode}` },
    { route: '/annual-reports', name: '年报列表', url: '/annual-reports' },
    { route: '/annual-reports/{id}', name: '部门年报', url: `/annual-reports/${annual.id}` },
    { route: '/annual-reports/city/{year}', name: '全市年报', url: `/annual-reports/city/${annual.year}` },
    { route: '/spotchecks', name: '双随机抽查计划', url: '/spotchecks' },
    { route: '/spotchecks/{id}', name: '抽查计划与核验', url: `/spotchecks/${plan}` },
    { route: '/complaints', name: '投诉举报', url: '/complaints' },
    { route: '/complaints/track', name: '投诉查询', url: '/complaints/track' }
  ]
})

after(async () => {
  await browser?.close()
})

// Runs axe on the open page; returns the serious and critical violations.
async function audit(page) {
  await page.addScriptTag({ content: AXE_SOURCE })
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations']
    })
  })
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

// axe cannot tell the background of text drawn over SVG shapes (the matter
// flowcharts) and leaves color-contrast "incomplete" there; this checks those
// texts itself: the shape drawn just before a label is its background (svg.c
// draws box then label), else the nearest HTML background. Returns the
// labels under WCAG's 4.5:1.
async function svgContrastFailures(page) {
  return page.evaluate(() => {
    const rgb = (c) => {
      const m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/)
      return m && (m[4] === undefined || Number(m[4]) > 0) ? [m[1], m[2], m[3]].map(Number) : null
    }
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    const htmlBackground = (el) => {
      for (let e = el.closest('svg').parentElement; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor)
        if (c) return c
      }
      return [255, 255, 255]
    }
    const bad = []
    for (const t of document.querySelectorAll('svg text')) {
      if (!t.textContent.trim()) continue
      const fg = rgb(getComputedStyle(t).fill)
      const prev = t.previousElementSibling
      const shape = prev && ['rect', 'ellipse', 'circle', 'path'].includes(prev.tagName) ? rgb(getComputedStyle(prev).fill) : null
      const bg = shape || htmlBackground(t)
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x)
      const ratio = (a + 0.05) / (b + 0.05)
      if (ratio < 4.5) bad.push(`${t.textContent.trim()}: ${ratio.toFixed(2)}:1`)
    }
    return bad
  })
}

function describe(violations) {
  return violations
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n` +
      v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')} — ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'))
    .join('\n')
}

test('every portal page type has no serious or critical axe violation', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 }, bypassCSP: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const failures = []
  try {
    for (const p of pages) {
      const resp = await page.goto(BASE + p.url)
      assert.equal(resp.status(), p.status || 200, `${p.name} ${p.url}`)
      const bad = await audit(page)
      if (bad.length) failures.push(`${p.name} (${p.url}):\n${describe(bad)}`)
      const svg = await svgContrastFailures(page)
      if (svg.length) failures.push(`${p.name} (${p.url}): SVG text below 4.5:1: ${svg.join('; ')}`)
    }
    // the flowchart check really looked at flowcharts
    await page.goto(BASE + pages.find((p) => p.route === '/departments/{id}/guides/{matter}').url)
    assert.ok(await page.locator('svg.flowchart text').count() > 0, 'the service guide has a flowchart')
  } finally {
    await context.close()
  }
  assert.equal(failures.length, 0, 'axe found serious or critical violations:\n' + failures.join('\n'))
})

test('the narrow (phone) layout of the portal passes axe too', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 }, isMobile: true, bypassCSP: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const failures = []
  try {
    for (const p of pages.filter((x) => ['/', '/publications/{id}', '/search'].includes(x.route))) {
      await page.goto(BASE + p.url)
      const bad = await audit(page)
      if (bad.length) failures.push(`${p.name} (${p.url}):\n${describe(bad)}`)
    }
  } finally {
    await context.close()
  }
  assert.equal(failures.length, 0, 'axe found serious or critical violations:\n' + failures.join('\n'))
})

test('the audit can fail: a page with an unlabeled field and low contrast is caught', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' })
  const page = await context.newPage()
  try {
    await page.setContent('<!doctype html><html><head><title>t</title></head><body><main>' +
      '<p style="color:#ccc;background:#fff">浅色文字</p><input type="text"><img src="data:,">' +
      '</main></body></html>')
    const ids = (await audit(page)).map((v) => v.id)
    for (const id of ['color-contrast', 'label', 'image-alt', 'html-has-lang']) assert.ok(ids.includes(id), `${id} in ${ids}`)
    await page.setContent('<!doctype html><html lang="zh-CN"><head><title>t</title></head><body><main><svg>' +
      '<rect width="90" height="30" fill="#ffffff"/><text x="5" y="20" fill="#bbbbbb">受理</text></svg></main></body></html>')
    assert.deepEqual(await svgContrastFailures(page), ['受理: 1.92:1'])
  } finally {
    await context.close()
  }
})

test('every HTML route of the portal has a page in this audit', () => {
  const dir = path.join(ROOT, 'src/web')
  const routes = new Set()
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.c'))) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/\{"GET", "(\/[^"]*)"/g)) routes.add(m[1])
  }
  assert.ok(routes.size >= 15, 'found the route tables: ' + [...routes])
  const covered = new Set(pages.map((p) => p.route))
  const missing = [...routes].filter((r) => !NOT_PAGES.has(r) && !covered.has(r))
  assert.deepEqual(missing, [], 'portal routes without an accessibility check')
})
