"""Legal review of major decisions (重大执法决定法制审核, issue 6), black-box:
classification table-driven from the seed's rules through the API, an
incomplete submission refused with what is missing, the 3-working-day clock
across National Day 2024 and with an extension (the expected dates come from
the calendar API, not from this file), the gate refusing a decision on every
state of the review and when the flags are forged, a review that passes in
its third round, the catalog filed with the Justice Bureau, the Justice
Bureau's review office and the pool, staffing against 5% of officers, the
legal-qualification check, and who may do what.
"""
import math
import re

import pytest

from test_cases import World, act, create, doc, w  # noqa: F401  (w is a fixture)

API = "/api/v1"
CJK = re.compile(r"[\u4e00-\u9fff]")
REVIEW_TABLES = ["case_reviews", "review_rounds", "review_catalogs", "review_pool", "cases",
                 "case_documents"]
FULL = [{"material": "situation", "text": "案件情况说明"},
        {"material": "legal_basis", "text": "《行政许可法》第三十八条"},
        {"material": "facts_evidence", "document": "site_record"},
        {"material": "procedure", "text": "受理、核查程序材料"},
        {"material": "proposal", "text": "拟准予许可"}]
CHECKS_OK = [{"point": p, "state": "conforms"} for p in
             ("subject", "procedure", "facts", "law", "authority", "documents", "rights", "crime")]
MAJOR_GRANT = {"decision_kind": "grant", "affects_public_safety": True}


def err(r, status, code):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert e["code"] == code, r.text
    assert CJK.search(e["message"]), r.text
    return e


def license_at_decision(w):
    """A licensing case in its decision stage, ready for 准予许可 but for the review."""
    c = create(w, "license", matter_id=w.license_matter)
    cid = c["id"]
    doc(w, cid, "license_accept")
    act(w, cid, "accept")
    doc(w, cid, "site_record")
    act(w, cid, "verify")
    act(w, cid, "review_done")
    doc(w, cid, "license_grant")
    return cid


def submit(w, cid, facts=MAJOR_GRANT, materials=FULL, s=None, status=201):
    r = (s or w.officer1).post(w.url + "/cases/%d/review/submit" % cid,
                               json={"facts": facts, "materials": materials}, timeout=10)
    assert r.status_code == status, r.text
    return r.json()


