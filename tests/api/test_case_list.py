"""The case list's totals and keyword filter at scale (issue 5 "Speed"),
black-box through the API against the real SQLite file:

- the totals of the common views (department, stage, procedure, power type)
  come from case_counts (migration 0023), kept in the transaction of every
  case change: they must equal a COUNT(*) of the cases table after cases are
  created and move on, and say total_exact true;
- the keyword filter goes through case_fts: it finds a substring of the
  title and of the 立案号 once one is issued, follows a title change, and
  still answers a query with nothing indexable;
- a filter case_counts cannot answer is counted up to a bound: beyond it
  total_exact is false and total is the bound, never presented as exact;
  below it the total is exact.
"""
import re
import time

import pytest

from test_cases import World, create, doc, act

API = "/api/v1"
BOUND = 10000  # CASE_LIST_EXACT_MAX in src/api/cases.c



@pytest.fixture(scope="module")
def w(server):
    x = World()
    x.srv = server
    x.url = server.url + API
    for u in ("officer1", "officer2", "head1", "supervisor1"):
        setattr(x, u, server.login(u))
    con = server.db()
    try:
        x.market = con.execute("SELECT id FROM departments WHERE name = '市市场监督管理局'").fetchone()[0]
        x.officers = [con.execute("SELECT officer_id FROM users WHERE username = ?", (u,)).fetchone()[0]
                      for u in ("officer1", "officer2")]
        x.penalty_matter = con.execute("SELECT id FROM matters WHERE department_id = ? AND "
                                       "power_type = 'penalty' ORDER BY id", (x.market,)).fetchone()[0]
    finally:
        con.close()
    x.seq = 0
    return x


