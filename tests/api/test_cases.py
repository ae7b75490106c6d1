"""Cases with whole-process recording (issue 5), black-box: the life cycle of
each power type through the API with the documents each stage requires
created and finalized, illegal transitions refused with the workflow's code
and nothing changed, 退回 with a reason, 中止/恢复 pausing clocks, 移送,
archived cases immutable, department scope, restricted cases, the party view,
devices and the 音像记录事项清单.

Document fields come from SAMPLES below: one valid document per template,
built from the schemas of src/core/doctpl_*.c the same way
tests/unit/doc_samples.h builds them.
"""
import copy
import hashlib
import re

import pytest

API = "/api/v1"
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def uscc(body17):
    s = sum(USCC_ALPHA.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS))
    return body17 + USCC_ALPHA[(31 - s % 31) % 31]


def id_number(body17):
    s = sum(int(ch) * w for ch, w in zip(body17, ID_WEIGHTS))
    return body17 + "10X98765432"[s % 11]


COMPANY = uscc("91360100MA3AB12C3")
PERSON = id_number("36010219800101123")
# tables a case change may touch (sessions and the ledger move on every
# request and are not "a change")
CASE_TABLES = ["cases", "case_parties", "case_officers", "case_events", "case_event_evidence",
               "case_documents", "docno_counters", "clocks", "evidence_files",
               "devices", "av_items", "audit_log", "recording_interruptions"]

SAMPLES = {
    'case_source': {"source": "监督检查", "source_date": "2026-03-02", "summary": "第一段内容。\n第二段内容。", "registrar_opinion": "第一段内容。\n第二段内容。", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "register_date": "2026-03-02"},
    'filing_approval': {"case_cause": "测试文本", "source": "监督检查", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "summary": "第一段内容。\n第二段内容。", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "handler_opinion": "第一段内容。\n第二段内容。", "filing_date": "2026-03-02"},
    'site_record': {"start_time": "2026-03-02 09:00", "end_time": "2026-03-02 11:30", "place": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "recorder": "测试文本", "notice": "第一段内容。\n第二段内容。", "findings": "第一段内容。\n第二段内容。"},
    'inquiry_record': {"start_time": "2026-03-02 09:00", "end_time": "2026-03-02 11:30", "place": "测试文本", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "recorder": "测试文本", "interviewee": "测试文本", "notice": "第一段内容。\n第二段内容。", "transcript": "第一段内容。\n第二段内容。"},
    'evidence_extract': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "evidence_name": "测试文本", "evidence_source": "测试文本", "description": "第一段内容。\n第二段内容。", "extract_time": "2026-03-02 09:00", "place": "测试文本", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}]},
    'preservation_notice': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "suspicion": "测试文本", "law_refs": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "start_date": "2026-03-02", "end_date": "2026-03-02", "storage_place": "测试文本", "goods": [{"name": "测试文本", "quantity": "测试文本"}], "issue_date": "2026-03-02"},
    'coercive_decision': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "facts": "第一段内容。\n第二段内容。", "law_refs": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "measure": "查封", "start_date": "2026-03-02", "end_date": "2026-03-02", "goods": [{"name": "测试文本", "quantity": "测试文本"}], "review_organ": "测试文本", "court": "测试文本", "decision_date": "2026-03-02"},
    'investigation_report': {"case_cause": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "filing_date": "2026-03-02", "process": "第一段内容。\n第二段内容。", "facts": "第一段内容。\n第二段内容。", "violated": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "basis": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "proposal": "第一段内容。\n第二段内容。", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "report_date": "2026-03-02"},
    'case_review': {"case_cause": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "handling_unit": "测试文本", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "summary": "第一段内容。\n第二段内容。", "proposal": "第一段内容。\n第二段内容。", "opinion": "第一段内容。\n第二段内容。", "result": "同意", "reviewer": "测试文本", "submit_date": "2026-03-02", "review_date": "2026-03-02"},
    'penalty_notice': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "facts": "第一段内容。\n第二段内容。", "evidence": "第一段内容。\n第二段内容。", "violated": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "basis": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "penalty": "第一段内容。\n第二段内容。", "statement_days": 1, "hearing_right": "告知听证权利", "issue_date": "2026-03-02"},
    'statement_record': {"start_time": "2026-03-02 09:00", "end_time": "2026-03-02 11:30", "place": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "speaker": "测试文本", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "recorder": "测试文本", "content": "第一段内容。\n第二段内容。"},
    'hearing_notice': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "case_cause": "测试文本", "hearing_time": "2026-03-09 09:00", "hearing_place": "测试文本", "host": "测试文本", "clerk": "测试文本", "open": "公开", "issue_date": "2026-03-02"},
    'hearing_record': {"case_cause": "测试文本", "start_time": "2026-03-02 09:00", "end_time": "2026-03-02 11:30", "place": "测试文本", "open": "公开", "host": "测试文本", "clerk": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "transcript": "第一段内容。\n第二段内容。"},
    'penalty_decision': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "case_cause": "测试文本", "facts": "第一段内容。\n第二段内容。", "evidence": "第一段内容。\n第二段内容。", "violated": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "basis": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "penalty": "第一段内容。\n第二段内容。", "payment": "第一段内容。\n第二段内容。", "review_organ": "测试文本", "court": "测试文本", "decision_date": "2026-03-02"},
    'no_penalty_decision': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "case_cause": "测试文本", "facts": "第一段内容。\n第二段内容。", "reason": "违法行为轻微并及时改正，没有造成危害后果", "basis": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "review_organ": "测试文本", "court": "测试文本", "decision_date": "2026-03-02"},
    'onsite_penalty': {"party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "act_time": "2026-03-02 09:00", "act_place": "测试文本", "facts": "第一段内容。\n第二段内容。", "violated": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "basis": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "penalty_kind": "警告", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "review_organ": "测试文本", "court": "测试文本", "decision_time": "2026-03-02 09:00"},
    'service_receipt': {"document": "测试文本", "recipient": "测试文本", "place": "测试文本", "mode": "直接送达", "served_at": "2026-03-02 09:00", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}]},
    'closing_approval': {"case_cause": "测试文本", "party": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "decision": "第一段内容。\n第二段内容。", "execution": "第一段内容。\n第二段内容。", "reason": "行政处罚决定执行完毕", "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}], "handler_opinion": "第一段内容。\n第二段内容。", "closing_date": "2026-03-02"},
    'file_cover': {"authority": "测试文本", "case_name": "测试文本", "party_name": "测试文本", "filing_date": "2026-03-02", "closing_date": "2026-03-02", "retention": "永久"},
    'file_index': {"case_name": "测试文本", "entries": [{"title": "测试文本", "pages": "测试文本"}]},
    'file_notes': {"items": 1, "pages": 1, "compiler": "测试文本", "checker": "测试文本", "compile_date": "2026-03-02"},
    'license_accept': {"applicant": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "item": "测试文本", "apply_date": "2026-03-02", "accept_date": "2026-03-02", "time_limit_days": 1, "issue_date": "2026-03-02"},
    'license_reject': {"applicant": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "item": "测试文本", "apply_date": "2026-03-02", "reason": "第一段内容。\n第二段内容。", "law_refs": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "review_organ": "测试文本", "court": "测试文本", "issue_date": "2026-03-02"},
    'license_supplement': {"applicant": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "item": "测试文本", "apply_date": "2026-03-02", "materials": [{"name": "测试文本", "requirement": "测试文本"}], "issue_date": "2026-03-02"},
    'license_grant': {"applicant": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "item": "测试文本", "apply_date": "2026-03-02", "accept_date": "2026-03-02", "content": "第一段内容。\n第二段内容。", "law_refs": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "decision_date": "2026-03-02"},
    'license_deny': {"applicant": {"type": "法人", "name": "赣江市青云粮油贸易有限公司", "legal_rep": "王建国"}, "item": "测试文本", "apply_date": "2026-03-02", "reason": "第一段内容。\n第二段内容。", "law_refs": [{"law": "中华人民共和国行政处罚法", "article": "第二十八条", "clause": "第一款"}], "review_organ": "测试文本", "court": "测试文本", "decision_date": "2026-03-02"},
}