def review(w, cid, s=None):
    r = (s or w.officer1).get(w.url + "/cases/%d/review" % cid, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def receive(w, cid, s=None):
    r = (s or w.reviewer1).post(w.url + "/cases/%d/review/receive" % cid, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def conclude(w, cid, outcome, reasons="", checks=CHECKS_OK, s=None):
    s = s or w.reviewer1
    r = s.put(w.url + "/cases/%d/review/checklist" % cid, json={"points": checks}, timeout=10)
    assert r.status_code == 200, r.text
    body = {"outcome": outcome}
    if reasons:
        body["reasons"] = reasons
    r = s.post(w.url + "/cases/%d/review/conclude" % cid, json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def add_workdays(w, start, n):
    r = w.officer1.get(w.url + "/calendar/add-workdays", params={"from": start, "n": n}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    return body.get("date") or body.get("result") or body.get("due")


# ---- classification, table-driven from the seed's rules ------------------------------

CLASSIFY = [
    # (procedure, facts, expected rule code or None for "not that rule", major)
    ("penalty_general", {}, "penalty_ordinary", True),
    ("penalty_summary", {}, None, False),
    ("license", {"decision_kind": "grant", "affects_health": True}, "licensing_safety", True),
    ("license", {"decision_kind": "grant"}, None, False),
    ("license", {"decision_kind": "grant", "market_entry": True}, "licensing_resources", True),
    ("license", {"decision_kind": "deny"}, "licensing_adverse", True),
    ("license", {"decision_kind": "grant", "in_government_name": True}, "licensing_government", True),
    ("coercion_seizure", {"decision_kind": "seal"}, "coercion_seal", True),
    ("coercion_freeze", {"decision_kind": "freeze"}, "coercion_freeze", True),
    ("inspection", {"decision_kind": "other"}, None, False),
    ("inspection", {"hearing_held": True}, "general_hearing", True),
    ("inspection", {"legal_relations_count": 2}, "general_complex", True),
    ("inspection", {"legal_relations_count": 1}, None, False),
    ("expropriation", {"collective_land": True}, "expropriation_land", True),
    ("expropriation", {"many_people_involved": False}, None, False),
]


@pytest.fixture(scope="module")
def cases_by_procedure(w):
    out = {}
    for proc in sorted({p for p, _, _, _ in CLASSIFY}):
        kw = {"matter_id": w.license_matter} if proc == "license" else {}
        out[proc] = create(w, proc, parties=[] if proc == "expropriation" else None, **kw)["id"]
    return out


@pytest.mark.parametrize("proc,facts,rule,major", CLASSIFY)
def test_classification(w, cases_by_procedure, proc, facts, rule, major):
    cid = cases_by_procedure[proc]
    r = w.officer1.post(w.url + "/cases/%d/classify" % cid, json={"facts": facts}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    codes = [m["code"] for m in body["matches"]]
    assert body["major"] is major, body
    if rule:
        assert rule in codes and all(m["title"] for m in body["matches"])
    else:
        assert codes == [], codes
    assert body["route"] == ("justice_bureau" if facts.get("in_government_name") else "department")
    # a preview writes nothing
    con = w.srv.db()
    try:
        assert con.execute("SELECT COUNT(*) FROM case_reviews WHERE case_id = ?", (cid,)).fetchone()[0] == 0
    finally:
        con.close()


def test_classification_bad_facts(w, cases_by_procedure):
    cid = cases_by_procedure["license"]
    r = w.officer1.post(w.url + "/cases/%d/classify" % cid,
                        json={"facts": {"fine_amount_yuan": "很多"}}, timeout=10)
    e = err(r, 400, "invalid_facts")
    assert e["field"] == "fine_amount_yuan"
    r = w.officer1.post(w.url + "/cases/%d/classify" % cid, json={"facts": [1]}, timeout=10)
    assert r.status_code == 400


# ---- submission ---------------------------------------------------------------------------

def test_incomplete_submission_refused_with_the_list(w):
    cid = license_at_decision(w)
    before = w.srv.snapshot(REVIEW_TABLES)
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": MAJOR_GRANT, "materials": FULL[:2]}, timeout=10)
    e = err(r, 400, "submission_incomplete")
    assert "事实依据及证据" in e["message"] and "程序资料" in e["message"]
    assert "拟作出决定的建议" in e["message"] and "情况说明" not in e["message"]
    # a hearing was held: the 听证笔录 is required too
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": dict(MAJOR_GRANT, hearing_held=True), "materials": FULL},
                        timeout=10)
    e = err(r, 400, "submission_incomplete")
    assert e["message"].endswith("听证笔录")
    # a document reference must exist in the case
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": MAJOR_GRANT,
                              "materials": FULL + [{"material": "听证笔录", "document": "hearing_record"}]},
                        timeout=10)
    err(r, 400, "document_not_found")
    # not major: nothing to review
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": {"decision_kind": "grant"}, "materials": FULL}, timeout=10)
    err(r, 409, "not_major")
    assert w.srv.snapshot(REVIEW_TABLES) == before, "a refused submission changed something"


# ---- a review that passes in its third round ------------------------------------------------

def test_review_passes_in_third_round(w):
    cid = license_at_decision(w)
    grant = lambda: w.head1.post(w.url + "/cases/%d/actions" % cid, json={"action": "grant"}, timeout=10)
    v = submit(w, cid)
    assert v["major"] is True and v["stage"] == "submitted" and len(v["rounds"]) == 1
    assert [m["code"] for m in v["determination"]["matches"]] == ["licensing_safety"]
    assert v["rounds"][0]["route"] == "department"
    err(grant(), 409, "review_required")
    # the officer cannot review, nor submit twice
    err(w.officer1.post(w.url + "/cases/%d/review/conclude" % cid, json={"outcome": "同意"}, timeout=10),
        403, "forbidden")
    err(w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": MAJOR_GRANT, "materials": FULL}, timeout=10), 409,
        "invalid_review_state")

    # round 1: 暂不同意 (a reason is required)
    v = receive(w, cid)
    r1 = v["rounds"][0]
    assert r1["state"] == "in_review" and r1["reviewer"] and r1["due"] and r1["workdays_left"] == 3
    r = w.reviewer1.post(w.url + "/cases/%d/review/conclude" % cid, json={"outcome": "同意"}, timeout=10)
    err(r, 409, "checklist_incomplete")
    w.reviewer1.put(w.url + "/cases/%d/review/checklist" % cid, json={"points": CHECKS_OK}, timeout=10)
    err(w.reviewer1.post(w.url + "/cases/%d/review/conclude" % cid, json={"outcome": "暂不同意"},
                         timeout=10), 400, "reason_required")
    v = conclude(w, cid, "暂不同意", "证据不足，请补充现场核查照片",
                 checks=CHECKS_OK[:2] + [{"point": "facts", "state": "problem", "note": "缺少照片"}] + CHECKS_OK[3:])
    assert v["rounds"][0]["state"] == "returned" and v["rounds"][0]["outcome_label"] == "暂不同意"
    assert v["review_passed"] is False and v["gate"]["allowed"] is False
    err(grant(), 409, "review_required")  # core: major and not passed

    # round 2: 不同意
    v = submit(w, cid)
    assert [r["no"] for r in v["rounds"]] == [1, 2]
    receive(w, cid)
    v = conclude(w, cid, "不同意", "适用法律错误")
    assert v["rounds"][1]["outcome"] == "disagree"
    err(grant(), 409, "review_required")

    # round 3: 同意 — the decision is then recorded
    submit(w, cid)
    receive(w, cid)
    v = conclude(w, cid, "同意")
    assert v["rounds"][2]["outcome_passes"] is True and v["review_passed"] is True
    assert v["gate"]["allowed"] is True
    assert v["rounds"][2]["opinion_doc_id"]
    r = w.officer1.get(w.url + "/cases/%d/review/opinion" % cid, timeout=10)
    assert r.status_code == 200 and "法制审核意见书" in r.text and "法审〔" in r.text
    assert r.headers["Content-Type"].startswith("text/html")
    r = w.officer1.get(w.url + "/cases/%d/review/opinion" % cid, params={"round": 1}, timeout=10)
    assert "暂不同意" in r.text and "缺少照片" in r.text
    r = grant()
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "service"

    # accountability: who submitted, reviewed, decided — in the ledger
    v = review(w, cid)
    actions = [e["action"] for e in v["events"]]
    assert actions.count("review_submit") == 3 and actions.count("review_conclude") == 3
    assert {e["actor"] for e in v["events"] if e["action"] == "review_receive"} == {"reviewer1"}
    con = w.srv.db()
    try:
        n = con.execute("SELECT COUNT(*) FROM ledger_events e JOIN audit_log a ON a.id = e.idx "
                        "WHERE a.object_type = 'case_review' AND a.object_id = ?", (str(cid),)).fetchone()
    except Exception:
        n = con.execute("SELECT COUNT(*) FROM audit_log WHERE object_type = 'case_review' AND "
                        "object_id = ?", (str(cid),)).fetchone()
    finally:
        con.close()
    assert n[0] >= 9


# ---- the gate -------------------------------------------------------------------------------

def test_gate_refuses_forged_flags(w):
    """The flags say 'reviewed and passed'; the rounds in the database say 不同意:
    the store's check in the deciding transaction refuses."""
    cid = license_at_decision(w)
    submit(w, cid)
    receive(w, cid)
    conclude(w, cid, "不同意", "不符合条件")
    con = w.srv.db()
    try:
        con.execute("UPDATE cases SET flags = flags | 3 WHERE id = ?", (cid,))
        con.commit()
    finally:
        con.close()
    before = w.srv.snapshot(["cases", "case_events", "clocks"])
    r = w.head1.post(w.url + "/cases/%d/actions" % cid, json={"action": "grant"}, timeout=10)
    err(r, 409, "review_not_agreed")
    assert w.srv.snapshot(["cases", "case_events", "clocks"]) == before
    # a major flag without any review at all
    cid2 = license_at_decision(w)
    con = w.srv.db()
    try:
        con.execute("UPDATE cases SET flags = flags | 3 WHERE id = ?", (cid2,))
        con.commit()
    finally:
        con.close()
    err(w.head1.post(w.url + "/cases/%d/actions" % cid2, json={"action": "grant"}, timeout=10),
        409, "review_required")


def test_gate_proposal_changed_after_agreement(w):
    """同意 was given to one proposal; the head then changes the facts: resubmit first."""
    cid = license_at_decision(w)
    submit(w, cid)
    receive(w, cid)
    conclude(w, cid, "同意")
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_major", "facts": dict(MAJOR_GRANT, affects_ecology=True)},
                     timeout=10)
    assert r.status_code == 200, r.text
    err(w.head1.post(w.url + "/cases/%d/actions" % cid, json={"action": "grant"}, timeout=10),
        409, "proposal_mismatch")


def test_override_not_major_needs_reason_and_is_reported(w):
    cid = license_at_decision(w)
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_not_major", "facts": MAJOR_GRANT}, timeout=10)
    err(r, 400, "reason_required")
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_not_major", "reason": "仅为换证，不涉及新增风险",
                           "facts": MAJOR_GRANT}, timeout=10)
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["determination"]["bureau_notice"] is True and v["major"] is False
    r = w.supervisor1.get(w.url + "/reviews/stats", timeout=10)
    assert cid in [n["case_id"] for n in r.json()["bureau_notices"]]
    # an officer may not override
    err(w.officer1.post(w.url + "/cases/%d/review/override" % cid, json={"kind": "none"}, timeout=10),
        403, "forbidden")


