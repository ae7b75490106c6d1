"""GET /api/v1/cases/stats (issue 5 "counts by stage and type; time spent per
stage") is served from sums the store keeps (case_counts, migration 0023;
case_stage_times, migration 0027) instead of scanning cases and every
case_events row. Its answer must stay exactly what a direct count of the
records gives: this test drives cases through stages (with time passing in
between, so the durations are not all zero), archives one, and compares the
whole answer, for a department and for all departments, with the direct
queries the endpoint used before — on SQLite and on PostgreSQL.
"""
import time
from test_case_list import w  # noqa: F401 (the fixture: logins, the market department, its officers)
from test_cases import create, doc, act, archive

API = "/api/v1"

BY_STAGE = ("SELECT procedure, stage, COUNT(*) FROM cases WHERE {dept} "
            "GROUP BY procedure, stage ORDER BY procedure, stage")
BY_POWER = ("SELECT power_type, COUNT(*), SUM(CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END) FROM cases "
            "WHERE {dept} GROUP BY power_type ORDER BY power_type")
DURATIONS = ("SELECT c.procedure, x.from_stage, COUNT(*), AVG(x.at - x.entered), MAX(x.at - x.entered) FROM "
             "(SELECT e.case_id, e.from_stage, e.at, LAG(e.at) OVER (PARTITION BY e.case_id ORDER BY e.id) "
             "AS entered FROM case_events e WHERE e.from_stage IS NULL OR e.from_stage <> e.to_stage) x "
             "JOIN cases c ON c.id = x.case_id WHERE x.from_stage IS NOT NULL AND x.entered IS NOT NULL "
             "AND {dept} GROUP BY c.procedure, x.from_stage ORDER BY c.procedure, x.from_stage")


def direct(w, dept):
    con = w.srv.db()
    try:
        cond, args = ("department_id = ?", (dept,)) if dept else ("1 = 1", ())
        stage = [{"procedure": p, "stage": s, "count": n}
                 for p, s, n in con.execute(BY_STAGE.format(dept=cond), args)]
        power = [{"power_type": p, "count": n, "archived": int(a)}
                 for p, n, a in con.execute(BY_POWER.format(dept=cond), args)]
        cond = "c.department_id = ?" if dept else "1 = 1"
        dur = [{"procedure": p, "stage": s, "transitions": n, "avg_seconds": int(avg), "max_seconds": mx}
               for p, s, n, avg, mx in con.execute(DURATIONS.format(dept=cond), args)]
    finally:
        con.close()
    return stage, power, dur


def served(w, s, **params):
    r = s.get(w.url + "/cases/stats", params=params, timeout=30)
    assert r.status_code == 200, r.text
    b = r.json()
    stage = [{k: x[k] for k in ("procedure", "stage", "count")} for x in b["by_stage"]]
    dur = [{k: x[k] for k in ("procedure", "stage", "transitions", "avg_seconds", "max_seconds")}
           for x in b["stage_durations"]]
    assert b["total"] == sum(x["count"] for x in stage)
    return stage, b["by_power_type"], dur


def check(w):
    for s, dept in ((w.officer1, w.market), (w.supervisor1, None)):
        got = served(w, s)
        want = direct(w, dept)
        assert got[0] == want[0], "by_stage"
        assert got[1] == want[1], "by_power_type"
        assert got[2] == want[2], "stage_durations"


def test_stats_equal_direct_counts(w):
    check(w)
    cases = [create(w, "inspection", parties=[], title="统计测试%d" % i)["id"] for i in range(3)]
    for cid in cases:
        assert act(w, cid, "dispatch")["stage"] == "inspect"
    time.sleep(1.1)  # a stay of at least a second in 检查
    for cid in cases[:2]:
        doc(w, cid, "site_record")
        assert act(w, cid, "inspect")["stage"] == "result"
    time.sleep(1.1)
    assert act(w, cases[0], "result_problem")["stage"] == "handle"
    doc(w, cases[0], "rectify_order", scan=True)
    assert act(w, cases[0], "rectify")["stage"] == "publicize"
    assert act(w, cases[0], "publish")["stage"] == "closed"
    archive(w, cases[0])
    # a refused action changes no sum
    r = w.officer1.post(w.url + "/cases/%d/actions" % cases[2], json={"action": "publish"}, timeout=10)
    assert r.status_code == 409
    check(w)
    stats = served(w, w.officer1)
    inspect = [d for d in stats[2] if d["procedure"] == "inspection" and d["stage"] == "inspect"]
    assert inspect and inspect[0]["max_seconds"] >= 1
    assert any(p["archived"] >= 1 for p in stats[1] if p["power_type"] == "inspection")
