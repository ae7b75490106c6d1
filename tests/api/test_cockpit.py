"""Supervision (issue 8), black-box: the Justice Bureau's cockpit numbers
against a hand-built data set, every early-warning rule firing on one
department and not firing on a control department, rules as data, the
assessment score from configurable weights, the implementation tracker and
filings (submit, return with comments, resubmit, accept; the accepted
音像记录事项清单 becomes the one the department applies).

The hand-built records are written straight into the server's SQLite file
(two departments of their own, so the demo data does not blur the numbers),
then POST /cockpit/refresh makes the server recompute from them.
"""
import time

import pytest

API = "/api/v1"
DAY = 86400


def today_cn(now=None):
    return time.strftime("%Y-%m-%d", time.gmtime((now or time.time()) + 8 * 3600))


def day_cn(offset_days):
    return today_cn(time.time() + offset_days * DAY)


class Builder:
    """Inserts rows for one department; every id is returned."""

    def __init__(self, con, name, code, user_id):
        self.con = con
        self.user = user_id
        self.now = int(time.time())
        cur = con.execute("INSERT INTO departments (code, name, kind, created_at, updated_at) "
                          "VALUES (?, ?, 'enforcement', 0, 0)", (code, name))
        self.dept = cur.lastrowid
        self.code = code
        self.n = 0

    def seq(self):
        self.n += 1
        return "%s-%d" % (self.code, self.n)

    def officer(self, valid_to="2030-12-31", status="active"):
        return self.con.execute(
            "INSERT INTO officers (department_id, name, certificate_no, certificate_valid_from, "
            "certificate_valid_to, status, created_at, updated_at) VALUES (?, ?, ?, '2020-01-01', ?, ?, 0, 0)",
            (self.dept, "执法员" + self.seq(), self.seq(), valid_to, status)).lastrowid

    def user_for(self, officer_id, role="officer"):
        return self.con.execute(
            "INSERT INTO users (username, display_name, role, department_id, officer_id, password_hash, "
            "password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, 'x', 0, 0)",
            ("u_" + self.seq(), "用户", role, self.dept, officer_id)).lastrowid

    def matter(self, lo, hi):
        m = self.con.execute("INSERT INTO matters (department_id, code, name, power_type, created_at, updated_at) "
                             "VALUES (?, ?, ?, 'penalty', 0, 0)", (self.dept, "M" + self.seq(), "测试事项")).lastrowid
        self.con.execute("INSERT INTO benchmarks (matter_id, violation, circumstance, penalty_range, min_fine, "
                         "max_fine) VALUES (?, 'v', '一般', 'r', ?, ?)", (m, lo, hi))
        return m

    def case(self, stage="investigation", outcome="", fine_fen=None, matter=None, lead=None, age_days=5,
             title=None):
        created = self.now - age_days * DAY
        cid = self.con.execute(
            "INSERT INTO cases (department_id, matter_id, procedure, power_type, stage, title, outcome, fine_fen, "
            "stage_entered_at, created_by, created_at, updated_at) VALUES (?, ?, 'penalty_general', 'penalty', "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            (self.dept, matter, stage, title or "案件" + self.seq(), outcome, fine_fen, self.now - 2 * DAY,
             self.user, created, self.now - DAY)).lastrowid
        if lead:
            self.con.execute("INSERT INTO case_officers (case_id, officer_id, position) VALUES (?, ?, 0)",
                             (cid, lead))
        return cid

    def event(self, case_id, action, actor=None, detail="{}", at=None):
        return self.con.execute(
            "INSERT INTO case_events (case_id, action, from_stage, to_stage, actor_id, detail, at) "
            "VALUES (?, ?, 'source', 'investigation', ?, ?, ?)",
            (case_id, action, actor, detail, at or self.now - DAY)).lastrowid

    def video(self, event_id, case_id):
        ev = self.con.execute(
            "INSERT INTO evidence_files (sha256, size, kind, department_id, case_id, retention, created_by, "
            "created_at) VALUES (?, 1, 'video', ?, ?, 'routine', ?, 0)",
            ("%064d" % (event_id * 1000 + self.dept), self.dept, case_id, self.user)).lastrowid
        self.con.execute("INSERT INTO case_event_evidence (event_id, evidence_id) VALUES (?, ?)", (event_id, ev))

    def publication(self, case_id=None, on_time=None, state="published", due=None, published_on=None,
                    withdrawn_days_ago=None, kind="penalty"):
        withdrawn_at = None if withdrawn_days_ago is None else self.now - withdrawn_days_ago * DAY
        return self.con.execute(
            "INSERT INTO publications (department_id, case_id, kind, state, title, content, masked, decision_date, "
            "due_date, on_time, published_on, withdrawn_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '{}', "
            "'{}', '2026-01-05', ?, ?, ?, ?, 0, 0)",
            (self.dept, case_id, kind, state, "公示" + self.seq(), due, on_time, published_on,
             withdrawn_at)).lastrowid

    def round(self, case_id, no=1, state="concluded", outcome="", due="2026-01-10", concluded=None,
              collective="none"):
        return self.con.execute(
            "INSERT INTO review_rounds (case_id, department_id, no, state, route, submitted_by, submitted_on, "
            "submitted_at, due_on, outcome, concluded_on, collective, created_at, updated_at) VALUES (?, ?, ?, ?, "
            "'department', '送审人', '2026-01-05', 0, ?, ?, ?, ?, 0, 0)",
            (case_id, self.dept, no, state, due, outcome, concluded, collective)).lastrowid

    def clock(self, case_id, due):
        return self.con.execute(
            "INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, start_date, due_date, "
            "created_at, updated_at) VALUES ('penalty_decision_90d', '{}', 'case', ?, ?, '2026-01-01', ?, 0, 0)",
            (case_id, self.dept, due)).lastrowid