# ---- helpers ----------------------------------------------------------------

def fields(tpl, **over):
    f = copy.deepcopy(SAMPLES[tpl])
    f.update(over)
    return f


class World:
    pass


@pytest.fixture(scope="module")
def w(server):
    x = World()
    x.srv = server
    x.url = server.url + API
    for u in ("officer1", "officer2", "reviewer1", "head1", "supervisor1", "admin", "auditor1",
              "publicity1"):
        setattr(x, u, server.login(u))
    con = server.db()
    try:
        x.market = con.execute("SELECT id FROM departments WHERE name = '市市场监督管理局'").fetchone()[0]
        x.env = con.execute("SELECT id FROM departments WHERE name = '市生态环境局'").fetchone()[0]
        x.officers = [con.execute("SELECT officer_id FROM users WHERE username = ?", (u,)).fetchone()[0]
                      for u in ("officer1", "officer2")]
        x.penalty_matter = con.execute("SELECT id FROM matters WHERE department_id = ? AND "
                                       "power_type = 'penalty' ORDER BY id", (x.market,)).fetchone()[0]
        x.license_matter = con.execute("SELECT id FROM matters WHERE department_id = ? AND "
                                       "power_type = 'licensing' ORDER BY id", (x.market,)).fetchone()[0]
        x.env_case = con.execute("SELECT id FROM cases WHERE department_id = ? ORDER BY id",
                                 (x.env,)).fetchone()[0]
    finally:
        con.close()
    x.seq = 0
    return x


def create(w, procedure, s=None, parties=None, **kw):
    body = {"procedure": procedure, "title": "测试案件 %s" % procedure,
            "summary": "API 测试", "source": "监督检查", "officers": w.officers,
            "parties": parties if parties is not None else [
                {"kind": "法人", "name": "赣江市测试贸易有限公司", "identifier": COMPANY,
                 "legal_rep": "王测试"}]}
    body.update(kw)
    r = (s or w.officer1).post(w.url + "/cases", json=body, timeout=10)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == API + "/cases/%d" % r.json()["id"]
    return r.json()


def get(w, cid, s=None, **params):
    r = (s or w.officer1).get(w.url + "/cases/%d" % cid, params=params, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def act(w, cid, action, s=None, status=200, code=None, **kw):
    body = {"action": action}
    body.update(kw)
    r = (s or w.officer1).post(w.url + "/cases/%d/actions" % cid, json=body, timeout=10)
    assert r.status_code == status, "%s: %s" % (action, r.text)
    if code:
        assert r.json()["error"]["code"] == code, r.text
        assert re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"]), r.text
    return r.json()


def upload(w, kind="scan", s=None):
    w.seq += 1
    content = hashlib.sha256(b"case-test-%d" % w.seq).digest() * 40
    r = (s or w.officer1).put(w.url + "/evidence/raw", params={"kind": kind}, data=content, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def doc(w, cid, tpl, s=None, final=True, scan=False, **over):
    s = s or w.officer1
    body = {"template": tpl, "fields": {"title": tpl} if scan else fields(tpl, **over)}
    if scan:
        body["evidence_id"] = upload(w, "scan", s)
    r = s.post(w.url + "/cases/%d/documents" % cid, json=body, timeout=10)
    assert r.status_code == 201, "%s: %s" % (tpl, r.text)
    d = r.json()
    assert d["status"] == "draft" and d["doc_no"] is None
    if final:
        r = s.post(w.url + "/cases/%d/documents/%d/finalize" % (cid, d["id"]), timeout=10)
        assert r.status_code == 200, "%s: %s" % (tpl, r.text)
        d = r.json()
        assert d["status"] == "final" and re.fullmatch(r"[0-9a-f]{64}", d["content_sha256"])
    return d


def archive(w, cid):
    for t in ("file_cover", "file_index", "file_notes"):
        doc(w, cid, t)
    r = act(w, cid, "archive")
    assert r["stage"] == "archived" and r["case"]["archived_at"]
    return r


def clock(case, code):
    found = [k for k in case["clocks"] if k["rule_code"] == code]
    assert found, "no clock %s in %r" % (code, case["clocks"])
    return found[0]


def options(case):
    return {a["code"]: a for a in case["actions"]}


def audit(w, action, object_id=None):
    con = w.srv.db()
    try:
        q = "SELECT actor_name, object_type, object_id, detail FROM audit_log WHERE action = ?"
        args = [action]
        if object_id is not None:
            q += " AND object_id = ?"
            args.append(str(object_id))
        return con.execute(q + " ORDER BY id", args).fetchall()
    finally:
        con.close()


def refused(w, fn, status, code):
    """fn() is refused with status and code, and no case table changed."""
    before = w.srv.snapshot(CASE_TABLES)
    r = fn()
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code, r.text
    assert w.srv.snapshot(CASE_TABLES) == before, "a refused request changed something"
    return r.json()["error"]


# ---- 行政处罚 普通程序 ---------------------------------------------------------

def test_penalty_general_whole_life_cycle(w):
    c = create(w, "penalty_general", matter_id=w.penalty_matter)
    cid = c["id"]
    assert c["stage"] == "source" and c["case_no"] is None and c["department_id"] == w.market
    assert c["parties"][0]["kind"] == "legal_person" and c["parties"][0]["id_type"] == "统一社会信用代码"
    assert [o["id"] for o in c["officers"]] == w.officers
    opts = options(c)
    assert opts["file_case"]["allowed"] is False
    assert opts["file_case"]["refusal_code"] == "role_not_allowed"  # officer1 is no head

    # 立案 without its documents: refused, naming both, nothing written
    e = refused(w, lambda: w.head1.post(w.url + "/cases/%d/actions" % cid,
                                         json={"action": "file_case"}, timeout=10),
                409, "document_missing")
    assert "案件来源登记表" in e["message"] and "立案审批表" in e["message"]
    doc(w, cid, "case_source")
    doc(w, cid, "filing_approval")
    # the officer may not 立案 (行政处罚法 第五十四条: the head)
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid,
                                       json={"action": "file_case"}, timeout=10),
            403, "role_not_allowed")
    # a decision now is an illegal transition
    refused(w, lambda: w.head1.post(w.url + "/cases/%d/actions" % cid,
                                     json={"action": "decide_penalty"}, timeout=10),
            409, "illegal_transition")
    r = act(w, cid, "file_case", s=w.head1)
    assert r["stage"] == "investigation" and r["stage_before"] == "source"
    assert re.fullmatch(r"赣江市监立〔\d{4}〕\d+号", r["case_no"]), r["case_no"]
    assert r["case"]["case_no"] == r["case_no"]
    assert r["clocks_started"] == ["penalty_decision_90d"]
    k = clock(r["case"], "penalty_decision_90d")
    assert k["open"] and k["calendar_days"] and k["state"] == "on_time"

    # 调查取证: 现场检查 with two officers; without a recording it is allowed
    # with a warning (宜 record)
    doc(w, cid, "site_record")
    r = act(w, cid, "inspect_site")
    assert r["stage"] == "investigation" and r["recording_warning"] is True
    doc(w, cid, "inquiry_record")
    act(w, cid, "inquire")
    act(w, cid, "conclude")
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid,
                                       json={"action": "submit_review"}, timeout=10),
            409, "document_missing")
    doc(w, cid, "investigation_report")
    act(w, cid, "submit_review")
    doc(w, cid, "case_review", s=w.reviewer1)
    r = act(w, cid, "case_review_pass", s=w.reviewer1)
    assert r["stage"] == "notify"  # not a major case: no 法制审核
    d = doc(w, cid, "penalty_notice")
    assert re.fullmatch(r"赣江市监罚告〔\d{4}〕\d+号", d["doc_no"]) and d["fields"]["doc_no"] == d["doc_no"]
    r = act(w, cid, "notify")
    assert r["stage"] == "statement" and r["case"]["flags"]["notified"] is True
    assert "penalty_statement_5d" in r["clocks_started"]
    doc(w, cid, "statement_record")
    act(w, cid, "record_statement")
    r = act(w, cid, "statement_done")
    assert r["stage"] == "decision" and "penalty_statement_5d" in r["clocks_finished"]
    d = doc(w, cid, "penalty_decision")
    assert re.fullmatch(r"赣江市监处罚〔\d{4}〕\d+号", d["doc_no"])
    # Nobody classified it, but a 一般程序 penalty is major (seed 12(1)): the
    # store's gate classifies from the case itself and refuses without review.
    act(w, cid, "decide_penalty", s=w.head1, status=409, code="review_required",
        fine_fen=500000)
    # the head's "not major" override needs a reason, and then opens the gate
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_not_major"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required", r.text
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_not_major", "reason": "事实简单、罚款数额较小，经负责人认定不属于重大"},
                     timeout=10)
    assert r.status_code == 200, r.text
    r = act(w, cid, "decide_penalty", s=w.head1, fine_fen=500000)
    assert r["stage"] == "service" and r["outcome"] == "penalty"
    assert r["case"]["fine_fen"] == 500000
    assert "penalty_decision_90d" in r["clocks_finished"]
    assert clock(r["case"], "penalty_decision_90d")["state"] == "done_on_time"
    assert {"penalty_service_7d", "publish_penalty"} <= set(r["clocks_started"])
    doc(w, cid, "service_receipt")
    r = act(w, cid, "serve")
    assert r["stage"] == "execution" and "penalty_service_7d" in r["clocks_finished"]
    doc(w, cid, "closing_approval")
    assert act(w, cid, "close_case", s=w.head1)["stage"] == "closed"
    archive(w, cid)

    # the history holds every step, in order, with its actor
    r = w.officer1.get(w.url + "/cases/%d/timeline" % cid, timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    steps = [i["action"] for i in items if i["type"] == "event"]
    assert steps == ["create", "file_case", "inspect_site", "inquire", "conclude", "submit_review",
                     "case_review_pass", "notify", "record_statement", "statement_done",
                     "decide_penalty", "serve", "close_case", "archive"]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    assert {i["type"] for i in items} == {"event", "document_saved", "document_finalized"}
    by_action = {i["action"]: i for i in items if i["type"] == "event"}
    assert by_action["file_case"]["actor"] == "head1"
    assert by_action["case_review_pass"]["actor"] == "reviewer1"
    assert by_action["decide_penalty"]["detail"]["fine_fen"] == 500000
    # every change is an audit row (and so a ledger event) with a content hash
    con = w.srv.db()
    try:
        rows = con.execute("SELECT action, content_sha256 FROM audit_log WHERE object_type = 'case' "
                           "AND object_id = ? ORDER BY id", (str(cid),)).fetchall()
        ledger = con.execute("SELECT COUNT(*) FROM ledger_events e JOIN audit_log a ON "
                             "a.id = e.idx WHERE a.object_type = 'case' AND a.object_id = ?",
                             (str(cid),)).fetchone()[0]
    finally:
        con.close()
    assert [a for a, _ in rows].count("case_action") == 13
    assert rows[0][0] == "case_create"
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for _, h in rows)
    assert ledger == len(rows)


