"""`zhifa migrate-store --from DIR --to postgres://…` (issue 9; run by
`make test-multi`). A SQLite demo deployment gets cases, evidence and a few
checkpoints through a real server, then moves to a throw-away PostgreSQL
cluster: every table's rows arrive, the ledger proves equal, DIR/zhifa.conf
names the target only after success, and a server on the moved DIR works
(login, evidence content, search, new ids past the copied ones). Refusals
change nothing."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time

import pytest
import requests

from test_multi import BIN, PASSWORD, ROOT, free_port, psql, wait_healthy


def serve(data, root, name):
    port = free_port()
    log = open(os.path.join(root, name + ".log"), "ab")
    p = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                         stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = "http://127.0.0.1:%d" % port
    wait_healthy(url, p)
    return p, url


def login(url, user):
    s = requests.Session()
    r = s.post(url + "/api/v1/auth/login", json={"username": user, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


@pytest.fixture(scope="module")
def env():
    if not os.path.exists("/usr/lib/postgresql/15/bin/initdb"):
        pytest.skip("needs postgresql-15")
    root = tempfile.mkdtemp(prefix="zhifa-migrate-")
    os.chmod(root, 0o755)
    pgdir = os.path.join(root, "pg")
    base = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pgdir],
                          check=True, capture_output=True, text=True).stdout.strip()
    yield root, base
    subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", pgdir], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


def make_deployment(root):
    data = os.path.join(root, "data")
    subprocess.run([BIN, "init", data, "--demo"], check=True, capture_output=True)
    p, url = serve(data, root, "sqlite")
    try:
        s = login(url, "officer1")
        con = sqlite3.connect(os.path.join(data, "zhifa.db"))
        officers = [r[0] for r in con.execute(
            "SELECT officer_id FROM users WHERE username IN ('officer1', 'officer2') ORDER BY username")]
        con.close()
        evidence = []
        for i in range(3):
            content = hashlib.sha256(b"migrate-%d" % i).digest() * 50
            r = s.put(url + "/api/v1/evidence/raw", params={"kind": "scan"}, data=content, timeout=10)
            assert r.status_code == 201, r.text
            evidence.append((r.json()["id"], content))
            r = s.post(url + "/api/v1/cases", json={
                "procedure": "penalty_general", "title": "迁移测试案件%d" % i, "summary": "迁移",
                "source": "监督检查", "officers": officers,
                "parties": [{"kind": "自然人", "name": "张迁移"}]}, timeout=10)
            assert r.status_code == 201, r.text
            time.sleep(1.2)  # the ledger tick signs a checkpoint for each
        # wait until a checkpoint covers the whole ledger
        deadline = time.time() + 20
        while time.time() < deadline:
            con = sqlite3.connect(os.path.join(data, "zhifa.db"))
            n = con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
            cp = con.execute("SELECT COALESCE(MAX(tree_size), 0), COUNT(*) FROM checkpoints").fetchone()
            con.close()
            if cp[0] == n and cp[1] >= 3:
                break
            time.sleep(0.5)
        assert cp[0] == n and cp[1] >= 3, (n, cp)
    finally:
        p.terminate()
        p.wait(10)
    return data, evidence


def sqlite_counts(data):
    con = sqlite3.connect(os.path.join(data, "zhifa.db"))
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT IN (SELECT v.name || s.suffix FROM "
        "sqlite_master v, (SELECT '_data' AS suffix UNION SELECT '_idx' UNION SELECT '_content' "
        "UNION SELECT '_docsize' UNION SELECT '_config') s WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%') "
        "AND name NOT IN ('schema_version', 'search_queue')")]
    out = {n: con.execute('SELECT COUNT(*) FROM "%s"' % n).fetchone()[0] for n in names}
    con.close()
    return out


def test_refusals_change_nothing(env):
    root, base = env
    r = subprocess.run([BIN, "migrate-store", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "migrate-store --from DIR --to" in r.stdout
    r = subprocess.run([BIN, "migrate-store", "--from", "/nonexistent", "--to", "mysql://x"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "postgres://" in r.stderr
    data = os.path.join(root, "small")
    subprocess.run([BIN, "init", data], check=True, capture_output=True)
    conf = open(os.path.join(data, "zhifa.conf")).read()
    # a target that already has tables is refused, and left as it was
    psql(base + "/postgres", "CREATE DATABASE busy")
    psql(base + "/busy", "CREATE TABLE mine (x INTEGER)")
    r = subprocess.run([BIN, "migrate-store", "--from", data, "--to", base + "/busy"], capture_output=True, text=True)
    assert r.returncode == 1 and "不是空库" in r.stderr, r.stderr
    assert open(os.path.join(data, "zhifa.conf")).read() == conf
    assert psql(base + "/busy", "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public'") == [["mine"]]


def test_moves_a_deployment_and_proves_it(env):
    root, base = env
    data, evidence = make_deployment(root)
    counts = sqlite_counts(data)
    assert counts["cases"] > 0 and counts["evidence_files"] >= 3 and counts["checkpoints"] >= 3
    before = subprocess.run([BIN, "verify", "--data", data], capture_output=True, text=True)
    assert before.returncode == 0, before.stdout
    psql(base + "/postgres", "CREATE DATABASE moved")
    target = base + "/moved"
    r = subprocess.run([BIN, "migrate-store", "--from", data, "--to", target], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # the proof it printed: the same root before and after
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("台账：迁移")]
    assert len(lines) == 2 and lines[0].split("，")[1] == lines[1].split("，")[1], lines
    # DIR now names the target; every table arrived whole
    assert "database = " + target in open(os.path.join(data, "zhifa.conf")).read()
    for name, n in counts.items():
        got = int(psql(target, 'SELECT COUNT(*) FROM "%s"' % name)[0][0])
        assert got == n, (name, n, got)
    # the case list's keyword index (case_tsv, for SQLite's case_fts): one
    # computed row per case, none left pending
    assert [int(x) for x in psql(target, "SELECT COUNT(*), COUNT(tsv) FROM case_tsv")[0]] == \
        [counts["cases"]] * 2
    # verify on DIR (now PostgreSQL) prints the root verify printed on SQLite
    after = subprocess.run([BIN, "verify", "--data", data], capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + after.stderr
    assert before.stdout.splitlines()[0] == after.stdout.splitlines()[0]
    # a server on the moved deployment: the same accounts, evidence, search,
    # and new rows get ids after the copied ones
    p, url = serve(data, root, "pg")
    try:
        s = login(url, "officer1")
        for eid, content in evidence:
            r = s.get(url + "/api/v1/evidence/%d/content" % eid, params={"reason": "迁移核对"}, timeout=10)
            assert r.status_code == 200 and r.content == content, r.status_code
        max_case = int(psql(target, "SELECT MAX(id) FROM cases")[0][0])
        officers = [int(x[0]) for x in psql(target, "SELECT officer_id FROM users WHERE username IN "
                                                   "('officer1', 'officer2') ORDER BY username")]
        r = s.post(url + "/api/v1/cases", json={
            "procedure": "penalty_general", "title": "迁移后案件", "summary": "迁移后", "source": "监督检查",
            "officers": officers, "parties": [{"kind": "自然人", "name": "李迁移"}]}, timeout=10)
        assert r.status_code == 201 and r.json()["id"] == max_case + 1, r.text
        # the case list's keyword finds a copied case through that index
        cid, ctitle = psql(target, "SELECT c.id, c.title FROM cases c JOIN officers o ON o.department_id = "
                                   "c.department_id JOIN users u ON u.officer_id = o.id WHERE u.username = "
                                   "'officer1' AND c.id < %d ORDER BY c.id LIMIT 1" % max_case)[0]
        r = s.get(url + "/api/v1/cases", params={"q": ctitle[:4], "per_page": 100}, timeout=10)
        assert r.status_code == 200 and int(cid) in [i["id"] for i in r.json()["items"]], r.text
        # the portal's search finds a law article of the demo library (tsv rebuilt)
        title = psql(target, "SELECT title FROM search_docs WHERE kind = 'law' ORDER BY id LIMIT 1")[0][0]
        assert int(psql(target, "SELECT COUNT(*) FROM search_docs WHERE tsv IS NULL")[0][0]) == 0
        r = requests.get(url + "/search", params={"q": title[:4]}, timeout=10)
        assert r.status_code == 200 and title[:4] in r.text
    finally:
        p.terminate()
        p.wait(10)
    # a second run is refused: the target has a schema now, DIR uses it
    r = subprocess.run([BIN, "migrate-store", "--from", data, "--to", target], capture_output=True, text=True)
    assert r.returncode == 1