# ---- the clock -------------------------------------------------------------------------------

def test_deadline_across_national_day_and_extension(w):
    cid = license_at_decision(w)
    submit(w, cid)
    v = receive(w, cid)
    today = v["rounds"][0]["received_on"]
    assert v["rounds"][0]["due"] == add_workdays(w, today, 3)
    # the extension: +2 working days, approved by a named leader
    err(w.reviewer1.post(w.url + "/cases/%d/review/extend" % cid, json={}, timeout=10), 400,
        "validation_failed")
    r = w.reviewer1.post(w.url + "/cases/%d/review/extend" % cid, json={"approver": "罗建平"}, timeout=10)
    assert r.status_code == 200, r.text
    rd = r.json()["rounds"][0]
    assert rd["extension_approver"] == "罗建平" and rd["due"] == add_workdays(w, today, 5)
    again = w.reviewer1.post(w.url + "/cases/%d/review/extend" % cid, json={"approver": "罗建平"},
                             timeout=10)
    assert again.status_code == 409, again.text  # once only
    events = [e for e in r.json()["events"] if e["action"] == "review_extend"]
    assert events and events[0]["detail"]["approver"] == "罗建平" and events[0]["actor"] == "reviewer1"

    # received on 30 September 2024: National Day (1–7 October) is not counted
    con = w.srv.db()
    try:
        con.execute("UPDATE review_rounds SET received_on = '2024-09-30', submitted_on = '2024-09-30', "
                    "extended_by = '', extended_on = NULL WHERE case_id = ?", (cid,))
        con.commit()
    finally:
        con.close()
    rd = review(w, cid)["rounds"][0]
    due = add_workdays(w, "2024-09-30", 3)
    assert due == "2024-10-10"
    assert rd["due"] == due and rd["clock_state"] == "overdue" and rd["warning"] == "red"
    assert rd["workdays_left"] < 0
    con = w.srv.db()
    try:
        con.execute("UPDATE review_rounds SET extended_by = '罗建平', extended_on = '2024-10-08' "
                    "WHERE case_id = ?", (cid,))
        con.commit()
    finally:
        con.close()
    rd = review(w, cid)["rounds"][0]
    # +2: 9 and 10 October, then 11 and Saturday 12 October (an adjusted working day)
    assert rd["due"] == add_workdays(w, "2024-09-30", 5) == "2024-10-12"
    # the Justice Bureau sees it overdue
    r = w.supervisor1.get(w.url + "/reviews/stats", timeout=10)
    market = [d for d in r.json()["items"] if d["department_id"] == w.market][0]
    assert market["overdue"] >= 1
    # and the reviewer's queue shows it red
    q = w.reviewer1.get(w.url + "/reviews/queue", timeout=10).json()["items"]
    mine = [i for i in q if i["case_id"] == cid]
    assert mine and mine[0]["warning"] == "red"