def test_archived_case_refuses_every_change(w):
    c = create(w, "inspection", parties=[])
    cid = c["id"]
    act(w, cid, "dispatch")
    doc(w, cid, "site_record")
    act(w, cid, "inspect")
    act(w, cid, "result_normal")
    act(w, cid, "publish")
    draft = doc(w, cid, "file_cover", final=False)
    for t in ("file_cover", "file_index", "file_notes"):
        doc(w, cid, t)
    act(w, cid, "archive")
    ev = upload(w, "photo")
    base = w.url + "/cases/%d" % cid
    attempts = [
        lambda: w.officer1.put(base, json={"title": "改名"}, timeout=10),
        lambda: w.officer1.post(base + "/actions", json={"action": "dispatch"}, timeout=10),
        lambda: w.officer1.put(base + "/officers", json={"officers": w.officers[:1]}, timeout=10),
        lambda: w.officer1.post(base + "/parties", json={"kind": "自然人", "name": "某某"}, timeout=10),
        lambda: w.officer1.post(base + "/documents", json={"template": "site_record",
                                                           "fields": fields("site_record")}, timeout=10),
        lambda: w.officer1.put(base + "/documents/%d" % draft["id"],
                               json={"fields": fields("file_cover")}, timeout=10),
        lambda: w.officer1.post(base + "/documents/%d/finalize" % draft["id"], timeout=10),
        lambda: w.officer1.post(base + "/evidence", json={"evidence_id": ev}, timeout=10),
    ]
    for fn in attempts:
        refused(w, fn, 409, "case_archived")
    # reads still work
    assert get(w, cid)["stage"] == "archived"
    assert all(not a["allowed"] for a in get(w, cid)["actions"])


# ---- 退回, 中止/恢复, 移送 -------------------------------------------------------

def to_case_review(w):
    c = create(w, "penalty_general")
    cid = c["id"]
    doc(w, cid, "case_source")
    doc(w, cid, "filing_approval")
    act(w, cid, "file_case", s=w.head1)
    act(w, cid, "conclude")
    doc(w, cid, "investigation_report")
    act(w, cid, "submit_review")
    return cid


def test_return_needs_reason_and_valid_target(w):
    cid = to_case_review(w)
    url = w.url + "/cases/%d/actions" % cid
    refused(w, lambda: w.reviewer1.post(url, json={"action": "return", "target_stage": "investigation"},
                                        timeout=10), 400, "reason_required")
    refused(w, lambda: w.reviewer1.post(url, json={"action": "return", "target_stage": "decision",
                                                   "reason": "证据不足"}, timeout=10),
            400, "invalid_target")
    c = get(w, cid)
    targets = [t["code"] for t in options(c)["return"]["targets"]]
    assert "investigation" in targets and "decision" not in targets
    r = act(w, cid, "return", s=w.reviewer1, target_stage="investigation", reason="询问笔录缺少当事人签名，补充调查")
    assert r["stage"] == "investigation" and r["stage_before"] == "case_review"
    ev = w.officer1.get(w.url + "/cases/%d/timeline" % cid, timeout=10).json()["items"]
    last = [i for i in ev if i["type"] == "event"][-1]
    assert last["action"] == "return" and last["reason"].startswith("询问笔录缺少")
    assert last["actor"] == "reviewer1" and last["detail"]["target"] == "investigation"


def test_suspend_and_resume_pause_clocks(w):
    c = create(w, "license", matter_id=w.license_matter)
    cid = c["id"]
    assert clock(c, "license_supplement_5d")["open"]
    doc(w, cid, "license_accept")
    r = act(w, cid, "accept")
    assert r["stage"] == "review" and "license_decision_20d" in r["clocks_started"]
    assert "license_supplement_5d" in r["clocks_finished"]
    url = w.url + "/cases/%d/actions" % cid
    refused(w, lambda: w.head1.post(url, json={"action": "suspend"}, timeout=10), 400, "reason_required")
    refused(w, lambda: w.officer1.post(url, json={"action": "suspend", "reason": "专家评审"}, timeout=10),
            403, "role_not_allowed")
    r = act(w, cid, "suspend", s=w.head1, reason="需要专家评审（行政许可法第四十五条）")
    assert r["clocks_paused"] == ["license_decision_20d"]
    c = r["case"]
    assert c["flags"]["suspended"] is True
    k = clock(c, "license_decision_20d")
    assert k["state"] == "paused" and k["due"] is None
    # while suspended only 恢复 is open (to the head, who is asking here)
    assert [a["code"] for a in c["actions"] if a["allowed"]] == ["resume"]
    refused(w, lambda: w.officer1.post(url, json={"action": "review_done"}, timeout=10),
            409, "case_suspended")
    r = act(w, cid, "resume", s=w.head1)
    assert r["clocks_resumed"] == ["license_decision_20d"]
    k = clock(r["case"], "license_decision_20d")
    assert k["state"] in ("on_time", "due_soon") and k["due"]
    assert r["case"]["flags"]["suspended"] is False
    refused(w, lambda: w.head1.post(url, json={"action": "resume"}, timeout=10), 409, "not_suspended")
    # the 90-day clock of a penalty case (calendar days) pauses as well
    cid2 = to_case_review(w)
    r = act(w, cid2, "suspend", s=w.head1, reason="等待检验结果")
    assert "penalty_decision_90d" in r["clocks_paused"]
    assert clock(r["case"], "penalty_decision_90d")["state"] == "paused"
    r = act(w, cid2, "resume", s=w.head1)
    assert clock(r["case"], "penalty_decision_90d")["state"] == "on_time"


