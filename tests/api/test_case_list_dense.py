"""The case list's keyword filter when the keyword is common (issue 5
"Speed"): with CASE_LIST_FTS_DENSE (5,000) or more index candidates,
src/api/cases.c stops listing candidates from case_fts and walks the list's
own order with the substring test alone, stopping at the page or the bound.
That path must give the same rows, in the same order, as the substring
test over the whole table, and a total shown as a lower bound.

The cases are created through the API (the index uses zhifa's own
tokenizer, which Python's sqlite3 cannot load), several clients at once.
SQLite only: PostgreSQL has no case_fts and never takes this path.
"""
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PG

API = "/api/v1"
DENSE = 5000          # CASE_LIST_FTS_DENSE in src/api/cases.c
KEYWORD_BOUND = 200   # CASE_LIST_KEYWORD_EXACT_MAX


@pytest.mark.skipif(PG, reason="case_fts and its dense path are SQLite's")
def test_common_keyword_walks_the_list_in_order(fresh_server):
    srv = fresh_server
    url = srv.url + API
    con = srv.db()
    try:
        officers = [con.execute("SELECT officer_id FROM users WHERE username = ?", (u,)).fetchone()[0]
                    for u in ("officer1", "officer2")]
    finally:
        con.close()
    sessions = [srv.login("officer1") for _ in range(4)]

    def create(i):
        # every title holds 常见词; one in seven also 稀有词
        title = "常见词案件%d%s" % (i, "稀有词" if i % 7 == 0 else "")
        r = sessions[i % len(sessions)].post(url + "/cases", json={
            "procedure": "inspection", "title": title, "summary": "密集关键词测试",
            "source": "监督检查", "officers": officers, "parties": []}, timeout=30)
        assert r.status_code == 201, r.text

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(create, range(DENSE + 30)))
    off = sessions[0]

    def substring_ids(word, limit, offset=0):
        con = srv.db()
        try:
            return [r[0] for r in con.execute(
                "SELECT id FROM cases WHERE title LIKE ? OR case_no LIKE ? OR summary LIKE ? "
                "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
                ("%" + word + "%",) * 3 + (limit, offset)).fetchall()]
        finally:
            con.close()

    for page in (1, 2, 11):
        r = off.get(url + "/cases", params={"q": "常见词", "page": page, "sort": "-updated_at"}, timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        # the dense walk: the same rows and order as the substring test
        assert [c["id"] for c in body["items"]] == substring_ids("常见词", 20, (page - 1) * 20)
        assert body["total_exact"] is False and body["total"] == KEYWORD_BOUND
    # a word of fewer rows than the dense threshold: candidates from the
    # index, the same answer as the substring test, and an exact total up to
    # the bound (here above it)
    r = off.get(url + "/cases", params={"q": "稀有词", "sort": "-updated_at"}, timeout=30).json()
    assert [c["id"] for c in r["items"]] == substring_ids("稀有词", 20)
    assert r["total_exact"] is False and r["total"] == KEYWORD_BOUND
    # both words at once is one substring ("常见词案件7稀有词"): exactly one case
    r = off.get(url + "/cases", params={"q": "常见词案件7稀有词"}, timeout=30).json()
    assert r["total_exact"] is True and r["total"] == 1 and len(r["items"]) == 1
    # a word no case holds, beside the dense one, finds nothing
    r = off.get(url + "/cases", params={"q": "常见词不存在"}, timeout=30).json()
    assert r["total_exact"] is True and r["total"] == 0 and r["items"] == []
