"""事后公开 (issue 7), black-box: a case decision queues a publication with
its due date (7 working days for penalties, 20 for others), the public text
is masked (an ID number in 违法事实 never appears publicly), the publicity
officer sees masked and unmasked side by side and confirms, publication is
searchable, withdrawal shows its reason, the period ends (expiry, 信用修复),
exports in the 双公示 layout, permissions and bad input.
"""
import csv
import io
import json
import os
import subprocess

import pytest

from test_cases import (API, COMPANY, act, create, doc, id_number, w)  # noqa: F401

PERSON = id_number("36010219850203123")
PHONE = "13812345678"


def pubs_of(w, cid):
    con = w.srv.db()
    try:
        return [r[0] for r in con.execute("SELECT id FROM publications WHERE case_id = ? ORDER BY id",
                                          (cid,))]
    finally:
        con.close()


def summary_case(w, summary):
    c = create(w, "penalty_summary", summary=summary,
               parties=[{"kind": "自然人", "name": "陈某某", "identifier": PERSON}])
    doc(w, c["id"], "onsite_penalty")
    act(w, c["id"], "decide_on_spot", fine_fen=5000)
    ids = pubs_of(w, c["id"])
    assert len(ids) == 1, ids
    return c["id"], ids[0]


def add_workdays(w, frm, n):
    r = w.officer1.get(w.url + "/calendar/add-workdays", params={"from": frm, "n": n}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def publish(w, pid, s=None, status=200):
    r = (s or w.publicity1).post(w.url + "/publications/%d/publish" % pid, json={"confirm": True},
                                 timeout=10)
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture(scope="module")
def queued(w):
    fact = "当事人陈某某（身份证号码 %s，电话 %s）在经营场所销售过期食品。" % (PERSON, PHONE)
    return summary_case(w, fact)


def test_decision_queues_a_publication_with_due_date(w, queued):
    cid, pid = queued
    r = w.publicity1.get(w.url + "/publications", params={"state": "pending"}, timeout=10)
    assert r.status_code == 200, r.text
    item = [i for i in r.json()["items"] if i["id"] == pid][0]
    assert item["kind"] == "penalty" and item["state"] == "pending" and item["case_id"] == cid
    # 7 working days after the decision, counted by the stored calendar
    due = add_workdays(w, item["decision_date"], 7)
    assert item["due_date"] == due["date"], (item, due)
    assert isinstance(item["workdays_left"], int) and 0 <= item["workdays_left"] <= 7
    assert item["clock_state"] in ("on_time", "due_soon")
    # one deadline: the publication uses the case's publish_penalty clock
    case = w.officer1.get(w.url + "/cases/%d" % cid, timeout=10).json()
    clocks = [k for k in case["clocks"] if k["rule_code"] == "publish_penalty"]
    assert len(clocks) == 1 and clocks[0]["due"] == item["due_date"]


def test_twenty_working_days_for_other_decisions(w):
    # the 20-day rule, counted across weekends and holidays by the calendar
    n7 = add_workdays(w, "2026-09-28", 7)
    n20 = add_workdays(w, "2026-09-28", 20)
    assert n7["date"] > "2026-10-08" and n20["date"] > n7["date"]


def test_review_view_masked_and_unmasked(w, queued):
    _, pid = queued
    r = w.publicity1.get(w.url + "/publications/%d" % pid, timeout=10)
    assert r.status_code == 200, r.text
    d = r.json()
    assert PERSON in d["content"]["违法事实"] and PERSON in d["content"]["证件号码"]
    assert PERSON not in json.dumps(d["masked"], ensure_ascii=False)
    assert PHONE not in json.dumps(d["masked"], ensure_ascii=False)
    assert d["masked"]["行政相对人名称"].startswith("陈") and d["masked"]["行政相对人名称"] != "陈某某"
    assert d["masked"]["执法对象"] == d["masked"]["行政相对人名称"]
    assert "陈某某" not in json.dumps(d["masked"], ensure_ascii=False) and "陈某某" not in d["title"]
    kinds = {(f["field"], f["kind"]) for f in d["findings"]}
    assert ("违法事实", "身份证号码") in kinds and ("违法事实", "手机号码") in kinds
    assert d["masked"]["罚款金额（万元）"] == "0.005"
    assert d["masked"]["执法类别"] == "行政处罚" and d["masked"]["执法结论"] == "给予行政处罚"
    # an officer sees the masked text only
    r = w.officer1.get(w.url + "/publications/%d" % pid, timeout=10)
    assert r.status_code == 200 and r.json()["content"] is None
    assert PERSON not in r.text


def test_confirm_and_publish(w, queued):
    _, pid = queued
    # confirmation is required, and an officer may not publish
    r = w.publicity1.post(w.url + "/publications/%d/publish" % pid, json={"confirm": False}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "confirmation_required"
    r = w.officer1.post(w.url + "/publications/%d/publish" % pid, json={"confirm": True}, timeout=10)
    assert r.status_code == 403, r.text
    d = publish(w, pid)
    assert d["state"] == "published" and d["on_time"] is True and d["published_on"]
    assert d["min_end"] > d["published_on"] and d["max_end"] > d["min_end"]
    assert d["masked"]["公示截止期"] == d["max_end"]
    # twice is a conflict
    r = w.publicity1.post(w.url + "/publications/%d/publish" % pid, json={"confirm": True}, timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_pending"
    # searchable, masked
    r = w.officer1.get(w.url + "/search", params={"q": "过期食品", "kind": "decision"}, timeout=10)
    assert r.status_code == 200, r.text
    hits = [h for h in r.json()["items"] if h["ref_id"] == pid]
    assert hits and PERSON not in r.text
    con = w.srv.db()
    try:
        assert con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'publication_publish' AND "
                           "object_id = ?", (str(pid),)).fetchone()[0] == 1
    finally:
        con.close()


def test_work_queue_puts_undated_last(w):
    """Pending publications come nearest due date first; one whose clock
    shows no due date (a paused clock) after every dated one, on SQLite as
    on PostgreSQL (they sort NULL at opposite ends)."""
    _, dated = summary_case(w, "当事人陈某某在经营场所销售过期饮料。")
    _, undated = summary_case(w, "当事人陈某某在经营场所销售过期糕点。")
    con = w.srv.db()
    try:
        con.execute("UPDATE publications SET due_date = NULL WHERE id = ?", (undated,))
        con.commit()
    finally:
        con.close()
    r = w.publicity1.get(w.url + "/publications", params={"state": "pending"}, timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    ids = [i["id"] for i in items]
    assert dated in ids and undated in ids
    assert ids.index(undated) > ids.index(dated)
    dues = [i["due_date"] for i in items if i.get("due_date")]
    assert dues == sorted(dues)
    assert all(i.get("due_date") for i in items[:ids.index(undated)])


def test_export_csv_and_json(w, queued):
    r = w.publicity1.get(w.url + "/publications/export", params={"format": "csv"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "行政相对人名称" and "罚款金额（万元）" in rows[0]
    assert len(rows) >= 2 and all(len(x) == len(rows[0]) for x in rows)
    assert PERSON not in r.content.decode("utf-8-sig")
    r = w.publicity1.get(w.url + "/publications/export", params={"format": "json"}, timeout=10)
    assert r.status_code == 200 and r.json()["items"]
    r = w.publicity1.get(w.url + "/publications/export", params={"format": "pdf"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "format"


def test_withdraw_with_reason(w):
    _, pid = summary_case(w, "销售不合格产品。")
    publish(w, pid)
    url = w.url + "/publications/%d/withdraw" % pid
    r = w.publicity1.post(url, json={}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "reason"
    r = w.officer1.post(url, json={"reason": "x"}, timeout=10)
    assert r.status_code == 403
    r = w.publicity1.post(url, json={"reason": "原处罚决定已被依法撤销"}, timeout=10)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "withdrawn" and d["withdraw_reason"] == "原处罚决定已被依法撤销"
    assert d["withdraw_due"]  # the 3-working-day withdrawal clock
    r = w.publicity1.post(url, json={"reason": "again"}, timeout=10)
    assert r.status_code == 409
    r = w.officer1.get(w.url + "/search", params={"q": "不合格产品", "kind": "decision"}, timeout=10)
    assert all(h["ref_id"] != pid for h in r.json()["items"])


def test_expiry_and_repair(w):
    _, p1 = summary_case(w, "未按规定公示价格。")
    _, p2 = summary_case(w, "未按规定明码标价。")
    publish(w, p1)
    publish(w, p2)
    # repair before the minimum period is refused
    url = w.url + "/publications/%d/repair" % p1
    r = w.publicity1.post(url, json={"reason": "已履行处罚决定，申请信用修复"}, timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "minimum_period_not_over"
    con = w.srv.db()
    try:
        con.execute("UPDATE publications SET min_end = '2000-01-01' WHERE id = ?", (p1,))
        con.execute("UPDATE publications SET max_end = '2000-01-01' WHERE id = ?", (p2,))
        con.commit()
    finally:
        con.close()
    r = w.publicity1.post(url, json={"reason": "已履行处罚决定，申请信用修复"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "repaired", r.text
    # the tick ends the period (it runs about once a minute; wait for it)
    import time
    deadline = time.time() + 20
    state = None
    while time.time() < deadline:
        state = w.publicity1.get(w.url + "/publications/%d" % p2, timeout=10).json()["state"]
        if state == "expired":
            break
        time.sleep(1)
    assert state == "expired"


def test_permissions_and_bad_input(w, queued):
    _, pid = queued
    anon = w.srv.url + API
    import requests
    assert requests.get(anon + "/publications", timeout=10).status_code == 401
    r = w.publicity1.get(w.url + "/publications", params={"state": "nope"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "state"
    r = w.publicity1.get(w.url + "/publications/999999", timeout=10)
    assert r.status_code == 404
    r = w.publicity1.post(w.url + "/publications/%d/publish" % pid, data="{", timeout=10,
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 400


# ---- portal and feeds -------------------------------------------------------------

def test_portal_list_detail_and_withdrawn(w):
    import requests
    import xml.etree.ElementTree as ET
    fact = "当事人（身份证号码 %s）无证经营。" % PERSON
    _, pid = summary_case(w, fact)
    base = w.srv.url
    # pending: not public yet
    assert requests.get(base + "/publications/%d" % pid, timeout=10).status_code == 404
    publish(w, pid)
    r = requests.get(base + "/publications", timeout=10)
    assert r.status_code == 200 and "/publications/%d" % pid in r.text
    assert PERSON not in r.text
    r = requests.get(base + "/publications/%d" % pid, timeout=10)
    assert r.status_code == 200 and "无证经营" in r.text and PERSON not in r.text
    r = requests.get(base + "/publications", params={"department_id": "x"}, timeout=10)
    assert r.status_code == 400
    # feeds: valid XML and JSON, newest first, masked
    r = requests.get(base + "/feeds/publications.atom", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert entries and entries[0].find("a:id", ns).text.endswith("/publications/%d" % pid)
    assert PERSON not in r.text
    r = requests.get(base + "/feeds/publications.json", params={"department_id": w.market}, timeout=10)
    assert r.status_code == 200
    f = r.json()
    assert f["version"] == "https://jsonfeed.org/version/1.1"
    assert f["items"][0]["url"].endswith("/publications/%d" % pid) and PERSON not in r.text
    r = requests.get(base + "/feeds/publications.json", params={"department_id": w.env}, timeout=10)
    assert all(not i["url"].endswith("/publications/%d" % pid) for i in r.json()["items"])
    # withdrawn: 已撤下 with the reason, the content gone
    r = w.publicity1.post(w.url + "/publications/%d/withdraw" % pid, json={"reason": "决定已被变更"},
                          timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(base + "/publications/%d" % pid, timeout=10)
    assert r.status_code == 200 and "已撤下" in r.text and "决定已被变更" in r.text
    assert "无证经营" not in r.text


# ---- import ------------------------------------------------------------------------

REF_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                       "reference", "penalties", "nfra_penalty_records_100.csv")


def run_import(srv, path, *extra):
    env = dict(os.environ)
    return subprocess.run([os.environ.get("ZHIFA_BIN", "build/zhifa"), "import", "penalties", path,
                           "--data", srv.data_dir] + list(extra), capture_output=True, text=True,
                          env=env, timeout=120)


def test_import_rejects_bad_rows(w, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(("\ufeff当事人,当事人类型,处罚日期,处罚类型,罚没金额（元）,违规事实,处理机构\r\n"
                     "赣江市某某商行,法人机构,2024/3/5,罚款,5000,销售假冒商品,市市场监督管理局\r\n"
                     "张某,个人,2024/13/5,罚款,100,无照经营,市市场监督管理局\r\n"
                     "李某,个人,2024/3/5,罚款,-1,无照经营,市市场监督管理局\r\n"
                     ",法人机构,2024/3/5,罚款,1,无照经营,市市场监督管理局\r\n"
                     "王某某,个人,2024/3/6,警告,,\"身份证 %s，\"\"屡教不改\"\"\",市市场监督管理局\r\n"
                     "某公司,法人机构,2024/3/5,罚款,1,无照经营,外省某局\r\n" % PERSON).encode("utf-8"))
    r = run_import(w.srv, str(bad))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "导入 2 条" in r.stdout and "拒绝 4 条" in r.stdout, r.stdout
    assert "第 3 行" in r.stdout and "2024/13/5" in r.stdout
    assert "第 4 行" in r.stdout and "第 5 行" in r.stdout and "第 7 行" in r.stdout
    # re-run: nothing new
    r = run_import(w.srv, str(bad))
    assert "导入 0 条，跳过 2 条" in r.stdout, r.stdout
    # the person's record is public, masked, searchable
    import requests
    r = requests.get(w.srv.url + API + "/search", params={"q": "屡教不改", "kind": "decision"}, timeout=10)
    assert r.status_code == 200 and r.json()["items"], r.text
    assert PERSON not in r.text and "王某某" not in r.text
    r = requests.get(w.srv.url + "/publications", timeout=10)
    assert "赣江市某某商行" in r.text
    # usage errors
    assert run_import(w.srv, str(tmp_path / "missing.csv")).returncode == 1
    assert subprocess.run([os.environ.get("ZHIFA_BIN", "build/zhifa"), "import", "penalties"],
                          capture_output=True).returncode == 2


@pytest.mark.skipif(not os.path.exists(REF_CSV), reason="reference penalties CSV absent")
def test_import_reference_csv(w):
    r = run_import(w.srv, REF_CSV)
    # the regulators' offices are not departments of the city
    assert r.returncode == 1 and "拒绝 100 条" in r.stdout and "--department" in r.stdout
    r = run_import(w.srv, REF_CSV, "--department", "市市场监督管理局")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "导入 100 条，跳过 0 条（已导入），拒绝 0 条" in r.stdout
    con = w.srv.db()
    try:
        n, = con.execute("SELECT COUNT(*) FROM publications WHERE origin = 'import' AND "
                         "state = 'published' AND title LIKE '%农村商业银行%'").fetchone()
        assert n > 0
        m, = con.execute("SELECT masked FROM publications WHERE origin = 'import' AND masked LIKE "
                         "'%阿巴嘎%' ORDER BY id LIMIT 1").fetchone()
        m = json.loads(m)
        assert m["罚款金额（万元）"] == "1" and m["处罚决定日期"] == "2009-07-28"
    finally:
        con.close()
    import requests
    r = requests.get(w.srv.url + API + "/search", params={"q": "金融许可证", "kind": "decision"}, timeout=10)
    assert r.status_code == 200 and r.json()["items"], r.text


# ---- revocation: the licence's publication must come down in 3 working days -------

def test_revoked_licence_publication_is_due_for_withdrawal(w):
    c = create(w, "license", matter_id=w.license_matter)
    cid = c["id"]
    doc(w, cid, "license_accept")
    act(w, cid, "accept")
    doc(w, cid, "site_record")
    act(w, cid, "verify")
    act(w, cid, "review_done")
    doc(w, cid, "license_grant")
    act(w, cid, "grant", s=w.head1)
    (pid,) = pubs_of(w, cid)
    d = w.publicity1.get(w.url + "/publications/%d" % pid, timeout=10).json()
    assert d["kind"] == "licensing" and d["content"]["XK_XDR_SHXYM"] == COMPANY
    assert d["masked"]["XK_XDR_SHXYM"] == COMPANY  # a credit code is published as is
    assert d["due_date"] == add_workdays(w, d["decision_date"], 7)["date"]
    publish(w, pid)
    # a revocation case for the same party
    r = create(w, "license_revocation")
    rid = r["id"]
    act(w, rid, "start_investigation", s=w.head1)
    act(w, rid, "investigation_done")
    doc(w, rid, "license_revoke", scan=True)
    # 撤销行政许可 is a major decision (seed 12(2)): reviewed and agreed first
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % rid, json={
        "facts": {"decision_kind": "revoke"},
        "materials": [{"material": m, "text": "材料"} for m in
                      ("situation", "legal_basis", "facts_evidence", "procedure", "proposal")]},
        timeout=10)
    assert r.status_code == 201, r.text
    assert w.reviewer1.post(w.url + "/cases/%d/review/receive" % rid, timeout=10).status_code == 200
    r = w.reviewer1.put(w.url + "/cases/%d/review/checklist" % rid, json={"points": [
        {"point": p, "state": "conforms"} for p in
        ("subject", "procedure", "facts", "law", "authority", "documents", "rights", "crime")]},
        timeout=10)
    assert r.status_code == 200, r.text
    r = w.reviewer1.post(w.url + "/cases/%d/review/conclude" % rid, json={"outcome": "同意"}, timeout=10)
    assert r.status_code == 200, r.text
    act(w, rid, "revoke", s=w.head1, reason="以欺骗手段取得许可")
    d = w.publicity1.get(w.url + "/publications/%d" % pid, timeout=10).json()
    assert d["state"] == "withdraw_pending" and d["withdraw_reason"] == "以欺骗手段取得许可"
    assert d["withdraw_due"] == add_workdays(w, d["published_on"], 3)["date"]
    assert isinstance(d["workdays_left"], int) and d["workdays_left"] <= 3
    r = w.publicity1.post(w.url + "/publications/%d/withdraw" % pid,
                          json={"reason": "行政许可已被撤销：以欺骗手段取得许可"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "withdrawn", r.text
