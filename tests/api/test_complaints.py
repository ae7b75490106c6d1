"""投诉举报 (issue 8), black-box: a complaint submitted through the portal's
plain HTML form (CSRF token, honeypot, per-address rate limit) gets a
tracking number and a query code; the department's head and the Justice
Bureau handle it in the console (accept, assign, investigate, reply, close)
against a 15-working-day clock; the complainant follows progress with number
and code; the complainant's personal data is masked for everyone and shown
only to those handling it, on a stated reason that lands in the audit trail
and the ledger; other departments, the auditor and strangers are refused;
bad input is refused with a Chinese message and changes nothing.
"""
import html
import re

import pytest
import requests

from conftest import start_server, stop_server

API = "/api/v1"
NAME, PHONE, EMAIL = "李小明", "13812345678", "lixm@example.com"
NO_RE = re.compile(r'id="tracking-no">(TS-\d{4}-[0-9A-Z]{8}-[0-9A-Z])<')
CODE_RE = re.compile(r'id="query-code">([0-9A-Z]{8})<')
TABLES = ["complaints", "complaint_events", "complaint_submissions", "clocks", "audit_log"]


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_number(year, body):
    """A tracking number with its ISO/IEC 7064 MOD 33,32 check symbol,
    computed here independently of the server."""
    p = 32
    for ch in year + body:
        s = (p + ALPHABET.index(ch)) % 32 or 32
        p = (2 * s) % 33
    return "TS-%s-%s-%s" % (year, body, ALPHABET[(33 - p) % 32])


def form_token(s, url):
    r = s.get(url + "/complaints", timeout=10)
    assert r.status_code == 200, r.text
    m = re.search(r'name="form_token" value="([^"]+)"', r.text)
    assert m, r.text
    return m.group(1)


def new_rate_window(srv):
    """Forgets the submissions of the last hour: the tests of one module all
    post from 127.0.0.1, and only test_rate_limit_per_address is about the
    limit."""
    con = srv.db()
    try:
        con.execute("DELETE FROM complaint_submissions")
        con.commit()
    finally:
        con.close()


def submit(srv, s=None, status=201, **fields):
    """Fills and posts the form as a browser would; returns the response."""
    s = s or requests.Session()
    data = {"form_token": form_token(s, srv.url), "department_id": "1", "subject_kind": "officer",
            "subject_text": "张海燕", "content": "执法人员检查时未出示执法证件，态度粗暴，要求说明理由。",
            "name": NAME, "phone": PHONE, "email": EMAIL, "website": ""}
    data.update({k: v for k, v in fields.items() if v is not None})
    for k in [k for k, v in fields.items() if v is None]:
        data.pop(k, None)
    r = s.post(srv.url + "/complaints", data=data, timeout=10)
    assert r.status_code == status, r.text
    return r


def receipt(r):
    return NO_RE.search(r.text).group(1), CODE_RE.search(r.text).group(1)


def track(srv, no, code, status=200):
    r = requests.post(srv.url + "/complaints/track", data={"tracking_no": no, "code": code}, timeout=10)
    assert r.status_code == status, r.text
    return r.text


def row(srv, sql, *args):
    con = srv.db()
    try:
        return con.execute(sql, args).fetchone()
    finally:
        con.close()


