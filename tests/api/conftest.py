"""Fixtures for the black-box API tests: a real zhifa server on a free port
with a fresh demo data directory.

The binary comes from $ZHIFA_BIN (the Makefile sets it; defaults to
build/zhifa). One server is shared by a test module; tests that need a
pristine database use the `fresh_server` fixture instead.

With ZHIFA_TEST_DATABASE=postgres and ZHIFA_TEST_PG_URL=postgres://user@host:port
(`make test-pg` sets both, see scripts/test-pg.sh), every server gets a fresh
PostgreSQL database instead of DIR/zhifa.db (`zhifa init --database`), and
Server.db() answers the tests' SQLite-style queries ("?" placeholders) from it.
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import re
import time
import uuid

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ZHIFA_BIN", os.path.join(ROOT, "build", "zhifa"))
PASSWORD = "demo-password-2026"
LEDGER_TABLES = ("ledger_events", "ledger_nodes", "ledger_objects", "checkpoints", "cosignatures")
# issue 8: the cockpit's precomputed figures and warnings, rewritten by a
# background tick from the records (a cache of them, not a change)
DERIVED_TABLES = ("cockpit_stats", "cockpit_meta", "warnings")
# issue 9: the leader lease is renewed every few seconds by the server itself
DERIVED_TABLES = DERIVED_TABLES + ("leader_lease",)
# issue 9: the case list's keyword index on PostgreSQL, whose pending rows
# (cases written around the store) a tick computes
DERIVED_TABLES = DERIVED_TABLES + ("case_tsv",)
PG = os.environ.get("ZHIFA_TEST_DATABASE") == "postgres"
PG_URL = os.environ.get("ZHIFA_TEST_PG_URL", "")
DEMO_USERS = ["admin", "officer1", "officer2", "reviewer1", "head1",
              "publicity1", "supervisor1", "auditor1"]


def data_database(data_dir):
    """The `database = URL` of DIR/zhifa.conf (PostgreSQL), or None."""
    try:
        with open(os.path.join(data_dir, "zhifa.conf"), encoding="utf-8") as f:
            for line in f:
                k, _, v = line.partition("=")
                if k.strip() == "database" and v.strip():
                    return v.strip()
    except OSError:
        pass
    return None


def append_events(con, rows):
    """Appends audit events to the ledger as zf_audit_write would: one
    ledger_events row each (audit_log is a view over them, migration 0025),
    idx the next leaf index, content_sha256 the SHA-256 of the detail (what
    zhifa records for an event whose object has no record row). rows:
    (at, actor_id, actor_name, action, object_type, object_id, ip,
    request_id, detail). The caller commits."""
    import hashlib
    con.executemany(
        "INSERT INTO ledger_events (idx, at, actor_id, action, object_type, object_id, content_sha256, "
        "request_id, actor_name, ip, detail, content_from) SELECT COALESCE(MAX(idx) + 1, 0), ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, 1 FROM ledger_events",
        [(r[0], r[1], r[3], r[4], r[5], hashlib.sha256(r[8].encode()).hexdigest(), r[7], r[2], r[6], r[8])
         for r in rows])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running zhifa serve process and helpers to talk to it."""

    def __init__(self, data_dir, port, proc):
        self.data_dir = data_dir
        self.port = port
        self.proc = proc
        self.url = "http://127.0.0.1:%d" % port
        self.blob = "fs"
        self.s3_prefix = ""
        self.database = data_database(data_dir)

    # Where the evidence store keeps things, for tests that look behind the
    # API (tamper, crash leftovers). With ZHIFA_TEST_BLOB=s3 (make test-s3)
    # the store is a bucket of the local s3rver, whose files live under
    # ZHIFA_TEST_S3_DIR/BUCKET/KEY._S3rver_object.
    def _s3_path(self, key):
        return os.path.join(S3_DIR, S3_BUCKET, self.s3_prefix + key) + "._S3rver_object"

    def blob_path(self, sha):
        if self.blob == "s3":
            return self._s3_path("%s/%s/%s" % (sha[:2], sha[2:4], sha))
        return os.path.join(self.data_dir, "evidence", sha[:2], sha[2:4], sha)

    def blob_trash_path(self, sha):
        if self.blob == "s3":
            return self._s3_path("trash/" + sha)
        return os.path.join(self.data_dir, "evidence", "trash", sha)

    def blob_tmp_entries(self):
        d = os.path.join(S3_DIR, S3_BUCKET, self.s3_prefix + "tmp") if self.blob == "s3" \
            else os.path.join(self.data_dir, "evidence", "tmp")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def login(self, username, password=PASSWORD):
        """Returns a requests.Session logged in as username, with the CSRF
        header set for state-changing requests."""
        s = requests.Session()
        r = s.post(self.url + "/api/v1/auth/login",
                   json={"username": username, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        s.user = r.json()["user"]
        return s

    def db(self):
        """A read connection to the server's SQLite file (or its PostgreSQL
        database, behind the same execute() interface)."""
        if getattr(self, "database", None):
            return PgConnection(self.database)
        return sqlite3.connect(os.path.join(self.data_dir, "zhifa.db"))

    def snapshot(self, tables=None):
        """Row counts and a content digest per table, to prove that a rejected
        request changed nothing."""
        con = self.db()
        if isinstance(con, PgConnection):
            return con.snapshot(tables)
        try:
            # the ledger grows with the audit trail and checkpoints are issued
            # in the background: like audit_log, it is not "a change"
            names = tables or [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                # full-text indexes use zhifa's own tokenizer, which Python's
                # sqlite3 cannot load; their shadow tables mirror tables
                # already compared
                "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT IN "
                "(SELECT v.name || s.suffix FROM sqlite_master v, (SELECT '_data' AS suffix "
                "UNION SELECT '_idx' UNION SELECT '_content' UNION SELECT '_docsize' UNION SELECT '_config') s "
                "WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%')")
                if r[0] not in LEDGER_TABLES and r[0] not in DERIVED_TABLES]
            out = {}
            for n in names:
                rows = con.execute('SELECT * FROM "%s" ORDER BY 1' % n).fetchall()
                out[n] = hash(tuple(rows))
            return out
        finally:
            con.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


BLOB = os.environ.get("ZHIFA_TEST_BLOB", "fs")
S3_ENDPOINT = os.environ.get("ZHIFA_TEST_S3_ENDPOINT", "http://127.0.0.1:4569")
S3_DIR = os.environ.get("ZHIFA_TEST_S3_DIR", "")
S3_BUCKET = "zhifa-test"


def use_s3(data):
    """Points the data directory's evidence store at the test bucket, under a
    prefix of its own so that servers do not see each other's objects."""
    prefix = "api-%s/" % os.path.basename(os.path.dirname(data))
    with open(os.path.join(data, "s3.secret"), "w") as f:
        f.write("S3RVER\n")
    with open(os.path.join(data, "zhifa.conf"), "a") as f:
        f.write("blob_store = s3\ns3_endpoint = %s\ns3_bucket = %s\ns3_access_key = S3RVER\n"
                "s3_secret_key_file = s3.secret\ns3_prefix = %s\ns3_part_size = 65536\n"
                % (S3_ENDPOINT, S3_BUCKET, prefix))
    return prefix
class PgCursor:
    def __init__(self, cur, lastrowid=None):
        self.cur = cur
        self.lastrowid = lastrowid
        self.rowcount = cur.rowcount

    @staticmethod
    def _row(r):
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)

    def fetchone(self):
        r = self.cur.fetchone()
        return None if r is None else self._row(r)

    def fetchall(self):
        return [self._row(r) for r in self.cur.fetchall()]

    def __iter__(self):
        return iter(self.fetchall())


