"""双随机、一公开 (issue 7): random-check plans, the entity pool (JSON and CSV
import with a report of rejected rows), the draw — the seed committed to the
ledger before the selection exists, refused a second time, reproducible by
`zhifa spotcheck redraw` and by the independent scripts/spotcheck_recheck.py —,
the results entered by the drawn inspectors and published through the
publication queue with the 20-working-day clock, the portal pages, and bad
input that changes nothing."""
import hashlib
import json
import os
import subprocess
import sys

import pytest

from conftest import BIN, ROOT

API = "/api/v1"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n):
    """A valid 统一社会信用代码 (GB 32100 check character) numbered n."""
    body = "91360100MA%07d" % n
    s = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + ALPHABET[(31 - s % 31) % 31]


class W:
    pass


@pytest.fixture(scope="module")
def w(server):
    w = W()
    w.srv = server
    w.url = server.url + API
    for u in ("head1", "publicity1", "officer1", "admin", "supervisor1"):
        setattr(w, u, server.login(u))
    w.dept = w.head1.user["department_id"]
    r = w.publicity1.post(w.url + "/departments/%d/publicity-items" % w.dept, json={
        "kind": "random_check", "name": "食品经营者监督检查", "basis": "《中华人民共和国食品安全法》",
        "subject": "市市场监督管理局", "content": "食品经营许可、进货查验", "method": "现场检查",
        "ratio": "5%", "frequency": "每年一次"}, timeout=10)
    assert r.status_code == 201, r.text
    w.item = r.json()["id"]
    return w