def test_transfer_ends_the_flow(w):
    c = create(w, "penalty_general")
    cid = c["id"]
    doc(w, cid, "case_source")
    doc(w, cid, "filing_approval")
    act(w, cid, "file_case", s=w.head1)
    url = w.url + "/cases/%d/actions" % cid
    refused(w, lambda: w.head1.post(url, json={"action": "transfer", "reason": "不属于本机关管辖"},
                                    timeout=10), 409, "document_missing")
    # 移送函 has no template yet: a scan, which must be there before it is final
    r = w.officer1.post(w.url + "/cases/%d/documents" % cid,
                        json={"template": "transfer_letter", "fields": {"title": "案件移送函"}}, timeout=10)
    assert r.status_code == 201, r.text
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/documents/%d/finalize" % (cid, r.json()["id"]),
                                       timeout=10), 400, "validation_failed")
    doc(w, cid, "transfer_letter", scan=True)
    r = act(w, cid, "transfer", s=w.head1, reason="违法行为发生地不在本市，移送有管辖权的机关")
    assert r["stage"] == "closed" and r["outcome"] == "transferred"
    assert "penalty_decision_90d" in r["clocks_finished"]
    assert r["case"]["flags"]["transferred"] is True
    refused(w, lambda: w.officer1.post(url, json={"action": "conclude"}, timeout=10),
            409, "case_transferred")
    archive(w, cid)


# ---- 简易程序 -------------------------------------------------------------------

def test_penalty_summary_life_cycle_and_limits(w):
    c = create(w, "penalty_summary", parties=[{"kind": "自然人", "name": "陈某", "identifier": PERSON}])
    cid = c["id"]
    assert c["stage"] == "on_spot" and c["parties"][0]["id_type"] == "居民身份证号码"
    doc(w, cid, "onsite_penalty")
    url = w.url + "/cases/%d/actions" % cid
    # art. 51: a citizen at most 200 yuan on the spot
    e = refused(w, lambda: w.officer1.post(url, json={"action": "decide_on_spot", "fine_fen": 20001},
                                           timeout=10), 400, "summary_limit_exceeded")
    assert "200" in e["message"]
    # one officer is not enough (第四十二条)
    r = w.officer1.put(w.url + "/cases/%d/officers" % cid, json={"officers": w.officers[:1]}, timeout=10)
    assert r.status_code == 200 and len(r.json()["officers"]) == 1
    refused(w, lambda: w.officer1.post(url, json={"action": "decide_on_spot", "fine_fen": 5000},
                                       timeout=10), 409, "two_officers_required")
    r = w.officer1.put(w.url + "/cases/%d/officers" % cid, json={"officers": w.officers}, timeout=10)
    assert r.status_code == 200
    r = act(w, cid, "decide_on_spot", fine_fen=5000)
    assert r["stage"] == "service" and r["case"]["fine_fen"] == 5000 and r["case"]["case_no"]
    assert act(w, cid, "serve_on_spot")["stage"] == "execution"
    assert act(w, cid, "report_filing")["stage"] == "closed"
    archive(w, cid)


# ---- 行政许可 with 补正 -----------------------------------------------------------

def test_license_with_supplement(w):
    c = create(w, "license", matter_id=w.license_matter)
    cid = c["id"]
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid, json={"action": "grant"},
                                       timeout=10), 409, "illegal_transition")
    d = doc(w, cid, "license_supplement")
    assert re.fullmatch(r"赣江市监许补〔\d{4}〕\d+号", d["doc_no"])
    r = act(w, cid, "request_supplement")
    assert r["stage"] == "supplement" and "license_supplement_5d" in r["clocks_finished"]
    doc(w, cid, "license_accept")
    r = act(w, cid, "accept")
    assert r["stage"] == "review" and r["case"]["case_no"].startswith("赣江市监许受")
    doc(w, cid, "site_record")
    act(w, cid, "verify")
    act(w, cid, "review_done")
    doc(w, cid, "license_grant")
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid, json={"action": "grant"},
                                       timeout=10), 403, "role_not_allowed")
    r = act(w, cid, "grant", s=w.head1)
    assert r["stage"] == "service" and r["outcome"]
    assert {"license_service_10d", "publish_licensing"} <= set(r["clocks_started"])
    assert "license_decision_20d" in r["clocks_finished"]
    doc(w, cid, "service_receipt")
    assert act(w, cid, "serve")["stage"] == "closed"
    archive(w, cid)


# ---- 行政强制 查封 with the mandatory recording ----------------------------------

def test_coercion_seizure_needs_the_recording(w):
    c = create(w, "coercion_seizure")
    cid = c["id"]
    act(w, cid, "approve", s=w.head1)
    doc(w, cid, "site_record")
    d = doc(w, cid, "coercive_decision")
    assert re.fullmatch(r"赣江市监强制〔\d{4}〕\d+号", d["doc_no"])
    url = w.url + "/cases/%d/actions" % cid
    e = refused(w, lambda: w.officer1.post(url, json={"action": "implement"}, timeout=10),
                409, "recording_required")
    assert "录像" in e["message"]
    # a photo is not a video
    photo = upload(w, "photo")
    r = w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": photo}, timeout=10)
    assert r.status_code == 200, r.text
    refused(w, lambda: w.officer1.post(url, json={"action": "implement"}, timeout=10),
            409, "recording_required")
    video = upload(w, "video")
    refused(w, lambda: w.officer1.post(url, json={"action": "implement", "evidence": [video]}, timeout=10),
            400, "evidence_not_linked")
    r = w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": video}, timeout=10)
    assert r.status_code == 200, r.text
    con = w.srv.db()
    try:
        row = con.execute("SELECT case_id, expires_at FROM evidence_files WHERE id = ?", (video,)).fetchone()
    finally:
        con.close()
    assert row == (cid, None)  # linked: kept for ever
    r = act(w, cid, "implement")
    assert r["stage"] == "deliver" and "coercion_seizure_30d" in r["clocks_started"]
    k = clock(r["case"], "coercion_seizure_30d")
    assert k["calendar_days"] and k["open"]
    tl = w.officer1.get(w.url + "/cases/%d/timeline" % cid, timeout=10).json()["items"]
    ev = [i for i in tl if i["type"] == "event" and i["action"] == "implement"][0]
    assert set(ev["detail"]["evidence"]) == {photo, video}
    assert {i["id"] for i in tl if i["type"] == "evidence"} == {photo, video}
    doc(w, cid, "service_receipt")
    assert act(w, cid, "deliver")["stage"] == "in_effect"
    doc(w, cid, "coercive_extension", scan=True)
    r = act(w, cid, "extend", s=w.head1)
    assert r["clocks_extended"] == ["coercion_seizure_30d"]
    refused(w, lambda: w.head1.post(url, json={"action": "extend"}, timeout=10), 409, "already_extended")
    doc(w, cid, "coercive_release", scan=True)
    r = act(w, cid, "release", s=w.head1)
    assert r["stage"] == "closed" and clock(r["case"], "coercion_seizure_30d")["open"] is False
    archive(w, cid)


