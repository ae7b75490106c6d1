"""案卷评查 (issue 5), black-box: the Justice Bureau's random draw of closed
cases per department is reproducible from its seed (checked against the
rule computed here in Python), samples are scored against the checklist,
the report's averages, ranks and failed items match a hand computation,
the checklist is data, and only the supervisor may do any of it.
Also the supervision view of working days per stage.
"""
import hashlib
import math

import pytest

API = "/api/v1"
PASSWORD = "Evaluation-test-pass-2026"


@pytest.fixture(scope="module")
def ev(server):
    x = type("World", (), {})()
    x.srv = server
    x.url = server.url + API
    for u in ("officer1", "head1", "supervisor1", "admin", "auditor1"):
        setattr(x, u, server.login(u))
    con = server.db()
    try:
        x.market = con.execute("SELECT id FROM departments WHERE name = '市市场监督管理局'").fetchone()[0]
        x.env = con.execute("SELECT id FROM departments WHERE name = '市生态环境局'").fetchone()[0]
    finally:
        con.close()
    for name, role in (("env_officer", "officer"), ("env_head", "head")):
        r = x.admin.post(x.url + "/users", json={"username": name, "display_name": name, "role": role,
                                                 "department_id": x.env, "password": PASSWORD}, timeout=10)
        assert r.status_code == 201, r.text
    x.env_officer = server.login("env_officer", PASSWORD)
    x.env_head = server.login("env_head", PASSWORD)
    x.closed = {x.market: [], x.env: []}
    for dept, off, head, n in ((x.market, x.officer1, x.head1, 5), (x.env, x.env_officer, x.env_head, 3)):
        for i in range(n):
            x.closed[dept].append(close_a_case(x, off, head, "评查测试 %d-%d" % (dept, i)))
    # an open case is never drawn
    r = x.officer1.post(x.url + "/cases", json={"procedure": "penalty_general", "title": "未结案件",
                                                "officers": []}, timeout=10)
    assert r.status_code == 201, r.text
    x.open_case = r.json()["id"]
    return x


def close_a_case(x, officer, head, title):
    """案源登记 -> 不予立案: the shortest way to a closed case."""
    r = officer.post(x.url + "/cases", json={"procedure": "penalty_general", "title": title,
                                             "officers": []}, timeout=10)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    f = {"source": "监督检查", "source_date": "2026-03-02", "summary": "线索核查。",
         "registrar_opinion": "不符合立案条件。",
         "officers": [{"name": "张三", "cert_no": "3601002026001"}, {"name": "李四", "cert_no": "3601012026002"}],
         "register_date": "2026-03-02"}
    r = officer.post(x.url + "/cases/%d/documents" % cid, json={"template": "case_source", "fields": f},
                     timeout=10)
    assert r.status_code == 201, r.text
    r = officer.post(x.url + "/cases/%d/documents/%d/finalize" % (cid, r.json()["id"]), timeout=10)
    assert r.status_code == 200, r.text
    r = head.post(x.url + "/cases/%d/actions" % cid, json={"action": "not_file", "reason": "不符合立案标准"},
                  timeout=10)
    assert r.status_code == 200 and r.json()["stage"] == "closed", r.text
    return cid


def expected_sample(seed, ids, n):
    """The documented rule: smallest hex SHA-256(seed ":" id) first."""
    keyed = sorted((hashlib.sha256(("%s:%d" % (seed, i)).encode()).hexdigest(), i) for i in ids)
    return [i for _, i in keyed[:n]]


def draw(ev, status=201, **body):
    r = ev.supervisor1.post(ev.url + "/evaluations/draws", json=body, timeout=30)
    assert r.status_code == status, r.text
    return r.json()


def sampled(d, dept):
    return [s["case_id"] for s in d["samples"] if s["department_id"] == dept]


def test_checklist_is_data(ev):
    r = ev.supervisor1.get(ev.url + "/evaluations/checklist", timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["name"] for i in items] == ["主体合法", "事实清楚", "证据确凿", "程序合法", "适用法律正确",
                                          "裁量适当", "文书规范", "归档完整"]
    assert r.json()["total_weight"] == sum(i["weight"] for i in items) == 100


def test_draw_is_reproducible_from_its_seed(ev):
    seed = "评查-2026-第一批"
    d = draw(ev, title="2026 年第一批", seed=seed, count=2, department_ids=[ev.market, ev.env])
    assert d["seed"] == seed and d["count"] == 2 and d["ratio_pct"] is None
    assert sampled(d, ev.market) == expected_sample(seed, ev.closed[ev.market], 2)
    assert sampled(d, ev.env) == expected_sample(seed, ev.closed[ev.env], 2)
    assert ev.open_case not in [s["case_id"] for s in d["samples"]]
    assert {p["department_id"]: (p["population"], p["sampled"]) for p in d["population"]} == \
        {ev.market: (5, 2), ev.env: (3, 2)}
    # the draw is stored and re-running it gives the same cases
    again = draw(ev, title="复核", seed=seed, count=2, department_ids=[ev.market, ev.env])
    assert [s["case_id"] for s in again["samples"]] == [s["case_id"] for s in d["samples"]]
    r = ev.supervisor1.get(ev.url + "/evaluations/draws/%d" % d["id"], timeout=10)
    assert r.status_code == 200 and r.json()["samples"] == d["samples"]
    ids = [x["id"] for x in ev.supervisor1.get(ev.url + "/evaluations/draws", timeout=10).json()["items"]]
    assert d["id"] in ids and again["id"] in ids
    # recorded in the audit trail (and so the ledger)
    con = ev.srv.db()
    try:
        n = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'evaluation_draw' AND object_id = ?",
                        (str(d["id"]),)).fetchone()[0]
    finally:
        con.close()
    assert n == 1