class PgConnection:
    """The slice of sqlite3.Connection the tests use, on PostgreSQL."""

    def __init__(self, url):
        import psycopg2  # Debian python3-psycopg2; needed only here
        self.con = psycopg2.connect(url)
        self.con.autocommit = True

    def execute(self, sql, params=()):
        cur = self.con.cursor()
        # the tests' few SQLite-isms: the table catalogue
        sql = sql.replace("sqlite_master", "(SELECT table_name AS name, 'table' AS type FROM "
                          "information_schema.tables WHERE table_schema = current_schema()) AS m")
        sql = sql.replace("<< level", "<< CAST(level AS INTEGER)")  # bigint << bigint: SQLite only
        # SQLite's date('now'[, '+8 hours']): today's UTC (or China) date as text
        sql = sql.replace("date('now', '+8 hours')",
                          "to_char(now() AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')")
        sql = sql.replace("date('now')", "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
        # date(x, 'unixepoch'): the UTC date of Unix seconds x
        sql = re.sub(r"\bdate\(([^,()]+), 'unixepoch'\)",
                     r"to_char(to_timestamp(\1) AT TIME ZONE 'UTC', 'YYYY-MM-DD')", sql)
        m = re.match(r'\s*PRAGMA busy_timeout\s*=\s*(\d+)\s*$', sql)
        if m:  # how long to wait for a writer's lock: PostgreSQL's lock_timeout
            sql = "SET lock_timeout = %d" % int(m.group(1))
        m = re.match(r'\s*PRAGMA table_info\("?(\w+)"?\)\s*$', sql)
        if m:  # rows shaped as SQLite's: (cid, name, type, notnull, default, pk)
            sql = ("SELECT ordinal_position - 1, column_name, data_type, 0, NULL, 0 FROM "
                   "information_schema.columns WHERE table_schema = current_schema() AND "
                   "table_name = '%s' ORDER BY ordinal_position" % m.group(1))
        text = sql.replace("%", "%%").replace("?", "%s") if params else sql
        if sql.lstrip().upper().startswith("INSERT") and "RETURNING" not in sql.upper():
            # sqlite3's cursor.lastrowid, for tables with an id column
            import psycopg2
            try:
                cur.execute(text + " RETURNING id", tuple(params) or None)
                return PgCursor(cur, cur.fetchone()[0])
            except psycopg2.errors.UndefinedColumn:
                cur = self.con.cursor()
        cur.execute(text, tuple(params) or None)
        return PgCursor(cur)

    def executemany(self, sql, rows):
        # sqlite3's executemany: one statement per row, sent in batches
        import psycopg2.extras
        cur = self.con.cursor()
        psycopg2.extras.execute_batch(cur, sql.replace("%", "%%").replace("?", "%s"),
                                      [tuple(r) for r in rows], page_size=1000)
        return PgCursor(cur)

    def commit(self):
        pass

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def snapshot(self, tables=None):
        try:
            names = tables or [r[0] for r in self.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_type = 'BASE TABLE'")
                if r[0] not in LEDGER_TABLES and r[0] not in DERIVED_TABLES]
            # sorted whole rows: PostgreSQL returns ties of "ORDER BY 1" in any order
            return {n: hash(tuple(sorted(self.execute('SELECT * FROM "%s"' % n).fetchall(), key=repr)))
                    for n in names}
        finally:
            self.close()


def create_pg_database():
    """A new empty database on the test cluster; returns its URL."""
    name = "zt_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", PG_URL + "/postgres", "-qc", "CREATE DATABASE " + name],
                   check=True, capture_output=True)
    return PG_URL + "/" + name


