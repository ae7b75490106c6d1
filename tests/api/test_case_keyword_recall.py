"""The case list's keyword filter (GET /api/v1/cases?q=) finds exactly what
it promises, on SQLite (case_fts, migration 0023) and on PostgreSQL
(case_tsv, migration 0027) alike:

- recall: every case whose title, 立案号 or summary holds the keyword (a
  Han substring of any length, Latin letters or digits from the start of a
  word, in any ASCII case) is listed;
- precision: nothing else is (the substring test after the index);
- a keyword with nothing indexable (punctuation only) is the substring test
  alone.

The corpus is random text over a small alphabet (five Han characters, a
few Latin/digit words, three punctuation marks), so short keywords recur in
many cases and across field boundaries, and the expected answer is computed
here from the cases table by the rule above. Digits and letters inside a
word are NOT found by the index ("23" in "123"): the test checks that too,
which the substring test alone would fail — so it also proves that the
index, not a scan, answered.

On PostgreSQL only: a case written around the store (straight into the
table) is found at once (its index row is pending, so the list does not
trust the index), and the server's tick then computes its row.
"""
import random
import re
import time

import pytest

from conftest import PG

API = "/api/v1"
HAN = "行政处罚款"
WORDS = ["ab", "abc", "AbC", "x1", "12", "123", "2024", "b2"]
PUNCT = ["〔", "〕", "、"]


def is_cjk(ch):
    o = ord(ch)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or o >= 0x20000
            or o == 0x3007 or 0x3040 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF)


def is_word(ch):
    return ch.isalnum() and not is_cjk(ch)


def fold(s):
    # SQLite's LIKE and PostgreSQL's ILIKE both ignore ASCII case
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in s)


def indexable(q):
    return any(is_word(c) or is_cjk(c) for c in q)


def found(text, q):
    """The keyword rule: a substring (ASCII case aside); when the keyword
    starts with a letter or digit, at the start of a word of the text."""
    t, k = fold(text or ""), fold(q)
    i = t.find(k)
    while i >= 0:
        if not (indexable(q) and is_word(k[0]) and i > 0 and is_word(t[i - 1])):
            return True
        i = t.find(k, i + 1)
    return False


def random_text(rng, parts):
    out = []
    for _ in range(parts):
        r = rng.random()
        if r < 0.55:
            out.append("".join(rng.choice(HAN) for _ in range(rng.randint(1, 6))))
        elif r < 0.85:
            out.append(rng.choice(WORDS))
        else:
            out.append(rng.choice(PUNCT))
    return "".join(out)


def listing_ids(srv, s, q):
    """Every id the list gives for q (pages of 100), with the first page's
    total and total_exact."""
    got, page, first = [], 1, None
    while True:
        r = s.get(srv.url + API + "/cases", params={"q": q, "per_page": 100, "page": page}, timeout=30)
        assert r.status_code == 200, (q, r.text)
        body = r.json()
        first = first or body
        got += [i["id"] for i in body["items"]]
        if len(body["items"]) < 100:
            return got, first["total"], first["total_exact"]
        page += 1


@pytest.fixture(scope="module")
def corpus(server):
    rng = random.Random(20261128)
    s = server.login("officer1")
    for n in range(90):
        body = {"procedure": "inspection", "title": "召回%s" % random_text(rng, rng.randint(2, 6)),
                "summary": random_text(rng, rng.randint(0, 8))}
        r = s.post(server.url + API + "/cases", json=body, timeout=10)
        assert r.status_code == 201, r.text
    con = server.db()
    try:
        dept = con.execute("SELECT o.department_id FROM users u JOIN officers o ON o.id = u.officer_id "
                           "WHERE u.username = 'officer1'").fetchone()[0]
        rows = con.execute("SELECT id, title, case_no, summary FROM cases WHERE department_id = ?",
                           (dept,)).fetchall()
    finally:
        con.close()
    return server, s, rows, rng