@pytest.fixture(scope="module")
def w(server):
    x = type("World", (), {})()
    x.srv = server
    x.url = server.url + API
    x.sup = server.login("supervisor1")
    x.head = server.login("head1")
    x.officer = server.login("officer1")
    con = server.db()
    con.execute("PRAGMA busy_timeout = 10000")
    try:
        admin_id = con.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()[0]
        a = Builder(con, "测试监督甲局", "T-A", admin_id)   # every rule fires here
        b = Builder(con, "测试监督乙局", "T-B", admin_id)   # the control: no rule fires
        x.a, x.b = a, b
        past, future = day_cn(-10), day_cn(+30)

        # officers: 20 in each; in A one certificate expired 30 days ago and
        # its holder acted since; in B one expired but has not acted since
        a_off = [a.officer() for _ in range(19)]
        a_exp = a.officer(valid_to=day_cn(-30))
        a_exp_user = a.user_for(a_exp)
        b_off = [b.officer() for _ in range(19)]
        b_exp = b.officer(valid_to=day_cn(-30))
        b_exp_user = b.user_for(b_exp)
        # reviewers: B has one (20 x 5% = 1), A none
        b.user_for(None, role="reviewer")

        # cases: A's lead officer a_off[0] leads 9 of A's 10 recent cases
        a_cases = [a.case(lead=a_off[0] if i < 9 else a_off[1]) for i in range(10)]
        b_cases = [b.case(lead=b_off[i % 5]) for i in range(10)]
        x.a_cases, x.b_cases = a_cases, b_cases
        a.event(a_cases[0], "inquire", actor=a_exp_user, at=a.now - 2 * DAY)     # after expiry
        b.event(b_cases[0], "inquire", actor=b_exp_user, at=b.now - 60 * DAY)    # before expiry

        # fines: matter benchmark 1,000-5,000 yuan, tolerance 20%
        ma, mb = a.matter(1000, 5000), b.matter(1000, 5000)
        x.a_fine = a.case(stage="closed", outcome="penalty", fine_fen=10000000, matter=ma, age_days=400)
        x.b_fine = b.case(stage="closed", outcome="penalty", fine_fen=580000, matter=mb, age_days=400)

        # decisions after 不同意: A decided after its latest round said disagree;
        # B's first round disagreed but the latest agreed
        x.a_disagree = a.case(stage="service", outcome="penalty", age_days=400)
        a.round(x.a_disagree, no=1, outcome="disagree", concluded="2026-01-09", due="2026-01-10")
        x.b_agree = b.case(stage="service", outcome="penalty", age_days=400)
        b.round(x.b_agree, no=1, outcome="disagree", concluded="2026-01-09", due="2026-01-10")
        b.round(x.b_agree, no=2, outcome="agree", concluded="2026-01-12", due="2026-01-10")
        # reviews: A has one overdue open round; B one open round not yet due
        x.a_review_open = a.case(stage="legal_review", age_days=400)
        a.round(x.a_review_open, no=1, state="in_review", due=past)
        x.b_review_open = b.case(stage="legal_review", age_days=400)
        b.round(x.b_review_open, no=1, state="in_review", due=future)

        # penalties and publication: both decided a penalty 10 days ago; B
        # published one 5 days ago, A's only publication is a year old
        for bld, cid in ((a, x.a_disagree), (b, x.b_agree)):
            bld.event(cid, "decide", detail='{"outcome":"penalty"}', at=bld.now - 10 * DAY)
        a.publication(on_time=1, published_on="2025-06-01")
        a.publication(on_time=1, published_on="2025-06-02")
        a.publication(on_time=0, published_on="2025-06-20")
        x.a_pub_missing = a.publication(case_id=x.a_fine, state="pending", due=past)
        a.publication(state="pending", due=future)
        b.publication(on_time=1, published_on=day_cn(-5))

        # withdrawals: A three in 90 days, B two
        for _ in range(3):
            a.publication(state="withdrawn", withdrawn_days_ago=10, published_on="2025-06-01")
        for _ in range(2):
            b.publication(state="withdrawn", withdrawn_days_ago=10, published_on="2025-06-01")

        # recordings: 现场检查 must be filmed in both; A's closed case has no
        # video, B's has one
        for bld in (a, b):
            con.execute("INSERT INTO av_items (department_id, procedure, action, method, mandatory, retention) "
                        "VALUES (?, '', 'inspect_site', 'video', 1, 'routine')", (bld.dept,))
        x.a_norec = a.case(stage="closed", outcome="no_penalty", age_days=400)
        a.event(x.a_norec, "inspect_site")
        x.b_rec = b.case(stage="closed", outcome="no_penalty", age_days=400)
        b.video(b.event(x.b_rec, "inspect_site"), x.b_rec)

        # clocks: A's ran out, B's is running
        x.a_clock = a.clock(x.a_fine, past)
        b.clock(x.b_fine, future)
        con.commit()
    finally:
        con.close()
    r = x.sup.post(x.url + "/cockpit/refresh", timeout=60)
    assert r.status_code == 200, r.text
    return x