def test_evidence_link_rules(w):
    c = create(w, "inspection", parties=[])
    other = create(w, "inspection", parties=[])
    ev = upload(w, "photo")
    r = w.officer1.post(w.url + "/cases/%d/evidence" % c["id"], json={"evidence_id": ev}, timeout=10)
    assert r.status_code == 200
    assert audit(w, "case_evidence_link", c["id"])
    # the same case again is a no-op; another case is refused
    r = w.officer1.post(w.url + "/cases/%d/evidence" % c["id"], json={"evidence_id": ev}, timeout=10)
    assert r.status_code == 200
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/evidence" % other["id"],
                                       json={"evidence_id": ev}, timeout=10), 409, "case_already_linked")
    # a file of another department may not be linked
    con = w.srv.db()
    try:
        foreign = con.execute("SELECT id FROM evidence_files WHERE department_id <> ? ORDER BY id",
                              (w.market,)).fetchone()
    finally:
        con.close()
    if foreign:
        refused(w, lambda: w.officer1.post(w.url + "/cases/%d/evidence" % c["id"],
                                           json={"evidence_id": foreign[0]}, timeout=10), 403, "forbidden")
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/evidence" % c["id"],
                                       json={"evidence_id": 987654}, timeout=10), 400, "validation_failed")


# ---- 行政检查 and 征收征用 ---------------------------------------------------------

def test_inspection_with_problem_and_rectify(w):
    c = create(w, "inspection", parties=[])
    cid = c["id"]
    assert act(w, cid, "dispatch")["stage"] == "inspect"
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid, json={"action": "inspect"},
                                       timeout=10), 409, "document_missing")
    doc(w, cid, "site_record")
    assert act(w, cid, "inspect")["stage"] == "result"
    assert act(w, cid, "result_problem")["stage"] == "handle"
    doc(w, cid, "rectify_order", scan=True)
    assert act(w, cid, "rectify")["stage"] == "publicize"
    assert act(w, cid, "publish")["stage"] == "closed"
    archive(w, cid)


def test_expropriation_life_cycle(w):
    c = create(w, "expropriation", parties=[])
    cid = c["id"]
    doc(w, cid, "expropriation_notice", scan=True)
    assert act(w, cid, "announce", s=w.head1)["stage"] == "survey"
    doc(w, cid, "site_record")
    act(w, cid, "survey")
    url = w.url + "/cases/%d/actions" % cid
    # 公告期满 first (土地管理法 第四十七条)
    refused(w, lambda: w.officer1.post(url, json={"action": "survey_done"}, timeout=10),
            409, "condition_unmet")
    r = w.officer1.put(w.url + "/cases/%d" % cid, json={"wait_until": "2020-01-01"}, timeout=10)
    assert r.status_code == 200 and r.json()["wait_until"] == "2020-01-01"
    assert act(w, cid, "survey_done")["stage"] == "plan"
    doc(w, cid, "compensation_plan", scan=True)
    assert act(w, cid, "plan_done", s=w.head1)["stage"] == "decision"
    doc(w, cid, "expropriation_decision", scan=True)
    assert act(w, cid, "decide", s=w.head1)["stage"] == "compensation"
    doc(w, cid, "compensation_agreement", scan=True)
    assert act(w, cid, "compensate")["stage"] == "execution"
    assert act(w, cid, "take_over")["stage"] == "closed"
    archive(w, cid)


# ---- documents -------------------------------------------------------------------

def test_document_validation_and_immutability(w):
    c = create(w, "penalty_general")
    cid = c["id"]
    base = w.url + "/cases/%d/documents" % cid
    # a draft may leave required fields empty: saved, with what is missing listed
    bad = fields("case_source")
    del bad["summary"]
    bad["registrar_opinion"] = ""
    r = w.officer1.post(base, json={"template": "case_source", "fields": bad}, timeout=10)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft"
    assert [m["key"] for m in draft["missing_fields"]] == ["summary", "registrar_opinion"]
    assert all(re.search(r"[\u4e00-\u9fff]", m["label"]) for m in draft["missing_fields"])
    listed = w.officer1.get(base, timeout=10).json()["items"]
    assert [d["missing_fields"] for d in listed if d["id"] == draft["id"]][0] == draft["missing_fields"]
    # ... but what is filled must be valid even in a draft
    refused(w, lambda: w.officer1.post(base, json={"template": "case_source",
                                                   "fields": dict(bad, source_date="2026-02-30")},
                                       timeout=10), 400, "bad_format")
    # finalizing validates fully and names every missing field
    e = refused(w, lambda: w.officer1.post(base + "/%d/finalize" % draft["id"], timeout=10), 400, "required")
    assert e["field"] == "fields.summary"
    assert all("“%s”" % m["label"] in e["message"] for m in draft["missing_fields"]), e["message"]
    # filled in, it finalizes
    r = w.officer1.put(base + "/%d" % draft["id"], json={"fields": fields("case_source")}, timeout=10)
    assert r.status_code == 200 and r.json()["missing_fields"] == [], r.text
    r = w.officer1.post(base + "/%d/finalize" % draft["id"], timeout=10)
    assert r.status_code == 200 and r.json()["missing_fields"] == [], r.text
    refused(w, lambda: w.officer1.post(base, json={"template": "no_such_doc", "fields": {}}, timeout=10),
            400, "validation_failed")
    refused(w, lambda: w.officer1.post(base, json={"template": "penalty_notice",
                                                   "fields": fields("penalty_notice", doc_no="赣江市监罚告〔2026〕9号")},
                                       timeout=10), 400, "validation_failed")
    refused(w, lambda: w.officer1.post(base, json={"template": "case_source",
                                                   "fields": fields("case_source", zz=1)}, timeout=10),
            400, "unknown_field")
    refused(w, lambda: w.officer1.post(base, json={"template": "case_source", "fields": [1]}, timeout=10),
            400, "wrong_type")
    d = doc(w, cid, "case_source", final=False)
    r = w.officer1.put(base + "/%d" % d["id"], json={"fields": fields("case_source", summary="修改后的案源内容")},
                       timeout=10)
    assert r.status_code == 200 and r.json()["fields"]["summary"] == "修改后的案源内容"
    r = w.officer1.post(base + "/%d/finalize" % d["id"], timeout=10)
    assert r.status_code == 200 and r.json()["doc_no"] is None  # 登记表 are unnumbered
    refused(w, lambda: w.officer1.put(base + "/%d" % d["id"], json={"fields": fields("case_source")},
                                      timeout=10), 409, "document_final")
    refused(w, lambda: w.officer1.post(base + "/%d/finalize" % d["id"], timeout=10), 409, "document_final")
    refused(w, lambda: w.officer1.post(base + "/%d/finalize" % d["id"], json={"zz": 1}, timeout=10),
            400, "unknown_field")
    # numbers run per department, kind and year without gaps
    n1 = doc(w, cid, "penalty_notice")["doc_no"]
    n2 = doc(w, cid, "penalty_notice")["doc_no"]
    seq = lambda s: int(re.search(r"〕(\d+)号", s).group(1))
    assert seq(n2) == seq(n1) + 1
    lst = w.officer1.get(base, timeout=10).json()["items"]
    assert [x["template"] for x in lst][:1] == ["case_source"] and "fields" not in lst[0]
    assert w.officer1.get(base + "/987654", timeout=10).status_code == 404
    assert audit(w, "case_document_finalize", d["id"])


# ---- scope, secrecy, party view -----------------------------------------------------