def keywords(rows, rng):
    """Han substrings of 1 to 6 characters taken from the corpus, and from
    mixed text, plus fixed Latin/digit and punctuation keywords."""
    texts = [t for r in rows for t in (r[1], r[3]) if t]
    out = set()
    for length in (1, 2, 2, 3, 3, 4, 4, 5, 6):
        for _ in range(3):
            t = rng.choice(texts)
            runs = re.findall("[%s]{%d,}" % (HAN, length), t)
            if runs:
                run = rng.choice(runs)
                i = rng.randrange(len(run) - length + 1)
                out.add(run[i:i + length])
    for _ in range(6):  # any substring of 2-5 characters: mixed, punctuation inside
        t = rng.choice(texts)
        if len(t) >= 5:
            i = rng.randrange(len(t) - 4)
            out.add(t[i:i + rng.randint(2, 5)])
    out.update(["ab", "AB", "abc", "12", "2024", "x", "b", "23", "行ab", "罚12", "〔2024〕", "2024〕12",
                "〔", "〕、", "、、"])
    return sorted(out)


def test_keyword_recall_and_precision(corpus):
    srv, s, rows, rng = corpus
    checked = 0
    for q in keywords(rows, rng):
        want = sorted(r[0] for r in rows if any(found(f, q) for f in (r[1], r[2], r[3])))
        got, total, exact = listing_ids(srv, s, q)
        assert sorted(got) == want, q
        assert len(got) == len(set(got)), q
        if len(want) <= 200:  # the keyword bound (CASE_LIST_KEYWORD_EXACT_MAX)
            assert exact is True and total == len(want), q
        checked += 1
    assert checked >= 20


def test_index_not_scan_decides_word_starts(corpus):
    srv, s, rows, _ = corpus
    # "23" and "b" occur inside words ("123", "ab"): a substring scan would
    # list those cases, the index (words from their start) does not
    for q in ("23", "b"):
        inside_only = [r[0] for r in rows if any(fold(q) in fold(f or "") for f in r[1:]) and
                       not any(found(f, q) for f in r[1:])]
        assert inside_only, "the corpus has %s inside a word" % q
        got, _, _ = listing_ids(srv, s, q)
        assert not set(got) & set(inside_only), q


def test_bad_keywords_are_refused_in_chinese(corpus):
    srv, s, _, _ = corpus
    r = s.get(srv.url + API + "/cases", params={"q": "行" * 600}, timeout=10)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["field"] == "q" and re.search(r"[\u4e00-\u9fff]", err["message"])


@pytest.mark.skipif(not PG, reason="case_tsv and its fill are PostgreSQL's")
def test_case_written_around_the_store_is_found_then_indexed(corpus):
    srv, s, rows, _ = corpus
    con = srv.db()
    try:
        dept, user = con.execute("SELECT o.department_id, u.id FROM users u JOIN officers o ON o.id = "
                                 "u.officer_id WHERE u.username = 'officer1'").fetchone()
        con.execute("INSERT INTO cases (department_id, procedure, power_type, stage, title, summary, "
                    "stage_entered_at, created_by, created_at, updated_at) VALUES (?, 'inspection', "
                    "'inspection', 'inspect', '直接写入处罚款检查', '', 1, ?, 1, 1)", (dept, user))
        con.commit()
        cid = con.execute("SELECT MAX(id) FROM cases").fetchone()[0]
    finally:
        con.close()
    got, _, _ = listing_ids(srv, s, "写入处罚")
    assert got == [cid]
    # the tick computes the pending row (leader, about once a second)
    deadline = time.time() + 15
    while True:
        con = srv.db()
        try:
            tsv = con.execute("SELECT tsv IS NOT NULL, (SELECT COUNT(*) FROM case_tsv WHERE tsv IS NULL) "
                              "FROM case_tsv WHERE case_id = ?", (cid,)).fetchone()
        finally:
            con.close()
        if tsv[0] and tsv[1] == 0:
            break
        assert time.time() < deadline, "the tick did not compute the pending row"
        time.sleep(0.2)
    got, _, _ = listing_ids(srv, s, "写入处罚")
    assert got == [cid]
    # a title changed around the store is pending again, and found by its new text
    con = srv.db()
    try:
        con.execute("UPDATE cases SET title = '改名后的案件' WHERE id = ?", (cid,))
        con.commit()
    finally:
        con.close()
    assert listing_ids(srv, s, "改名后")[0] == [cid]
    assert listing_ids(srv, s, "写入处罚")[0] == []
