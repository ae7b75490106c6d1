"""Public search (issue 7, 搜索查询): GET /api/v1/search and the /search page.

Runs against a real zhifa with the demo city (conftest.py). Expected results
are computed from the server's own database with plain SQL substring scans,
never copied from the implementation.
"""
import html
import random
import re
import urllib.parse
import uuid

import pytest
import requests

HAN = re.compile(r"[\u4e00-\u9fff]+")


def search(server, **params):
    return requests.get(server.url + "/api/v1/search", params=params, timeout=10)


def all_hits(server, q, **extra):
    """Every hit of a query, following pages."""
    hits, page = [], 1
    while True:
        r = search(server, q=q, page=page, per_page=50, **extra)
        assert r.status_code == 200, r.text
        body = r.json()
        hits += body["items"]
        if not body["has_more"]:
            return hits, body
        page += 1
        assert page < 500


def keys(hits):
    return {(h["kind"], h["ref_id"]) for h in hits}


@pytest.fixture(scope="module")
def db(server):
    con = server.db()
    yield con
    con.close()


def test_public_two_character_search_finds_matter_and_law_article(server, db):
    # no session, no cookie: a member of the public
    r = search(server, q="处罚")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] > 0 and body["total_exact"] is True
    assert body["total_text"] == "共 %d 条" % body["total"]
    hits, _ = all_hits(server, "处罚")
    found = keys(hits)
    matters = {row[0] for row in db.execute(
        "SELECT id FROM matters WHERE name LIKE '%处罚%' OR legal_basis LIKE '%处罚%'"
        " OR procedure LIKE '%处罚%'")}
    articles = {row[0] for row in db.execute("SELECT id FROM law_articles WHERE text LIKE '%处罚%'")}
    assert matters and articles, "the demo city mentions 处罚 in matters and laws"
    assert {("matter", m) for m in matters} <= found
    assert {("law", a) for a in articles} <= found
    for h in body["items"]:
        assert "<mark>处罚</mark>" in h["title_html"] + h["snippet_html"], h
        assert h["link"].startswith("/")
        assert h["kind_name"]


