"""The working-day calendar, deadline rules and open deadlines over HTTP.

GET /calendar, /calendar/add-workdays, /calendar/years, /calendar/status,
POST /calendar/import (admin), GET /deadlines (own department; the Justice
Bureau's supervisor sees all), GET /deadline-rules, PUT /deadline-rules/{code}
(admin). Bad input gets 400 with the error object naming the field, and
changes nothing.

Clocks are inserted straight into the server's SQLite file (no API creates
them yet; later issues start them from cases and publications).
"""
import datetime
import json

import pytest
import requests

API = "/api/v1"
CHINA = datetime.timezone(datetime.timedelta(hours=8))

RULE_PENALTY = {"code": "publish_penalty", "name": "行政处罚决定公示", "kind": "workdays",
                "workdays": 7, "month": 0, "day": 0, "year_offset": 0,
                "extension_workdays": 0, "pausable": False, "basis": "test"}

FAKE_2027 = {
    "year": 2027,
    "papers": ["https://example.org/fake-2027"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
        {"name": "测试", "date": "2027-01-13", "isOffDay": True},
        {"name": "春节", "date": "2027-02-06", "isOffDay": False},
    ],
}


def today():
    return datetime.datetime.now(CHINA).date()


def assert_error(r, status, field=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["code"] and err["message"], err
    if field is not None:
        assert err["field"] == field, err
    return err


def dept_id(server, code):
    con = server.db()
    try:
        return con.execute("SELECT id FROM departments WHERE code = ?", (code,)).fetchone()[0]
    finally:
        con.close()


def insert_clock(server, dept, start, due, object_id, version="", rule=RULE_PENALTY):
    con = server.db()
    try:
        cur = con.execute(
            "INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, start_date, "
            "due_date, calendar_version, pauses, state, created_at, updated_at) "
            "VALUES (?, ?, 'test', ?, ?, ?, ?, ?, '[]', 'on_time', 0, 0)",
            (rule["code"], json.dumps(rule, ensure_ascii=False), object_id, dept, start, due, version))
        con.commit()
        return cur.lastrowid
    finally:
        con.close()


# ---- calendar ---------------------------------------------------------------

def test_days_across_national_day_2024(server):
    s = server.login("officer1")
    r = s.get(server.url + API + "/calendar", params={"from": "2024-09-28", "to": "2024-10-08"}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    days = {d["date"]: d for d in body["days"]}
    assert len(body["days"]) == 11
    assert body["from"] == "2024-09-28" and body["to"] == "2024-10-08"
    assert days["2024-09-28"] == {"date": "2024-09-28", "workday": False, "kind": "normal", "name": "",
                                  "weekday": 6}
    assert days["2024-09-29"]["workday"] is True and days["2024-09-29"]["kind"] == "work"
    assert days["2024-09-29"]["name"] == "国庆节"
    for d in range(1, 8):
        day = days["2024-10-%02d" % d]
        assert day["workday"] is False and day["kind"] == "off" and day["name"] == "国庆节", day
    assert days["2024-10-08"]["workday"] is True
    assert "2024:2024.1" in body["calendar_version"]


@pytest.mark.parametrize("start,n,expected", [
    ("2024-09-30", 1, "2024-10-08"),   # National Day 2024: 1–7 October off
    ("2024-09-27", 1, "2024-09-29"),   # Sunday 29 September is an adjusted working day
    ("2025-01-27", 1, "2025-02-05"),   # Spring Festival 2025: 28 January – 4 February off
    ("2025-01-24", 1, "2025-01-26"),   # Sunday 26 January worked
    ("2025-01-27", 0, "2025-01-27"),
    ("2025-02-07", 1, "2025-02-08"),   # Saturday 8 February worked
])
def test_add_workdays(server, start, n, expected):
    s = server.login("reviewer1")
    r = s.get(server.url + API + "/calendar/add-workdays", params={"from": start, "n": n}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"from": start, "n": n, "date": expected}


@pytest.mark.parametrize("params,field", [
    ({"from": "2025-02-30", "to": "2025-03-01"}, "from"),
    ({"from": "2025-2-3", "to": "2025-03-01"}, "from"),
    ({"from": "", "to": "2025-03-01"}, "from"),
    ({"to": "2025-03-01"}, "from"),
    ({"from": "2025-03-01"}, "to"),
    ({"from": "2025-03-01", "to": "2025-02-01"}, "to"),
    ({"from": "2024-01-01", "to": "2025-06-01"}, "to"),      # span over the limit
    ({"from": "2025-01-01 ", "to": "2025-03-01"}, "from"),
    ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),    # outside the calendar
])
def test_days_bad_input(server, params, field):
    s = server.login("officer1")
    r = s.get(server.url + API + "/calendar", params=params, timeout=10)
    assert_error(r, 400, field)


@pytest.mark.parametrize("params,field", [
    ({"from": "2025-02-30", "n": "1"}, "from"),
    ({"from": "2025-2-3", "n": "1"}, "from"),
    ({"n": "1"}, "from"),
    ({"from": "2025-01-01", "n": "-1"}, "n"),
    ({"from": "2025-01-01", "n": "3651"}, "n"),
    ({"from": "2025-01-01", "n": "99999999999999999999"}, "n"),
    ({"from": "2025-01-01", "n": "abc"}, "n"),
    ({"from": "2025-01-01", "n": ""}, "n"),
    ({"from": "2025-01-01"}, "n"),
    ({"from": "2025-01-01", "n": "1.5"}, "n"),
])
def test_add_workdays_bad_input(server, params, field):
    s = server.login("officer1")
    r = s.get(server.url + API + "/calendar/add-workdays", params=params, timeout=10)
    assert_error(r, 400, field)


def test_calendar_needs_login_but_status_is_public(server):
    r = requests.get(server.url + API + "/calendar", params={"from": "2025-01-01", "to": "2025-01-02"},
                     timeout=10)
    assert_error(r, 401)
    r = requests.get(server.url + API + "/calendar/status", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"missing_year", "message"}
    t = today()
    if t.month == 12 and t.year + 1 > 2026:
        assert body["missing_year"] == t.year + 1
        assert str(t.year + 1) in body["message"]
    elif t.year <= 2026:
        assert body["missing_year"] is None and body["message"] == ""


def test_years(server):
    s = server.login("auditor1")
    r = s.get(server.url + API + "/calendar/years", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"items", "warnings"}
    years = {y["year"]: y for y in body["items"]}
    assert set(range(2019, 2027)) <= set(years)
    assert years[2020]["version"] == "2020.2"
    assert years[2020]["source"] == "builtin" and years[2020]["loaded_at"] is None
    assert len(years[2020]["sources"]) == 2
    assert "2020" in years[2020]["sources"][0]["title"]
    assert years[2025]["days"] > 20
    for w in body["warnings"]:
        assert w["code"] == "calendar_year_missing" and str(w["year"]) in w["message"]


# ---- import -------------------------------------------------------------------

def test_import_requires_admin(server):
    before = server.snapshot(["calendar_years", "calendar_days", "audit_log"])
    for user in ["officer1", "supervisor1", "head1", "auditor1"]:
        s = server.login(user)
        r = s.post(server.url + API + "/calendar/import", json=FAKE_2027, timeout=10)
        assert_error(r, 403)
    r = requests.post(server.url + API + "/calendar/import", json=FAKE_2027, timeout=10)
    assert r.status_code in (401, 403), r.text
    after = server.snapshot(["calendar_years", "calendar_days"])
    assert after["calendar_years"] == before["calendar_years"]
    assert after["calendar_days"] == before["calendar_days"]


def bad_import(**change):
    body = json.loads(json.dumps(FAKE_2027))
    for k, v in change.items():
        if k.startswith("day0_"):
            body["days"][0][k[5:]] = v
        elif v is None:
            del body[k]
        else:
            body[k] = v
    return body


@pytest.mark.parametrize("body,field", [
    (bad_import(day0_date="2027-02-30"), "days[0].date"),
    (bad_import(day0_date="2027-2-3"), "days[0].date"),
    (bad_import(day0_date=""), "days[0].date"),
    (bad_import(day0_date="2027-01-13"), "days[3].date"),   # duplicate of the 4th entry
    (bad_import(day0_date="2025-06-01"), "days[0].date"),   # not part of 2027's schedule
    (bad_import(day0_isOffDay="yes"), "days[0].isOffDay"),
    (bad_import(year=None), "year"),
    (bad_import(year="2027"), "year"),
    (bad_import(year=1900), "year"),
    (bad_import(days=[]), "days"),
    (bad_import(papers="https://x"), "papers"),
])
def test_import_bad_input_changes_nothing(server, body, field):
    admin = server.login("admin")
    before = server.snapshot(["calendar_years", "calendar_days", "calendar_changes", "clocks"])
    r = admin.post(server.url + API + "/calendar/import", json=body, timeout=10)
    assert_error(r, 400, field)
    assert server.snapshot(["calendar_years", "calendar_days", "calendar_changes", "clocks"]) == before


def test_import_not_json(server):
    admin = server.login("admin")
    r = admin.post(server.url + API + "/calendar/import", data="2027-01-01\toff\t元旦\n".encode("utf-8"),
                   headers={"Content-Type": "application/json"}, timeout=10)
    assert_error(r, 400, "file")


def test_import_recomputes_open_clocks(fresh_server):
    srv = fresh_server
    admin = srv.login("admin")
    market = dept_id(srv, "SCJGJ")
    # 7 working days after Monday 11 January 2027 without a schedule: due the 20th
    open_id = insert_clock(srv, market, "2027-01-11", "2027-01-20", 1, "2027:-")
    done_id = insert_clock(srv, market, "2027-01-11", "2027-01-20", 2, "2027:-")
    con = srv.db()
    con.execute("UPDATE clocks SET done_date = '2027-01-15' WHERE id = ?", (done_id,))
    con.commit()
    con.close()

    r = admin.post(srv.url + API + "/calendar/import", json=FAKE_2027, timeout=10)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["year"] == 2027 and res["changed"] is True
    assert res["old_version"] == "" and res["new_version"] == "2027.1"
    assert res["workdays_changed"] is True
    assert res["clocks_moved"] == 1
    # the weekend days of the 元旦 block and a working Saturday are legal but flagged
    flagged = {w["date"] for w in res["warnings"]}
    assert {"2027-01-02", "2027-01-03"} <= flagged and "2027-01-13" not in flagged

    con = srv.db()
    try:
        rows = dict(con.execute("SELECT id, due_date FROM clocks").fetchall())
        change = con.execute("SELECT old_due, new_due FROM calendar_change_clocks WHERE clock_id = ?",
                             (open_id,)).fetchone()
        audits = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar_import' "
                             "AND actor_name = 'admin'").fetchone()[0]
    finally:
        con.close()
    assert rows[open_id] == "2027-01-21"
    assert rows[done_id] == "2027-01-20"
    assert change == ("2027-01-20", "2027-01-21")
    assert audits == 1

    # idempotent
    before = srv.snapshot(["calendar_years", "calendar_days", "calendar_changes", "audit_log"])
    r = admin.post(srv.url + API + "/calendar/import", json=FAKE_2027, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is False and r.json()["new_version"] == "2027.1"
    assert srv.snapshot(["calendar_years", "calendar_days", "calendar_changes", "audit_log"]) == before

    # the new year is served at once (the cache follows the import)
    s = srv.login("officer1")
    days = s.get(srv.url + API + "/calendar", params={"from": "2027-01-13", "to": "2027-01-13"},
                 timeout=10).json()["days"]
    assert days == [{"date": "2027-01-13", "workday": False, "kind": "off", "name": "测试", "weekday": 3}]
    r = s.get(srv.url + API + "/calendar/add-workdays", params={"from": "2027-02-05", "n": 1}, timeout=10)
    assert r.json()["date"] == "2027-02-06"  # a working Saturday in the fake schedule
    years = {y["year"]: y for y in s.get(srv.url + API + "/calendar/years", timeout=10).json()["items"]}
    assert years[2027]["source"] == "imported" and years[2027]["version"] == "2027.1"
    assert years[2027]["loaded_by"] == "admin"
    assert years[2027]["sources"][0]["url"] == "https://example.org/fake-2027"
    status = requests.get(srv.url + API + "/calendar/status", timeout=10).json()
    assert status["missing_year"] != 2027

    # a second version moves nothing more here but is numbered and recorded
    v2 = json.loads(json.dumps(FAKE_2027))
    v2["days"] = [d for d in v2["days"] if d["date"] != "2027-01-13"]
    r = admin.post(srv.url + API + "/calendar/import", json=v2, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["new_version"] == "2027.2" and r.json()["clocks_moved"] == 1
    con = srv.db()
    try:
        assert con.execute("SELECT due_date FROM clocks WHERE id = ?", (open_id,)).fetchone()[0] == "2027-01-20"
    finally:
        con.close()


# ---- deadlines --------------------------------------------------------------------

@pytest.fixture(scope="module")
def clocks(server):
    """Three open clocks in the market department (overdue, due soon, on time)
    and one in another department, plus one done clock."""
    admin_s = server.login("supervisor1")
    t = today().isoformat()

    def add(n):
        return admin_s.get(server.url + API + "/calendar/add-workdays", params={"from": t, "n": n},
                           timeout=10).json()["date"]

    market = dept_id(server, "SCJGJ")
    con = server.db()
    try:
        other = con.execute("SELECT id FROM departments WHERE code <> 'SCJGJ' ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    ids = {
        "overdue": insert_clock(server, market, "2020-01-02", "2020-01-13", 101),
        "due_soon": insert_clock(server, market, t, add(1), 102),
        "on_time": insert_clock(server, market, t, add(10), 103),
        "other": insert_clock(server, other, t, add(10), 104),
    }
    done = insert_clock(server, market, "2020-01-02", "2020-01-13", 105)
    con = server.db()
    con.execute("UPDATE clocks SET done_date = '2020-01-10' WHERE id = ?", (done,))
    con.commit()
    con.close()
    ids["done"] = done
    return {"ids": ids, "market": market, "other": other}


def test_deadlines_own_department_only(server, clocks):
    s = server.login("officer1")
    r = s.get(server.url + API + "/deadlines", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    got = {i["id"] for i in body["items"]}
    ids = clocks["ids"]
    assert {ids["overdue"], ids["due_soon"], ids["on_time"]} <= got
    assert ids["other"] not in got and ids["done"] not in got
    assert all(i["department_id"] == clocks["market"] for i in body["items"])
    # asking for another department still gives one's own
    r = s.get(server.url + API + "/deadlines", params={"department_id": clocks["other"]}, timeout=10)
    assert r.status_code == 200
    assert ids["other"] not in {i["id"] for i in r.json()["items"]}
    assert r.json()["department_id"] == clocks["market"]


def test_deadlines_supervisor_sees_all(server, clocks):
    s = server.login("supervisor1")
    body = s.get(server.url + API + "/deadlines", params={"per_page": 100}, timeout=10).json()
    got = {i["id"] for i in body["items"]}
    ids = clocks["ids"]
    assert {ids["overdue"], ids["due_soon"], ids["on_time"], ids["other"]} <= got
    assert ids["done"] not in got
    r = s.get(server.url + API + "/deadlines", params={"department_id": clocks["other"]}, timeout=10)
    assert {i["department_id"] for i in r.json()["items"]} == {clocks["other"]}


def test_deadlines_states(server, clocks):
    s = server.login("head1")
    ids = clocks["ids"]
    items = {i["id"]: i for i in s.get(server.url + API + "/deadlines", timeout=10).json()["items"]}
    assert items[ids["overdue"]]["state"] == "overdue" and items[ids["overdue"]]["state_label"] == "已逾期"
    assert items[ids["overdue"]]["workdays_left"] < 0
    assert items[ids["due_soon"]]["state"] == "due_soon"
    assert items[ids["on_time"]]["state"] == "on_time"
    assert items[ids["on_time"]]["workdays_left"] == 10
    assert items[ids["on_time"]]["rule_name"] == "行政处罚决定公示"
    for state, key in [("overdue", "overdue"), ("due-soon", "due_soon"), ("due_soon", "due_soon")]:
        body = s.get(server.url + API + "/deadlines", params={"state": state}, timeout=10).json()
        got = {i["id"] for i in body["items"]}
        assert ids[key] in got
        assert all(i["state"] == key for i in body["items"])
    # paging
    body = s.get(server.url + API + "/deadlines", params={"per_page": 1, "page": 2}, timeout=10).json()
    assert len(body["items"]) == 1 and body["total"] >= 3


@pytest.mark.parametrize("params,field", [
    ({"state": "late"}, "state"),
    ({"state": "done_late"}, "state"),
    ({"department_id": "abc"}, "department_id"),
    ({"per_page": "0"}, "per_page"),
    ({"page": "x"}, "page"),
])
def test_deadlines_bad_input(server, params, field):
    s = server.login("supervisor1")
    assert_error(s.get(server.url + API + "/deadlines", params=params, timeout=10), 400, field)


def test_deadlines_roles(server):
    for user in ["admin", "auditor1"]:
        s = server.login(user)
        assert_error(s.get(server.url + API + "/deadlines", timeout=10), 403)
    assert_error(requests.get(server.url + API + "/deadlines", timeout=10), 401)


# ---- rules ---------------------------------------------------------------------------

def test_rules_list_and_edit(server):
    s = server.login("officer1")
    items = {r["code"]: r for r in s.get(server.url + API + "/deadline-rules", timeout=10).json()["items"]}
    assert {"publish_licensing", "publish_penalty", "publish_other", "withdraw_publication",
            "publish_spot_check", "legal_review", "annual_report"} <= set(items)
    assert items["legal_review"]["workdays"] == 3 and items["legal_review"]["extension_workdays"] == 2
    assert items["legal_review"]["pausable"] is True
    assert items["annual_report"]["kind"] == "fixed_date"
    assert (items["annual_report"]["month"], items["annual_report"]["day"]) == (1, 31)

    # only the administrator edits
    r = s.put(server.url + API + "/deadline-rules/publish_spot_check", json={"workdays": 15}, timeout=10)
    assert_error(r, 403)

    admin = server.login("admin")
    before = server.snapshot(["deadline_rules"])
    for body, field in [({"workdays": 0}, "workdays"), ({"workdays": 3651}, "workdays"),
                        ({"workdays": 10 ** 12}, "workdays"), ({"kind": "weeks"}, "kind"),
                        ({"name": ""}, "name"), ({"zz": 1}, "zz"), ({"workdays": "5"}, "workdays")]:
        r = admin.put(server.url + API + "/deadline-rules/publish_spot_check", json=body, timeout=10)
        assert_error(r, 400, field)
    assert server.snapshot(["deadline_rules"]) == before
    assert_error(admin.put(server.url + API + "/deadline-rules/no_such_rule", json={"workdays": 5},
                           timeout=10), 404)

    r = admin.put(server.url + API + "/deadline-rules/publish_spot_check", json={"workdays": 15}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["workdays"] == 15 and r.json()["code"] == "publish_spot_check"
    items = {r["code"]: r for r in s.get(server.url + API + "/deadline-rules", timeout=10).json()["items"]}
    assert items["publish_spot_check"]["workdays"] == 15
    # put it back for the other tests of this module
    r = admin.put(server.url + API + "/deadline-rules/publish_spot_check", json={"workdays": 20}, timeout=10)
    assert r.status_code == 200
