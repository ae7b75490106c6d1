"""Annual report (年报, issue 7), black-box: a hand-built data set created
through the API (penalties with and without fines, a licence granted and
one denied, a seizure, inspections, legal reviews with two conclusions,
publications on time and withdrawn) and every count of the department's
report checked against it, in the JSON, the XLSX and the PDF; generation,
review by a second person and publication; the city sum; the Justice
Bureau's late list before and after 31 January; the portal pages and
downloads; the CLI; XLSX exports of the 双公示 layout and of lists; bad
input that changes nothing.
"""
import csv
import datetime
import io
import json
import os
import re
import subprocess
import zipfile

import openpyxl
import pytest
import requests

from conftest import BIN
from test_cases import act, create, doc, id_number, upload, w  # noqa: F401
from test_reviews import MAJOR_GRANT, conclude, err, license_at_decision, receive, submit

CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()  # China time
YEAR = TODAY.year  # the records made here fall in this year


def expected_status(year, published_on, on):
    """What the late list should say of a report of year published on
    published_on (a date or None), asked on day on."""
    deadline = datetime.date(year + 1, 1, 31)
    if published_on and published_on <= on:
        return "on_time" if published_on <= deadline else "late"
    return "overdue" if on > deadline else "due"
PERSON = id_number("36010219900307123")


def count(rep, section, code, amount=False):
    for s in rep["sections"]:
        if s["code"] == section:
            for it in s["items"]:
                if it["code"] == code:
                    return it["amount_fen" if amount else "count"]
    return 0


def generate(w, s=None, year=YEAR, status=201):
    r = (s or w.publicity1).post(w.url + "/annual-reports", json={"year": year}, timeout=30)
    assert r.status_code == status, r.text
    return r.json()


def xlsx_rows(content):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return wb, [list(r) for r in wb["年报"].iter_rows(values_only=True)]


def get_public(w, path):
    """A portal page, as the public (no session)."""
    return requests.get(w.srv.url + path, timeout=60)


def pubs_of(w, cid):
    con = w.srv.db()
    try:
        return [r[0] for r in con.execute("SELECT id FROM publications WHERE case_id = ?", (cid,))]
    finally:
        con.close()


def summary_penalty(w, fine):
    c = create(w, "penalty_summary", parties=[{"kind": "自然人", "name": "陈某", "identifier": PERSON}])
    doc(w, c["id"], "onsite_penalty")
    act(w, c["id"], "decide_on_spot", fine_fen=fine)
    return c["id"]


def inspection(w, problem):
    c = create(w, "inspection", parties=[])
    act(w, c["id"], "dispatch")
    doc(w, c["id"], "site_record")
    act(w, c["id"], "inspect")
    act(w, c["id"], "result_problem" if problem else "result_normal")


def seizure(w):
    c = create(w, "coercion_seizure")
    cid = c["id"]
    act(w, cid, "approve", s=w.head1)
    doc(w, cid, "site_record")
    doc(w, cid, "coercive_decision")
    video = upload(w, "video")
    r = w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": video}, timeout=10)
    assert r.status_code == 200, r.text
    act(w, cid, "implement")