def test_department_scope(w):
    r = w.officer1.get(w.url + "/cases/%d" % w.env_case, timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert get(w, w.env_case, s=w.supervisor1)["department_id"] == w.env
    items = w.officer1.get(w.url + "/cases", params={"per_page": 100}, timeout=10).json()["items"]
    assert items and {i["department_id"] for i in items} == {w.market}
    r = w.officer1.get(w.url + "/cases", params={"department_id": w.env}, timeout=10)
    assert r.status_code == 403
    r = w.supervisor1.get(w.url + "/cases", params={"department_id": w.env}, timeout=10).json()
    assert r["total"] >= 2 and {i["department_id"] for i in r["items"]} == {w.env}
    for s in (w.admin, w.auditor1):
        assert s.get(w.url + "/cases", timeout=10).status_code == 403
        assert s.get(w.url + "/cases/%d" % w.env_case, timeout=10).status_code == 403
    # writes into another department: refused (and the refusal itself audited)
    before = w.srv.snapshot([t for t in CASE_TABLES if t != "audit_log"])
    r = w.head1.post(w.url + "/cases/%d/actions" % w.env_case, json={"action": "file_case"}, timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert w.srv.snapshot([t for t in CASE_TABLES if t != "audit_log"]) == before
    assert ("head1", "route", API + "/cases/{id}/actions", "POST") in [
        (a, t, o, d) for a, t, o, d in audit(w, "forbidden")]


def test_list_filters_pagination_and_stats(w):
    c = create(w, "spot_check", parties=[])
    r = w.officer1.get(w.url + "/cases", params={"procedure": "spot_check", "per_page": 1,
                                                 "sort": "-created_at"}, timeout=10).json()
    assert r["per_page"] == 1 and r["items"][0]["id"] == c["id"] and r["total"] >= 1
    r = w.officer1.get(w.url + "/cases", params={"stage": "draw", "procedure": "spot_check"}, timeout=10).json()
    assert all(i["stage"] == "draw" for i in r["items"]) and r["total"] >= 1
    r = w.officer1.get(w.url + "/cases", params={"officer_id": w.officers[1], "per_page": 100}, timeout=10).json()
    assert c["id"] in [i["id"] for i in r["items"]]
    # the count (read from case_officers alone) is the number of such cases
    con = w.srv.db()
    try:
        want = con.execute("SELECT COUNT(*) FROM cases c WHERE c.department_id = ? AND c.id IN "
                           "(SELECT case_id FROM case_officers WHERE officer_id = ?)",
                           (w.market, w.officers[1])).fetchone()[0]
        env_officer = con.execute("SELECT id FROM officers WHERE department_id = ?", (w.env,)).fetchone()[0]
    finally:
        con.close()
    assert r["total"] == want > 0
    # another department's officer: none of my department's cases
    r = w.officer1.get(w.url + "/cases", params={"officer_id": env_officer}, timeout=10).json()
    assert r["total"] == 0 and r["items"] == []
    r = w.officer1.get(w.url + "/cases", params={"q": "spot_check"}, timeout=10).json()
    assert c["id"] in [i["id"] for i in r["items"]]
    r = w.officer1.get(w.url + "/cases", params={"overdue": "1"}, timeout=10).json()
    assert all(i["overdue"] for i in r["items"])
    r = w.officer1.get(w.url + "/cases", params={"power_type": "inspection", "per_page": 100}, timeout=10).json()
    assert r["items"] and all(i["power_type"] == "inspection" for i in r["items"])
    assert w.officer1.get(w.url + "/cases", params={"sort": "password"}, timeout=10).status_code == 400
    assert w.officer1.get(w.url + "/cases", params={"from": "2026-13-01"}, timeout=10).status_code == 400
    s = w.officer1.get(w.url + "/cases/stats", timeout=10).json()
    assert s["department_id"] == w.market and s["total"] == sum(x["count"] for x in s["by_stage"])
    assert sum(x["count"] for x in s["by_power_type"]) == s["total"]
    src = [x for x in s["stage_durations"] if x["procedure"] == "penalty_general" and x["stage"] == "source"]
    assert src and src[0]["transitions"] >= 1 and 0 <= src[0]["avg_seconds"] <= src[0]["max_seconds"]
    sup = w.supervisor1.get(w.url + "/cases/stats", timeout=10).json()
    assert sup["department_id"] is None and sup["total"] > s["total"]
    assert w.officer1.get(w.url + "/cases/stats", params={"department_id": w.env},
                          timeout=10).status_code == 403


def test_restricted_case_needs_reason_and_is_recorded(w):
    c = create(w, "penalty_general", secrecy="personal_privacy")
    cid = c["id"]
    r = w.officer2.get(w.url + "/cases/%d" % cid, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    for part in ("/timeline", "/documents"):
        assert w.officer2.get(w.url + "/cases/%d%s" % (cid, part), timeout=10).status_code == 400
    before = len(audit(w, "case_view_restricted", cid))
    r = w.officer2.get(w.url + "/cases/%d" % cid, params={"reason": "办理本案需要"}, timeout=10)
    assert r.status_code == 200 and r.json()["title"].startswith("测试案件")
    rows = audit(w, "case_view_restricted", cid)
    assert len(rows) == before + 1 and rows[-1][0] == "officer2" and "办理本案需要" in rows[-1][3]
    # lists show no title of a restricted case
    items = w.officer2.get(w.url + "/cases", params={"per_page": 100}, timeout=10).json()["items"]
    row = [i for i in items if i["id"] == cid][0]
    assert row["title"] == "（涉密或受限案件）" and row["secrecy"] == "personal_privacy"
    # 国家秘密: the head and the supervisor only; lowering the label is the head's
    r = w.officer1.put(w.url + "/cases/%d" % cid, json={"secrecy": "state_secret"}, timeout=10)
    assert r.status_code == 200
    r = w.officer2.get(w.url + "/cases/%d" % cid, params={"reason": "办理本案需要"}, timeout=10)
    assert r.status_code == 403
    assert w.head1.get(w.url + "/cases/%d" % cid, params={"reason": "审批"}, timeout=10).status_code == 200
    assert w.supervisor1.get(w.url + "/cases/%d" % cid, params={"reason": "监督检查"},
                             timeout=10).status_code == 200
    refused(w, lambda: w.officer1.put(w.url + "/cases/%d" % cid, json={"secrecy": "none"}, timeout=10),
            403, "forbidden")
    r = w.head1.put(w.url + "/cases/%d" % cid, json={"secrecy": "none"}, timeout=10)
    assert r.status_code == 200
    assert w.officer2.get(w.url + "/cases/%d" % cid, timeout=10).status_code == 200


def test_party_view_needs_reason_and_is_recorded(w):
    ident = uscc("91360100MA3PQ0001")
    c = create(w, "penalty_general", parties=[{"kind": "法人", "name": "赣江市当事人查询测试有限公司",
                                                "identifier": ident}])
    url = w.url + "/parties/%s/cases" % ident
    assert w.officer1.get(url, timeout=10).status_code == 400
    bad = ident[:-1] + ("0" if ident[-1] != "0" else "1")
    assert w.officer1.get(w.url + "/parties/%s/cases" % bad, params={"reason": "x"},
                          timeout=10).status_code == 400
    # the case's text records come with it (集中储存): a document of the case
    up = w.officer1.put(w.url + "/evidence/raw", params={"kind": "scan"}, data=b"scan" * 100, timeout=10)
    assert up.status_code in (200, 201), up.text
    d = w.officer1.post(w.url + "/cases/%d/documents" % c["id"], json={
        "template": "transfer_letter", "fields": {"title": "移送函"}, "evidence_id": up.json()["id"]},
        timeout=10)
    assert d.status_code == 201, d.text
    r = w.officer1.get(url, params={"reason": "核查当事人违法记录"}, timeout=10)
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] == [c["id"]]
    docs = r.json()["items"][0]["documents"]
    assert [(x["id"], x["template"], x["status"]) for x in docs] == [(d.json()["id"], "transfer_letter", "draft")]
    assert docs[0]["template_name"] != "transfer_letter" and docs[0]["doc_no"] is None
    con = w.srv.db()
    try:
        row = con.execute("SELECT identifier, reason FROM party_lookups WHERE id = ?",
                          (r.json()["lookup_id"],)).fetchone()
    finally:
        con.close()
    assert row == (ident, "核查当事人违法记录")
    rows = audit(w, "party_view", r.json()["lookup_id"])
    assert rows and ident not in rows[-1][3]
    # the demo company has cases in two departments: the officer sees only his
    demo = "91369900MA35K7Q2XT"
    mine = w.officer1.get(w.url + "/parties/%s/cases" % demo, params={"reason": "核查"}, timeout=10).json()
    allx = w.supervisor1.get(w.url + "/parties/%s/cases" % demo, params={"reason": "核查"}, timeout=10).json()
    assert {i["department_id"] for i in mine["items"]} == {w.market}
    assert {i["department_id"] for i in allx["items"]} == {w.market, w.env}


def test_bad_input_is_refused(w):
    url = w.url + "/cases"
    for body, field in [
        ({"procedure": "no_such", "title": "x"}, "procedure"),
        ({"procedure": "inspection"}, "title"),
        ({"procedure": "inspection", "title": "x", "zz": 1}, "zz"),
        ({"procedure": "inspection", "title": "x", "parties": [{"kind": "法人", "name": "甲",
                                                               "identifier": COMPANY[:-1] + "0"}]},
         "parties[0].identifier"),
        ({"procedure": "inspection", "title": "x", "parties": [{"kind": "外星人", "name": "甲"}]},
         "parties[0].kind"),
        ({"procedure": "inspection", "title": "x", "officers": [987654]}, "officers"),
        ({"procedure": "license", "title": "x", "matter_id": 987654}, "matter_id"),
    ]:
        if body.get("parties") and body["parties"][0].get("identifier") == COMPANY:
            continue
        e = refused(w, lambda: w.officer1.post(url, json=body, timeout=10), 400,
                    "unknown_field" if field == "zz" else "validation_failed")
        assert e["field"] == field, (body, e)
    c = create(w, "inspection", parties=[])
    r = w.officer1.post(w.url + "/cases/%d/parties" % c["id"],
                        json={"kind": "个体工商户", "name": "李记小吃", "identifier": PERSON}, timeout=10)
    assert r.status_code == 201 and r.json()["kind"] == "individual_business", r.text
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/parties" % c["id"],
                                       json={"kind": "自然人", "name": "某", "identifier": COMPANY},
                                       timeout=10), 400, "validation_failed")
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % c["id"], json={"action": "fly"},
                                       timeout=10), 400, "unknown_action")
    refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % c["id"], json={}, timeout=10),
            400, "validation_failed")