# ---- catalogs and filing ---------------------------------------------------------------------

def test_catalog_filing(w):
    url = w.url + "/departments/%d/review-catalog" % w.market
    defaults = w.officer1.get(w.url + "/review-catalog/defaults", timeout=10).json()
    rules = defaults["rules"] + [{
        "code": "fine_50000", "title": "罚款五万元以上", "basis": "本局目录清单第1项",
        "when": {"all": [{"field": "power_type", "eq": "penalty"},
                         {"field": "fine_amount_yuan", "gte": 50000}]}}]
    # the officer may not edit; a narrowed catalog cannot be submitted
    err(w.officer1.put(url, json={"rules": rules}, timeout=10), 403, "forbidden")
    r = w.head1.put(url, json={"rules": rules[1:]}, timeout=10)
    assert r.status_code == 200, r.text
    err(w.head1.post(url + "/submit", timeout=10), 409, "catalog_narrows_scope")
    r = w.head1.put(url, json={"rules": rules[:-1] + [dict(rules[-1], when={"field": "fine_amout", "gt": 1})]},
                    timeout=10)
    assert r.status_code == 400 and "fine_amout" in r.json()["error"]["message"]
    r = w.head1.put(url, json={"rules": rules}, timeout=10)
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["effective_version"] == 0 and v["versions"][0]["state"] == "draft"
    r = w.head1.post(url + "/submit", timeout=10)
    assert r.status_code == 200 and r.json()["versions"][0]["state"] == "submitted"
    err(w.head1.put(url, json={"rules": rules}, timeout=10), 409, "catalog_pending")
    err(w.head1.post(url + "/file", json={}, timeout=10), 403, "forbidden")
    r = w.supervisor1.post(url + "/return", json={"reason": "规则依据不明确"}, timeout=10)
    assert r.status_code == 200 and r.json()["versions"][0]["state"] == "returned"
    assert r.json()["versions"][0]["return_reason"] == "规则依据不明确"
    assert w.head1.post(url + "/submit", timeout=10).status_code == 200
    r = w.supervisor1.post(url + "/file", json={}, timeout=10)
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["versions"][0]["state"] == "filed" and v["versions"][0]["filing_ref"]
    assert v["effective_version"] == v["versions"][0]["version"]
    # the filed version applies: the department's own rule matches
    cid = create(w, "penalty_general", matter_id=w.penalty_matter)["id"]
    r = w.officer1.post(w.url + "/cases/%d/classify" % cid,
                        json={"facts": {"fine_amount_yuan": 60000}}, timeout=10)
    assert "fine_50000" in [m["code"] for m in r.json()["matches"]]
    assert r.json()["catalog_version"] == v["effective_version"]
    # another department's catalog: not for this head
    err(w.head1.put(w.url + "/departments/%d/review-catalog" % w.env, json={"rules": rules}, timeout=10),
        403, "forbidden")