@pytest.fixture(scope="module")
def data(w):
    """Builds the data set and returns (baseline report, report after, what was built)."""
    before = generate(w)["report"]
    summary_penalty(w, 5000)
    p2 = summary_penalty(w, 12000)
    summary_penalty(w, 0)  # 警告: no fine
    # a licence granted after a review that disagreed once, then agreed
    lic = license_at_decision(w)
    submit(w, lic)
    receive(w, lic)
    v = conclude(w, lic, "不同意", "适用法律错误")
    disagree = v["rounds"][0]["outcome"]
    submit(w, lic)
    receive(w, lic)
    v = conclude(w, lic, "同意")
    agree = v["rounds"][1]["outcome"]
    act(w, lic, "grant", s=w.head1)
    # a licence denied
    c = create(w, "license", matter_id=w.license_matter)
    doc(w, c["id"], "license_accept")
    act(w, c["id"], "accept")
    doc(w, c["id"], "site_record")
    act(w, c["id"], "verify")
    act(w, c["id"], "review_done")
    doc(w, c["id"], "license_deny")
    # 不予许可 is a major decision (the review gate classifies it from the action)
    submit(w, c["id"], facts=dict(MAJOR_GRANT, decision_kind="deny"))
    receive(w, c["id"])
    conclude(w, c["id"], "同意")
    act(w, c["id"], "deny", s=w.head1)
    seizure(w)
    inspection(w, False)
    inspection(w, False)
    inspection(w, True)
    # one publication on time, then withdrawn
    pid = pubs_of(w, p2)[0]
    r = w.publicity1.post(w.url + "/publications/%d/publish" % pid, json={"confirm": True}, timeout=10)
    assert r.status_code == 200, r.text
    r = w.publicity1.post(w.url + "/publications/%d/withdraw" % pid, json={"reason": "决定被撤销"},
                          timeout=10)
    assert r.status_code == 200, r.text
    after = generate(w)
    return before, after, {"agree": agree, "disagree": disagree}


EXPECTED = [  # (section, item, how many more than before)
    ("penalty", "fine", 2), ("penalty", "warning", 1), ("penalty", "no_penalty", 0),
    ("license", "granted", 1), ("license", "denied", 1), ("license", "not_accepted", 0),
    ("coercion", "seizure", 1), ("coercion", "released", 0),
    ("inspection", "inspection_normal", 2), ("inspection", "inspection_problem", 1),
    ("inspection", "spot_normal", 0),
    ("publicity", "on_time", 1), ("publicity", "late", 0), ("publicity", "withdrawn", 1),
]


def test_counts_follow_the_records(w, data):
    before, after, built = data
    rep = after["report"]
    assert after["state"] == "draft" and after["year"] == YEAR and after["department_code"] == "SCJGJ"
    for section, code, more in EXPECTED:
        assert count(rep, section, code) == count(before, section, code) + more, (section, code)
    assert count(rep, "penalty", "fine", True) == count(before, "penalty", "fine", True) + 17000
    assert count(rep, "review", built["disagree"]) == count(before, "review", built["disagree"]) + 1
    # two agreements: the granted licence's second round and the denied licence
    assert count(rep, "review", built["agree"]) == count(before, "review", built["agree"]) + 2
    labels = {it["code"]: it["label"] for s in rep["sections"] if s["code"] == "review" for it in s["items"]}
    assert labels[built["agree"]] == "同意" and labels[built["disagree"]] == "不同意"