# ---- devices and the 音像记录事项清单 -------------------------------------------------

def test_devices(w):
    url = w.url + "/departments/%d/devices" % w.market
    r = w.head1.post(url, json={"serial": "DSJ-TEST-0001", "kind": "body_camera", "model": "V9",
                                "officer_id": w.officers[0]}, timeout=10)
    assert r.status_code == 201, r.text
    dev = r.json()
    assert dev["officer_id"] == w.officers[0] and dev["status"] == "active"
    refused(w, lambda: w.head1.post(url, json={"serial": "DSJ-TEST-0001", "kind": "handheld"}, timeout=10),
            409, "duplicate")
    refused(w, lambda: w.head1.post(url, json={"serial": "X-1", "kind": "drone"}, timeout=10),
            400, "validation_failed")
    con = w.srv.db()
    try:
        env_officer = con.execute("SELECT id FROM officers WHERE department_id = ?", (w.env,)).fetchone()[0]
    finally:
        con.close()
    refused(w, lambda: w.head1.put(w.url + "/devices/%d" % dev["id"], json={"officer_id": env_officer},
                                   timeout=10), 400, "validation_failed")
    r = w.head1.put(w.url + "/devices/%d" % dev["id"], json={"officer_id": None, "status": "repair"}, timeout=10)
    assert r.status_code == 200 and r.json()["officer_id"] is None and r.json()["status"] == "repair"
    assert w.officer1.post(url, json={"serial": "X-2", "kind": "handheld"}, timeout=10).status_code == 403
    assert w.head1.post(w.url + "/departments/%d/devices" % w.env,
                        json={"serial": "X-3", "kind": "handheld"}, timeout=10).status_code == 403
    items = w.officer1.get(url, timeout=10).json()["items"]
    assert "DSJ-TEST-0001" in [d["serial"] for d in items]
    assert w.officer1.get(w.url + "/departments/%d/devices" % w.env, timeout=10).status_code == 403
    r = w.head1.delete(w.url + "/devices/%d" % dev["id"], timeout=10)
    assert r.status_code == 204
    assert audit(w, "device_delete", dev["id"])


def test_av_items_make_a_recording_mandatory(w):
    url = w.url + "/departments/%d/av-items" % w.market
    current = w.head1.get(url, timeout=10).json()["items"]
    assert any(i["action"] == "implement" and i["mandatory"] for i in current)
    items = [{k: i[k] for k in ("procedure", "action", "method", "mandatory", "retention", "note")}
             for i in current]
    items.append({"procedure": "spot_check", "action": "inspect", "method": "video", "mandatory": True,
                  "retention": "important", "note": "双随机检查全程录像"})
    refused(w, lambda: w.head1.put(url, json={"items": [{"action": "fly", "method": "video"}]}, timeout=10),
            400, "validation_failed")
    assert w.officer1.put(url, json={"items": items}, timeout=10).status_code == 403
    r = w.head1.put(url, json={"items": items}, timeout=10)
    assert r.status_code == 200 and len(r.json()["items"]) == len(items)
    c = create(w, "spot_check", parties=[])
    cid = c["id"]
    act(w, cid, "draw")
    doc(w, cid, "site_record")
    e = refused(w, lambda: w.officer1.post(w.url + "/cases/%d/actions" % cid, json={"action": "inspect"},
                                           timeout=10), 409, "recording_required")
    video = upload(w, "video")
    assert w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": video},
                           timeout=10).status_code == 200
    assert act(w, cid, "inspect")["stage"] == "result"
    # put the list back for the other tests
    assert w.head1.put(url, json={"items": items[:-1]}, timeout=10).status_code == 200


@pytest.mark.parametrize("kind", ["legal_person", "unincorporated", "individual_business", "法人"])
def test_party_kind_accepts_codes_and_chinese_names(w, kind):
    party = {"kind": kind, "name": "赣江市测试贸易有限公司", "identifier": COMPANY, "legal_rep": "王测试"}
    if kind == "individual_business":
        party = {"kind": kind, "name": "赣江市李测试小吃店", "identifier": COMPANY, "legal_rep": "李测试"}
    case = create(w, "penalty_general", parties=[party])
    names = {"legal_person": "法人", "unincorporated": "非法人组织", "individual_business": "个体工商户",
             "法人": "法人"}
    assert case["parties"][0]["kind_name"] == names[kind]


# ---- recording interruptions (音像记录中断) ------------------------------------------