# ---- review offices, the pool, qualification, staffing -------------------------------------

def new_user(w, username, role, dept, officer_id=None):
    body = {"username": username, "display_name": username, "role": role, "department_id": dept,
            "password": "Review-test-pass-2026"}
    if officer_id:
        body["officer_id"] = officer_id
    r = w.admin.post(w.url + "/users", json=body, timeout=10)
    assert r.status_code == 201, r.text
    uid = r.json().get("id") or r.json()["user"]["id"]
    return uid, w.srv.login(username, "Review-test-pass-2026")


def test_government_name_goes_to_the_justice_bureau(w):
    cid = license_at_decision(w)
    v = submit(w, cid, facts=dict(MAJOR_GRANT, in_government_name=True))
    assert v["rounds"][0]["route"] == "justice_bureau"
    err(w.reviewer1.post(w.url + "/cases/%d/review/receive" % cid, timeout=10), 403, "wrong_review_office")
    con = w.srv.db()
    try:
        bureau = con.execute("SELECT id FROM departments WHERE kind = 'supervision'").fetchone()[0]
        off = con.execute("SELECT id FROM officers WHERE department_id = ? AND legal_qualified = 1",
                          (bureau,)).fetchone()
    finally:
        con.close()
    _, s = new_user(w, "sfj_reviewer", "reviewer", bureau, off[0] if off else None)
    if not off:
        # the bureau's reviewer needs the qualification for a first review
        return
    v = receive(w, cid, s=s)
    assert v["rounds"][0]["reviewer"] == "sfj_reviewer"
    # a case of another department is not theirs otherwise
    assert s.get(w.url + "/cases/%d/review" % w.env_case, timeout=10).status_code == 403


