"""调阅监督 (issue 8), black-box: the auditor and the Justice Bureau list
every view and download of restricted records — by person, case, party,
department, action and days, with the stated reasons, paginated and as CSV —
and see the patterns flagged with explanations: one person reading many
unrelated cases in a window, looks outside working hours, looks at another
department's records. Nobody else may.

Two histories: real looks made through the API today (a restricted case read
with reasons, a party look-up), and a hand-built history on Monday
2026-03-02 written straight into audit_log (the only way to put looks at
chosen times), over cases created through the API so that who is on which
case is real.
"""
import csv
import io

import pytest

from test_cases import API, COMPANY, create, w  # noqa: F401
from conftest import append_events

DAY = "2026-03-02"          # a Monday, a working day
MON = 1772380800            # 2026-03-02 00:00 China time (UTC+8)


def at(h, m=0):
    return MON + h * 3600 + m * 60


def uid(w, username):
    con = w.srv.db()
    try:
        return con.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def real(w):
    """Looks made through the API: a restricted case read by an officer on
    it and by a reviewer who is not, and a party look-up."""
    c = create(w, "penalty_general", secrecy="personal_privacy")
    cid = c["id"]
    for s, reason in ((w.officer2, "办理本案需要"), (w.reviewer1, "法制审核前查阅")):
        r = s.get(w.url + "/cases/%d" % cid, params={"reason": reason}, timeout=10)
        assert r.status_code == 200, r.text
    r = w.officer1.get(w.url + "/parties/%s/cases" % COMPANY, params={"reason": "核查当事人既往记录"}, timeout=10)
    assert r.status_code == 200, r.text
    return cid


@pytest.fixture(scope="module")
def history(w):
    """The hand-built history on 2026-03-02. reviewer1 reads 12 cases of
    officer1's (not theirs) between 09:00 and 10:50, and one at 23:10;
    officer2 reads the environment bureau's case at 10:00; supervisor1 reads
    it too (their office); officer1 reads their own 12 cases (related)."""
    mine = [create(w, "penalty_general", officers=[w.officers[0]])["id"] for _ in range(12)]
    rev, off1, off2, sup = (uid(w, u) for u in ("reviewer1", "officer1", "officer2", "supervisor1"))
    rows = []
    for i, cid in enumerate(mine):
        rows.append((at(9, i * 10), rev, "reviewer1", "case_view_restricted", "case", str(cid),
                     "case; secrecy=personal_privacy; reason=例行抽查"))
        rows.append((at(14, i), off1, "officer1", "case_view_restricted", "case", str(cid),
                     "case; secrecy=personal_privacy; reason=办理本案"))
    rows.append((at(23, 10), rev, "reviewer1", "case_view_restricted", "case", str(mine[0]),
                 "case; secrecy=personal_privacy; reason=加班复核"))
    rows.append((at(10), off2, "officer2", "case_view_restricted", "case", str(w.env_case),
                 "case; secrecy=commercial_secret; reason=协查"))
    rows.append((at(11), sup, "supervisor1", "case_view_restricted", "case", str(w.env_case),
                 "case; secrecy=commercial_secret; reason=执法监督"))
    con = w.srv.db()
    try:
        # events as zhifa writes them (audit_log is a view over ledger_events)
        append_events(con, [r[:6] + ("10.0.0.8", "hand-built", r[6]) for r in rows])
        con.commit()
    finally:
        con.close()
    return {"mine": mine, "reviewer": rev, "officer1": off1, "officer2": off2, "supervisor": sup}


