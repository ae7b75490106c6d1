"""The 法制审核意见书 as a real document and the gate's facts (issue 6), black-box:
the opinion is a final document of template legal_review_opinion with a 文号
(kind 法审) as soon as the round concludes, rendered as PDF and HTML, signed
by the round's own reviewer only; 法制审核同意 (legal_review_pass) needs that
signed opinion of the latest agreeing round. The gate is told the decision
being recorded (a penalty after 不予处罚 was reviewed is refused) and a
hearing held on record is a fact of the classification.
"""
import re

from test_cases import act, create, doc, w  # noqa: F401  (w is a fixture)
from test_documents import data_url, make_png
from test_reviews import CHECKS_OK, err, penalty_general_at_decision, receive, review

TEXT_MATERIALS = [{"material": m, "text": t} for m, t in (
    ("situation", "案件情况说明"), ("legal_basis", "《食品安全法》第一百二十四条"),
    ("facts_evidence", "现场笔录、询问笔录"), ("procedure", "立案、调查、告知材料"),
    ("proposal", "拟罚款三万元"))]
TABLES = ["cases", "case_events", "case_documents", "document_signatures", "review_rounds"]


def submit(w, cid, facts):
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": facts, "materials": TEXT_MATERIALS}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def conclude(w, cid, outcome, reasons=""):
    r = w.reviewer1.put(w.url + "/cases/%d/review/checklist" % cid, json={"points": CHECKS_OK}, timeout=10)
    assert r.status_code == 200, r.text
    body = {"outcome": outcome}
    if reasons:
        body["reasons"] = reasons
    r = w.reviewer1.post(w.url + "/cases/%d/review/conclude" % cid, json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def sign(w, cid, s=None, image=None):
    return (s or w.reviewer1).post(w.url + "/cases/%d/review/opinion/signature" % cid,
                                   json={"image": image or data_url(make_png())}, timeout=10)


def penalty_at_legal_review(w):
    """A 一般程序 penalty handed from 案件审核 to 法制审核 (submitted as major)."""
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
    v = submit(w, cid, {"decision_kind": "penalize", "fine_amount_yuan": 30000})
    assert v["major"] is True
    assert act(w, cid, "case_review_pass", s=w.reviewer1)["stage"] == "legal_review"
    return cid


def test_opinion_is_a_signed_final_document(w):
    cid = penalty_at_legal_review(w)
    passing = lambda: w.reviewer1.post(w.url + "/cases/%d/actions" % cid,
                                       json={"action": "legal_review_pass"}, timeout=10)
    # before a conclusion there is nothing to sign
    receive(w, cid)
    err(sign(w, cid), 409, "opinion_not_issued")
    # round 1: 暂不同意 — its opinion is final too, but does not let the case through
    v = conclude(w, cid, "暂不同意", "罚款数额的裁量理由不充分")
    d1 = v["rounds"][0]["opinion_doc_id"]
    r = w.officer1.get(w.url + "/cases/%d/documents/%d" % (cid, d1), timeout=10)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["template"] == "legal_review_opinion" and d["status"] == "final"
    assert re.fullmatch(r".+法审〔\d{4}〕\d+号", d["doc_no"]), d["doc_no"]
    f = d["fields"]
    assert f["round"] == 1 and f["conclusion"] == "暂不同意" and f["reasons"] == "罚款数额的裁量理由不充分"
    assert f["decision_proposed"] == "处罚" and len(f["checklist"]) == 8
    assert [m["name"] for m in f["materials"]][0] and f["materials"][4]["note"] == "拟罚款三万元"
    assert f["reviewers"] and f["opinion_date"] >= f["received_on"] >= f["submitted_on"]
    assert sign(w, cid).status_code == 201  # the reviewer signs a non-passing opinion as well
    err(passing(), 409, "condition_unmet")  # flags: not passed

    # round 2: 同意
    submit(w, cid, {"decision_kind": "penalize", "fine_amount_yuan": 30000})
    receive(w, cid)
    v = conclude(w, cid, "同意")
    d2 = v["rounds"][1]["opinion_doc_id"]
    assert d2 and d2 != d1
    assert [x["opinion_signed"] for x in v["rounds"]] == [True, False]
    # the workflow wants the latest agreeing round's opinion, signed by its reviewer
    before = w.srv.snapshot(TABLES)
    e = err(passing(), 409, "document_missing")
    assert "法制审核意见书" in e["message"]
    assert w.srv.snapshot(TABLES) == before
    # only the round's reviewer signs, with a valid image, once
    err(sign(w, cid, s=w.officer1), 403, "forbidden")
    err(sign(w, cid, image="data:image/png;base64,AAAA"), 400, "bad_image")
    err(w.reviewer1.post(w.url + "/cases/%d/review/opinion/signature" % cid, json={}, timeout=10),
        400, "validation_failed")
    # nobody may sign as a reviewer through the documents API
    r = w.officer1.post(w.url + "/cases/%d/documents/%d/signatures" % (cid, d2),
                        json={"signer_kind": "reviewer", "name": "冒名", "image": data_url(make_png())},
                        timeout=10)
    err(r, 400, "validation_failed")
    # nor put an officer's image in the reviewer's slot
    officer_id = w.officer1.get(w.url + "/auth/me", timeout=10).json()["user"]["officer_id"]
    r = w.officer1.post(w.url + "/cases/%d/documents/%d/signatures" % (cid, d2),
                        json={"signer_kind": "officer", "officer_id": officer_id, "role": "审核人员",
                              "image": data_url(make_png())}, timeout=10)
    e = err(r, 400, "validation_failed")
    assert e["field"] == "role"
    assert w.srv.snapshot(TABLES) == before
    r = sign(w, cid)
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "审核人员"
    err(sign(w, cid), 409, "already_signed")
    assert [x["opinion_signed"] for x in review(w, cid)["rounds"]] == [True, True]
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/signatures" % (cid, d2), timeout=10)
    sigs = r.json()["items"]
    assert [(g["signer_kind"], g["signer_kind_name"], g["role"]) for g in sigs] == [
        ("reviewer", "法制审核人员", "审核人员")]

    # rendered like every document: PDF and HTML, the signature in its slot
    r = w.officer1.get(w.url + "/cases/%d/review/opinion" % cid, params={"format": "pdf"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and r.headers.get("X-Verify-Code")
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/html" % (cid, d2), timeout=30)
    assert r.status_code == 200 and "法制审核意见书" in r.text and "同意" in r.text
    assert "审核人员" in r.text and "data:image/png;base64," in r.text
    r = w.officer1.get(w.url + "/cases/%d/review/opinion" % cid, params={"round": 1}, timeout=30)
    assert "暂不同意" in r.text and "裁量理由不充分" in r.text
    err(w.officer1.get(w.url + "/cases/%d/review/opinion" % cid, params={"format": "doc"}, timeout=10),
        400, "validation_failed")

    r = passing()
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "notify"


def test_gate_knows_the_decision_being_recorded(w):
    """同意 was given to 不予处罚; recording a penalty instead is refused."""
    cid = penalty_general_at_decision(w)
    submit(w, cid, {"decision_kind": "no_penalty"})
    receive(w, cid)
    conclude(w, cid, "同意")
    before = w.srv.snapshot(TABLES)
    r = w.head1.post(w.url + "/cases/%d/actions" % cid,
                     json={"action": "decide_penalty", "fine_fen": 300000}, timeout=10)
    e = err(r, 409, "decision_mismatch")
    assert "不予处罚" in e["message"] and "处罚" in e["message"]
    assert w.srv.snapshot(TABLES) == before
    assert review(w, cid)["gate"]["allowed"] is True  # no decision named: the review agreed
    doc(w, cid, "no_penalty_decision")
    r = w.head1.post(w.url + "/cases/%d/actions" % cid, json={"action": "decide_no_penalty"}, timeout=10)
    assert r.status_code == 200, r.text


def test_licence_denial_is_major_without_anyone_saying_so(w):
    """不予许可 matches licensing_adverse from the action alone (seed 12(2))."""
    c = create(w, "license", matter_id=w.license_matter)
    cid = c["id"]
    doc(w, cid, "license_accept")
    act(w, cid, "accept")
    doc(w, cid, "site_record")
    act(w, cid, "verify")
    act(w, cid, "review_done")
    doc(w, cid, "license_deny")
    before = w.srv.snapshot(TABLES)
    err(w.head1.post(w.url + "/cases/%d/actions" % cid, json={"action": "deny"}, timeout=10),
        409, "review_required")
    assert w.srv.snapshot(TABLES) == before


def test_hearing_on_record_is_a_fact(w):
    """A final 听证笔录 makes hearing_held true (general_hearing matches) whatever the proposal says."""
    cid = penalty_general_at_decision(w)
    cls = lambda: w.officer1.post(w.url + "/cases/%d/classify" % cid,
                                  json={"facts": {"hearing_held": False}}, timeout=10).json()
    v = cls()
    assert v["hearing_held"] is False and "general_hearing" not in [m["code"] for m in v["matches"]]
    doc(w, cid, "hearing_record")
    v = cls()
    assert v["hearing_held"] is True and "general_hearing" in [m["code"] for m in v["matches"]]
    # and the submission now needs the 听证笔录
    r = w.officer1.post(w.url + "/cases/%d/review/submit" % cid,
                        json={"facts": {}, "materials": TEXT_MATERIALS}, timeout=10)
    e = err(r, 400, "submission_incomplete")
    assert "听证笔录" in e["message"]


def test_condition_check_answers_where_the_mistake_is(w):
    """The console's live validation: nothing is saved, the canonical form comes back."""
    url = w.url + "/review-catalog/check"
    before = w.srv.snapshot(["review_catalogs"])
    r = w.head1.post(url, json={"when": {"all": [{"field": "decision_kind", "eq": "不予处罚"},
                                                 {"field": "hearing_held", "eq": True}]}}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"valid": True, "when": {"all": [{"eq": "no_penalty", "field": "decision_kind"},
                                                         {"eq": True, "field": "hearing_held"}]}}
    e = err(w.head1.post(url, json={"when": {"any": [{"field": "decision_kind", "in": ["seal", "sael"]}]}},
                         timeout=10), 400, "invalid_condition")
    assert e["field"] == "when.any[0].in[1]" and "sael" in e["message"]
    err(w.head1.post(url, json={}, timeout=10), 400, "validation_failed")
    err(w.auditor1.post(url, json={"when": {"field": "hearing_held", "eq": True}}, timeout=10), 403, "forbidden")
    assert w.srv.snapshot(["review_catalogs"]) == before


def test_pool_member_named_by_login(w):
    """The supervisor (who cannot list accounts) adds a reviewer to the pool by login name."""
    url = w.url + "/reviews/pool"
    e = err(w.supervisor1.post(url, json={"username": "no_such_login", "kind": "legal_adviser"}, timeout=10),
            400, "validation_failed")
    assert e["field"] == "username"
    err(w.supervisor1.post(url, json={"kind": "legal_adviser"}, timeout=10), 400, "validation_failed")
    r = w.supervisor1.post(url, json={"username": "reviewer1", "kind": "legal_adviser", "note": "测试"},
                           timeout=10)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    items = w.supervisor1.get(url, timeout=10).json()["items"]
    assert [i["username"] for i in items if i["id"] == pid] == ["reviewer1"]
    assert w.supervisor1.delete(url + "/%d" % pid, timeout=10).status_code == 200
