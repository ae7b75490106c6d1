"""`zhifa init DIR --database postgres://...` (issue 9): the data directory
records the URL, the database gets the schema, a database that is not empty
or a URL that is not PostgreSQL is refused before anything is created.

Runs only on PostgreSQL (make test-pg: ZHIFA_TEST_DATABASE=postgres);
skipped otherwise."""
import os
import subprocess

import pytest

from conftest import BIN, PG, PgConnection, create_pg_database, drop_pg_database

pytestmark = pytest.mark.skipif(not PG, reason="PostgreSQL run only (make test-pg)")


def init(*args):
    return subprocess.run([BIN, "init", *args], capture_output=True, text=True)


def test_init_records_the_database_and_migrates_it(tmp_path):
    url = create_pg_database()
    try:
        data = str(tmp_path / "data")
        r = init(data, "--database", url)
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(os.path.join(data, "zhifa.db"))
        assert os.path.isdir(os.path.join(data, "evidence"))
        with open(os.path.join(data, "zhifa.conf"), encoding="utf-8") as f:
            assert "database = %s\n" % url in f.read()
        con = PgConnection(url)
        try:
            version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            bureau = con.execute("SELECT name FROM departments WHERE code = 'SFJ'").fetchone()[0]
        finally:
            con.close()
        assert version >= 20 and bureau == "市司法局"
        # the CLI reads the same database through the data directory
        r = subprocess.run([BIN, "verify", "--data", data], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "校验通过" in r.stdout

        # a second data directory may not adopt it: refused, nothing created
        other = str(tmp_path / "other")
        r = init(other, "--database", url)
        assert r.returncode == 1
        assert "不是空库" in r.stderr and url not in r.stderr
        assert not os.path.exists(other)
    finally:
        drop_pg_database(url)


def test_init_refuses_a_url_that_is_not_postgres(tmp_path):
    data = str(tmp_path / "data")
    r = init(data, "--database", "mysql://localhost/x")
    assert r.returncode == 2
    assert "postgres://" in r.stderr
    assert not os.path.exists(data)


def test_init_refuses_an_unreachable_server(tmp_path):
    data = str(tmp_path / "data")
    r = init(data, "--database", "postgres://nobody@127.0.0.1:1/none")
    assert r.returncode == 1
    assert "无法连接 PostgreSQL" in r.stderr
    assert not os.path.exists(data)
