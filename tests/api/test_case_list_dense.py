"""The case list's keyword filter when the keyword is common (issue 5
"Speed"): with CASE_LIST_FTS_DENSE (5,000) or more index candidates,
src/api/cases.c stops listing candidates from case_fts and walks the list's
own order with the substring test alone, stopping at the page or the bound.
That path must give the same rows, in the same order, as the substring
test over the whole table, and a total shown as a lower bound.

Candidates are counted in the department asked for (case_fts is scoped by
department, migration 0028): a word common in one department and rare or
absent in another is listed for the other from its own index entries,
exactly, with the substring test's rows and an exact total.

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

    # Another department, where 常见词 (5,030 cases of officer1's) is rare:
    # an officer of the environment bureau with three such cases of its own
    con = srv.db()
    try:
        env = con.execute("SELECT id FROM departments WHERE name = '市生态环境局'").fetchone()[0]
        env_officers = [r[0] for r in con.execute(
            "SELECT id FROM officers WHERE department_id = ? ORDER BY id LIMIT 2", (env,))]
    finally:
        con.close()
    admin = srv.login("admin")
    r = admin.post(url + "/users", json={
        "username": "dense_env", "display_name": "生态环境执法", "role": "officer",
        "department_id": env, "password": "Dense-keyword-pass-2026"}, timeout=30)
    assert r.status_code == 201, r.text
    env_off = srv.login("dense_env", "Dense-keyword-pass-2026")
    for title in ("本部门常见词甲", "本部门常见词乙", "稀有词与常见词", "别的词"):
        r = env_off.post(url + "/cases", json={
            "procedure": "inspection", "title": title, "summary": "", "source": "监督检查",
            "officers": env_officers, "parties": []}, timeout=30)
        assert r.status_code == 201, r.text

    def dept_substring_ids(word, dept):
        con = srv.db()
        try:
            return [r[0] for r in con.execute(
                "SELECT id FROM cases WHERE department_id = ? AND (title LIKE ? OR case_no LIKE ? OR "
                "summary LIKE ?) ORDER BY updated_at DESC, id DESC", (dept,) + ("%" + word + "%",) * 3)]
        finally:
            con.close()

    sup = srv.login("supervisor1")
    mine = dept_substring_ids("常见词", env)
    assert len(mine) == 3
    for who, params in ((env_off, {}), (sup, {"department_id": env})):
        # common in the city, rare here: this department's three, exactly
        body = who.get(url + "/cases", params=dict(params, q="常见词", sort="-updated_at"), timeout=30).json()
        assert [c["id"] for c in body["items"]] == mine
        assert body["total_exact"] is True and body["total"] == 3
        # common in the city, absent here
        body = who.get(url + "/cases", params=dict(params, q="常见词案件"), timeout=30).json()
        assert body["total_exact"] is True and body["total"] == 0 and body["items"] == []
        body = who.get(url + "/cases", params=dict(params, q="稀有词"), timeout=30).json()
        assert [c["id"] for c in body["items"]] == dept_substring_ids("稀有词", env)
        assert body["total_exact"] is True and body["total"] == 1
    # officer1's department still holds 5,030: the walk, bounded, in order
    market = off.user["department_id"]
    body = off.get(url + "/cases", params={"q": "常见词", "sort": "-updated_at"}, timeout=30).json()
    assert [c["id"] for c in body["items"]] == dept_substring_ids("常见词", market)[:20]
    assert body["total_exact"] is False and body["total"] == KEYWORD_BOUND
    # the supervisor's city-wide list: every department's cases, in order
    body = sup.get(url + "/cases", params={"q": "常见词", "page": 2, "sort": "-updated_at"}, timeout=30).json()
    assert [c["id"] for c in body["items"]] == substring_ids("常见词", 20, 20)
    assert body["total_exact"] is False and body["total"] == KEYWORD_BOUND
    # a case's title edited: its index entries follow, in its department
    cid = mine[0]
    r = env_off.put(url + "/cases/%d" % cid, json={"title": "改过的标题"}, timeout=30)
    assert r.status_code == 200, r.text
    body = env_off.get(url + "/cases", params={"q": "常见词"}, timeout=30).json()
    assert body["total"] == 2 and cid not in [c["id"] for c in body["items"]]
    body = env_off.get(url + "/cases", params={"q": "改过的标题"}, timeout=30).json()
    assert [c["id"] for c in body["items"]] == [cid]
    assert off.get(url + "/cases", params={"q": "改过的标题"}, timeout=30).json()["total"] == 0