def cockpit_of(w, dept):
    r = w.sup.get(w.url + "/departments/%d/cockpit" % dept, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["departments"]) == 1
    return body["departments"][0]


def warnings_of(w, dept, rule=None):
    params = {"department_id": dept}
    if rule:
        params["rule"] = rule
    r = w.sup.get(w.url + "/warnings", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["items"]


# ---- the numbers --------------------------------------------------------------------------

def test_cockpit_numbers_of_the_hand_built_department(w):
    a = cockpit_of(w, w.a.dept)["metrics"]
    assert a["pub_on_time"] == 2
    assert a["pub_late"] == 1
    assert a["pub_missing"] == 1
    assert a["pub_pending"] == 1
    assert a["withdrawals"] == 3
    assert a["reviews_concluded"] == 1
    assert a["reviews_on_time"] == 1
    assert a["review_disagree"] == 1
    assert a["reviews_overdue"] == 1
    assert a["officers"] == 20
    assert a.get("reviewers", 0) == 0
    assert a["reviewers_required"] == 1
    assert a["certs_expired"] == 1
    assert a["certs_expired_acting"] == 1
    assert a["missing_recording"] == 1
    assert a["cases_total"] == 14
    assert a["cases_closed"] == 2
    assert a["penalties"] == 2
    assert a["clocks_overdue"] == 1
    assert a["stage:investigation"] == 10
    assert a["stage:legal_review"] == 1
    assert a["stage_seconds:investigation"] >= 10 * 2 * 86400


def test_cockpit_numbers_of_the_control_department(w):
    b = cockpit_of(w, w.b.dept)["metrics"]
    assert b.get("pub_missing", 0) == 0
    assert b["pub_on_time"] == 1
    assert b["reviews_on_time"] == 1 and b["reviews_late"] == 1  # round 2 concluded after its due date
    assert b["reviewers"] == 1 and b["reviewers_required"] == 1
    assert b["certs_expired"] == 1 and b.get("certs_expired_acting", 0) == 0
    assert b.get("missing_recording", 0) == 0
    assert b.get("clocks_overdue", 0) == 0
    assert b.get("warnings_red", 0) == 0 and b.get("warnings_yellow", 0) == 0


def test_city_view_sums_departments_and_says_how_fresh(w):
    r = w.sup.get(w.url + "/cockpit", timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    depts = {d["department_id"]: d for d in body["departments"]}
    assert w.a.dept in depts and w.b.dept in depts
    for metric in ("cases_total", "pub_on_time", "officers", "withdrawals"):
        assert body["city"][metric] == sum(d["metrics"].get(metric, 0) for d in body["departments"]), metric
    assert abs(body["computed_at"] - time.time()) < 120
    assert body["as_of"] == today_cn()
    assert body["complaints_available"] in (0, 1)


# ---- early warning: each rule fires on A and not on B -----------------------------------------

RULES = ["publication_overdue", "review_overdue", "clock_overdue", "expired_certificate", "reviewer_shortage",
         "penalties_unpublished", "decision_after_disagree", "fine_off_benchmark", "officer_concentration",
         "closed_without_recording", "repeated_withdrawals"]


@pytest.mark.parametrize("rule", RULES)
def test_rule_fires_on_a_and_not_on_b(w, rule):
    fired = warnings_of(w, w.a.dept, rule)
    assert len(fired) == 1, fired
    wn = fired[0]
    assert wn["explanation"] and any("\u4e00" <= ch <= "\u9fff" for ch in wn["explanation"])
    assert wn["link"].startswith("#/")
    assert warnings_of(w, w.b.dept, rule) == []


def test_warnings_drill_down_to_the_record(w):
    by_rule = {x["rule"]: x for x in warnings_of(w, w.a.dept)}
    assert by_rule["closed_without_recording"]["case_id"] == w.a_norec
    assert by_rule["closed_without_recording"]["link"] == "#/cases/%d" % w.a_norec
    assert "现场检查" in by_rule["closed_without_recording"]["explanation"]
    assert by_rule["decision_after_disagree"]["link"] == "#/cases/%d" % w.a_disagree
    assert by_rule["review_overdue"]["link"] == "#/reviews/case/%d" % w.a_review_open
    assert by_rule["clock_overdue"]["object_type"] == "clock"
    assert by_rule["clock_overdue"]["object_id"] == w.a_clock
    assert by_rule["publication_overdue"]["object_id"] == w.a_pub_missing
    assert "100000.00" in by_rule["fine_off_benchmark"]["explanation"]
    assert "90%" in by_rule["officer_concentration"]["explanation"]
    assert by_rule["reviewer_shortage"]["level"] == "yellow"
    assert by_rule["expired_certificate"]["level"] == "red"


def test_a_new_rule_is_data(w):
    # the same kind with a lower threshold catches B's two withdrawals
    before = w.srv.snapshot(["warning_rules"])
    r = w.sup.post(w.url + "/warning-rules", json={"code": "withdrawals_two", "kind": "repeated_withdrawals",
                                                   "name": "两次撤回即提示", "level": "yellow",
                                                   "params": {"days": 30, "mun": 2}}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "params", r.text
    r = w.sup.post(w.url + "/warning-rules", json={"code": "withdrawals_two", "kind": "no_such_kind",
                                                   "name": "x", "level": "yellow"}, timeout=10)
    assert r.status_code == 400, r.text
    assert w.srv.snapshot(["warning_rules"]) == before
    r = w.sup.post(w.url + "/warning-rules", json={"code": "withdrawals_two", "kind": "repeated_withdrawals",
                                                   "name": "两次撤回即提示", "level": "yellow",
                                                   "params": {"days": 30, "min": 2}}, timeout=10)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert w.sup.post(w.url + "/cockpit/refresh", timeout=60).status_code == 200
    assert len(warnings_of(w, w.b.dept, "withdrawals_two")) == 1
    assert len(warnings_of(w, w.a.dept, "withdrawals_two")) == 1
    # disabled, it fires no more
    r = w.sup.put(w.url + "/warning-rules/%d" % rid, json={"enabled": False}, timeout=10)
    assert r.status_code == 200 and r.json()["enabled"] is False, r.text
    assert w.sup.post(w.url + "/cockpit/refresh", timeout=60).status_code == 200
    assert warnings_of(w, w.b.dept, "withdrawals_two") == []
    r = w.sup.put(w.url + "/warning-rules/%d" % rid, json={"params": {"min": -1}}, timeout=10)
    assert r.status_code == 400, r.text


# ---- assessment -------------------------------------------------------------------------------

def test_score_follows_the_weights(w):
    r = w.sup.put(w.url + "/cockpit/weights", json={"weights": [
        {"component": c, "weight": 0} for c in ("publication_on_time", "review_on_time", "recording_complete",
                                               "certificates_valid", "tracker_done")] +
        [{"component": "reviewer_staffing", "weight": 10}]}, timeout=10)
    assert r.status_code == 200, r.text
    assert cockpit_of(w, w.a.dept)["score"] == 0.0       # no reviewer of the one required
    assert cockpit_of(w, w.b.dept)["score"] == 100.0
    r = w.sup.put(w.url + "/cockpit/weights", json={"weights": [
        {"component": "reviewer_staffing", "weight": 0}, {"component": "publication_on_time", "weight": 5}]},
        timeout=10)
    assert r.status_code == 200, r.text
    # A: 2 on time of 2 + 1 late + 1 missing
    assert cockpit_of(w, w.a.dept)["score"] == 50.0
    before = w.srv.snapshot(["assessment_weights"])
    for bad in ({"weights": [{"component": "publication_on_time", "weight": 0}]},
                {"weights": [{"component": "nope", "weight": 1}]},
                {"weights": [{"component": "review_on_time", "weight": -1}]},
                {"weights": "x"}):
        r = w.sup.put(w.url + "/cockpit/weights", json=bad, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["message"], r.text
    assert w.srv.snapshot(["assessment_weights"]) == before


def test_only_the_supervisor_sees_the_city(w):
    assert w.head.get(w.url + "/cockpit", timeout=10).status_code == 403
    assert w.officer.get(w.url + "/warnings", timeout=10).status_code == 403
    own = w.head.user["department_id"]
    assert w.head.get(w.url + "/departments/%d/cockpit" % own, timeout=10).status_code == 200
    assert w.head.get(w.url + "/departments/%d/cockpit" % w.a.dept, timeout=10).status_code == 403


# ---- tracker and filings ----------------------------------------------------------------------

def progress_of(w, dept, task_id):
    r = w.sup.get(w.url + "/departments/%d/tracker" % dept, timeout=10)
    assert r.status_code == 200, r.text
    d = r.json()["departments"][0]
    return [i for i in d["items"] if i["task_id"] == task_id][0]


def test_tracker_is_the_seed_annex_and_editable(w):
    r = w.sup.get(w.url + "/tracker", timeout=10)
    assert r.status_code == 200, r.text
    tasks = r.json()["tasks"]
    measures = {t["measure"]: t for t in tasks}
    assert measures["编制行政执法事项清单"]["due_date"] == "2019-09-30"
    assert measures["制定重大执法决定法制审核目录清单"]["due_date"] == "2019-08-31"
    assert measures["编制音像记录事项清单"]["check_kind"] == "filing_av_items"
    assert measures["公布执法决定"]["due_date"] is None
    before = w.srv.snapshot(["tracker_tasks"])
    r = w.sup.post(w.url + "/tracker/tasks", json={"system": "publicity", "task": "t", "measure": "m",
                                                   "due_date": "2026-02-30"}, timeout=10)
    assert r.status_code == 400, r.text
    r = w.sup.post(w.url + "/tracker/tasks", json={"system": "nope", "task": "t", "measure": "m"}, timeout=10)
    assert r.status_code == 400, r.text
    assert w.srv.snapshot(["tracker_tasks"]) == before
    r = w.sup.post(w.url + "/tracker/tasks", json={"system": "other", "task": "建立年度报告", "measure": "报送年度报告",
                                                   "due_date": day_cn(+10), "check_kind": "manual"}, timeout=10)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert progress_of(w, w.a.dept, tid)["status"] == "pending"
    r = w.sup.put(w.url + "/tracker/tasks/%d/marks/%d" % (tid, w.a.dept), json={"done_on": day_cn(0)}, timeout=10)
    assert r.status_code == 200, r.text
    assert progress_of(w, w.a.dept, tid)["status"] == "done"
    r = w.sup.put(w.url + "/tracker/tasks/%d" % tid, json={"system": "other", "task": "建立年度报告",
                                                          "measure": "报送年度报告", "due_date": day_cn(-5)},
                  timeout=10)
    assert r.status_code == 200, r.text
    assert progress_of(w, w.a.dept, tid)["status"] == "late"
    assert progress_of(w, w.b.dept, tid)["status"] == "missing"
    assert w.sup.delete(w.url + "/tracker/tasks/%d" % tid, timeout=10).status_code == 204
    assert w.sup.delete(w.url + "/tracker/tasks/%d" % tid, timeout=10).status_code == 404


def test_filing_returned_resubmitted_accepted(w):
    own = w.head.user["department_id"]
    url = w.url + "/departments/%d/filings" % own
    before = w.srv.snapshot(["filings"])
    for bad in ({"kind": "nope"}, {"kind": "review_catalog"}, {"kind": "device_rules"},
                {"kind": "matters", "text": "x"}, {"kind": "matters", "extra": 1}):
        r = w.head.post(url, json=bad, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["message"], (bad, r.text)
    assert w.srv.snapshot(["filings"]) == before
    r = w.head.post(url, json={"kind": "matters", "note": "首次报送"}, timeout=10)
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["state"] == "submitted" and f["version"] == 1 and len(f["body"]) > 0
    assert all("code" in m and "name" in m for m in f["body"])
    r = w.head.post(url, json={"kind": "matters"}, timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "filing_pending", r.text
    # the head of another department can neither read nor file it
    r = w.head.get(w.url + "/filings/%d" % f["id"], timeout=10)
    assert r.status_code == 200
    r = w.head.post(w.url + "/departments/%d/filings" % w.a.dept, json={"kind": "matters"}, timeout=10)
    assert r.status_code == 403
    r = w.sup.post(w.url + "/filings/%d/return" % f["id"], json={}, timeout=10)
    assert r.status_code == 400, r.text
    r = w.sup.post(w.url + "/filings/%d/return" % f["id"], json={"comments": "缺少行政检查类事项"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "returned", r.text
    r = w.sup.post(w.url + "/filings/%d/accept" % f["id"], json={}, timeout=10)
    assert r.status_code == 409, r.text
    r = w.head.post(url, json={"kind": "matters", "note": "补充后重报"}, timeout=10)
    assert r.status_code == 201 and r.json()["version"] == 2, r.text
    f2 = r.json()
    r = w.sup.post(w.url + "/filings/%d/accept" % f2["id"], json={"comments": "予以备案"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "accepted", r.text
    r = w.sup.get(w.url + "/filings", timeout=10)
    listed = [i for i in r.json()["items"] if i["id"] in (f["id"], f2["id"])]
    assert {i["state"] for i in listed} == {"returned", "accepted"}
    assert [i for i in listed if i["state"] == "returned"][0]["comments"] == "缺少行政检查类事项"
    # the tracker's 编制行政执法事项清单 (due 2019-09-30) is now done, late
    task = [t for t in w.sup.get(w.url + "/tracker", timeout=10).json()["tasks"]
            if t["check_kind"] == "filing_matters"][0]
    assert progress_of(w, own, task["id"]) == {"task_id": task["id"], "status": "late", "done_on": today_cn()}


def test_accepted_av_list_is_the_one_applied(w):
    own = w.head.user["department_id"]
    av = w.url + "/departments/%d/av-items" % own
    items = [{"action": "inspect_site", "method": "video", "mandatory": True},
             {"action": "inquire", "method": "audio", "mandatory": False}]
    r = w.head.put(av, json={"items": items}, timeout=10)
    assert r.status_code in (200, 204), r.text
    r = w.head.post(w.url + "/departments/%d/filings" % own, json={"kind": "av_items"}, timeout=10)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert [i["action"] for i in r.json()["body"]] == ["inspect_site", "inquire"]
    # edited after submission: the accepted (filed) version is what applies
    r = w.head.put(av, json={"items": items[:1]}, timeout=10)
    assert r.status_code in (200, 204), r.text
    r = w.sup.post(w.url + "/filings/%d/accept" % fid, json={}, timeout=10)
    assert r.status_code == 200, r.text
    r = w.head.get(av, timeout=10)
    assert [(i["action"], i["mandatory"]) for i in r.json()["items"]] == [("inspect_site", True),
                                                                            ("inquire", False)]


def test_device_rules_filing_takes_the_text(w):
    own = w.head.user["department_id"]
    r = w.head.post(w.url + "/departments/%d/filings" % own,
                    json={"kind": "device_rules", "text": "执法记录仪使用管理规则：……"}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["body"] == {"text": "执法记录仪使用管理规则：……"}
    assert len(r.json()["body_sha256"]) == 64


def test_weekly_bulletin_is_a_pdf_of_the_figures(w):
    r = w.sup.get(w.url + "/cockpit/bulletin", timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("application/pdf")
    assert r.content.startswith(b"%PDF-") and len(r.content) > 10000
    import shutil
    import subprocess
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True,
                              check=True).stdout.decode()
        flat = "".join(text.split())
        assert "执法监督周报" in flat and "测试监督甲局" in flat
        assert "草稿" not in flat  # a report, not a draft document
        assert "现场检查" in flat   # a red card's explanation is listed
    assert w.head.get(w.url + "/cockpit/bulletin", timeout=10).status_code == 403


def test_the_tick_computes_the_figures_in_the_background(fresh_server):
    # nobody asks: the background tick finds no figures and computes them
    deadline = time.time() + 20
    row = None
    while time.time() < deadline and row is None:
        con = fresh_server.db()
        try:
            row = con.execute("SELECT computed_at, as_of FROM cockpit_meta WHERE id = 1").fetchone()
        finally:
            con.close()
        if row is None:
            time.sleep(0.2)
    assert row is not None, "the tick did not compute the cockpit"
    assert abs(row[0] - time.time()) < 60 and row[1] == today_cn()
    con = fresh_server.db()
    try:
        assert con.execute("SELECT COUNT(*) FROM cockpit_stats").fetchone()[0] > 0
    finally:
        con.close()