def new_plan(w, **kw):
    body = {"title": "2026年食品经营者双随机抽查", "check_item_id": w.item, "ratio_permille": 250,
            "inspectors_per_entity": 2, "period_from": "2026-03-01", "period_to": "2026-06-30"}
    body.update(kw)
    r = w.head1.post(w.url + "/departments/%d/spotchecks" % w.dept, json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def csv_of(rows, header="统一社会信用代码,名称,地址,类别"):
    return ("\ufeff" + header + "\r\n" + "".join(r + "\r\n" for r in rows)).encode()


def import_csv(w, pid, data, status=200, s=None):
    r = (s or w.head1).post(w.url + "/spotchecks/%d/entities/import" % pid, data=data,
                            headers={"Content-Type": "text/csv"}, timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def draw(w, pid, status=200):
    r = w.head1.post(w.url + "/spotchecks/%d/draw" % pid, json={"confirm": True}, timeout=30)
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture(scope="module")
def drawn(w):
    plan = new_plan(w)
    rows = ["%s,南昌第%d食品店,东湖区%d号,餐饮" % (credit_code(i), i, i) for i in range(1, 19)]
    rep = import_csv(w, plan["id"], csv_of(rows))
    assert rep == {"added": 18, "rejected": []}
    # a conflict of interest (回避): one officer declares one with every entity
    con = w.srv.db()
    w.recused = con.execute("SELECT id, certificate_no FROM officers WHERE department_id = ? AND "
                            "status = 'active' AND certificate_valid_from <= date('now') AND "
                            "certificate_valid_to >= date('now') ORDER BY certificate_no LIMIT 1",
                            (w.dept,)).fetchone()
    con.close()
    for i in range(1, 19):
        r = w.head1.post(w.url + "/spotchecks/%d/conflicts" % plan["id"], json={
            "officer_id": w.recused[0], "credit_code": credit_code(i), "reason": "近亲属在该企业任职"},
            timeout=10)
        assert r.status_code == 200, r.text
    assert r.json()["conflict_count"] == 18
    plan = draw(w, plan["id"])
    return plan


def test_pool_import_reports_rejected_rows(w):
    plan = new_plan(w)
    good = credit_code(500)
    rows = ["%s,甲餐饮有限公司,\"西湖区\"\"象山\"\"路1号\",餐饮" % good,
            "91360100MA0000000X,校验码错误的公司,,",
            "%s,,缺名称,," % credit_code(501),
            "%s,重复的甲,,餐饮" % good,
            "%s,\"换行\n名称\",,," % credit_code(502)]
    rep = import_csv(w, plan["id"], csv_of(rows))
    assert rep["added"] == 1
    reasons = {r["line"]: r["reason"] for r in rep["rejected"]}
    assert set(reasons) == {3, 4, 5, 6}, rep
    assert "统一社会信用代码" in reasons[3] and "名称" in reasons[4]
    assert "重复" in reasons[5] and "控制字符" in reasons[6]
    # a code already in the pool is reported, not added twice (JSON too)
    r = w.head1.post(w.url + "/spotchecks/%d/entities" % plan["id"], json={"entities": [
        {"credit_code": good.lower(), "name": "甲"},
        {"credit_code": credit_code(503), "name": "乙商店", "address": "青山湖区", "category": "零售"}]},
        timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1 and r.json()["rejected"][0]["reason"] == "该统一社会信用代码已在名录库中"
    r = w.head1.get(w.url + "/spotchecks/%d/entities" % plan["id"], timeout=10)
    assert r.status_code == 200 and r.json()["total"] == 2
    assert [e["credit_code"] for e in r.json()["items"]] == sorted([good, credit_code(503)])
    assert r.json()["items"][0]["address"] in ('西湖区"象山"路1号', "青山湖区")
    # conflicts of interest name a pool member and an officer of the department
    con = w.srv.db()
    mine = con.execute("SELECT id FROM officers WHERE department_id = ? LIMIT 1", (w.dept,)).fetchone()[0]
    theirs = con.execute("SELECT id FROM officers WHERE department_id <> ? LIMIT 1", (w.dept,)).fetchone()[0]
    con.close()
    before = w.srv.snapshot()
    for body, field in (({"officer_id": mine, "credit_code": credit_code(999), "reason": "亲属"}, "credit_code"),
                        ({"officer_id": theirs, "credit_code": good, "reason": "亲属"}, "officer_id"),
                        ({"officer_id": mine, "credit_code": good, "reason": ""}, "reason")):
        r = w.head1.post(w.url + "/spotchecks/%d/conflicts" % plan["id"], json=body, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text
    assert w.srv.snapshot() == before


def test_draw_commits_the_seed_to_the_ledger_first(w, drawn):
    p = drawn
    assert p["state"] == "drawn"
    assert len(p["seed"]) == 64 and int(p["seed"], 16) >= 0
    assert p["pool_size"] == 18 and p["inspectors_per_entity"] == 2
    # ratio respected: ceil(18 × 25%) = 5
    assert len(p["selection"]) == 5
    assert p["seed_ledger_idx"] < p["draw_ledger_idx"]
    con = w.srv.db()
    try:
        seed_ev = con.execute("SELECT action, object_type, object_id, content_sha256 FROM ledger_events "
                              "WHERE idx = ?", (p["seed_ledger_idx"],)).fetchone()
        draw_ev = con.execute("SELECT action, content_sha256 FROM ledger_events WHERE idx = ?",
                              (p["draw_ledger_idx"],)).fetchone()
        officers = con.execute(
            "SELECT certificate_no, name FROM officers WHERE department_id = ? AND status = 'active' "
            "AND certificate_valid_from <= date('now') AND certificate_valid_to >= date('now')",
            (w.dept,)).fetchall()
    finally:
        con.close()
    assert seed_ev == ("spotcheck_seed", "spot_plan", str(p["id"]), p["commitment"])
    assert draw_ev == ("spotcheck_draw", p["selection_hash"])
    # the commitment is recomputed here from the published values
    rec = w.admin.get(w.url + "/spotchecks/%d/verification" % p["id"], timeout=10).json()
    conf = "".join("%s\t%s\n" % (credit_code(i), w.recused[1])
                   for i in sorted(range(1, 19), key=lambda i: credit_code(i).encode()))
    assert rec["conflicts"] == [{"credit_code": credit_code(i), "certificate_no": w.recused[1]}
                                for i in sorted(range(1, 19), key=lambda i: credit_code(i).encode())]
    assert "近亲属" not in json.dumps(rec, ensure_ascii=False)  # the reason stays internal
    text = ("zhifa-spotcheck-seed/1\nplan %d\nseed %s\nentities %d %s\ninspectors %d %s\n"
            "conflicts 18 %s\nratio_permille %d\nper_entity %d\n" % (
                p["id"], p["seed"], 18, p["pool_hash"], len(officers), p["inspector_pool_hash"],
                hashlib.sha256(conf.encode()).hexdigest(), 250, 2))
    assert hashlib.sha256(text.encode()).hexdigest() == p["commitment"]
    # the inspector pool is the department's active officers with valid certificates
    assert sorted(i["certificate_no"] for i in rec["inspectors"]) == sorted(o[0] for o in officers)
    lines = "".join("%s\t%s\n" % (i["certificate_no"], i["name"])
                    for i in sorted(rec["inspectors"], key=lambda i: i["certificate_no"].encode()))
    assert hashlib.sha256(lines.encode()).hexdigest() == p["inspector_pool_hash"]
    for s in p["selection"]:
        assert len(s["inspectors"]) == 2 and s["inspectors"][0]["officer_id"] != s["inspectors"][1]["officer_id"]
    pairs = [frozenset(i["officer_id"] for i in s["inspectors"]) for s in p["selection"]]
    assert len(set(pairs)) == len(pairs)
    # the recused officer inspects none of the entities
    assert all(w.recused[0] not in pr for pr in pairs)


def test_second_draw_and_pool_changes_are_refused(w, drawn):
    before = w.srv.snapshot()
    r = w.head1.post(w.url + "/spotchecks/%d/draw" % drawn["id"], json={"confirm": True}, timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_drawn", r.text
    data = import_csv(w, drawn["id"], csv_of(["%s,迟到的公司,," % credit_code(900)]), status=409)
    assert data["error"]["code"] == "plan_not_open"
    eid = drawn["selection"][0]["entity_id"]
    r = w.head1.delete(w.url + "/spotchecks/%d/entities/%d" % (drawn["id"], eid), timeout=10)
    assert r.status_code == 409
    assert w.srv.snapshot() == before


def selection_lines(plan):
    return ["%s\t%s" % (s["credit_code"], ",".join(i["certificate_no"] for i in s["inspectors"]))
            for s in plan["selection"]]


def test_cli_redraw_equals_the_api(w, drawn):
    r = subprocess.run([BIN, "spotcheck", "redraw", str(drawn["id"]), "--data", w.srv.data_dir],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[-1] == "一致"
    assert [l for l in out if "\t" in l] == selection_lines(drawn)
    assert "抽取结果摘要 " + drawn["selection_hash"] in out
    # a seed altered in the database afterwards no longer matches the ledger
    con = w.srv.db()
    try:
        bad = "%064x" % (int(drawn["seed"], 16) ^ 1)
        con.execute("UPDATE spot_plans SET seed = ? WHERE id = ?", (bad, drawn["id"]))
        con.commit()
        r = subprocess.run([BIN, "spotcheck", "redraw", str(drawn["id"]), "--data", w.srv.data_dir],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 1 and r.stdout.splitlines()[-1] == "不一致", r.stdout
        assert "种子承诺不一致" in r.stderr and "台账种子记录的内容摘要不一致" in r.stderr
    finally:
        con.execute("UPDATE spot_plans SET seed = ? WHERE id = ?", (drawn["seed"], drawn["id"]))
        con.commit()
        con.close()
    # the ledger with the seed and draw events still verifies offline
    r = subprocess.run([BIN, "verify", "--data", w.srv.data_dir], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_public_record_rechecks_independently(w, drawn, tmp_path):
    import requests
    rec = requests.get(w.url + "/spotchecks/%d/verification" % drawn["id"], timeout=10)
    assert rec.status_code == 200, rec.text
    path = tmp_path / "record.json"
    path.write_text(rec.text, encoding="utf-8")
    # zhifa from the file, without the database
    r = subprocess.run([BIN, "spotcheck", "redraw", "--file", str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "一致", r.stdout + r.stderr
    # the Python re-implementation of docs/spotcheck.md
    script = os.path.join(ROOT, "scripts", "spotcheck_recheck.py")
    r = subprocess.run([sys.executable, script, str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[:-1] == selection_lines(drawn)
    # a different seed draws differently, and both checks say so
    data = rec.json()
    data["seed"] = ("%064x" % (int(data["seed"], 16) ^ 1))
    path.write_text(json.dumps(data), encoding="utf-8")
    r = subprocess.run([BIN, "spotcheck", "redraw", "--file", str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and r.stdout.splitlines()[-1] == "不一致"
    r = subprocess.run([sys.executable, script, str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1


def inspector_login(w, sel=None, k=0, officer=None):
    """A login for the k-th inspector drawn for sel, or for officer (made by
    the admin)."""
    officer = officer or sel["inspectors"][k]["officer_id"]
    name = "spot_insp_%d" % officer
    r = w.admin.post(w.url + "/users", json={
        "username": name, "display_name": "抽查检查员%d" % officer, "role": "officer",
        "department_id": w.dept, "officer_id": officer, "password": "Spot-check-pass-2026"}, timeout=10)
    assert r.status_code in (201, 409), r.text
    return w.srv.login(name, "Spot-check-pass-2026")


def workdays_after(w, frm, n):
    r = w.officer1.get(w.url + "/calendar/add-workdays", params={"from": frm, "n": n}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["date"]


def put_result(s, w, plan, sel, body, status=200):
    r = s.put(w.url + "/spotchecks/%d/selections/%d/result" % (plan["id"], sel["id"]), json=body,
              timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def test_results_are_published_through_the_queue(w, drawn):
    s0, s1 = drawn["selection"][0], drawn["selection"][1]
    insp = inspector_login(w, s0)
    # an officer of the department not drawn for this entity may not enter its result
    drawn_ids = {i["officer_id"] for i in s0["inspectors"]}
    con = w.srv.db()
    others = [r[0] for r in con.execute("SELECT officer_id FROM spot_inspectors WHERE plan_id = ?",
                                        (drawn["id"],)) if r[0] not in drawn_ids]
    con.close()
    outsider = inspector_login(w, officer=others[0])
    e = put_result(outsider, w, drawn, s0, {"result": "normal", "inspected_on": "2026-03-10"}, 403)
    assert e["error"]["code"] == "not_assigned"
    p = put_result(insp, w, drawn, s0, {"result": "normal", "inspected_on": "2026-03-10"})
    got = p["selection"][0]
    assert got["result"] == "normal" and got["publication_id"]
    pub = w.publicity1.get(w.url + "/publications/%d" % got["publication_id"], timeout=10).json()
    assert pub["state"] == "pending" and pub["kind"] == "other"
    assert pub["decision_date"] == "2026-03-10"
    due = workdays_after(w, "2026-03-10", 20)
    assert pub["due_date"] == due == "2026-04-08"
    assert pub["masked"]["检查结果"] == "未发现问题" and pub["masked"]["执法对象"] == s0["name"]
    # once queued the result is fixed
    e = put_result(insp, w, drawn, s0, {"result": "problem", "inspected_on": "2026-03-10",
                                        "findings": "x"}, 409)
    assert e["error"]["code"] == "result_queued"
    # a problem: nothing is published until it has been dealt with
    p = put_result(w.head1, w, drawn, s1, {"result": "problem", "inspected_on": "2026-03-12",
                                           "findings": "进货查验记录不全，负责人电话 13812345678"})
    assert p["selection"][1]["publication_id"] is None
    p = put_result(w.head1, w, drawn, s1, {"result": "problem", "inspected_on": "2026-03-12",
                                           "findings": "进货查验记录不全，负责人电话 13812345678",
                                           "handling": "责令限期改正，已复查整改到位", "handled_on": "2026-04-01"})
    pid = p["selection"][1]["publication_id"]
    pub = w.publicity1.get(w.url + "/publications/%d" % pid, timeout=10).json()
    assert pub["decision_date"] == "2026-04-01"
    assert "13812345678" not in json.dumps(pub["masked"], ensure_ascii=False)
    # the publicity officer publishes it like any decision; the portal shows it
    r = w.publicity1.post(w.url + "/publications/%d/publish" % got["publication_id"],
                          json={"confirm": True}, timeout=10)
    assert r.status_code == 200, r.text
    import requests
    page = requests.get(w.srv.url + "/spotchecks/%d" % drawn["id"], timeout=10)
    assert page.status_code == 200
    html = page.text
    for v in (drawn["seed"], drawn["pool_hash"], drawn["commitment"], s0["name"],
              "第 %d 号" % drawn["seed_ledger_idx"], "/publications/%d" % got["publication_id"]):
        assert v in html, v
    assert "/publications/%d\"" % pid not in html  # not yet published
    lst = requests.get(w.srv.url + "/spotchecks", timeout=10)
    assert lst.status_code == 200 and "/spotchecks/%d" % drawn["id"] in lst.text
    # the department's random-check list leads to its plans
    checks = requests.get(w.srv.url + "/departments/%d/random-checks" % w.dept, timeout=10)
    assert checks.status_code == 200 and "/spotchecks?department_id=%d" % w.dept in checks.text
    lst = requests.get(w.srv.url + "/spotchecks", params={"department_id": w.dept}, timeout=10)
    assert "/spotchecks/%d" % drawn["id"] in lst.text
    assert requests.get(w.srv.url + "/spotchecks", params={"department_id": "x"}, timeout=10).status_code == 400


def test_bad_input_changes_nothing(w, drawn):
    before = w.srv.snapshot()
    url = w.url + "/departments/%d/spotchecks" % w.dept
    base = {"title": "坏计划", "ratio_permille": 50, "period_from": "2026-03-01", "period_to": "2026-06-30"}
    for change, field in (({"ratio_permille": 0}, "ratio_permille"),
                          ({"ratio_permille": 1001}, "ratio_permille"),
                          ({"inspectors_per_entity": 0}, "inspectors_per_entity"),
                          ({"period_to": "2026-02-01"}, "period_to"),
                          ({"period_from": "2026-02-30"}, "period_from"),
                          ({"title": ""}, "title"),
                          ({"check_item_id": 987654}, "check_item_id"),
                          ({"zz": 1}, "zz")):
        body = dict(base)
        body.update(change)
        r = w.head1.post(url, json=body, timeout=10)
        assert r.status_code == 400, (change, r.text)
        e = r.json()["error"]
        assert e["field"] == field and any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]), e
    # another department's check item
    con = w.srv.db()
    other = con.execute("SELECT id FROM departments WHERE id <> ? ORDER BY id LIMIT 1", (w.dept,)).fetchone()[0]
    con.close()
    # files: not UTF-8, no credit-code column, unterminated quote
    for data, code in ((b"\xc3\x28,\xff\n", "invalid_utf8"),
                       (csv_of(["a,b"], header="名字,地址"), "validation_failed"),
                       (csv_of(['%s,"未闭合' % credit_code(7)]), "validation_failed")):
        e = import_csv(w, drawn["id"], data, status=400)
        assert e["error"]["code"] == code
    r = w.head1.post(w.url + "/spotchecks/%d/draw" % drawn["id"], json={"confirm": False}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "confirmation_required"
    s0 = drawn["selection"][2]
    for body, field in (({"result": "maybe", "inspected_on": "2026-03-10"}, "result"),
                        ({"result": "normal", "inspected_on": "2099-01-01"}, "inspected_on"),
                        ({"result": "problem", "inspected_on": "2026-03-10"}, "findings"),
                        ({"result": "problem", "inspected_on": "2026-03-10", "findings": "f",
                          "handled_on": "2026-03-01", "handling": "h"}, "handled_on")):
        e = put_result(w.head1, w, drawn, s0, body, 400)
        assert e["error"]["field"] == field, e
    # another department's head may not touch this plan
    assert other != w.dept
    assert w.srv.snapshot() == before


def test_empty_pool_and_public_visibility(w):
    import requests
    plan = new_plan(w, title="空名录库计划")
    r = requests.get(w.url + "/spotchecks/%d/verification" % plan["id"], timeout=10)
    assert r.status_code == 404  # an open plan is not public yet
    assert requests.get(w.srv.url + "/spotchecks/%d" % plan["id"], timeout=10).status_code == 404
    before = w.srv.snapshot()
    r = w.head1.post(w.url + "/spotchecks/%d/draw" % plan["id"], json={"confirm": True}, timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "pool_empty", r.text
    assert w.srv.snapshot() == before
    # the supervisor reads every department's plans; staff only their own
    r = w.supervisor1.get(w.url + "/spotchecks", timeout=10)
    assert r.status_code == 200 and any(p["id"] == plan["id"] for p in r.json()["items"])


def test_a_plan_left_seeded_is_drawn_from_the_committed_seed(w):
    """A crash between the seed's transaction and the draw's leaves the plan
    seeded: the next draw uses the committed seed, never a new one. The
    state after such a crash is made here by removing a finished draw."""
    plan = new_plan(w, title="中断恢复计划", ratio_permille=500)
    rows = ["%s,恢复测试第%d店,," % (credit_code(700 + i), i) for i in range(8)]
    import_csv(w, plan["id"], csv_of(rows))
    first = draw(w, plan["id"])
    con = w.srv.db()
    try:
        con.execute("DELETE FROM spot_selection_inspectors WHERE selection_id IN "
                    "(SELECT id FROM spot_selections WHERE plan_id = ?)", (plan["id"],))
        con.execute("DELETE FROM spot_selections WHERE plan_id = ?", (plan["id"],))
        con.execute("UPDATE spot_plans SET state = 'seeded', selection_hash = NULL, draw_ledger_idx = NULL "
                    "WHERE id = ?", (plan["id"],))
        con.commit()
    finally:
        con.close()
    again = draw(w, plan["id"])
    assert again["seed"] == first["seed"] and again["commitment"] == first["commitment"]
    assert again["seed_ledger_idx"] == first["seed_ledger_idx"] < first["draw_ledger_idx"] < again["draw_ledger_idx"]
    assert selection_lines(again) == selection_lines(first)
    assert again["selection_hash"] == first["selection_hash"]