def act(s, srv, cid, status=200, **body):
    r = s.post(srv.url + API + "/complaints/%d/actions" % cid, json=body, timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def is_error(r, code=None):
    e = r.json()["error"]
    assert re.search(r"[\u4e00-\u9fff]", e["message"]), e
    if code:
        assert e["code"] == code, e
    return e


@pytest.fixture(scope="module")
def w(server):
    class W:
        pass
    w = W()
    w.srv = server
    for u in ("head1", "officer1", "officer2", "supervisor1", "auditor1", "admin"):
        setattr(w, u, server.login(u))
    other = row(server, "SELECT id FROM departments WHERE name LIKE '%生态环境局' ORDER BY id LIMIT 1")[0]
    for name, role in (("cp_head_other", "head"), ("cp_officer_other", "officer")):
        r = w.admin.post(server.url + API + "/users", json={
            "username": name, "display_name": "外部门" + role, "role": role, "department_id": other,
            "password": "Complaint-test-pass-2026"}, timeout=10)
        assert r.status_code == 201, r.text
        setattr(w, name, server.login(name, "Complaint-test-pass-2026"))
    w.other = other
    w.officer1_id = w.officer1.user["id"]
    return w


def test_form_works_without_javascript(server):
    r = requests.get(server.url + "/complaints", timeout=10)
    assert r.status_code == 200
    assert '<form class="complaint-form" method="post" action="/complaints"' in r.text
    assert "<script" not in r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("zf_form=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = re.search(r'name="form_token" value="([^"]+)"', r.text).group(1)
    assert cookie.split(";")[0] == "zf_form=" + token
    assert r.headers["Cache-Control"] == "no-store"
    assert "市市场监督管理局" in r.text


def test_end_to_end(w):
    srv = w.srv
    before_ledger = row(srv, "SELECT COUNT(*) FROM ledger_events")[0]
    no, code = receipt(submit(srv))
    assert make_number(no[3:7], no[8:16]) == no
    c = row(srv, "SELECT id, status, department_id, due_date, clock_id, name, phone, query_hash "
            "FROM complaints WHERE tracking_no = ?", no)
    cid = c[0]
    assert c[1] == "submitted" and c[2] == 1 and c[5] == NAME and c[6] == PHONE
    assert code not in c[7]  # only a hash of the code is kept
    # 15 working days after the day of receipt, on a clock of the complaint rule
    clock = row(srv, "SELECT rule_code, object_type, object_id, due_date FROM clocks WHERE id = ?", c[4])
    assert clock[:3] == ("complaint_handle", "complaint", cid) and clock[3] == c[3]
    received = row(srv, "SELECT date(created_at + 8 * 3600, 'unixepoch') FROM complaints WHERE id = ?", cid)[0]
    due = w.head1.get(srv.url + API + "/calendar/add-workdays", params={"from": received, "n": 15},
                      timeout=10).json()
    assert c[3] == (due.get("date") or due.get("result") or due.get("due")), due
    # the submission is in the audit trail and the ledger, without personal data
    a = row(srv, "SELECT id, detail FROM audit_log WHERE action = 'complaint_submit' AND object_id = ?", str(cid))
    assert a and PHONE not in a[1] and NAME not in a[1]
    assert row(srv, "SELECT COUNT(*) FROM ledger_events")[0] > before_ledger

    page = track(srv, no.lower().replace("-", " "), code.lower())
    assert "待受理" in page and c[3] in page and "收到投诉" in page
    assert NAME not in page and PHONE not in page

    # the head sees it masked, with the deadline
    lst = w.head1.get(srv.url + API + "/complaints", timeout=10).json()
    item = [i for i in lst["items"] if i["id"] == cid][0]
    assert item["complainant"] == {"name": "李**", "phone": "138****5678", "email": "l***@example.com",
                                   "masked": True}
    assert item["deadline_state"] == "on_time" and item["workdays_left"] == 15
    assert item["status_name"] == "待受理"

    act(w.head1, srv, cid, action="accept")
    handlers = w.head1.get(srv.url + API + "/complaints/%d/handlers" % cid, timeout=10).json()["items"]
    assert w.officer1_id in [h["id"] for h in handlers]
    got = act(w.head1, srv, cid, action="assign", handler_id=w.officer1_id)
    assert got["status"] == "investigating" and got["handler_id"] == w.officer1_id
    act(w.officer1, srv, cid, action="note", note="调取执法记录仪视频，询问当班人员。")
    # the handler may not close; only the head or the bureau
    is_error(w.officer1.post(srv.url + API + "/complaints/%d/actions" % cid, json={"action": "close"},
                             timeout=10), "forbidden")
    reply = "经调查，执法人员确有未主动出示证件的情形，已批评教育并责令整改。"
    got = act(w.officer1, srv, cid, action="reply", note=reply)
    assert got["status"] == "replied" and got["reply"] == reply
    assert row(srv, "SELECT done_date FROM clocks WHERE id = ?", c[4])[0] is not None
    got = act(w.supervisor1, srv, cid, action="close")
    assert got["status"] == "closed"
    assert [e["action"] for e in got["events"]] == ["submit", "accept", "assign", "note", "reply", "close"]
    for action in ("accept", "assign", "note", "reply", "close"):
        assert row(srv, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_id = ?",
                   "complaint_" + action, str(cid))[0] == 1

    page = html.unescape(track(srv, no, code))
    assert "已办结" in page and reply in page and "受理" in page and "答复" in page
    assert "调取执法记录仪视频" not in page  # investigation notes stay internal
    assert "张海燕" not in page.split("办理过程")[1]  # no handler names to the public


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_attachments(w):
    """Files go with the multipart form; their type comes from their bytes;
    handlers read them on a reason, which is recorded; others cannot."""
    srv = w.srv
    new_rate_window(srv)
    s = requests.Session()
    data = {"form_token": form_token(s, srv.url), "department_id": "1", "subject_kind": "department",
            "subject_text": "", "content": "窗口工作人员推诿，附现场照片和告知书。", "website": ""}
    files = [("attachments", ("现场.png", PNG, "application/octet-stream")),
             ("attachments", ("告知书.pdf", PDF, "image/png"))]
    r = s.post(srv.url + "/complaints", data=data, files=files, timeout=10)
    assert r.status_code == 201, r.text
    no, _ = receipt(r)
    cid = row(srv, "SELECT id FROM complaints WHERE tracking_no = ?", no)[0]
    got = w.head1.get(srv.url + API + "/complaints/%d" % cid, timeout=10).json()
    assert [(a["filename"], a["size"], a["content_type"]) for a in got["attachments"]] == [
        ("现场.png", len(PNG), "image/png"), ("告知书.pdf", len(PDF), "application/pdf")]
    a = got["attachments"][1]
    url = srv.url + API + "/complaints/%d/attachments/%d" % (cid, a["id"])
    r = w.head1.get(url, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    r = w.officer2.get(url, params={"reason": "看看"}, timeout=10)
    assert r.status_code == 403
    n_before = row(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint_attachment_view'")[0]
    r = w.head1.get(url, params={"reason": "核实告知书内容"}, timeout=10)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert row(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint_attachment_view'")[0] == n_before + 1
    log = w.auditor1.get(srv.url + API + "/access-log", params={"action": "complaint_attachment_view"},
                         timeout=10).json()
    assert log["items"][0]["reason"] == "核实告知书内容" and log["items"][0]["record_department_id"] == 1
    # another complaint's attachment id is not this complaint's
    other = row(srv, "SELECT id FROM complaints WHERE id <> ? ORDER BY id LIMIT 1", cid)[0]
    r = w.head1.get(srv.url + API + "/complaints/%d/attachments/%d" % (other, a["id"]),
                    params={"reason": "x"}, timeout=10)
    assert r.status_code == 404

    # refused: not an image or PDF (whatever the browser says), too many files; nothing written
    before = srv.snapshot(TABLES + ["complaint_attachments"])
    for bad, msg in (([("attachments", ("a.png", b"MZ\x90\x00 not an image", "image/png"))], "附件只能是"),
                     ([("attachments", ("%d.png" % i, PNG, "image/png")) for i in range(4)], "最多上传 3 个附件")):
        data["form_token"] = form_token(s, srv.url)
        r = s.post(srv.url + "/complaints", data=data, files=bad, timeout=10)
        assert r.status_code == 400, r.text
        assert msg in html.unescape(r.text)
    assert srv.snapshot(TABLES + ["complaint_attachments"]) == before


def test_wrong_code_or_number_reveals_nothing(w):
    srv = w.srv
    no, code = receipt(submit(srv, subject_kind="department", subject_text=""))
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    page = track(srv, no, wrong, status=404)
    assert "投诉编号或查询码不正确" in page and "待受理" not in page
    # a well-formed number that does not exist answers the same
    assert "投诉编号或查询码不正确" in track(srv, make_number("2026", "00000000"), code, status=404)
    # a mistyped symbol is caught by the check symbol before any look-up
    other = no[:8] + ("0" if no[8] != "0" else "1") + no[9:]
    assert "格式不正确" in track(srv, other, code, status=400)
    assert "查询码" in track(srv, no, "", status=400)


def test_personal_data_only_for_handlers(w):
    srv = w.srv
    no, _ = receipt(submit(srv, subject_kind="case", subject_text="市监罚〔2026〕1号"))
    cid = row(srv, "SELECT id FROM complaints WHERE tracking_no = ?", no)[0]
    url = srv.url + API + "/complaints/%d" % cid
    # every reader sees the mask
    for s in (w.head1, w.officer1, w.officer2, w.supervisor1):
        got = s.get(url, timeout=10).json()
        assert got["complainant"]["masked"] is True and PHONE not in str(got) and NAME not in str(got)
    assert w.officer2.get(url, timeout=10).json()["can"]["reveal"] is False
    assert w.head1.get(url, timeout=10).json()["can"]["reveal"] is True
    # an officer who does not handle it is refused, and nothing is recorded
    n_audit = row(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint_personal_view'")[0]
    r = w.officer2.post(url + "/reveal", json={"reason": "好奇"}, timeout=10)
    assert r.status_code == 403
    is_error(r, "forbidden")
    # a reason is required
    r = w.head1.post(url + "/reveal", json={"reason": "  "}, timeout=10)
    assert r.status_code == 400
    is_error(r, "reason_required")
    r = w.head1.post(url + "/reveal", json={}, timeout=10)
    assert r.status_code == 400
    assert row(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint_personal_view'")[0] == n_audit
    # the head, with a reason: unmasked, and the look is on the record
    r = w.head1.post(url + "/reveal", json={"reason": "电话回访核实投诉事实"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"name": NAME, "phone": PHONE, "email": EMAIL, "masked": False}
    a = row(srv, "SELECT id, actor_name, detail FROM audit_log WHERE action = 'complaint_personal_view' "
            "ORDER BY id DESC LIMIT 1")
    assert a[1] == "head1" and "电话回访核实投诉事实" in a[2] and PHONE not in a[2]
    ev = row(srv, "SELECT action, object_type FROM ledger_events WHERE idx = ?", a[0])
    assert ev == ("complaint_personal_view", "complaint")
    # once assigned, the handler may look too; the supervisor always
    act(w.head1, srv, cid, action="accept")
    act(w.head1, srv, cid, action="assign", handler_id=w.officer2.user["id"])
    r = w.officer2.post(url + "/reveal", json={"reason": "承办调查需要联系投诉人"}, timeout=10)
    assert r.status_code == 200 and r.json()["phone"] == PHONE
    r = w.supervisor1.post(url + "/reveal", json={"reason": "执法监督抽查"}, timeout=10)
    assert r.status_code == 200
    # the personal data is nowhere in the audit trail or the ledger
    con = srv.db()
    try:
        for table in ("audit_log", "ledger_events"):
            for r in con.execute('SELECT * FROM "%s"' % table):
                assert PHONE not in str(r) and NAME not in str(r) and EMAIL not in str(r), (table, r)
    finally:
        con.close()


def test_other_departments_auditor_and_strangers_are_refused(w):
    srv = w.srv
    cid = row(srv, "SELECT id FROM complaints ORDER BY id LIMIT 1")[0]
    url = srv.url + API + "/complaints/%d" % cid
    for s in (w.cp_head_other, w.cp_officer_other, w.auditor1):
        r = s.get(url, timeout=10)
        assert r.status_code == 403, r.text
        is_error(r)
        r = s.post(url + "/reveal", json={"reason": "看看"}, timeout=10)
        assert r.status_code == 403
    assert requests.get(url, timeout=10).status_code == 401
    # their list is their own department's: empty here
    assert w.cp_head_other.get(srv.url + API + "/complaints", timeout=10).json()["items"] == []
    # even asking for another department's gives their own
    got = w.cp_head_other.get(srv.url + API + "/complaints", params={"department_id": 1}, timeout=10).json()
    assert got["items"] == []
    assert w.supervisor1.get(srv.url + API + "/complaints", params={"department_id": 1},
                             timeout=10).json()["total"] >= 1


def test_bad_submissions_change_nothing(w):
    srv = w.srv
    before = srv.snapshot(TABLES)
    s = requests.Session()
    token = form_token(s, srv.url)
    base = {"form_token": token, "department_id": "1", "subject_kind": "officer", "subject_text": "张三",
            "content": "执法人员检查时未出示执法证件。", "name": "", "phone": "", "email": "", "website": ""}
    cases = [
        (dict(base, form_token="x" * 43), 403, "页面已过期"),
        (dict(base, department_id="987654"), 400, "请选择被投诉的执法部门"),
        (dict(base, department_id="abc"), 400, "请选择被投诉的执法部门"),
        (dict(base, subject_kind="mayor"), 400, "请选择投诉对象"),
        (dict(base, subject_text=""), 400, "执法人员的姓名"),
        (dict(base, content="太差了"), 400, "至少 10 个字"),
        (dict(base, content="很" * 5001), 400, "5000"),
        (dict(base, phone="call me maybe"), 400, "联系电话"),
        (dict(base, phone="123"), 400, "联系电话"),
        (dict(base, email="not-an-email"), 400, "电子邮箱"),
        (dict(base, website="http://spam.example"), 400, "提交失败"),
    ]
    for data, status, msg in cases:
        r = s.post(srv.url + "/complaints", data=data, timeout=10)
        assert r.status_code == status, (data, r.status_code)
        assert msg in html.unescape(r.text), (data, r.text[-800:])
    # what was typed is kept on the re-rendered form
    r = s.post(srv.url + "/complaints", data=dict(base, content="太差了", subject_text="王五"), timeout=10)
    assert 'value="王五"' in r.text and "太差了</textarea>" in r.text
    # no cookie at all: a cross-site post
    r = requests.post(srv.url + "/complaints", data=base, timeout=10)
    assert r.status_code == 403
    # malformed bodies
    for body in ("a=1&a=2", "content=%zz", "x=%00", "name=%FF"):
        r = s.post(srv.url + "/complaints", data=body, timeout=10,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 400, body
        assert "表单" in html.unescape(r.text)
    assert srv.snapshot(TABLES) == before


def test_invalid_actions_change_nothing(w):
    srv = w.srv
    no, _ = receipt(submit(srv))
    cid = row(srv, "SELECT id FROM complaints WHERE tracking_no = ?", no)[0]
    before = srv.snapshot(TABLES)
    url = srv.url + API + "/complaints/%d/actions" % cid
    for body, status, code in [
        ({"action": "close"}, 409, "invalid_state"),
        ({"action": "reply", "note": "已处理"}, 409, "invalid_state"),
        ({"action": "reject"}, 400, "validation_failed"),
        ({"action": "explode"}, 400, "validation_failed"),
        ({"action": "accept", "zz": 1}, 400, None),
        ({"note": "x"}, 400, None),
    ]:
        r = w.head1.post(url, json=body, timeout=10)
        assert r.status_code == status, (body, r.text)
        is_error(r, code)
    assert srv.snapshot(TABLES) == before
    act(w.head1, srv, cid, action="accept")
    before = srv.snapshot(TABLES)
    # a handler from another department, or a publicity officer, cannot be assigned
    other_user = w.cp_officer_other.user["id"]
    pub = w.admin.get(srv.url + API + "/users", params={"q": "publicity1"}, timeout=10).json()
    pub_id = [u["id"] for u in pub.get("items", pub) if u["username"] == "publicity1"][0]
    for hid in (other_user, pub_id, 987654):
        r = w.head1.post(url, json={"action": "assign", "handler_id": hid}, timeout=10)
        assert r.status_code == 400, r.text
        is_error(r, "validation_failed")
    r = w.head1.post(url, json={"action": "assign"}, timeout=10)
    assert r.status_code == 400
    assert srv.snapshot(TABLES) == before
    # rejecting needs a reason the complainant will read
    r = w.head1.post(srv.url + API + "/complaints/987654/actions", json={"action": "accept"}, timeout=10)
    assert r.status_code == 404


def test_overdue_is_flagged(w):
    srv = w.srv
    no, _ = receipt(submit(srv, subject_kind="department", subject_text=""))
    cid, clock = row(srv, "SELECT id, clock_id FROM complaints WHERE tracking_no = ?", no)
    con = srv.db()
    try:
        con.execute("UPDATE clocks SET start_date = '2026-01-05', due_date = '2026-01-26' WHERE id = ?", (clock,))
        con.execute("UPDATE complaints SET due_date = '2026-01-26' WHERE id = ?", (cid,))
        con.commit()
    finally:
        con.close()
    got = w.head1.get(srv.url + API + "/complaints/%d" % cid, timeout=10).json()
    assert got["deadline_state"] == "overdue"
    over = w.head1.get(srv.url + API + "/complaints", params={"overdue": 1}, timeout=10).json()
    assert [i["id"] for i in over["items"]] == [cid]
    r = w.head1.get(srv.url + API + "/complaints", params={"status": "lost"}, timeout=10)
    assert r.status_code == 400


def test_rate_limit_per_address():
    srv = start_server()
    try:
        for i in range(5):
            submit(srv, content="第 %d 次投诉：执法人员未出示证件。" % i)
        r = submit(srv, status=429)
        assert "一小时内最多提交 5 件投诉" in html.unescape(r.text)
        assert row(srv, "SELECT COUNT(*) FROM complaints")[0] == 5
    finally:
        stop_server(srv)


def test_case_number_links_the_case_and_answers_match_the_spec(w):
    """A case number of that department is linked to the case; the JSON
    answers have the shapes docs/openapi.yaml documents."""
    pytest.importorskip("yaml")
    import test_openapi as oa

    srv = w.srv
    new_rate_window(srv)
    case = row(srv, "SELECT id, case_no FROM cases WHERE department_id = 1 AND case_no IS NOT NULL ORDER BY id LIMIT 1")
    if case is None:
        pytest.skip("the demo city has no numbered case")
    no, _ = receipt(submit(srv, subject_kind="case", subject_text=case[1]))
    cid = row(srv, "SELECT id FROM complaints WHERE tracking_no = ?", no)[0]
    got = w.head1.get(srv.url + API + "/complaints/%d" % cid, timeout=10)
    assert got.json()["case_id"] == case[0]
    with open(oa.SPEC_PATH, encoding="utf-8") as f:
        spec = oa.yaml.safe_load(f)
    oa.assert_matches(spec, "/api/v1/complaints/{id}", "GET", got)
    oa.assert_matches(spec, "/api/v1/complaints", "GET", w.supervisor1.get(srv.url + API + "/complaints", timeout=10))
    oa.assert_matches(spec, "/api/v1/complaints/{id}/handlers", "GET",
                      w.head1.get(srv.url + API + "/complaints/%d/handlers" % cid, timeout=10))
    oa.assert_matches(spec, "/api/v1/complaints/{id}/reveal", "POST",
                      w.head1.post(srv.url + API + "/complaints/%d/reveal" % cid, json={"reason": "核对"}, timeout=10))
    oa.assert_matches(spec, "/api/v1/complaints/{id}/actions", "POST",
                      w.head1.post(srv.url + API + "/complaints/%d/actions" % cid, json={"action": "accept"},
                                   timeout=10))
    oa.assert_matches(spec, "/api/v1/access-log", "GET", w.auditor1.get(srv.url + API + "/access-log", timeout=10))
    oa.assert_matches(spec, "/api/v1/access-log/flags", "GET",
                      w.auditor1.get(srv.url + API + "/access-log/flags", timeout=10))