def test_xlsx_and_pdf_carry_the_same_numbers(w, data):
    _, after, _ = data
    r = w.publicity1.get(w.url + "/annual-reports/%d" % after["id"], params={"format": "xlsx"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert zipfile.is_zipfile(io.BytesIO(r.content))
    wb, rows = xlsx_rows(r.content)
    assert rows[0] == ["类别", "统计项", "件数", "金额（元）"]
    got = {(row[0], row[1]): (row[2], row[3]) for row in rows[1:]}
    for s in after["report"]["sections"]:
        for it in s["items"]:
            cnt, amount = got[(s["title"], it["label"])]
            assert cnt == it["count"], (s["title"], it["label"])
            if "amount_fen" in it:
                assert abs(amount - it["amount_fen"] / 100) < 1e-9
            else:
                assert amount is None
    info = {row[0]: row[1] for row in wb["说明"].iter_rows(values_only=True)}
    assert info["报告单位"] == after["department"] and str(info["年度"]) == str(YEAR)
    r = w.publicity1.get(w.url + "/annual-reports/%d" % after["id"], params={"format": "pdf"}, timeout=60)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-"), r.text[:200]
    txt = subprocess.run(["pdftotext", "-", "-"], input=r.content, capture_output=True).stdout.decode()
    if txt:  # poppler-utils present
        assert "行政执法数据年报" in txt and "准予行政许可" in txt


def test_review_by_a_second_person_publish_after_the_year(w, data):
    _, after, _ = data
    rid = after["id"]
    url = w.url + "/annual-reports/%d" % rid
    err(w.publicity1.post(url + "/publish", timeout=10), 409, "invalid_state")
    err(w.publicity1.post(url + "/review", timeout=10), 409, "same_person")
    err(w.officer1.post(url + "/review", timeout=10), 403, "forbidden")
    r = w.head1.post(url + "/review", timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "reviewed", r.text
    assert r.json()["reviewed_by"]
    # the running year's counts are not final: they cannot be published yet
    err(w.publicity1.post(url + "/publish", timeout=10), 409, "year_not_over")
    assert get_public(w, "/annual-reports/%d" % rid).status_code == 404
    # generating again takes it back to a draft
    again = generate(w)
    assert again["id"] == rid and again["state"] == "draft" and again["reviewed_by"] is None


@pytest.fixture(scope="module")
def published(w, data):
    """Last year's report, generated, reviewed and published now (after 31
    January: late)."""
    rep = generate(w, year=YEAR - 1)
    url = w.url + "/annual-reports/%d" % rep["id"]
    r = w.head1.post(url + "/review", timeout=10)
    assert r.status_code == 200, r.text
    r = w.publicity1.post(url + "/publish", timeout=10)
    assert r.status_code == 200, r.text
    pub = r.json()
    assert pub["state"] == "published" and pub["published_on"] == TODAY.isoformat()
    assert pub["status"] == expected_status(YEAR - 1, TODAY, TODAY)  # late after 31 January
    assert pub["report"] == rep["report"]  # frozen as generated and reviewed
    return pub


def test_published_report_is_frozen_and_audited(w, published):
    rid = published["id"]
    err(w.publicity1.post(w.url + "/annual-reports", json={"year": YEAR - 1}, timeout=10), 409,
        "already_published")
    err(w.head1.post(w.url + "/annual-reports/%d/review" % rid, timeout=10), 409, "invalid_state")
    err(w.head1.post(w.url + "/annual-reports/%d/publish" % rid, timeout=10), 409, "invalid_state")
    con = w.srv.db()
    try:
        acts = [a for (a,) in con.execute("SELECT action FROM audit_log WHERE object_type = 'annual_report' "
                                          "AND object_id = ? ORDER BY id", (str(rid),))]
        events = con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
    finally:
        con.close()
    assert acts == ["annual_report_generate", "annual_report_review", "annual_report_publish"]
    assert events > 0


def test_portal_pages_and_downloads(w, data, published):
    _, after, _ = data
    rid = published["id"]
    year = published["year"]
    r = get_public(w, "/annual-reports")  # the newest year with a published report
    assert r.status_code == 200 and "行政执法数据年报" in r.text
    assert '/annual-reports/%d"' % rid in r.text
    # the running year's draft is not linked or shown
    assert '/annual-reports/%d"' % after["id"] not in r.text
    assert get_public(w, "/annual-reports/%d" % after["id"]).status_code == 404
    r = get_public(w, "/annual-reports/%d" % rid)
    assert r.status_code == 200, r.text
    assert "<svg" in r.text and 'role="img"' in r.text and "准予行政许可" in r.text
    assert r.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == \
        sum(1 for s in published["report"]["sections"] if s["items"])
    fines = count(published["report"], "penalty", "fine", True)
    assert "{:,}.{:02d}".format(fines // 100, fines % 100) in r.text
    r = get_public(w, "/annual-reports/%d/xlsx" % rid)
    assert r.status_code == 200 and zipfile.is_zipfile(io.BytesIO(r.content))
    _, rows = xlsx_rows(r.content)
    assert [x for x in rows if x[1] == "罚款"][0][2] == count(published["report"], "penalty", "fine")
    r = get_public(w, "/annual-reports/%d/pdf" % rid)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    # the city page sums the published reports; the others are named as missing
    r = get_public(w, "/annual-reports/city/%d" % year)
    assert r.status_code == 200 and "尚未公开年报的部门" in r.text and "市生态环境局" in r.text
    assert get_public(w, "/annual-reports/city/%d/xlsx" % year).status_code == 200
    assert get_public(w, "/annual-reports/city/%d" % YEAR).status_code == 404  # none published
    assert get_public(w, "/annual-reports/city/1999").status_code == 404
    assert get_public(w, "/annual-reports/999999").status_code == 404
    assert get_public(w, "/annual-reports?year=abc").status_code == 400


def test_city_report_sums_the_published_ones(w, published):
    r = w.supervisor1.get(w.url + "/annual-reports/city", params={"year": published["year"]}, timeout=30)
    assert r.status_code == 200, r.text
    city = r.json()
    assert city["departments"] == 1 and "市生态环境局" in city["missing"]
    assert "市司法局" not in city["missing"]  # the bureau supervises; it reports nothing
    for s in published["report"]["sections"]:
        for it in s["items"]:
            assert count(city["report"], s["code"], it["code"]) == it["count"]
    r = w.supervisor1.get(w.url + "/annual-reports/city", params={"year": published["year"], "format": "xlsx"},
                          timeout=30)
    assert r.status_code == 200
    _, rows = xlsx_rows(r.content)
    assert [x for x in rows if x[1] == "准予行政许可"][0][2] == count(city["report"], "license", "granted")
    # the running year: nothing published, every department missing
    r = w.supervisor1.get(w.url + "/annual-reports/city", params={"year": YEAR}, timeout=30)
    assert r.json()["departments"] == 0 and "市市场监督管理局" in r.json()["missing"]


def late_of(w, year, on=None):
    p = {"year": year}
    if on:
        p["on"] = on
    r = w.supervisor1.get(w.url + "/annual-reports/late", params=p, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_late_list_before_and_after_31_january(w, published):
    by = lambda j: {d["department_code"]: d["status"] for d in j["departments"]}
    late = lambda j: {d["department_code"] for d in j["late"]}
    # this year's report: nobody is late up to 31 January next year, everybody the day after
    j = late_of(w, YEAR, "%d-01-31" % (YEAR + 1))
    assert j["deadline"] == "%d-01-31" % (YEAR + 1) and j["late"] == []
    assert set(by(j).values()) == {"due"}
    j = late_of(w, YEAR, "%d-02-01" % (YEAR + 1))
    assert set(by(j).values()) == {"overdue"} and {"SCJGJ", "STHJJ"} <= late(j)
    assert "SFJ" not in by(j)  # the Justice Bureau supervises, it is not listed
    # last year's: the market report was published today (after its deadline
    # unless this runs in January), the others not at all
    last = YEAR - 1
    j = late_of(w, last)
    assert by(j)["SCJGJ"] == expected_status(last, TODAY, TODAY)
    assert by(j)["STHJJ"] == expected_status(last, None, TODAY)
    assert ("SCJGJ" in late(j)) == (by(j)["SCJGJ"] == "late")
    # as of its deadline nobody was late yet; the day after, everybody not yet published was
    for on in (datetime.date(YEAR, 1, 31), datetime.date(YEAR, 2, 1)):
        j = late_of(w, last, on.isoformat())
        assert by(j)["SCJGJ"] == expected_status(last, TODAY, on), on
        assert by(j)["STHJJ"] == expected_status(last, None, on), on
    assert late_of(w, last, "%d-01-31" % YEAR)["late"] == []
    # departments do not see the bureau's list
    err(w.publicity1.get(w.url + "/annual-reports/late", params={"year": YEAR}, timeout=10), 403, "forbidden")


def test_department_list_and_scope(w, data):
    _, after, _ = data
    r = w.publicity1.get(w.url + "/annual-reports", params={"year": YEAR}, timeout=10)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["department_code"] for i in items] == ["SCJGJ"] and items[0]["id"] == after["id"]
    r = w.supervisor1.get(w.url + "/annual-reports", params={"year": YEAR}, timeout=10)
    assert len(r.json()["items"]) > 1
    # another department's head cannot read or review it
    con = w.srv.db()
    try:
        env_user = con.execute("SELECT u.username FROM users u JOIN departments d ON d.id = u.department_id "
                               "WHERE d.code = 'STHJJ' AND u.role IN ('head', 'publicity', 'officer') "
                               "ORDER BY u.id").fetchone()
    finally:
        con.close()
    if env_user:
        s = w.srv.login(env_user[0])
        err(s.get(w.url + "/annual-reports/%d" % after["id"], timeout=10), 403, "forbidden")


@pytest.mark.parametrize("params, code", [
    ({}, "validation_failed"),
    ({"year": "abc"}, "invalid_year"),
    ({"year": "1999"}, "invalid_year"),
    ({"year": str(YEAR + 5)}, "invalid_year"),
])
def test_bad_year_in_queries(w, params, code):
    err(w.publicity1.get(w.url + "/annual-reports", params=params, timeout=10), 400, code)
    err(w.supervisor1.get(w.url + "/annual-reports/city", params=params, timeout=10), 400, code)


TABLES = ["annual_reports", "cases", "case_events", "publications", "review_rounds"]


def test_bad_input_changes_nothing(w):
    # (refusals themselves are audited, so the audit trail is not compared)
    before = w.srv.snapshot(TABLES)
    url = w.url + "/annual-reports"
    err(w.publicity1.post(url, json={}, timeout=10), 400, "validation_failed")
    err(w.publicity1.post(url, json={"year": "2026"}, timeout=10), 400, "wrong_type")
    # a department generates its own report only
    err(w.publicity1.post(url, json={"year": 2026, "department_id": 2}, timeout=10), 400,
        "unknown_field")
    err(w.publicity1.post(url, json={"year": 1999}, timeout=10), 400, "invalid_year")
    err(w.publicity1.post(url, json={"year": YEAR + 1}, timeout=10), 400, "invalid_year")
    err(w.publicity1.post(url, data="{not json", headers={"Content-Type": "application/json"}, timeout=10),
        400, "invalid_json")
    err(w.officer1.post(url, json={"year": YEAR}, timeout=10), 403, "forbidden")
    err(w.supervisor1.post(url, json={"year": YEAR}, timeout=10), 403, "forbidden")
    err(w.publicity1.get(url + "/999999", timeout=10), 404, "not_found")
    err(w.publicity1.post(url + "/999999/review", timeout=10), 404, "not_found")
    err(w.supervisor1.get(url + "/late", params={"year": YEAR, "on": "2026-02-30"}, timeout=10), 400,
        "invalid_date")
    err(w.supervisor1.get(url + "/city", params={"year": YEAR, "format": "docx"}, timeout=10), 400,
        "validation_failed")
    assert w.srv.snapshot(TABLES) == before


def test_cli(w, data):
    _, after, _ = data
    out = os.path.join(w.srv.root, "cli")
    os.makedirs(out, exist_ok=True)
    xlsx, pdf = os.path.join(out, "r.xlsx"), os.path.join(out, "r.pdf")
    r = subprocess.run([BIN, "report", "annual", "--year", str(YEAR), "--department", "SCJGJ", "--xlsx", xlsx,
                        "--pdf", pdf, "--json", "--data", w.srv.data_dir], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    j = json.loads(r.stdout)
    # counted now from the records: the same as the report generated from them
    for s in after["report"]["sections"]:
        for it in s["items"]:
            assert count(j["report"], s["code"], it["code"]) == it["count"], it
    _, rows = xlsx_rows(open(xlsx, "rb").read())
    assert [x for x in rows if x[1] == "警告"][0][2] == count(after["report"], "penalty", "warning")
    assert open(pdf, "rb").read(5) == b"%PDF-"
    r = subprocess.run([BIN, "report", "annual", "--year", str(YEAR), "--data", w.srv.data_dir],
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and "全市" in r.stdout.decode() and "罚款" in r.stdout.decode()
    for args, rc in ((["--year", "abc"], 2), ([], 2), (["--year", "1999"], 1),
                     (["--year", str(YEAR), "--department", "NOPE"], 1), (["--bogus"], 2)):
        r = subprocess.run([BIN, "report", "annual"] + args + ["--data", w.srv.data_dir], capture_output=True,
                           timeout=30)
        assert r.returncode == rc, (args, r.stderr.decode())
        assert CJK.search(r.stderr.decode()), args


# ---- XLSX exports ----------------------------------------------------------------------------

def test_publication_export_xlsx_matches_csv(w, data):
    # a published penalty (the one above was withdrawn)
    cid = summary_penalty(w, 3000)
    pid = pubs_of(w, cid)[0]
    r = w.publicity1.post(w.url + "/publications/%d/publish" % pid, json={"confirm": True}, timeout=10)
    assert r.status_code == 200, r.text
    r = w.publicity1.get(w.url + "/publications/export", params={"format": "csv"}, timeout=10)
    rows_csv = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    r = w.publicity1.get(w.url + "/publications/export", params={"format": "xlsx"}, timeout=10)
    assert r.status_code == 200, r.text
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows_x = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    assert rows_x == rows_csv and len(rows_x) >= 2
    assert rows_x[0][0] == "行政相对人名称"
    assert PERSON not in "".join(sum(rows_x, []))  # the masked layout, as in the CSV
    err(w.publicity1.get(w.url + "/publications/export", params={"format": "doc"}, timeout=10), 400,
        "validation_failed")


def test_list_exports_xlsx(w, data):
    r = w.publicity1.get(w.url + "/publications", timeout=10)
    items = r.json()["items"]
    r = w.publicity1.get(w.url + "/publications", params={"format": "xlsx"}, timeout=10)
    assert r.status_code == 200, r.text
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "执法部门", "类别", "标题")
    assert [row[0] for row in rows[1:]] == [i["id"] for i in items]
    assert [row[3] for row in rows[1:]] == [i["title"] for i in items]
    r = w.officer1.get(w.url + "/cases", params={"per_page": 100, "sort": "id"}, timeout=10)
    assert r.status_code == 200, r.text
    total = r.json()["total"]
    r = w.officer1.get(w.url + "/cases", params={"format": "xlsx", "sort": "id"}, timeout=30)
    assert r.status_code == 200, r.text
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "案号", "案件名称")
    assert len(rows) - 1 == total  # every matching case, not one page
    ids = [row[0] for row in rows[1:]]
    assert ids == sorted(ids)
    err(w.officer1.get(w.url + "/cases", params={"format": "csv"}, timeout=10), 400, "validation_failed")


def test_responses_match_the_documented_schemas(w, data):
    import yaml
    from test_openapi import check, response_schema
    spec = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml"),
                               encoding="utf-8"))
    _, after, _ = data
    calls = [
        ("/api/v1/annual-reports", w.publicity1.get(w.url + "/annual-reports", params={"year": YEAR}, timeout=10)),
        ("/api/v1/annual-reports/{id}", w.publicity1.get(w.url + "/annual-reports/%d" % after["id"], timeout=10)),
        ("/api/v1/annual-reports/late", w.supervisor1.get(w.url + "/annual-reports/late", params={"year": YEAR},
                                                          timeout=10)),
        ("/api/v1/annual-reports/city", w.supervisor1.get(w.url + "/annual-reports/city", params={"year": YEAR},
                                                          timeout=10)),
    ]
    for path, r in calls:
        assert r.status_code == 200, r.text
        errors = []
        check(spec, r.json(), response_schema(spec, path, "get", 200), path, errors)
        assert not errors, errors