def listing(s, w, status=200, **params):
    r = s.get(w.url + "/access-log", params=params, timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def test_lists_real_looks_with_reasons(w, real):
    got = listing(w.auditor1, w, case_id=real)
    assert got["total"] == 2
    by = {i["actor"]["username"]: i for i in got["items"]}
    assert by["officer2"]["reason"] == "办理本案需要" and by["officer2"]["related"] is True
    assert by["reviewer1"]["reason"] == "法制审核前查阅" and by["reviewer1"]["related"] is False
    assert by["reviewer1"]["action_name"] == "查阅受限案件"
    assert by["reviewer1"]["record_department"] == "市市场监督管理局"
    # by party: the case's party, and the look-up of that party (masked)
    got = listing(w.supervisor1, w, party=COMPANY.lower(), per_page=100)
    actions = {(i["action"], i["actor"]["username"]) for i in got["items"]}
    assert ("party_view", "officer1") in actions and ("case_view_restricted", "reviewer1") in actions
    look = [i for i in got["items"] if i["action"] == "party_view"][0]
    assert look["reason"] == "核查当事人既往记录"
    assert look["party"] == COMPANY[:6] + "********" + COMPANY[-4:] and COMPANY not in str(got)
    # by person and action
    got = listing(w.auditor1, w, actor_id=uid(w, "officer1"), action="party_view")
    assert got["total"] >= 1 and all(i["actor"]["username"] == "officer1" for i in got["items"])


def test_filters_pagination_and_csv(w, history):
    got = listing(w.auditor1, w, **{"from": DAY, "to": DAY, "per_page": 5})
    assert got["total"] == 27 and len(got["items"]) == 5 and got["page"] == 1
    page2 = listing(w.auditor1, w, **{"from": DAY, "to": DAY, "per_page": 5, "page": 2})
    assert {i["id"] for i in page2["items"]}.isdisjoint({i["id"] for i in got["items"]})
    # newest first
    assert got["items"][0]["reason"] == "加班复核"
    got = listing(w.auditor1, w, **{"from": DAY, "to": DAY, "actor_id": history["reviewer"], "per_page": 100})
    assert got["total"] == 13 and {i["reason"] for i in got["items"]} == {"例行抽查", "加班复核"}
    assert listing(w.auditor1, w, **{"from": DAY, "to": DAY, "case_id": history["mine"][0]})["total"] == 3
    got = listing(w.auditor1, w, **{"from": DAY, "to": DAY, "department_id": w.env})
    assert got["total"] == 2 and {i["record_department"] for i in got["items"]} == {"市生态环境局"}
    assert listing(w.auditor1, w, **{"from": "2026-03-03", "to": "2026-03-03"})["total"] == 0

    r = w.auditor1.get(w.url + "/access-log", params={"from": DAY, "to": DAY, "format": "csv"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:6] == ["序号", "时间", "人员", "账号", "人员所属部门", "调阅类型"]
    assert len(rows) == 1 + 27
    night = [x for x in rows if x[10] == "加班复核"][0]
    assert night[1] == "2026-03-02 23:10:00" and night[3] == "reviewer1" and night[13] == "否"


def test_flags_fire_with_explanations(w, history):
    got = w.supervisor1.get(w.url + "/access-log/flags", params={"from": DAY, "to": DAY}, timeout=10)
    assert got.status_code == 200, got.text
    got = got.json()
    assert got["thresholds"] == {"window_hours": 24, "max_subjects": 10, "day_start": 8, "day_end": 19}
    kinds = {}
    for f in got["items"]:
        kinds.setdefault(f["kind"], []).append(f)
    # breadth: reviewer1's 12 unrelated cases; not officer1's own 12
    assert [f["actor_id"] for f in kinds["breadth"]] == [history["reviewer"]]
    b = kinds["breadth"][0]
    assert b["count"] == 12 and "12 个" in b["explanation"] and "阈值 10" in b["explanation"]
    assert len(b["audit_ids"]) >= 12
    # off hours: the 23:10 look only
    assert [f["actor_id"] for f in kinds["off_hours"]] == [history["reviewer"]]
    assert "2026-03-02 23:10" in kinds["off_hours"][0]["explanation"]
    # other department: officer2, not the supervisor
    assert [f["actor_id"] for f in kinds["other_dept"]] == [history["officer2"]]
    assert "市生态环境局" in kinds["other_dept"][0]["explanation"]


def test_flags_respect_thresholds(w, history):
    got = w.auditor1.get(w.url + "/access-log/flags", params={
        "from": DAY, "to": DAY, "max_subjects": 12, "day_end": 24}, timeout=10).json()
    assert "breadth" not in {f["kind"] for f in got["items"]}
    assert "off_hours" not in {f["kind"] for f in got["items"]}
    got = w.auditor1.get(w.url + "/access-log/flags", params={
        "from": DAY, "to": DAY, "window_hours": 1}, timeout=10).json()
    assert "breadth" not in {f["kind"] for f in got["items"]}  # at most 6 reads in any hour
    got = w.auditor1.get(w.url + "/access-log/flags", params={
        "from": DAY, "to": DAY, "day_start": 9, "day_end": 10}, timeout=10).json()
    late = [f for f in got["items"] if f["kind"] == "off_hours"]
    # reviewer1 10:00-10:50 (6) and 23:10, officer1 14:00-14:11 (12), officer2 10:00, supervisor1 11:00
    assert len(late) == 6 + 1 + 12 + 1 + 1


def test_only_auditor_and_supervisor(w, real):
    import requests
    for s in (w.officer1, w.head1, w.reviewer1, w.publicity1, w.admin):
        for path in ("/access-log", "/access-log/flags"):
            r = s.get(w.url + path, timeout=10)
            assert r.status_code == 403, (path, r.text)
            assert r.json()["error"]["code"] == "forbidden"
    assert requests.get(w.url + "/access-log", timeout=10).status_code == 401


def test_bad_parameters(w):
    for params, field in [({"from": "2026-03-05", "to": "2026-03-01"}, "to"),
                          ({"from": "2026-02-30"}, "from"),
                          ({"party": "12-34"}, "party"),
                          ({"action": "evidence_upload"}, "action"),
                          ({"actor_id": "abc"}, "actor_id"),
                          ({"format": "xls"}, "format")]:
        r = w.auditor1.get(w.url + "/access-log", params=params, timeout=10)
        assert r.status_code == 400, (params, r.text)
        e = r.json()["error"]
        assert e["field"] == field and any("\u4e00" <= ch <= "\u9fff" for ch in e["message"])
    for params, field in [({"window_hours": 0}, "window_hours"), ({"max_subjects": "x"}, "max_subjects"),
                          ({"day_start": 20, "day_end": 8}, "day_start")]:
        r = w.auditor1.get(w.url + "/access-log/flags", params=params, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (params, r.text)


def test_partial_indexes_match_the_queries(w):
    """Migrations 0022 and 0031 made audit_log(action, at) and (actor_id, at)
    partial, holding only the look actions. SQLite uses a partial index only
    when the query repeats its WHERE term, so the term of the migration and
    LOOK_ACTIONS in src/api/access_review.c must stay identical: read both and
    ask the database for the plan of the listing's narrow sort."""
    import os
    import re
    src = open(os.path.join(os.path.dirname(__file__), "..", "..", "src", "api", "access_review.c"),
               encoding="utf-8").read()
    body = re.search(r"#define LOOK_ACTIONS((?:.*\\\n)*.*\n)", src).group(1)
    term = "".join(re.findall(r'"([^"]*)"', body))
    actions = re.findall(r"'([a-z_]+)'", term)
    assert len(actions) >= 6 and term.startswith("(a.action = "), term
    # PostgreSQL: the index's definition from pg_indexes, and the plan with
    # sequential scans priced out (a test database's audit_log is tiny, so
    # the planner would scan it whatever the indexes)
    from conftest import PG
    index_sql = ("SELECT indexdef FROM pg_indexes WHERE indexname = ?" if PG else
                 "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
    explain = "EXPLAIN " if PG else "EXPLAIN QUERY PLAN "
    con = w.srv.db()
    try:
        if PG:
            con.execute("SET enable_seqscan = off")
        for name in ("audit_log_action_at", "audit_log_actor_at"):
            sql = con.execute(index_sql, (name,)).fetchone()[0]
            assert re.findall(r"'([a-z_]+)'", sql.split("WHERE", 1)[1]) == actions, name
        plan = " ".join(r[-1] for r in con.execute(
            explain + "SELECT a.id FROM audit_log a WHERE " + term +
            " AND a.at >= 0 AND a.at < 2000000000 ORDER BY a.at DESC, a.id DESC LIMIT 20"))
        assert "audit_log_action_at" in plan, plan
        plan = " ".join(r[-1] for r in con.execute(
            explain + "SELECT a.id FROM audit_log a WHERE " + term +
            " AND a.at >= 0 AND a.at < 2000000000 AND a.actor_id = 3"))
        assert "audit_log_a" in plan, plan
    finally:
        con.close()
