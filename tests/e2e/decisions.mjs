// decisions.mjs — test setup shared by the browser tests of 事后公开 (issue 7):
// a real decision made through the API (case, finalised 当场处罚决定书,
// decide_on_spot), which queues a publication the way an officer's work does.
// Nothing is written to the database behind the server's back.
import assert from 'node:assert/strict'
import { ApiClient } from './helpers.mjs'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

// A resident ID number with a correct check character (GB 11643).
export function idNumber(body17) {
  const s = [...body17].reduce((a, ch, i) => a + Number(ch) * ID_WEIGHTS[i], 0)
  return body17 + '10X98765432'[s % 11]
}

const OFFICERS = [{ name: '张三', cert_no: '3601002026001' }, { name: '李四', cert_no: '3601012026002' }]
const LAW = [{ law: '中华人民共和国行政处罚法', article: '第二十八条', clause: '第一款' }]

// Makes a 简易程序 penalty decision against a natural person whose ID number
// and phone appear in the facts; returns { caseId, publicationId, person,
// phone, facts, verifyCode }. The publication is pending (待公示) until someone publishes it.
export async function queueDecision(summary) {
  const o1 = new ApiClient()
  const o2 = new ApiClient()
  const me1 = await o1.login('officer1')
  const me2 = await o2.login('officer2')
  const person = idNumber('36010219850203' + String(100 + Math.floor(Math.random() * 900)))
  const phone = '138' + String(10000000 + Math.floor(Math.random() * 89999999))
  const facts = summary || `当事人陈某某（身份证号码 ${person}，电话 ${phone}）在经营场所销售过期食品。`
  let r = await o1.call('POST', '/cases', {
    procedure: 'penalty_summary',
    title: '销售过期食品案',
    summary: facts,
    source: '监督检查',
    officers: [me1.user.officer_id, me2.user.officer_id],
    parties: [{ kind: '自然人', name: '陈某某', identifier: person }]
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const caseId = r.data.id
  r = await o1.call('POST', `/cases/${caseId}/documents`, {
    template: 'onsite_penalty',
    fields: {
      party: { type: '自然人', name: '陈某某' },
      act_time: '2026-03-02 09:00',
      act_place: '卫东大道 8 号',
      facts,
      violated: LAW,
      basis: LAW,
      penalty_kind: '警告',
      officers: OFFICERS,
      review_organ: '市人民政府',
      court: '东湖区人民法院',
      decision_time: '2026-03-02 09:30'
    }
  })
  assert.equal(r.status, 201, JSON.stringify(r.data))
  const docId = r.data.id
  r = await o1.call('POST', `/cases/${caseId}/documents/${docId}/finalize`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  // the 核验码 printed on the document as a QR code
  r = await o1.call('GET', `/cases/${caseId}/documents/${docId}/verification`)
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const verifyCode = r.data.code
  r = await o1.call('POST', `/cases/${caseId}/actions`, { action: 'decide_on_spot', fine_fen: 5000 })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const pub = new ApiClient()
  await pub.login('publicity1')
  r = await pub.call('GET', '/publications?state=pending')
  assert.equal(r.status, 200, JSON.stringify(r.data))
  const item = r.data.items.find((i) => i.case_id === caseId)
  assert.ok(item, 'the decision queued a publication')
  return { caseId, publicationId: item.id, person, phone, facts, verifyCode }
}

// queueDecision, then publicity1 confirms 保密审查 and publishes it.
export async function publishedDecision(summary) {
  const d = await queueDecision(summary)
  const pub = new ApiClient()
  await pub.login('publicity1')
  const r = await pub.call('POST', `/publications/${d.publicationId}/publish`, { confirm: true })
  assert.equal(r.status, 200, JSON.stringify(r.data))
  return d
}