def test_item_fields_and_links(server, db):
    name = db.execute("SELECT name FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    hits, _ = all_hits(server, name, kind="department")
    assert hits and hits[0]["title"] == name
    h = hits[0]
    assert h["kind"] == "department" and h["department"] == name
    assert h["link"] == "/departments/%d" % h["ref_id"]
    assert requests.get(server.url + h["link"], timeout=10).status_code == 200
    law_hit = all_hits(server, "行政处罚", kind="law")[0][0]
    assert law_hit["department"] is None and law_hit["date"]
    page = requests.get(server.url + law_hit["link"], timeout=10)
    assert page.status_code == 200 and 'id="a' in page.text


def test_officer_is_found_by_certificate_number(server, db):
    name, cert = db.execute("SELECT name, certificate_no FROM officers ORDER BY id LIMIT 1").fetchone()
    hits, _ = all_hits(server, cert)
    assert any(h["kind"] == "officer" and h["title"] == name for h in hits)


def test_filters_kind_department_and_dates(server, db):
    hits, _ = all_hits(server, "行政")
    kinds = {h["kind"] for h in hits}
    assert {"matter", "law"} <= kinds
    only_law, _ = all_hits(server, "行政", kind="law")
    assert only_law and all(h["kind"] == "law" for h in only_law)
    assert keys(only_law) == {k for k in keys(hits) if k[0] == "law"}

    dept = db.execute("SELECT department_id FROM matters GROUP BY department_id"
                      " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    in_dept, _ = all_hits(server, "行政", department_id=dept)
    assert in_dept and all(h["department_id"] == dept for h in in_dept)
    assert keys(in_dept) == {(h["kind"], h["ref_id"]) for h in hits if h["department_id"] == dept}

    dates = sorted({h["date"] for h in only_law if h["date"]})
    assert len(dates) >= 2, dates
    cut = dates[len(dates) // 2]
    later, _ = all_hits(server, "行政", kind="law", **{"from": cut})
    earlier, _ = all_hits(server, "行政", kind="law", to=cut)
    assert later and all(h["date"] >= cut for h in later)
    assert earlier and all(h["date"] <= cut for h in earlier)
    assert keys(later) | keys(earlier) == keys(only_law)
    # empty values (what an HTML form sends) mean "no filter"
    r = search(server, q="行政", kind="", department_id="", **{"from": "", "to": ""})
    assert r.status_code == 200 and r.json()["total"] == len(hits)


def test_pagination_covers_every_hit_once_and_ranks_by_bm25(server):
    r = search(server, q="行政", per_page=7)
    body = r.json()
    total = body["total"]
    assert body["total_exact"] and total > 14
    seen = []
    for page in range(1, (total + 6) // 7 + 2):
        b = search(server, q="行政", per_page=7, page=page).json()
        assert b["page"] == page and b["per_page"] == 7
        seen += [(h["kind"], h["ref_id"]) for h in b["items"]]
        if page <= total // 7:
            assert len(b["items"]) == 7
    assert len(seen) == total == len(set(seen))
    # bm25 as SQLite reports it: ascending (lower is better) across pages
    scores = []
    for page in (1, 2, 3):
        scores += [h["score"] for h in search(server, q="行政", per_page=7, page=page).json()["items"]]
    assert scores == sorted(scores)


BROAD = 1100


@pytest.fixture(scope="module")
def broad_server():
    """A server of its own with BROAD more matters that all say 决定, added
    through the API like any other (the index follows by trigger)."""
    from conftest import start_server, stop_server
    srv = start_server()
    admin = srv.login("admin")
    dept = admin.get(srv.url + "/api/v1/departments?per_page=1", timeout=10).json()["items"][0]["id"]
    for i in range(BROAD):
        r = admin.post(srv.url + "/api/v1/matters", json={
            "department_id": dept, "code": "BROAD-%04d" % i, "name": "第%d号决定事项" % i,
            "power_type": "other", "procedure": "受理后作出决定并公开"}, timeout=10)
        assert r.status_code in (200, 201), r.text
    yield srv
    stop_server(srv)


def test_broad_query_shows_an_estimate(broad_server):
    server = broad_server
    truth = {r[0] for r in server.db().execute(
        "SELECT id FROM matters WHERE name LIKE '%决定%' OR legal_basis LIKE '%决定%'"
        " OR procedure LIKE '%决定%'")}
    r = search(server, q="决定", kind="matter")
    body = r.json()
    assert r.status_code == 200, r.text
    assert len(truth) > 1000
    assert body["total_exact"] is False and body["total"] > 1000
    assert body["total_text"].startswith("约 ")
    assert body["has_more"] is True and len(body["items"]) == 10
    # within a factor of two here, where the matches spread evenly over the
    # order of indexing (the documented assumption of the estimate)
    assert len(truth) / 2 <= body["total"] <= len(truth) * 2
    # every match is still reachable, each on exactly one page
    hits, last = all_hits(server, "决定", kind="matter")
    ids = [h["ref_id"] for h in hits]
    assert len(ids) == len(set(ids)) and set(ids) == truth
    assert last["has_more"] is False
    # a narrow query on the same server stays exact
    one = search(server, q="第7号决定事项").json()
    assert one["total_exact"] is True and one["total"] == 1
    # the portal says 约 too
    page = requests.get(server.url + "/search", params={"q": "决定"}, timeout=10)
    assert "约 " in page.text and "（估算）" in page.text


def test_html_in_data_and_query_is_escaped(server):
    admin = server.login("admin")
    marker = uuid.uuid4().hex[:8]
    evil = "<script>alert(1)</script>劣迹<b>测试</b>%s" % marker
    dept = admin.get(server.url + "/api/v1/departments?per_page=1", timeout=10).json()["items"][0]
    r = admin.post(server.url + "/api/v1/matters", json={
        "department_id": dept["id"], "code": "XSS-" + marker, "name": evil,
        "power_type": "other", "legal_basis": "依据<img src=x onerror=alert(2)>劣迹条款"}, timeout=10)
    assert r.status_code in (200, 201), r.text
    hits, _ = all_hits(server, "劣迹")
    h = [h for h in hits if h["title"] == evil]
    assert h, hits
    for field in ("title_html", "snippet_html"):
        text = h[0][field]
        assert "<script" not in text and "<img" not in text and "<b>" not in text
        assert re.sub(r"</?mark>", "", text).count("<") == 0
    assert "&lt;script&gt;" in h[0]["title_html"]
    assert "<mark>劣迹</mark>" in h[0]["title_html"]
    # the query itself, echoed on the portal, is escaped too
    q = "<svg onload=alert(3)>劣迹"
    page = requests.get(server.url + "/search", params={"q": q}, timeout=10).text
    assert "<svg" not in page and "<script>alert" not in page and "<img src=x" not in page
    assert html.escape("<svg onload=alert(3)>", quote=False).replace("&gt;", "") in page or "&lt;svg" in page
    # quotes cannot break out of the FTS5 expression either
    r = search(server, q='"劣迹" OR "*"')
    assert r.status_code == 200


@pytest.mark.parametrize("params,field", [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "，。！"}, "q"),
    ({"q": "法" * 51}, "q"),
    ({"q": "行政", "kind": "secret"}, "kind"),
    ({"q": "行政", "department_id": "abc"}, "department_id"),
    ({"q": "行政", "department_id": "-1"}, "department_id"),
    ({"q": "行政", "from": "2024-13-01"}, "from"),
    ({"q": "行政", "to": "yesterday"}, "to"),
    ({"q": "行政", "page": "0"}, "page"),
    ({"q": "行政", "page": "x"}, "page"),
    ({"q": "行政", "page": "999999"}, "page"),
    ({"q": "行政", "per_page": "51"}, "per_page"),
    ({"q": "行政", "per_page": "0"}, "per_page"),
])
def test_bad_parameters_are_400(server, params, field):
    r = search(server, **params)
    assert r.status_code == 400, (params, r.text)
    err = r.json()["error"]
    assert err["field"] == field and err["code"] and err["message"]


def test_fifty_characters_is_accepted(server):
    assert search(server, q="法" * 50).status_code == 200


def test_portal_search_page(server):
    r = requests.get(server.url + "/search", params={"q": "处罚"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "<mark>处罚</mark>" in r.text
    assert 'value="处罚"' in r.text
    empty = requests.get(server.url + "/search", params={"q": "魑魅魍魉"}, timeout=10)
    assert empty.status_code == 200
    assert "没有找到“魑魅魍魉”的结果" in empty.text and "试试" in empty.text
    bad = requests.get(server.url + "/search", params={"q": "法" * 60}, timeout=10)
    assert bad.status_code == 400 and "检索词过长" in bad.text
    blank = requests.get(server.url + "/search", timeout=10)
    assert blank.status_code == 200 and 'action="/search"' in blank.text


def test_portal_pages_link_forward(server):
    r = requests.get(server.url + "/search", params={"q": "行政"}, timeout=10)
    m = re.search(r'<a href="([^"]+)" rel="next">', r.text)
    assert m, "a broad query has a next page"
    nxt = requests.get(server.url + html.unescape(m.group(1)), timeout=10)
    assert nxt.status_code == 200 and "第 2 页" in nxt.text


def han_substrings(texts, rng, count):
    """count random substrings of 1-6 Han characters from texts."""
    out = []
    runs = [run for t in texts for run in HAN.findall(t) if run]
    while len(out) < count:
        run = rng.choice(runs)
        n = rng.randint(1, min(6, len(run)))
        i = rng.randint(0, len(run) - n)
        out.append(run[i:i + n])
    return out


def test_recall_matches_a_substring_scan(server, db):
    """For 30 random 1-6 character substrings of matter names and law
    articles, every record a plain substring scan finds is in the results."""
    rng = random.Random(7)
    names = [r[0] for r in db.execute("SELECT name FROM matters")]
    arts = [r[0] for r in db.execute("SELECT text FROM law_articles")]
    queries = han_substrings(names, rng, 15) + han_substrings(arts, rng, 15)
    for q in queries:
        like = "%" + q + "%"
        want = {("matter", r[0]) for r in db.execute(
            "SELECT id FROM matters WHERE name LIKE ? OR legal_basis LIKE ? OR procedure LIKE ?",
            (like, like, like))}
        want |= {("law", r[0]) for r in db.execute(
            "SELECT id FROM law_articles WHERE text LIKE ?", (like,))}
        assert want, q
        got, _ = all_hits(server, q)
        missing = want - keys(got)
        assert not missing, (q, sorted(missing)[:5])