def test_first_review_needs_legal_qualification_and_the_pool(w):
    con = w.srv.db()
    try:
        unq = con.execute("SELECT id FROM officers WHERE department_id = ? AND legal_qualified = 0 "
                          "AND id NOT IN (SELECT officer_id FROM users WHERE officer_id IS NOT NULL) "
                          "ORDER BY id", (w.market,)).fetchone()[0]
    finally:
        con.close()
    _, s = new_user(w, "unqualified_rev", "reviewer", w.market, unq)
    cid = license_at_decision(w)
    submit(w, cid)
    err(s.post(w.url + "/cases/%d/review/receive" % cid, timeout=10), 403, "reviewer_not_qualified")

    # the pool: a 公职律师 of another department, assigned by the head
    uid, lawyer = new_user(w, "pool_lawyer", "reviewer", w.env)
    err(w.head1.post(w.url + "/cases/%d/review/assign" % cid, json={"user_id": uid}, timeout=10),
        400, "not_in_pool")
    err(w.head1.post(w.url + "/reviews/pool", json={"user_id": uid, "kind": "public_lawyer"},
                     timeout=10), 403, "forbidden")
    r = w.supervisor1.post(w.url + "/reviews/pool", json={"user_id": uid, "kind": "public_lawyer"},
                           timeout=10)
    assert r.status_code == 201, r.text
    assert lawyer.get(w.url + "/cases/%d/review" % cid, timeout=10).status_code == 403
    r = w.head1.post(w.url + "/cases/%d/review/assign" % cid, json={"user_id": uid}, timeout=10)
    assert r.status_code == 200, r.text
    # now reviewer1 of the department cannot take it, the lawyer can
    err(w.reviewer1.post(w.url + "/cases/%d/review/receive" % cid, timeout=10), 403, "not_assigned")
    q = lawyer.get(w.url + "/reviews/queue", timeout=10).json()["items"]
    assert cid in [i["case_id"] for i in q]
    v = receive(w, cid, s=lawyer)
    assert v["rounds"][0]["reviewer_from_pool"] is True
    v = conclude(w, cid, "同意", s=lawyer)
    assert v["review_passed"] is True


