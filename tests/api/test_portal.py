"""The public portal (issue 2, "the two front doors"): server-rendered
Chinese pages at / that need no login and no JavaScript.

Runs against the `server` fixture of conftest.py (a real zhifa with the demo
city). Library contents are read through the JSON API as a logged-in user, so
every check compares the portal with what the database really holds.
"""
import html
import re
import uuid

import pytest
import requests

HTML_TYPE = "text/html; charset=utf-8"


def get(server, path, **kw):
    return requests.get(server.url + path, timeout=10, **kw)


def api_items(session, server, path):
    """All items of a list endpoint, following pages."""
    items, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        r = session.get("%s%s%spage=%d&per_page=100" % (server.url, path, sep, page), timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def assert_html_page(r, status=200):
    assert r.status_code == status, r.text[:500]
    assert r.headers["Content-Type"] == HTML_TYPE
    text = r.text
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="zh-CN">' in text
    assert 'name="viewport"' in text
    assert text.count("<main") == 1 and "</main>" in text
    assert text.count("<h1") == 1
    # Works without JavaScript: the portal ships none.
    assert "<script" not in text.lower()
    return text


@pytest.fixture(scope="module")
def admin(server):
    return server.login("admin")


@pytest.fixture(scope="module")
def departments(server, admin):
    return api_items(admin, server, "/api/v1/departments")


def make_department(server, admin, name, **extra):
    code = "T" + uuid.uuid4().hex[:8].upper()
    body = {"code": code, "name": name}
    body.update(extra)
    r = admin.post(server.url + "/api/v1/departments", json=body, timeout=10)
    return r


def make_officer(server, admin, dept_id, name, cert, **extra):
    body = {"department_id": dept_id, "name": name, "certificate_no": cert,
            "certificate_valid_from": "2024-01-01", "certificate_valid_to": "2099-12-31",
            "categories": ["市场监管"]}
    body.update(extra)
    r = admin.post(server.url + "/api/v1/officers", json=body, timeout=10)
    assert r.status_code in (200, 201), r.text
    return r.json()


# ---- home ----

def test_home_lists_every_department_with_link_and_counts(server, departments):
    text = assert_html_page(get(server, "/"))
    assert "行政执法公示平台" in text
    assert len(departments) >= 8
    for d in departments:
        assert html.escape(d["name"], quote=True) in text, d["name"]
        assert 'href="/departments/%d"' % d["id"] in text
    # the three systems are introduced
    for s in ("行政执法公示", "执法全过程记录", "重大执法决定法制审核"):
        assert s in text
    # counts come from the database, not from the template
    d = departments[0]
    card = text[text.index('href="/departments/%d"' % d["id"]):]
    card = card[:card.index("</a>")]
    assert "执法事项 %d 项" % d["matter_count"] in card


def test_home_search_form_is_real(server):
    # The only form on the home page is the header search (issue 7): a plain
    # GET to /search, which answers.
    text = get(server, "/").text
    forms = re.findall(r"<form[^>]*>", text)
    assert len(forms) == 1 and 'action="/search"' in forms[0] and 'method="get"' in forms[0]
    assert get(server, "/search?q=%E6%89%A7%E6%B3%95").status_code == 200


def test_stylesheet_is_served_embedded_and_cacheable(server):
    text = get(server, "/").text
    m = re.search(r'<link rel="stylesheet" href="(/static/portal\.css\?v=[0-9a-f]{8})">', text)
    assert m, "stylesheet link with a content version"
    r = get(server, m.group(1))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert "immutable" in r.headers.get("Cache-Control", "")
    assert "@media" in r.text  # responsive rules
    assert "http://" not in r.text and "https://" not in r.text  # no external fonts or CDN
    r = get(server, "/static/portal.css")
    assert r.status_code == 200 and "max-age" in r.headers.get("Cache-Control", "")


def test_static_refuses_unknown_and_traversal(server):
    for path in ("/static/nope.css", "/static/", "/static/../templates/home.html",
                 "/static/%2e%2e/templates/home.html"):
        r = get(server, path)
        assert r.status_code == 404, path
        assert "{{" not in r.text


# ---- department page ----

def test_department_page_shows_units_officers_and_matters(server, admin, departments):
    d = next(x for x in departments if x["officer_count"] > 0 and x["matter_count"] > 0)
    text = assert_html_page(get(server, "/departments/%d" % d["id"]))
    assert "<h1" in text and html.escape(d["name"]) in text
    detail = admin.get(server.url + "/api/v1/departments/%d" % d["id"], timeout=10).json()
    for u in detail["units"]:
        assert html.escape(u["name"]) in text
    for field in ("address", "postcode", "phone", "email", "supervision_contact"):
        if detail.get(field):
            assert html.escape(detail[field]) in text, field

    officers = api_items(admin, server, "/api/v1/officers?department_id=%d" % d["id"])
    assert officers and len(officers) <= 50
    for o in officers:
        assert html.escape(o["certificate_no"]) in text, o["certificate_no"]
        row = text[text.index(html.escape(o["certificate_no"])) - 600:
                   text.index(html.escape(o["certificate_no"]))]
        assert html.escape(o["name"]) in row
        if o.get("unit_name"):
            assert html.escape(o["unit_name"]) in row
    # the officers table has real header cells
    assert '<th scope="col">执法证号</th>' in text

    matters = api_items(admin, server, "/api/v1/matters?department_id=%d" % d["id"])
    for m in matters:
        assert html.escape(m["code"]) in text
        assert html.escape(m["name"]) in text
        assert m["power_type_name"] in text
        for b in m.get("basis", []):
            assert html.escape(b["law_title"]) in text
    # grouped: one heading per power type present
    types = {m["power_type"] for m in matters}
    for t in types:
        assert 'id="pt-%s"' % t in text
    # remedies
    assert "行政复议" in text and "行政诉讼" in text


def test_department_headings_are_in_order(server, departments):
    text = get(server, "/departments/%d" % departments[0]["id"]).text
    levels = [int(x) for x in re.findall(r"<h([1-6])", text)]
    assert levels[0] == 1
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, levels


def test_officer_status_is_shown(server, admin, departments):
    d = departments[0]
    tag = uuid.uuid4().hex[:6].upper()
    make_officer(server, admin, d["id"], "停职测试", "TS" + tag, status="suspended")
    make_officer(server, admin, d["id"], "过期测试", "EX" + tag,
                 certificate_valid_from="2010-01-01", certificate_valid_to="2015-01-01")
    make_officer(server, admin, d["id"], "注销测试", "RV" + tag, status="revoked")
    # these sort after active officers; find the page that holds them
    texts = []
    for page in range(1, 5):
        t = get(server, "/departments/%d?page=%d" % (d["id"], page)).text
        texts.append(t)
        if "下一页" not in t:
            break
    text = "".join(texts)

    def row_of(cert):
        i = text.index(cert)
        return text[text.rindex("<tr", 0, i):text.index("</tr>", i)]

    assert "暂停执法" in row_of("TS" + tag)
    assert "证件已过期" in row_of("EX" + tag)
    assert "已注销" in row_of("RV" + tag)


def test_officers_are_paginated_by_50(server, admin):
    r = make_department(server, admin, "分页测试局" + uuid.uuid4().hex[:4])
    assert r.status_code in (200, 201), r.text
    dept_id = r.json()["id"]
    tag = uuid.uuid4().hex[:6].upper()
    certs = ["PG%s%03d" % (tag, i) for i in range(55)]
    for i, cert in enumerate(certs):
        make_officer(server, admin, dept_id, "分页%d" % i, cert)

    def shown(text):
        return {c for c in certs if c in text}

    p1 = assert_html_page(get(server, "/departments/%d" % dept_id))
    p2 = assert_html_page(get(server, "/departments/%d?page=2" % dept_id))
    assert len(shown(p1)) == 50
    assert len(shown(p2)) == 5
    assert shown(p1).isdisjoint(shown(p2))
    assert "共 55 名" in p1
    assert 'href="/departments/%d?page=2#officers"' % dept_id in p1
    assert 'href="/departments/%d?page=1#officers"' % dept_id in p2
    assert "第 1 页，共 2 页" in p1
    # nonsense and out-of-range pages do not fail
    assert shown(assert_html_page(get(server, "/departments/%d?page=abc" % dept_id))) == shown(p1)
    assert shown(assert_html_page(get(server, "/departments/%d?page=999" % dept_id))) == shown(p2)


def test_text_is_html_escaped(server, admin):
    evil = "<script>alert(1)</script>测试局" + uuid.uuid4().hex[:4]
    r = make_department(server, admin, evil, duties='职责 "引号" & <b>粗体</b>',
                        address="地址'单引号'")
    if r.status_code not in (200, 201):
        pytest.skip("the admin API refuses such a name (%s), so escaping of department "
                    "names cannot be exercised through it" % r.text[:200])
    dept_id = r.json()["id"]
    home = assert_html_page(get(server, "/"))
    page = assert_html_page(get(server, "/departments/%d" % dept_id))
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;测试局"
    for text in (home, page):
        assert "<script>alert(1)" not in text
        assert escaped in text
    assert "<title>&lt;script&gt;" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page and "&quot;引号&quot; &amp;" in page
    assert "地址&#39;单引号&#39;" in page


# ---- errors ----

def test_unknown_page_is_chinese_html_404(server):
    r = get(server, "/no/such/page")
    text = assert_html_page(r, 404)
    assert "页面不存在" in text
    assert 'href="/"' in text  # a way back home


def test_unknown_department_is_404_page(server):
    for path in ("/departments/999999", "/departments/abc", "/departments/0"):
        r = get(server, path)
        text = assert_html_page(r, 404)
        assert "页面不存在" in text, path


def test_api_paths_still_answer_json(server):
    r = get(server, "/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"]["code"] == "not_found"


def test_portal_needs_no_login_and_sets_no_cookie(server, departments):
    for path in ("/", "/departments/%d" % departments[0]["id"]):
        r = get(server, path)
        assert r.status_code == 200
        assert "Set-Cookie" not in r.headers