def drop_pg_database(url):
    name = url.rsplit("/", 1)[1]
    subprocess.run(["psql", PG_URL + "/postgres", "-qc", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name],
                   capture_output=True)


def init_data_dir(data, demo=True):
    """zhifa init DATA (--demo): on the backend the run is testing. Returns
    the PostgreSQL URL, or None for SQLite."""
    args = [BIN, "init", data] + (["--demo"] if demo else [])
    database = create_pg_database() if PG else None
    if database:
        args += ["--database", database]
    subprocess.run(args, check=True, capture_output=True)
    return database


def start_server(extra_env=None):
    data_dir = tempfile.mkdtemp(prefix="zhifa-api-")
    data = os.path.join(data_dir, "data")
    init_data_dir(data)
    prefix = use_s3(data) if BLOB == "s3" else ""
    port = free_port()
    env = dict(os.environ)
    env.update(extra_env or {})
    log = open(os.path.join(data_dir, "server.log"), "wb")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    srv = Server(data, port, proc)
    srv.root = data_dir
    srv.blob = BLOB
    srv.s3_prefix = prefix
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                return srv
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    srv.stop()
    raise RuntimeError("zhifa did not start; see " + os.path.join(data_dir, "server.log"))


def stop_server(srv):
    srv.stop()
    shutil.rmtree(srv.root, ignore_errors=True)
    if getattr(srv, "database", None):
        drop_pg_database(srv.database)


@pytest.fixture(scope="module")
def server():
    srv = start_server()
    yield srv
    stop_server(srv)


@pytest.fixture
def fresh_server():
    srv = start_server()
    yield srv
    stop_server(srv)