def test_staffing_shortfall(w):
    r = w.supervisor1.get(w.url + "/reviews/stats", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reviewer_percent"] == 5
    con = w.srv.db()
    try:
        for d in body["items"]:
            officers = con.execute("SELECT COUNT(*) FROM officers WHERE department_id = ? AND "
                                   "status = 'active'", (d["department_id"],)).fetchone()[0]
            reviewers = con.execute("SELECT COUNT(*) FROM users WHERE department_id = ? AND "
                                    "role = 'reviewer' AND disabled = 0", (d["department_id"],)).fetchone()[0]
            assert d["officers"] == officers and d["reviewers"] == reviewers
            assert d["required"] == math.ceil(officers * 5 / 100)
            assert d["shortfall"] == max(0, d["required"] - reviewers)
            assert d["meets"] is (d["shortfall"] == 0)
    finally:
        con.close()
    assert any(d["shortfall"] > 0 for d in body["items"]), "the demo has departments without reviewers"
    # a head sees their own department only; an officer none of it
    r = w.head1.get(w.url + "/reviews/stats", timeout=10)
    assert [d["department_id"] for d in r.json()["items"]] == [w.market]
    err(w.officer1.get(w.url + "/reviews/stats", timeout=10), 403, "forbidden")


def test_permissions(w):
    cid = license_at_decision(w)
    # another department's staff cannot see or submit
    err(w.officer1.get(w.url + "/cases/%d/review" % w.env_case, timeout=10), 403, "forbidden")
    err(w.officer1.post(w.url + "/cases/%d/review/submit" % w.env_case,
                        json={"facts": {}, "materials": FULL}, timeout=10), 403, "forbidden")
    # the reviewer cannot submit, the auditor sees nothing
    err(w.reviewer1.post(w.url + "/cases/%d/review/submit" % cid,
                         json={"facts": MAJOR_GRANT, "materials": FULL}, timeout=10), 403, "forbidden")
    err(w.auditor1.get(w.url + "/cases/%d/review" % cid, timeout=10), 403, "forbidden")
    # only the reviewer who received the round concludes it
    submit(w, cid)
    receive(w, cid)
    _, other = new_user(w, "second_rev", "reviewer", w.market)
    err(other.post(w.url + "/cases/%d/review/conclude" % cid, json={"outcome": "同意"}, timeout=10),
        403, "not_the_reviewer")
    # the supervisor reads every department's review
    assert w.supervisor1.get(w.url + "/cases/%d/review" % cid, timeout=10).status_code == 200
    # unknown members are refused
    r = w.reviewer1.post(w.url + "/cases/%d/review/conclude" % cid, json={"outcome": "同意", "zz": 1},
                         timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "zz", r.text


def penalty_general_at_decision(w):
    """A 一般程序 penalty in its decision stage that nobody classified or submitted."""
    cid = create(w, "penalty_general", matter_id=w.penalty_matter)["id"]
    doc(w, cid, "case_source")
    doc(w, cid, "filing_approval")
    act(w, cid, "file_case", s=w.head1)
    doc(w, cid, "site_record")
    act(w, cid, "inspect_site")
    doc(w, cid, "inquiry_record")
    act(w, cid, "inquire")
    act(w, cid, "conclude")
    doc(w, cid, "investigation_report")
    act(w, cid, "submit_review")
    doc(w, cid, "case_review", s=w.reviewer1)
    act(w, cid, "case_review_pass", s=w.reviewer1)
    doc(w, cid, "penalty_notice")
    act(w, cid, "notify")
    doc(w, cid, "statement_record")
    act(w, cid, "record_statement")
    act(w, cid, "statement_done")
    doc(w, cid, "penalty_decision")
    return cid


def test_gate_classifies_an_unclassified_general_penalty(w):
    """Seed 12(1): every 一般程序 penalty decision is major, even when nobody
    classified it; a review that agreed (or the head's reasoned override) opens the gate."""
    decide = lambda cid: w.head1.post(w.url + "/cases/%d/actions" % cid,
                                      json={"action": "decide_penalty", "fine_fen": 300000},
                                      timeout=10)
    cid = penalty_general_at_decision(w)
    assert review(w, cid)["rounds"] == []
    e = err(decide(cid), 409, "review_required")
    assert "法制审核" in e["message"]
    # a review that passes lets it through
    v = submit(w, cid, facts={"decision_kind": "penalize"})
    assert "penalty_ordinary" in [m["code"] for m in v["determination"]["matches"]]
    receive(w, cid)
    r = decide(cid)  # received, not concluded: still shut
    assert r.status_code == 409 and r.json()["error"]["code"] in ("review_required", "review_pending"), r.text
    conclude(w, cid, "同意")
    r = decide(cid)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "service" and r.json()["outcome"] == "penalty"

    # the head's "not major" override needs a reason, then lets it through
    cid = penalty_general_at_decision(w)
    err(decide(cid), 409, "review_required")
    err(w.head1.post(w.url + "/cases/%d/review/override" % cid, json={"kind": "mark_not_major"},
                     timeout=10), 400, "reason_required")
    r = w.head1.post(w.url + "/cases/%d/review/override" % cid,
                     json={"kind": "mark_not_major", "reason": "案情简单、罚款数额较小，负责人认定不属于重大"},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["determination"]["bureau_notice"] is True
    r = decide(cid)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "service"


# ---- the review clock on 期限预警 (issue 5 leftovers) ---------------------------------

def test_review_clock_shows_on_deadlines(w):
    cid = license_at_decision(w)
    submit(w, cid)
    rv = receive(w, cid)
    rid = rv["rounds"][-1]["id"] if "rounds" in rv else None
    items = w.officer1.get(w.url + "/deadlines", params={"per_page": 100}, timeout=10).json()["items"]
    mine = [k for k in items if k["object_type"] == "review_round" and k["rule_code"] == "legal_review"
            and (rid is None or k["object_id"] == rid)]
    assert mine, items
    con = w.srv.db()
    try:
        row = con.execute("SELECT c.start_date, c.due_date, r.received_on, r.due_on FROM clocks c JOIN "
                          "review_rounds r ON r.id = c.object_id WHERE c.object_type = 'review_round' "
                          "AND r.case_id = ?", (cid,)).fetchone()
    finally:
        con.close()
    # the table's row is the round's clock: same start and due date
    assert row[0] == row[2] and row[1] == row[3], row
    assert mine[-1]["due"] == row[1]
    # concluded: the clock is done and leaves the open list
    conclude(w, cid, "同意")
    items = w.officer1.get(w.url + "/deadlines", params={"per_page": 100}, timeout=10).json()["items"]
    assert not [k for k in items if k["object_type"] == "review_round" and k["id"] == mine[-1]["id"]]