def listing(w, s, **params):
    r = s.get(w.url + "/cases", params=params, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def sql_count(w, where="1 = 1", args=()):
    con = w.srv.db()
    try:
        return con.execute("SELECT COUNT(*) FROM cases WHERE " + where, args).fetchone()[0]
    finally:
        con.close()


def check_common_views(w):
    views = [({}, "1 = 1", ())]
    for stage in ("source", "investigation", "closed"):
        views.append(({"stage": stage}, "stage = ?", (stage,)))
    for proc in ("penalty_general", "license", "inspection"):
        views.append(({"procedure": proc}, "procedure = ?", (proc,)))
    views.append(({"power_type": "penalty"}, "power_type = ?", ("penalty",)))
    views.append(({"stage": "investigation", "procedure": "penalty_general"},
                  "stage = ? AND procedure = ?", ("investigation", "penalty_general")))
    for params, where, args in views:
        sup = listing(w, w.supervisor1, **params)
        assert sup["total_exact"] is True and sup["total"] == sql_count(w, where, args), params
        own = listing(w, w.officer1, **params)
        assert own["total_exact"] is True, params
        assert own["total"] == sql_count(w, where + " AND department_id = ?", args + (w.market,)), params


def test_common_view_totals_follow_every_change(w):
    check_common_views(w)
    before = listing(w, w.officer1)["total"]
    src_before = listing(w, w.officer1, stage="source")["total"]
    c = create(w, "penalty_general", matter_id=w.penalty_matter, title="计数测试案件")
    assert listing(w, w.officer1)["total"] == before + 1
    assert listing(w, w.officer1, stage="source")["total"] == src_before + 1
    inv_before = listing(w, w.officer1, stage="investigation")["total"]
    doc(w, c["id"], "case_source")
    doc(w, c["id"], "filing_approval")
    act(w, c["id"], "file_case", s=w.head1)
    # the case left 案源登记 for 调查取证: both counts moved, the total did not
    assert listing(w, w.officer1, stage="source")["total"] == src_before
    assert listing(w, w.officer1, stage="investigation")["total"] == inv_before + 1
    assert listing(w, w.officer1)["total"] == before + 1
    # a refused action changes no count
    r = w.officer1.post(w.url + "/cases/%d/actions" % c["id"], json={"action": "decide_penalty"}, timeout=10)
    assert r.status_code in (403, 409)
    assert listing(w, w.officer1, stage="investigation")["total"] == inv_before + 1
    check_common_views(w)
    # and the counters themselves agree with the cases, group by group
    con = w.srv.db()
    try:
        kept = dict(((d, p, t, s), n) for d, p, t, s, n in con.execute(
            "SELECT department_id, procedure, power_type, stage, n FROM case_counts WHERE n <> 0"))
        real = dict(((d, p, t, s), n) for d, p, t, s, n in con.execute(
            "SELECT department_id, procedure, power_type, stage, COUNT(*) FROM cases "
            "GROUP BY department_id, procedure, power_type, stage"))
    finally:
        con.close()
    assert kept == real


def test_overdue_total_counts_cases_not_clocks(w):
    c = create(w, "penalty_general", matter_id=w.penalty_matter, title="逾期计数测试")
    con = w.srv.db()
    try:
        # two open clocks of the case, both past due: one case, counted once
        for rule in ("test_a", "test_b"):
            con.execute("INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, start_date, "
                        "due_date, state, created_at, updated_at) VALUES (?, '{}', 'case', ?, ?, '2020-01-01', "
                        "'2020-02-01', 'overdue', 0, 0)", (rule, c["id"], w.market))
        con.commit()
        want = con.execute("SELECT COUNT(*) FROM cases c WHERE c.department_id = ? AND EXISTS (SELECT 1 FROM "
                           "clocks k WHERE k.object_type = 'case' AND k.object_id = c.id AND k.done_date IS NULL "
                           "AND k.due_date < date('now', '+8 hours'))", (w.market,)).fetchone()[0]
    finally:
        con.close()
    r = listing(w, w.officer1, overdue="1", per_page=100)
    assert want >= 1 and r["total"] == want and r["total_exact"] is True
    assert c["id"] in [i["id"] for i in r["items"]] and all(i["overdue"] for i in r["items"])


def test_keyword_through_the_index(w):
    tag = "甄选%d" % int(time.time() * 1000 % 100000)
    a = create(w, "penalty_general", matter_id=w.penalty_matter, title="%s粮油批发部涉嫌销售过期食品" % tag)
    b = create(w, "penalty_general", matter_id=w.penalty_matter, title="%s批发粮油部" % tag)
    ids = lambda r: [i["id"] for i in r["items"]]
    r = listing(w, w.officer1, q="粮油批发")
    assert a["id"] in ids(r) and b["id"] not in ids(r) and r["total_exact"] is True
    assert r["total"] == len(r["items"]) or r["total"] > len(r["items"])
    # what was typed is one substring (as before the index): the tokens
    # find candidates, the substring test keeps exactly the matches
    r = listing(w, w.officer1, q="%s粮油批发部" % tag)
    assert ids(r) == [a["id"]] and r["total"] == 1
    assert listing(w, w.officer1, q="粮油部涉嫌")["total"] == 0
    # another department sees nothing of it
    assert a["id"] not in ids(listing(w, w.supervisor1, q="粮油批发", department_id=w.market + 1000))
    # a title change is followed
    r = w.officer1.put(w.url + "/cases/%d" % a["id"], json={"title": "%s农贸市场检查" % tag}, timeout=10)
    assert r.status_code == 200, r.text
    assert a["id"] not in ids(listing(w, w.officer1, q="粮油批发"))
    assert ids(listing(w, w.officer1, q="农贸市场检查")) == [a["id"]]
    # the 立案号, once issued, is found by its number
    doc(w, b["id"], "case_source")
    doc(w, b["id"], "filing_approval")
    no = act(w, b["id"], "file_case", s=w.head1)["case_no"]
    num = re.search(r"〔\d{4}〕(\d+)号", no).group(1)
    r = listing(w, w.officer1, q=no)
    assert ids(r) == [b["id"]]
    assert b["id"] in ids(listing(w, w.officer1, q="〔%s〕%s号" % (no[no.index("〔") + 1:no.index("〕")], num),
                                  per_page=100))
    # nothing indexable (punctuation): still answered, by the bounded scan
    r = listing(w, w.officer1, q="%%")
    assert r["total_exact"] is True and r["total"] == 0
    # bad input: the standard error, in Chinese
    r = w.officer1.get(w.url + "/cases", params={"q": "x" * 600}, timeout=10)
    assert r.status_code == 400 and re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"])


def test_bound_is_never_shown_as_exact(fresh_server):
    srv = fresh_server
    url = srv.url + API
    off = srv.login("officer1")
    con = srv.db()
    try:
        dept, user = con.execute("SELECT o.department_id, u.id FROM users u JOIN officers o ON o.id = "
                                 "u.officer_id WHERE u.username = 'officer1'").fetchone()
        # 10,050 cases of one department registered in January 2024: written
        # straight into the file (the API would take minutes), which is why
        # only filters counted from the cases table itself are checked here
        t0 = 1704067200 + 86400 - 8 * 3600  # 2024-01-02 00:00 in China
        con.executemany(
            "INSERT INTO cases (department_id, procedure, power_type, stage, title, stage_entered_at, "
            "created_by, created_at, updated_at) VALUES (?, 'inspection', 'inspection', 'inspect', ?, ?, ?, ?, ?)",
            [(dept, "批量案件%d" % i, t0 + i * 60, user, t0 + i * 60, t0 + i * 60) for i in range(BOUND + 50)])
        # and officer1 on every one of them: 我的案件's total is exact at any size
        off_id = con.execute("SELECT officer_id FROM users WHERE username = 'officer1'").fetchone()[0]
        con.execute("INSERT INTO case_officers (case_id, officer_id, position) SELECT id, ?, 0 FROM cases "
                    "WHERE title LIKE '批量案件%'", (off_id,))
        con.commit()
        mine = con.execute("SELECT COUNT(*) FROM case_officers WHERE officer_id = ?", (off_id,)).fetchone()[0]
    finally:
        con.close()
    r = off.get(url + "/cases", params={"officer_id": off_id}, timeout=30).json()
    assert mine > BOUND and r["total_exact"] is True and r["total"] == mine
    r = off.get(url + "/cases", params={"from": "2024-01-01", "to": "2024-01-31", "sort": "-updated_at"},
                timeout=30).json()
    assert r["total_exact"] is False and r["total"] == BOUND
    assert len(r["items"]) == 20 and all(i["created_at"] >= t0 for i in r["items"])
    # newest update first, and the next page continues it
    r2 = off.get(url + "/cases", params={"from": "2024-01-01", "to": "2024-01-31", "page": 2,
                                           "sort": "-updated_at"}, timeout=30).json()
    times = [i["updated_at"] for i in r["items"] + r2["items"]]
    assert times == sorted(times, reverse=True) and len(set(i["id"] for i in r["items"] + r2["items"])) == 40
    # a day: 1,440 of them, below the bound, so exact
    r = off.get(url + "/cases", params={"from": "2024-01-02", "to": "2024-01-02"}, timeout=30).json()
    assert r["total_exact"] is True and r["total"] == 1440
    # the unfiltered total of the rows written through the store stays exact
    assert off.get(url + "/cases", timeout=30).json()["total_exact"] is True


def test_keyword_total_is_bounded_not_faked(w):
    KEYWORD_BOUND = 200  # CASE_LIST_KEYWORD_EXACT_MAX in src/api/cases.c
    for i in range(KEYWORD_BOUND + 3):
        r = w.officer1.post(w.url + "/cases", json={"procedure": "inspection", "title": "界限测试%d号" % i},
                            timeout=10)
        assert r.status_code == 201, r.text
    r = listing(w, w.officer1, q="界限测试")
    assert r["total_exact"] is False and r["total"] == KEYWORD_BOUND and len(r["items"]) == 20
    assert all("界限测试" in i["title"] for i in r["items"])
    # a narrower keyword below the bound is exact
    r = listing(w, w.officer1, q="界限测试1", per_page=100)
    want = sum(1 for i in range(KEYWORD_BOUND + 3) if str(i).startswith("1"))
    assert r["total_exact"] is True and r["total"] == want == 111 and len(r["items"]) == 100