def test_ratio_rounds_up_and_a_seed_is_generated(ev):
    d = draw(ev, title="按比例", ratio_pct=50, department_ids=[ev.market, ev.env])
    assert len(d["seed"]) == 32
    assert sampled(d, ev.market) == expected_sample(d["seed"], ev.closed[ev.market], math.ceil(5 * 0.5))
    assert sampled(d, ev.env) == expected_sample(d["seed"], ev.closed[ev.env], math.ceil(3 * 0.5))
    # every department when none is named; departments without closed cases sample nothing
    d = draw(ev, title="全市", count=1, seed="x")
    pops = {p["department_id"]: p for p in d["population"]}
    assert len(pops) >= 9 and pops[ev.market]["sampled"] == 1 and all(
        p["sampled"] == 0 for k, p in pops.items() if k not in (ev.market, ev.env))


def test_bad_draws_are_refused(ev):
    for body in ({"title": "t"}, {"title": "t", "count": 1, "ratio_pct": 10}, {"title": "t", "ratio_pct": 0},
                 {"title": "t", "ratio_pct": 101}, {"title": "t", "count": 0},
                 {"title": "t", "count": 1, "department_ids": [987654]},
                 {"title": "t", "count": 1, "from": "2026-05-01", "to": "2026-04-01"},
                 {"title": "t", "count": 1, "seed": ""}, {"title": "t", "count": 1, "zz": 1}):
        r = ev.supervisor1.post(ev.url + "/evaluations/draws", json=body, timeout=10)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["code"] in ("validation_failed", "unknown_field", "missing_field"), r.text


def full(checklist, **deduct):
    return [{"code": i["code"], "points": i["weight"] - deduct.get(i["code"], 0),
             "comment": "扣分" if i["code"] in deduct else ""} for i in checklist]


def test_scoring_and_report(ev):
    d = draw(ev, title="打分", seed="score-seed", count=2, department_ids=[ev.market, ev.env])
    cl = d["checklist"]
    m = [s for s in d["samples"] if s["department_id"] == ev.market]
    e = [s for s in d["samples"] if s["department_id"] == ev.env]
    url = ev.url + "/evaluations/draws/%d/samples/%%d" % d["id"]

    def score(sample, scores, status=200, comment="意见"):
        r = ev.supervisor1.put(url % sample["id"], json={"scores": scores, "comment": comment}, timeout=10)
        assert r.status_code == status, r.text
        return r.json()

    # refused: over the weight, a missing item, an unknown item, twice the same item
    score(m[0], full(cl)[:-1], 400)
    bad = full(cl)
    bad[0]["points"] = cl[0]["weight"] + 1
    score(m[0], bad, 400)
    score(m[0], full(cl) + [{"code": "nope", "points": 1}], 400)
    score(m[0], full(cl)[:-1] + [full(cl)[0]], 400)
    # market: 95 (证据确凿 -5) and 100; env: 88 (程序合法 -10, 文书规范 -2), one unscored
    r = score(m[0], full(cl, evidence=5), comment="证据链不完整")
    s0 = [s for s in r["samples"] if s["id"] == m[0]["id"]][0]
    assert s0["score"] == 95 and s0["comment"] == "证据链不完整"
    assert [x["points"] for x in s0["scores"]] == [10, 15, 10, 15, 15, 10, 10, 10]
    score(m[1], full(cl))
    score(e[0], full(cl, procedure=10, documents=2))
    # scoring again replaces the earlier scores
    score(e[0], full(cl, procedure=10, documents=2))
    rep = ev.supervisor1.get(ev.url + "/evaluations/draws/%d/report" % d["id"], timeout=10)
    assert rep.status_code == 200, rep.text
    rep = rep.json()
    by = {x["department_id"]: x for x in rep["departments"]}
    assert by[ev.market]["sampled"] == 2 and by[ev.market]["scored"] == 2
    assert by[ev.market]["average_score"] == 97.5 and by[ev.market]["rank"] == 1
    assert [f["code"] for f in by[ev.market]["failed_items"]] == ["evidence"]
    assert by[ev.env]["scored"] == 1 and by[ev.env]["average_score"] == 88 and by[ev.env]["rank"] == 2
    assert [(f["name"], f["count"]) for f in by[ev.env]["failed_items"]] == [("程序合法", 1), ("文书规范", 1)]
    assert [f["code"] for f in rep["failed_items"]] == ["evidence", "procedure", "documents"]
    # a sample of another draw is not this draw's
    other = draw(ev, title="另一批", seed="other", count=1, department_ids=[ev.market])
    r = ev.supervisor1.put(ev.url + "/evaluations/draws/%d/samples/%d" % (other["id"], m[0]["id"]),
                           json={"scores": full(cl)}, timeout=10)
    assert r.status_code == 404, r.text


