"""The command line: help, usage errors, init, user administration, version.

Account commands run against the data directory of a live server (SQLite in
WAL mode allows it), and their effect is checked through the API.
"""
import base64
import hashlib
import hmac
import os
import re
import shutil
import stat
import struct
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BIN, PASSWORD

API = "/api/v1"
COMMANDS = ["init", "serve", "user", "import", "version", "help"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def zhifa(*args, stdin=None, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("ZHIFA_DATA", None)
    e.pop("ZHIFA_LISTEN", None)
    e.update(env or {})
    return subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True, env=e,
                          timeout=timeout)


def login(srv, username, password, totp=None):
    body = {"username": username, "password": password}
    if totp:
        body["totp"] = totp
    return requests.post(srv.url + API + "/auth/login", json=body, timeout=10)


def dept_code(srv, name_suffix="市场监督管理局"):
    con = srv.db()
    try:
        return con.execute("SELECT code FROM departments WHERE name LIKE ? ORDER BY id LIMIT 1",
                           ("%" + name_suffix,)).fetchone()[0]
    finally:
        con.close()


def tree_state(root):
    """Every file under root with its size, mode, mtime and content hash."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            h = None
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mode, st.st_mtime_ns, h)
    return out


@pytest.fixture
def tmpdir_path():
    d = tempfile.mkdtemp(prefix="zhifa-cli-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---- help ----

def test_top_level_help():
    for args in (["--help"], ["-h"], ["help"]):
        p = zhifa(*args)
        assert p.returncode == 0, (args, p.stderr)
        for c in COMMANDS:
            assert re.search(r"^\s+%s\s" % c, p.stdout, re.M), "command %s missing from %s help" % (c, args)
        assert CJK.search(p.stdout)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help(cmd):
    p = zhifa(cmd, "--help")
    assert p.returncode == 0, p.stderr
    assert "用法" in p.stdout or "usage" in p.stdout.lower(), \
        "`zhifa %s --help` should print the command's usage, got: %r" % (cmd, p.stdout[:200])
    assert cmd in p.stdout, p.stdout[:200]


@pytest.mark.parametrize("cmd", ["init", "serve", "user", "import"])
def test_help_command_shows_command_help(cmd):
    p = zhifa("help", cmd)
    assert p.returncode == 0, p.stderr
    assert p.stdout == zhifa(cmd, "--help").stdout


def test_help_user_lists_subcommands():
    p = zhifa("help", "user")
    assert p.returncode == 0
    for sub in ("add", "passwd", "disable", "list", "reset-totp", "unlock"):
        assert sub in p.stdout, sub


def test_version():
    p = zhifa("version")
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(r"zhifa \d+\.\d+\.\d+\S*\n", p.stdout), p.stdout
    assert zhifa("--version").stdout == p.stdout


# ---- usage errors ----

@pytest.mark.parametrize("args", [
    ["no-such-command"], ["init"], ["init", "a", "b"], ["init", "--bogus", "x"], ["serve", "--bogus"],
    ["serve", "--listen"], ["serve", "--data", "/nonexistent", "--listen", "not-an-address"],
    ["user", "frob"], ["user", "disable"], ["user", "disable", "a", "b"], ["user", "passwd"],
    ["user", "add", "someone"], ["user", "add", "someone", "--role", "emperor", "--dept", "X"],
    ["help", "no-such-command"], ["import"], ["import", "laws"], ["import", "recipes", "x"],
    ["version", "--bogus"],
])
def test_usage_error_exits_2_with_one_line(args, tmpdir_path):
    # commands that open a data directory get a real one, so that the usage
    # error itself is what is tested
    if "/nonexistent" in args or args[:2] == ["user", "add"]:
        data = os.path.join(tmpdir_path, "d")
        subprocess.run([BIN, "init", data], check=True, capture_output=True)
        args = [data if a == "/nonexistent" else a for a in args]
        if "--data" not in args:
            args = args + ["--data", data]
    p = zhifa(*args, stdin="")
    assert p.returncode == 2, "zhifa %s: expected exit 2, got %d (stderr %r)" % (
        " ".join(args), p.returncode, p.stderr)
    lines = p.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].strip(), "zhifa %s: expected a one-line reason, got %r" % (
        " ".join(args), p.stderr)
    assert CJK.search(lines[0]), lines[0]
    assert p.stdout == "", p.stdout


def test_no_arguments_prints_usage_and_exits_2():
    for args in ([], ["user"]):
        p = zhifa(*args, stdin="")
        assert p.returncode == 2, args
        assert "用法" in p.stderr, p.stderr


# ---- init ----

def test_init_creates_data_directory(tmpdir_path):
    d = os.path.join(tmpdir_path, "data")
    p = zhifa("init", d)
    assert p.returncode == 0, p.stderr
    assert os.path.isfile(os.path.join(d, "zhifa.db"))
    assert os.path.isdir(os.path.join(d, "evidence"))
    assert os.path.isfile(os.path.join(d, "zhifa.conf"))
    key = os.path.join(d, "signing.key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600, oct(os.stat(key).st_mode)
    # an existing empty directory is fine too
    e = os.path.join(tmpdir_path, "empty")
    os.mkdir(e)
    assert zhifa("init", e).returncode == 0
    assert os.path.isfile(os.path.join(e, "zhifa.db"))


@pytest.mark.parametrize("extra", [[], ["--demo"]])
def test_init_on_existing_directory_touches_nothing(tmpdir_path, extra):
    d = os.path.join(tmpdir_path, "data")
    assert zhifa("init", d, "--demo").returncode == 0
    before = tree_state(d)
    time.sleep(0.01)
    p = zhifa("init", d, *extra)
    assert p.returncode != 0, "init over an existing data directory must fail"
    assert p.stderr.strip() and CJK.search(p.stderr), p.stderr
    assert tree_state(d) == before, "init over an existing data directory changed files"


def test_commands_need_a_data_directory(tmpdir_path):
    p = zhifa("user", "list")
    assert p.returncode != 0
    assert "--data" in p.stderr and "ZHIFA_DATA" in p.stderr, p.stderr
    p = zhifa("user", "list", "--data", os.path.join(tmpdir_path, "nothing-here"))
    assert p.returncode != 0 and "zhifa init" in p.stderr, p.stderr


# ---- user administration against a live server ----

def test_user_list(server):
    p = zhifa("user", "list", "--data", server.data_dir)
    assert p.returncode == 0, p.stderr
    names = [line.split("\t")[0] for line in p.stdout.splitlines()[1:]]
    for u in ("admin", "officer1", "officer2", "reviewer1", "head1", "publicity1", "supervisor1", "auditor1"):
        assert u in names, (u, p.stdout)
    # ZHIFA_DATA works as well as --data
    q = zhifa("user", "list", env={"ZHIFA_DATA": server.data_dir})
    assert q.returncode == 0 and q.stdout == p.stdout


def test_user_add_reads_password_from_stdin(server):
    code = dept_code(server)
    pw = "Cli-added-pass-2026"
    p = zhifa("user", "add", "cli_new", "--role", "reviewer", "--dept", code, "--name", "命令行用户",
              "--data", server.data_dir, stdin=pw + "\n")
    assert p.returncode == 0, p.stderr
    assert pw not in p.stdout + p.stderr
    r = login(server, "cli_new", pw)
    assert r.status_code == 200, r.text
    u = r.json()["user"]
    assert u["role"] == "reviewer" and u["display_name"] == "命令行用户"
    assert "市场监督管理局" in u["department_name"]
    # stored hashed (Argon2id), never in clear
    con = server.db()
    try:
        h = con.execute("SELECT password_hash FROM users WHERE username='cli_new'").fetchone()[0]
    finally:
        con.close()
    assert h.startswith("$argon2id$") and pw not in h, h
    # duplicates and bad input are refused
    p = zhifa("user", "add", "cli_new", "--role", "reviewer", "--dept", code, "--data", server.data_dir,
              stdin=pw + "\n")
    assert p.returncode == 1 and "cli_new" in p.stderr, (p.returncode, p.stderr)
    p = zhifa("user", "add", "cli_weak", "--role", "officer", "--dept", code, "--data", server.data_dir,
              stdin="short\n")
    assert p.returncode == 1 and CJK.search(p.stderr), (p.returncode, p.stderr)
    p = zhifa("user", "add", "cli_nodept", "--role", "officer", "--dept", "NO_SUCH_DEPT",
              "--data", server.data_dir, stdin=pw + "\n")
    assert p.returncode == 1 and "NO_SUCH_DEPT" in p.stderr, (p.returncode, p.stderr)
    names = zhifa("user", "list", "--data", server.data_dir).stdout
    assert "cli_weak" not in names and "cli_nodept" not in names


def test_user_passwd(server):
    code = dept_code(server)
    old, new = "Cli-passwd-old-2026", "Cli-passwd-new-2026"
    assert zhifa("user", "add", "cli_pw", "--role", "officer", "--dept", code, "--data", server.data_dir,
                 stdin=old + "\n").returncode == 0
    s = requests.Session()
    r = s.post(server.url + API + "/auth/login", json={"username": "cli_pw", "password": old}, timeout=10)
    assert r.status_code == 200
    p = zhifa("user", "passwd", "cli_pw", "--data", server.data_dir, stdin="weak\n")
    assert p.returncode == 1, p.stderr
    assert login(server, "cli_pw", old).status_code == 200
    p = zhifa("user", "passwd", "cli_pw", "--data", server.data_dir, stdin=new + "\n")
    assert p.returncode == 0, p.stderr
    assert login(server, "cli_pw", old).status_code == 401
    assert login(server, "cli_pw", new).status_code == 200
    # a password reset ends the user's existing sessions
    assert s.get(server.url + API + "/auth/me", timeout=10).status_code == 401
    p = zhifa("user", "passwd", "nobody_here", "--data", server.data_dir, stdin=new + "\n")
    assert p.returncode != 0 and "nobody_here" in p.stderr


def test_user_disable_and_enable(server):
    code = dept_code(server)
    pw = "Cli-disable-pass-2026"
    assert zhifa("user", "add", "cli_dis", "--role", "officer", "--dept", code, "--data", server.data_dir,
                 stdin=pw + "\n").returncode == 0
    s = requests.Session()
    assert s.post(server.url + API + "/auth/login", json={"username": "cli_dis", "password": pw},
                  timeout=10).status_code == 200
    p = zhifa("user", "disable", "cli_dis", "--data", server.data_dir)
    assert p.returncode == 0, p.stderr
    r = login(server, "cli_dis", pw)
    assert r.status_code == 401 and r.json()["error"]["code"] == "account_disabled", r.text
    assert s.get(server.url + API + "/auth/me", timeout=10).status_code == 401, "session survived disable"
    listing = zhifa("user", "list", "--data", server.data_dir).stdout
    assert [l for l in listing.splitlines() if l.startswith("cli_dis\t")][0].split("\t")[4] == "停用"
    assert zhifa("user", "enable", "cli_dis", "--data", server.data_dir).returncode == 0
    assert login(server, "cli_dis", pw).status_code == 200
    p = zhifa("user", "disable", "nobody_here", "--data", server.data_dir)
    assert p.returncode != 0 and "nobody_here" in p.stderr
    con = server.db()
    try:
        actions = [r[0] for r in con.execute(
            "SELECT action FROM audit_log WHERE object_id = 'cli_dis' ORDER BY id")]
    finally:
        con.close()
    assert "user_disable" in actions and "user_enable" in actions, actions


def totp_code(secret_b32, at):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000).zfill(6)


def test_user_reset_totp(server):
    code = dept_code(server)
    pw = "Cli-totp-pass-2026"
    assert zhifa("user", "add", "cli_totp", "--role", "officer", "--dept", code, "--data", server.data_dir,
                 stdin=pw + "\n").returncode == 0
    p = zhifa("user", "reset-totp", "cli_totp", "--data", server.data_dir)
    assert p.returncode == 0, p.stderr
    m = re.search(r"otpauth://totp/\S*secret=([A-Z2-7]+)", p.stdout)
    assert m, p.stdout
    secret = m.group(1)
    r = login(server, "cli_totp", pw)
    assert r.status_code == 401 and r.json()["error"]["code"] == "totp_required", r.text
    r = login(server, "cli_totp", pw, totp_code(secret, time.time()))
    assert r.status_code == 200, r.text


def test_user_unlock(server):
    for i in range(6):
        login(server, "publicity1", "wrong-password-%d" % i)
    r = login(server, "publicity1", PASSWORD)
    assert r.status_code == 429, r.text
    p = zhifa("user", "unlock", "publicity1", "--data", server.data_dir)
    assert p.returncode == 0, p.stderr
    assert login(server, "publicity1", PASSWORD).status_code == 200
