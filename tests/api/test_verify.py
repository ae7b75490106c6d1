"""`zhifa verify`: tamper tests (issue 4), on both backends (issue 9).

A server runs, takes writes and signs checkpoints, then stops. Each case
copies the stopped deployment, alters one thing behind zhifa's back with SQL
(or on disk), and expects `zhifa verify` to exit 1 naming it; the untouched
copy must verify (exit 0).

A copy of a stopped deployment is its data directory and, on PostgreSQL
(ZHIFA_TEST_DATABASE=postgres), its database too: CREATE DATABASE ... TEMPLATE
the server's database (nothing is connected to it once the server stops),
with the copy's zhifa.conf naming the copy, which is dropped after the test.
The tampering goes through sqlite3 or psycopg2 (conftest.PgConnection), one
statement for both where it can be: what the two write differently as
literals (a blob, a newline) is bound as a parameter, and a statement with
no common form carries its PostgreSQL twin beside it in the table of cases
(twin()), with the same expectation. Nothing here is skipped on either.
"""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BIN, PG, PG_URL, PgConnection, data_database, drop_pg_database, start_server, stop_server

API = "/api/v1"
COMPLAINT_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def stopped():
    srv = start_server()
    admin = srv.login("admin")
    con = srv.db()
    dept = con.execute("SELECT id FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    for i in range(5):
        r = admin.put(srv.url + API + "/departments/%d" % dept, json={"phone": "0571-1234%04d" % i}, timeout=10)
        assert r.status_code == 200, r.text
        time.sleep(0.3 if i % 2 else 0)
    # a complaint with an attachment, through the public form (DATA/complaint-files)
    s = requests.Session()
    page = s.get(srv.url + "/complaints", timeout=10).text
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    r = s.post(srv.url + "/complaints", timeout=10,
               data={"form_token": token, "department_id": str(dept), "subject_kind": "department",
                     "subject_text": "", "content": "窗口推诿，附现场照片。", "website": ""},
               files=[("attachments", ("现场.png", COMPLAINT_PNG, "image/png"))])
    assert r.status_code == 201, r.text
    requests.get(srv.url + API + "/users", timeout=10)  # an anonymous refusal (no audit row)
    srv.login("officer1").get(srv.url + API + "/users", timeout=10)  # a logged refusal
    # wait for the last checkpoint to cover everything
    con = srv.db()
    n = con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
    con.close()
    deadline = time.time() + 5
    while time.time() < deadline:
        r = requests.get(srv.url + API + "/ledger/checkpoint", timeout=10)
        if r.status_code == 200 and r.json()["tree_size"] == n:
            break
        time.sleep(0.1)
    srv.stop()
    yield srv
    stop_server(srv)


def copy_database(url):
    """A copy of the stopped server's PostgreSQL database (a template copy:
    PostgreSQL refuses while anything is connected to the source, and waits
    a few seconds for connections that are closing). Returns its URL."""
    src = url.rsplit("/", 1)[1]
    name = "zt_" + uuid.uuid4().hex[:12]
    r = subprocess.run(["psql", PG_URL + "/postgres", "-qc", "CREATE DATABASE %s TEMPLATE %s" % (name, src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return PG_URL + "/" + name


@pytest.fixture
def data(stopped, tmp_path):
    """A copy of the stopped deployment: its data directory and, on
    PostgreSQL, its database (named by the copy's zhifa.conf)."""
    dst = str(tmp_path / "data")
    shutil.copytree(stopped.data_dir, dst)
    url = None
    if stopped.database:
        url = copy_database(stopped.database)
        conf = os.path.join(dst, "zhifa.conf")
        with open(conf, encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(conf, "w", encoding="utf-8") as f:
            f.write("".join("database = %s\n" % url if l.partition("=")[0].strip() == "database" else l + "\n"
                            for l in lines))
        assert data_database(dst) == url
    yield dst
    if url:
        drop_pg_database(url)


def connect(data):
    """A connection to the copy's database, whichever the backend."""
    url = data_database(data)
    return PgConnection(url) if url else sqlite3.connect(os.path.join(data, "zhifa.db"))


def twin(sqlite, postgres):
    """A tamper statement that is written differently on each backend (same
    effect, same expectation): the one for the backend under test."""
    return postgres if PG else sqlite


def verify(data):
    return subprocess.run([BIN, "verify", "--data", data], capture_output=True, text=True, timeout=120)


def sql(data, *statements):
    """Runs the statements on one connection (a statement is SQL or (SQL,
    parameters)). Every INSERT, UPDATE and DELETE must change a row: a tamper
    that changes nothing would make its case pass or fail for the wrong
    reason."""
    con = connect(data)
    try:
        for s in statements:
            q, params = s if isinstance(s, tuple) else (s, ())
            cur = con.execute(q, params)
            if q.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                assert cur.rowcount >= 1, "the tamper changed nothing: %s" % q
        con.commit()
    finally:
        con.close()


def one(data, q):
    con = connect(data)
    try:
        return con.execute(q).fetchone()
    finally:
        con.close()


def test_untouched_directory_verifies(stopped, data):
    assert one(data, "SELECT COUNT(*) FROM checkpoints")[0] >= 2
    r = verify(data)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "校验通过" in r.stdout
    n = one(data, "SELECT COUNT(*) FROM ledger_events")[0]
    assert "%d 条事件" % n in r.stdout


def last_idx(data):
    return one(data, "SELECT MAX(idx) FROM ledger_events")[0]


def idx_of(data, action):
    return one(data, "SELECT MAX(idx) FROM ledger_events WHERE action = '%s'" % action)[0]


# One row per event (migration 0025): the audit columns sit beside the hashed
# fields in ledger_events, and audit_log is a view over it, so tampering means
# changing ledger_events, audit_log_legacy, ledger_objects, ledger_nodes,
# checkpoints or the record tables.
CASES = [
    # (name, function(data) -> list of SQL, expected substrings in the report)
    ("event action changed", lambda d: ["UPDATE ledger_events SET action = 'login' WHERE idx = 3"],
     ["ledger_events 叶子 2 或 3", "被改动"]),
    ("event time changed", lambda d: ["UPDATE ledger_events SET at = at + 1 WHERE idx = 7"],
     ["ledger_events 叶子 6 或 7"]),
    ("event actor changed", lambda d: ["UPDATE ledger_events SET actor_id = 2 WHERE idx = %d"
                                       % idx_of(d, "department_update")],
     ["ledger_events 叶子", "被改动"]),
    ("event content hash changed", lambda d: ["UPDATE ledger_events SET content_sha256 = '%s' WHERE idx = 12"
                                              % ("0" * 64)],
     ["ledger_events 叶子 12 或 13"]),
    ("event made unreadable", lambda d: ["UPDATE ledger_events SET content_sha256 = 'x' WHERE idx = 15"],
     ["ledger_events 叶子 15：", "无法规范化"]),
    ("event deleted in the middle", lambda d: ["DELETE FROM ledger_events WHERE idx = 10"],
     ["缺少叶子 10"]),
    ("last event deleted", lambda d: ["DELETE FROM ledger_events WHERE idx = %d" % last_idx(d)],
     ["checkpoints", "事件被删除"]),
    ("event inserted past the end", lambda d: ["INSERT INTO ledger_events SELECT idx + 2, at, actor_id, action, "
                                               "object_type, object_id, content_sha256, request_id, actor_name, ip, "
                                               "detail, content_from FROM ledger_events WHERE idx = %d" % last_idx(d)],
     ["缺少叶子"]),
    ("event inserted before the first", lambda d: ["INSERT INTO ledger_events SELECT -1, at, actor_id, action, "
                                                   "object_type, object_id, content_sha256, request_id, actor_name, "
                                                   "ip, detail, content_from FROM ledger_events WHERE idx = 0"],
     ["ledger_events 叶子 -1", "在 zhifa 之外插入"]),
    ("audit detail changed", lambda d: ["UPDATE ledger_events SET detail = 'nothing happened' WHERE idx = %d"
                                        % idx_of(d, "forbidden")],
     ["audit_log 第", "说明 detail 与事件记录的摘要不符"]),
    ("content source changed", lambda d: ["UPDATE ledger_events SET content_from = 2 WHERE idx = %d"
                                          % idx_of(d, "forbidden")],
     ["content_from 无效"]),
    ("legacy audit row inserted", lambda d: ["INSERT INTO audit_log_legacy (id, at, actor_id, actor_name, action, "
                                             "object_type, object_id, ip, request_id, detail, content_sha256) "
                                             "VALUES (20, 1700000000, 1, 'admin', 'login', '', '', '', '', '', '')"],
     ["audit_log_legacy 第 20 行"]),
    ("object lookup row deleted", lambda d: ["DELETE FROM ledger_objects WHERE idx = 5"],
     ["ledger_objects：缺少叶子 5"]),
    ("object lookup row inserted", lambda d: ["INSERT INTO ledger_objects VALUES ('officer', '999', 4)"],
     ["ledger_objects：叶子 4"]),
    # a hash is bound as bytes: SQLite's X'..' literal is a bit string on PostgreSQL
    ("node changed", lambda d: [("UPDATE ledger_nodes SET hash = ? WHERE level = 3 AND idx = 2", (b"\xab" * 32,))],
     ["ledger_nodes 节点 (3, 2)"]),
    ("node deleted", lambda d: ["DELETE FROM ledger_nodes WHERE level = 1 AND idx = 5"],
     ["ledger_nodes 第 1 层"]),
    ("node inserted", lambda d: [("INSERT INTO ledger_nodes VALUES (1, 1000000, ?)", (b"\xcd" * 32,))],
     ["ledger_nodes 节点 (1, 1000000)"]),
    ("checkpoint root changed", lambda d: ["UPDATE checkpoints SET root_hash = '%s' WHERE id = 1" % ("ef" * 32)],
     ["checkpoints 第 1 行"]),
    ("checkpoint note forged", lambda d: ["UPDATE checkpoints SET note = replace(note, 'time 20', 'time 19') "
                                          "WHERE id = 1"],
     ["checkpoints 第 1 行", "签名无效"]),
    # the note's size line, "\n<size>\n", with the newline bound (char(10) on SQLite is chr(10) on PostgreSQL)
    ("checkpoint inserted", lambda d: [("INSERT INTO checkpoints (tree_size, root_hash, timestamp, created_at, note, "
                                        "signature, key_id, algorithm) SELECT tree_size - 1, root_hash, timestamp, "
                                        "created_at, replace(note, ? || tree_size || ?, ? || (tree_size - 1) || ?), "
                                        "signature, key_id, algorithm FROM checkpoints WHERE id = 1", ("\n",) * 4)],
     ["checkpoints 第", "签名无效"]),
    ("officer changed", lambda d: ["UPDATE officers SET name = '李四' WHERE id = 2"],
     ["officers 第 2 行"]),
    # should anything reference the officer, it is left dangling, as a raw delete would: SQLite's foreign
    # keys off for the connection (already off in Python's sqlite3); on PostgreSQL the replica role, under
    # which no trigger, so no foreign key check, fires
    ("officer deleted", lambda d: [twin("PRAGMA foreign_keys = OFF", "SET session_replication_role = replica"),
                                   "DELETE FROM officers WHERE id = "
                                   "(SELECT MAX(id) FROM officers WHERE id NOT IN (SELECT COALESCE(officer_id, 0) "
                                   "FROM users))"],
     ["officers 第", "已被删除"]),
    ("officer inserted", lambda d: ["INSERT INTO officers (department_id, name, certificate_no, "
                                    "certificate_valid_from, certificate_valid_to, created_at, updated_at) "
                                    "VALUES (1, '王五', 'TAMPER-1', '2024-01-01', '2030-01-01', 0, 0)"],
     ["officers 第", "在 zhifa 之外插入"]),
    ("password hash changed", lambda d: ["UPDATE users SET password_hash = 'x' WHERE username = 'admin'"],
     ["users 第"]),
    ("department changed", lambda d: ["UPDATE departments SET phone = '110' WHERE id = "
                                      "(SELECT MIN(id) FROM departments)"],
     ["departments 第"]),
]


def test_unsigned_tail_is_reported_not_failed(data):
    """An event after the newest checkpoint looks exactly like an append of
    the last second: reported as not yet signed, not as a failure."""
    last = last_idx(data)
    sql(data, "INSERT INTO ledger_events SELECT idx + 1, at, actor_id, action, object_type, object_id, "
              "content_sha256, request_id, actor_name, ip, detail, content_from FROM ledger_events WHERE idx = %d"
              % last)
    r = verify(data)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "叶子 %d 至 %d 尚未被检查点签名" % (last + 1, last + 1) in r.stdout, r.stdout


@pytest.mark.parametrize("name,change,expect", CASES, ids=[c[0] for c in CASES])
def test_tampering_is_named(data, name, change, expect):
    sql(data, *change(data))
    r = verify(data)
    assert r.returncode == 1, "%s went unnoticed:\n%s%s" % (name, r.stdout, r.stderr)
    assert "校验失败" in r.stdout
    for e in expect:
        assert e in r.stdout, "%s: expected %r in:\n%s" % (name, e, r.stdout)


def test_evidence_files_are_checked(data):
    if not one(data, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'evidence_files'")[0]:
        pytest.skip("no evidence store in this build")
    content = b"evidence bytes"
    h = hashlib.sha256(content).hexdigest()
    row = one(data, "SELECT id FROM evidence_files WHERE state = 'stored' LIMIT 1")
    if row is None:
        con = connect(data)
        try:
            cols = {r[1] for r in con.execute("PRAGMA table_info(evidence_files)").fetchall()}
        finally:
            con.close()
        assert {"sha256", "state"} <= cols
        sql(data, "INSERT INTO evidence_files (sha256, size, kind, department_id, retention, created_by, created_at) "
                  "VALUES ('%s', %d, 'photo', 1, 'routine', 1, 0)" % (h, len(content)))
    else:
        h = one(data, "SELECT sha256 FROM evidence_files WHERE id = %d" % row[0])[0]
    path = os.path.join(data, "evidence", h[:2], h[2:4], h)
    if row is None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
    # a missing file
    saved = open(path, "rb").read()
    os.unlink(path)
    r = verify(data)
    assert r.returncode == 1 and "证据文件" in r.stdout and h in r.stdout, r.stdout
    # a flipped byte
    with open(path, "wb") as f:
        f.write(bytes([saved[0] ^ 1]) + saved[1:])
    r = verify(data)
    assert r.returncode == 1 and "内容与其哈希值不符" in r.stdout and h in r.stdout, r.stdout


def test_complaint_attachments_are_checked(data):
    """A complaint's attachment is a file a record names: missing or altered,
    verify names it."""
    h = one(data, "SELECT sha256 FROM complaint_attachments ORDER BY id LIMIT 1")[0]
    assert h == hashlib.sha256(COMPLAINT_PNG).hexdigest()
    path = os.path.join(data, "complaint-files", h[:2], h[2:4], h)
    saved = open(path, "rb").read()
    os.unlink(path)
    r = verify(data)
    assert r.returncode == 1 and "投诉附件" in r.stdout and "缺失" in r.stdout and h in r.stdout, r.stdout
    with open(path, "wb") as f:
        f.write(bytes([saved[0] ^ 1]) + saved[1:])
    r = verify(data)
    assert r.returncode == 1 and "投诉附件" in r.stdout and "内容与其哈希值不符" in r.stdout, r.stdout
    with open(path, "wb") as f:
        f.write(saved)
    r = verify(data)
    assert r.returncode == 0, r.stdout