def test_changing_the_checklist_keeps_old_draws(ev):
    old = draw(ev, title="旧清单", seed="old", count=1, department_ids=[ev.market])
    new_items = [{"code": "legal", "name": "合法性", "weight": 60},
                 {"code": "form", "name": "规范性", "weight": 40, "description": "文书与归档"}]
    r = ev.supervisor1.put(ev.url + "/evaluations/checklist", json={"items": new_items}, timeout=10)
    assert r.status_code == 200, r.text
    assert [i["code"] for i in r.json()["items"]] == ["legal", "form"]
    d = draw(ev, title="新清单", seed="new", count=1, department_ids=[ev.market])
    assert [i["code"] for i in d["checklist"]] == ["legal", "form"]
    r = ev.supervisor1.put(ev.url + "/evaluations/draws/%d/samples/%d" % (d["id"], d["samples"][0]["id"]),
                           json={"scores": [{"code": "legal", "points": 30}, {"code": "form", "points": 40}]},
                           timeout=10)
    assert r.status_code == 200 and r.json()["samples"][0]["score"] == 70
    got = ev.supervisor1.get(ev.url + "/evaluations/draws/%d" % old["id"], timeout=10).json()
    assert len(got["checklist"]) == 8
    for body in ({"items": []}, {"items": [{"code": "A B", "name": "x", "weight": 5}]},
                 {"items": [{"code": "a", "name": "x", "weight": 0}]},
                 {"items": [{"code": "a", "name": "x", "weight": 5}, {"code": "a", "name": "y", "weight": 5}]}):
        r = ev.supervisor1.put(ev.url + "/evaluations/checklist", json=body, timeout=10)
        assert r.status_code == 400, (body, r.text)


def test_only_the_supervisor(ev):
    d = draw(ev, title="权限", seed="perm", count=1, department_ids=[ev.market])
    sid = d["samples"][0]["id"]
    calls = [("GET", "/evaluations/checklist", None), ("PUT", "/evaluations/checklist", {"items": []}),
             ("GET", "/evaluations/draws", None), ("POST", "/evaluations/draws", {"title": "x", "count": 1}),
             ("GET", "/evaluations/draws/%d" % d["id"], None),
             ("GET", "/evaluations/draws/%d/report" % d["id"], None),
             ("PUT", "/evaluations/draws/%d/samples/%d" % (d["id"], sid), {"scores": []})]
    before = ev.srv.snapshot(["eval_draws", "eval_samples", "eval_scores", "eval_checklist"])
    for s in (ev.officer1, ev.head1, ev.admin, ev.auditor1):
        for method, path, body in calls:
            r = s.request(method, ev.url + path, json=body, timeout=10)
            assert r.status_code == 403, (s.user["username"], method, path, r.text)
            assert r.json()["error"]["code"] == "forbidden"
    import requests
    r = requests.get(ev.url + "/evaluations/draws", timeout=10)
    assert r.status_code == 401
    assert ev.srv.snapshot(["eval_draws", "eval_samples", "eval_scores", "eval_checklist"]) == before


# ---- supervision: working days per stage -------------------------------------------------

def test_stage_times_per_department(ev):
    r = ev.supervisor1.get(ev.url + "/supervision/stage-times", timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    src = [i for i in items if i["department_id"] == ev.market and i["procedure"] == "penalty_general"
           and i["stage"] == "source"]
    con = ev.srv.db()
    try:
        left_source = con.execute("SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE "
                                  "c.department_id = ? AND c.procedure = 'penalty_general' AND "
                                  "e.from_stage = 'source' AND e.to_stage <> 'source'", (ev.market,)).fetchone()[0]
    finally:
        con.close()
    assert src and src[0]["stays"] == left_source and left_source >= 5
    # our five left 案源登记 the day they came in (0 working days): the
    # total is the demo case's alone, at most its maximum
    total = round(src[0]["avg_workdays"] * src[0]["stays"])
    assert abs(src[0]["avg_workdays"] * src[0]["stays"] - total) < 1e-9
    assert total <= src[0]["max_workdays"] * (left_source - 5)
    assert src[0]["stage_name"] == "案源登记"
    assert any(i["department_id"] == ev.env for i in items)
    # staff see their own department only
    r = ev.officer1.get(ev.url + "/supervision/stage-times", timeout=10)
    assert r.status_code == 200 and {i["department_id"] for i in r.json()["items"]} <= {ev.market}
    r = ev.officer1.get(ev.url + "/supervision/stage-times", params={"department_id": ev.env}, timeout=10)
    assert r.status_code == 403
    r = ev.supervisor1.get(ev.url + "/supervision/stage-times", params={"procedure": "nope"}, timeout=10)
    assert r.status_code == 400
    assert ev.auditor1.get(ev.url + "/supervision/stage-times", timeout=10).status_code == 403