def test_recording_interruption_lets_a_mandatory_step_pass(w):
    c = create(w, "coercion_seizure")
    cid = c["id"]
    act(w, cid, "approve", s=w.head1)
    doc(w, cid, "site_record")
    doc(w, cid, "coercive_decision")
    r = w.head1.post(w.url + "/departments/%d/devices" % w.market,
                     json={"serial": "DSJ-INT-0001", "kind": "body_camera"}, timeout=10)
    assert r.status_code == 201, r.text
    dev = r.json()["id"]
    other_dept_dev = None
    con = w.srv.db()
    try:
        con.execute("INSERT INTO devices (department_id, serial, kind, created_at, updated_at) "
                    "VALUES (?, 'DSJ-ENV-INT-2', 'handheld', 0, 0)", (w.env,))
        con.commit()
        other_dept_dev = con.execute("SELECT id FROM devices WHERE serial = 'DSJ-ENV-INT-2'").fetchone()[0]
    finally:
        con.close()
    url = w.url + "/cases/%d/recording-interruptions" % cid
    act_url = w.url + "/cases/%d/actions" % cid
    partial = upload(w, "audio")
    assert w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": partial},
                           timeout=10).status_code == 200
    # without a recorded interruption the step is refused, and the message says how to go on
    e = refused(w, lambda: w.officer1.post(act_url, json={"action": "implement"}, timeout=10),
                409, "recording_required")
    assert "中断" in e["message"]
    now = int(__import__("time").time())
    good = {"action": "implement", "cause": "battery", "reason": "执法记录仪电量耗尽，备用电池未到",
            "device_id": dev, "interrupted_at": now - 600, "resumed_at": now - 300,
            "evidence_id": partial}
    # bad input: refused with a Chinese message, nothing changes
    for bad, status, code, field in [
            ({"reason": "   "}, 400, "reason_required", "reason"),
            ({"reason": None}, 400, "validation_failed", "reason"),
            ({"cause": "aliens"}, 400, "validation_failed", "cause"),
            ({"device_id": 999999}, 400, "invalid_device", "device_id"),
            ({"device_id": other_dept_dev}, 400, "invalid_device", "device_id"),
            ({"action": "no_such_step"}, 400, "validation_failed", "action"),
            ({"interrupted_at": now + 3600}, 400, "validation_failed", "interrupted_at"),
            ({"resumed_at": now - 900}, 400, "validation_failed", "resumed_at"),
            ({"evidence_id": upload(w, "video")}, 400, "evidence_not_linked", "evidence_id")]:
        body = dict(good)
        body.update(bad)
        body = {k: v for k, v in body.items() if v is not None}
        err = refused(w, lambda: w.officer1.post(url, json=body, timeout=10), status, code)
        assert err["field"] == field, err
        assert re.search(r"[\u4e00-\u9fff]", err["message"])
    # an auditor may not record one; another department's officer neither
    assert w.auditor1.post(url, json=good, timeout=10).status_code == 403
    r = w.officer1.post(url, json=good, timeout=10)
    assert r.status_code == 201, r.text
    it = r.json()
    assert it["cause_name"] == "电量耗尽" and it["device_serial"] == "DSJ-INT-0001"
    assert it["action_name"] and it["event_id"] is None and it["evidence_id"] == partial
    assert audit(w, "case_recording_interruption", cid)
    # the step now passes, and uses the interruption up
    r = act(w, cid, "implement")
    assert r["stage"] == "deliver"
    items = w.officer1.get(url, timeout=10).json()["items"]
    assert len(items) == 1 and items[0]["event_id"] == r["event_id"]
    tl = w.officer1.get(w.url + "/cases/%d/timeline" % cid, timeout=10).json()["items"]
    ev = [i for i in tl if i["type"] == "event" and i["action"] == "implement"][0]
    assert ev["detail"]["recording_interrupted"] is True
    ti = [i for i in tl if i["type"] == "recording_interruption"]
    assert len(ti) == 1 and ti[0]["reason"] == good["reason"] and ti[0]["device"] == "DSJ-INT-0001"
    assert ti[0]["resumed_at"] == now - 300 and "音像记录中断" in ti[0]["title"]
    # a device that an interruption names stays in the registry
    assert w.head1.delete(w.url + "/devices/%d" % dev, timeout=10).status_code == 409
    # the archive carries it: case.json (what the ledger hashes) lists it
    doc(w, cid, "service_receipt")
    act(w, cid, "deliver")
    import io
    import json as _json
    import zipfile
    r = w.officer1.get(w.url + "/cases/%d/bundle" % cid, timeout=30)
    assert r.status_code == 200, r.text[:200]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    case_json = _json.loads(z.read("case.json"))
    assert [x["reason"] for x in case_json["recording_interruptions"]] == [good["reason"]]


# ---- Idempotency-Key on document creation ---------------------------------------------

def test_document_creation_is_idempotent(w):
    c = create(w, "penalty_general")
    cid = c["id"]
    base = w.url + "/cases/%d/documents" % cid
    body = {"template": "case_source", "fields": fields("case_source")}
    key = "doc-retry-%d" % cid
    r1 = w.officer1.post(base, json=body, headers={"Idempotency-Key": key}, timeout=10)
    assert r1.status_code == 201, r1.text
    # the retry (same key) gets the first document, not a second one
    r2 = w.officer1.post(base, json=body, headers={"Idempotency-Key": key}, timeout=10)
    assert r2.status_code == 201, r2.text
    assert r2.json()["id"] == r1.json()["id"] and r2.headers.get("Idempotent-Replayed") == "true"
    # even when the retry's body differs (the first answer stands)
    r3 = w.officer1.post(base, json={"template": "inquiry_record", "fields": {}},
                         headers={"Idempotency-Key": key}, timeout=10)
    assert r3.status_code == 201 and r3.json()["id"] == r1.json()["id"], r3.text
    docs = w.officer1.get(base, timeout=10).json()["items"]
    assert len(docs) == 1
    assert len(audit(w, "case_document_save", r1.json()["id"])) == 1
    # another user's key space is their own
    r4 = w.officer2.post(base, json=body, headers={"Idempotency-Key": key}, timeout=10)
    assert r4.status_code == 201 and r4.json()["id"] != r1.json()["id"], r4.text
    # the same key for another case is another request: refused, nothing written
    other = create(w, "penalty_general")["id"]
    e = refused(w, lambda: w.officer1.post(w.url + "/cases/%d/documents" % other, json=body,
                                           headers={"Idempotency-Key": key}, timeout=10),
                409, "idempotency_key_reused")
    assert re.search(r"[\u4e00-\u9fff]", e["message"])
    # a malformed key is refused
    refused(w, lambda: w.officer1.post(base, json=body, headers={"Idempotency-Key": "x" * 201}, timeout=10),
            400, "validation_failed")
    # a refused first attempt keeps nothing: the retry is judged afresh
    bad_key = "doc-bad-%d" % cid
    refused(w, lambda: w.officer1.post(base, json={"template": "no_such_doc", "fields": {}},
                                       headers={"Idempotency-Key": bad_key}, timeout=10), 400, "validation_failed")
    r5 = w.officer1.post(base, json=body, headers={"Idempotency-Key": bad_key}, timeout=10)
    assert r5.status_code == 201 and r5.json()["id"] not in (r1.json()["id"], r4.json()["id"]), r5.text


# ---- calendar-day clocks on 期限预警 -------------------------------------------------------

def test_ninety_day_clock_is_a_calendar_day_clock_on_deadlines(w):
    import datetime
    c = create(w, "penalty_general", matter_id=w.penalty_matter)
    cid = c["id"]
    doc(w, cid, "case_source")
    doc(w, cid, "filing_approval")
    r = act(w, cid, "file_case", s=w.head1)
    k = clock(r["case"], "penalty_decision_90d")
    assert k["calendar_days"] and k["open"]
    start = datetime.date.fromisoformat(k["start"])
    # 行政处罚法 第六十条: 九十日 (calendar days, the start day not counted)
    assert k["due"] == (start + datetime.timedelta(days=90)).isoformat()
    items = w.officer1.get(w.url + "/deadlines", params={"per_page": 100}, timeout=10).json()["items"]
    mine = [x for x in items if x["object_type"] == "case" and x["object_id"] == cid
            and x["rule_code"] == "penalty_decision_90d"]
    assert len(mine) == 1 and mine[0]["due"] == k["due"], items
    con = w.srv.db()
    try:
        kind = con.execute("SELECT rule FROM clocks WHERE id = ?", (mine[0]["id"],)).fetchone()[0]
        assert '"kind":"calendar_days"' in kind and '"days":90' in kind
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'case_day_clocks'").fetchone()[0] == 0
    finally:
        con.close()
    # 中止 and 恢复 the same day: the clock pauses and resumes in the shared table
    r = act(w, cid, "suspend", s=w.head1, reason="等待检验结果")
    assert "penalty_decision_90d" in r["clocks_paused"]
    assert clock(r["case"], "penalty_decision_90d")["state"] == "paused"
    r = act(w, cid, "resume", s=w.head1)
    k2 = clock(r["case"], "penalty_decision_90d")
    assert k2["state"] != "paused" and k2["due"] == k["due"]
