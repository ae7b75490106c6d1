"""Logins, sessions, CSRF, lockout, API tokens and TOTP, seen from outside.

Tests that change accounts (lockout, TOTP, password, disabling) run on
their own server (`fresh_server`) so that no other test sees the change.
"""
import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BIN, PASSWORD, Server, free_port

API = "/api/v1"
CJK = re.compile(r"[\u4e00-\u9fff]")
USER_FIELDS = {"id", "username", "display_name", "role", "role_name", "department_id",
               "department_name", "totp_enabled", "totp_required", "password_expired"}


def assert_error(r, status, code, field=None):
    assert r.status_code == status, "expected %d %s, got %d %s" % (status, code, r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"}, body
    e = body["error"]
    assert {"code", "message", "field"} <= set(e), e
    assert e["code"] == code, e
    assert CJK.search(e["message"]), "message is not Chinese: %r" % e["message"]
    if field is not None:
        assert e["field"] == field, e
    return e


def login_raw(srv, username, password=PASSWORD, totp=None, headers=None):
    body = {"username": username, "password": password}
    if totp is not None:
        body["totp"] = totp
    return requests.post(srv.url + API + "/auth/login", json=body, headers=headers or {}, timeout=10)


def audit_rows(srv, action, actor=None):
    con = srv.db()
    try:
        if actor is None:
            return con.execute("SELECT actor_name, object_id, ip, detail FROM audit_log WHERE action = ? "
                               "ORDER BY id", (action,)).fetchall()
        return con.execute("SELECT actor_name, object_id, ip, detail FROM audit_log WHERE action = ? "
                           "AND actor_name = ? ORDER BY id", (action, actor)).fetchall()
    finally:
        con.close()


def user_id(srv, username):
    con = srv.db()
    try:
        return con.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
    finally:
        con.close()


# ---- TOTP, RFC 6238, computed independently of the server ----

def totp(secret_b32, at, digits=6, step=30, digest=hashlib.sha1):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    return hotp(key, int(at // step), digits, digest)


def hotp(key, counter, digits=6, digest=hashlib.sha1):
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def test_totp_helper_matches_rfc6238_vectors():
    """The helper below must be right before it can judge the server."""
    key = b"12345678901234567890"
    for t, want in [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")]:
        assert hotp(key, t // 30, 8) == want, t
    assert totp(base64.b32encode(key).decode(), 59, 8) == "94287082"


# ---- login ----

def test_login_ok_returns_user_csrf_and_cookie(server):
    r = login_raw(server, "officer1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"user", "csrf_token"}
    user = body["user"]
    assert USER_FIELDS <= set(user), USER_FIELDS - set(user)
    assert user["username"] == "officer1" and user["role"] == "officer"
    assert user["role_name"] == "执法人员"
    assert "市场监督管理局" in user["department_name"]
    assert user["totp_enabled"] is False and user["password_expired"] is False
    assert len(body["csrf_token"]) >= 16
    assert "password_hash" not in r.text and "totp_secret" not in r.text


def test_session_cookie_flags(server):
    r = login_raw(server, "officer1")
    raw = r.headers.get("Set-Cookie", "")
    assert raw.startswith("zf_session="), raw
    attrs = [a.strip().lower() for a in raw.split(";")[1:]]
    assert "httponly" in attrs, raw
    assert "samesite=strict" in attrs, raw
    assert "path=/" in attrs, raw
    assert "secure" not in attrs, "Secure must only be set under TLS: " + raw
    token = raw.split(";")[0].split("=", 1)[1]
    assert len(token) >= 32, "session token too short to be unguessable: %r" % token


def test_new_session_id_at_each_login(server):
    fixed = "zf_s_" + "A" * 43
    seen = set()
    for _ in range(3):
        r = requests.post(server.url + API + "/auth/login", cookies={"zf_session": fixed},
                          json={"username": "officer1", "password": PASSWORD}, timeout=10)
        assert r.status_code == 200, r.text
        seen.add(r.cookies.get("zf_session"))
    assert None not in seen and fixed not in seen and len(seen) == 3, seen
    # tokens are stored only as hashes
    con = server.db()
    try:
        stored = {row[0] for row in con.execute("SELECT token_hash FROM sessions")}
    finally:
        con.close()
    assert not (seen & stored), "session tokens are stored in clear"


def test_wrong_password_and_unknown_user_look_the_same(server):
    r1 = login_raw(server, "officer1", "wrong-password-123")
    e1 = assert_error(r1, 401, "invalid_credentials")
    assert e1["message"] == "用户名或密码错误", e1
    assert "zf_session" not in r1.cookies
    r2 = login_raw(server, "no_such_user_at_all", "wrong-password-123")
    e2 = assert_error(r2, 401, "invalid_credentials")
    assert e2 == e1, "an unknown user must be indistinguishable from a wrong password"
    failed = audit_rows(server, "login_failed")
    assert any(a == "officer1" for a, _, _, _ in failed), failed
    assert any(a == "no_such_user_at_all" for a, _, _, _ in failed), failed
    assert all(ip == "127.0.0.1" for _, _, ip, _ in failed), failed
    # a later good login clears nothing else and works
    assert login_raw(server, "officer1").status_code == 200


def test_login_writes_audit_row(server):
    before = len(audit_rows(server, "login", "reviewer1"))
    assert login_raw(server, "reviewer1").status_code == 200
    rows = audit_rows(server, "login", "reviewer1")
    assert len(rows) == before + 1, rows
    assert rows[-1][2] == "127.0.0.1"


def test_me_requires_login(server):
    assert_error(requests.get(server.url + API + "/auth/me", timeout=10), 401, "unauthenticated")
    r = requests.get(server.url + API + "/auth/me", cookies={"zf_session": "zf_s_bogus"}, timeout=10)
    assert_error(r, 401, "unauthenticated")


def test_me_returns_same_csrf_token(server):
    s = server.login("publicity1")
    r = s.get(server.url + API + "/auth/me", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["csrf_token"] == s.headers["X-CSRF-Token"]
    assert r.json()["user"]["username"] == "publicity1"


# ---- logout ----

def test_logout_invalidates_session_on_server(server):
    s = server.login("officer2")
    old = s.cookies.get("zf_session")
    assert s.get(server.url + API + "/auth/me", timeout=10).status_code == 200
    before = len(audit_rows(server, "logout", "officer2"))
    r = s.post(server.url + API + "/auth/logout", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True}
    cleared = r.headers.get("Set-Cookie", "")
    assert cleared.startswith("zf_session=;") or "max-age=0" in cleared.lower(), cleared
    # the old cookie, replayed by hand, no longer works
    r = requests.get(server.url + API + "/auth/me", cookies={"zf_session": old}, timeout=10)
    assert_error(r, 401, "unauthenticated")
    rows = audit_rows(server, "logout", "officer2")
    assert len(rows) == before + 1, rows


# ---- CSRF ----

@pytest.mark.parametrize("header", [None, "", "wrong-token-0123456789abcdef"])
def test_csrf_refused_without_valid_token(server, header):
    s = server.login("admin")
    good = s.headers.pop("X-CSRF-Token")
    if header is not None:
        s.headers["X-CSRF-Token"] = header
    con = server.db()
    dept_id = con.execute("SELECT id FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    tables = [t for t in server.snapshot() if t not in ("audit_log", "sessions")]
    before = server.snapshot(tables)
    forbidden_before = len(audit_rows(server, "forbidden", "admin"))
    attempts = [
        ("POST", API + "/auth/tokens", {"name": "csrf-test", "scopes": ["read", "write"]}),
        ("PUT", API + "/departments/%d" % dept_id, {"phone": "0000-1234567"}),
        ("POST", API + "/auth/password", {"old_password": PASSWORD, "new_password": "Csrf-attack-pass-2026"}),
        ("POST", API + "/auth/logout", None),
    ]
    for method, path, body in attempts:
        r = s.request(method, server.url + path, json=body, timeout=10)
        assert_error(r, 403, "csrf_failed")
    assert server.snapshot(tables) == before, "a request refused for CSRF changed the database"
    assert len(audit_rows(server, "forbidden", "admin")) == forbidden_before + len(attempts)
    # the session still works, and with the right token the same write passes
    s.headers["X-CSRF-Token"] = good
    r = s.post(server.url + API + "/auth/tokens", json={"name": "csrf-control"}, timeout=10)
    assert r.status_code == 201, r.text


def test_csrf_token_of_another_session_is_refused(server):
    a = server.login("head1")
    b = server.login("head1")
    assert a.headers["X-CSRF-Token"] != b.headers["X-CSRF-Token"]
    a.headers["X-CSRF-Token"] = b.headers["X-CSRF-Token"]
    r = a.post(server.url + API + "/auth/tokens", json={"name": "x"}, timeout=10)
    assert_error(r, 403, "csrf_failed")


def test_login_needs_no_csrf_token(server):
    assert login_raw(server, "officer1").status_code == 200


# ---- bearer API tokens ----

def bearer(token):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token
    return s


def test_api_tokens_scopes_and_revocation(server):
    s = server.login("head1")
    r = s.post(server.url + API + "/auth/tokens", json={"name": "只读脚本", "scopes": ["read"]}, timeout=10)
    assert r.status_code == 201, r.text
    ro_id, ro = r.json()["id"], r.json()["token"]
    assert ro.startswith("zf_"), ro
    r = s.post(server.url + API + "/auth/tokens", json={"name": "采集设备", "scopes": ["read", "write"]},
               timeout=10)
    assert r.status_code == 201, r.text
    rw_id, rw = r.json()["id"], r.json()["token"]
    assert rw != ro

    # hashed at rest, never listed
    con = server.db()
    try:
        hashes = [row[0] for row in con.execute("SELECT token_hash FROM api_tokens")]
    finally:
        con.close()
    assert ro not in hashes and rw not in hashes
    listing = s.get(server.url + API + "/auth/tokens", timeout=10)
    assert listing.status_code == 200
    assert {t["id"] for t in listing.json()["items"]} >= {ro_id, rw_id}
    assert ro not in listing.text and rw not in listing.text

    # a bearer token authenticates as its user, without CSRF
    r = bearer(ro).get(server.url + API + "/auth/me", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["username"] == "head1"
    assert bearer(ro).get(server.url + API + "/officers", timeout=10).status_code == 200

    # read-only token refused on writes; write token passes authorization
    con = server.db()
    try:
        own_officer = con.execute(
            "SELECT o.id FROM officers o JOIN users u ON u.department_id = o.department_id "
            "WHERE u.username = 'head1' ORDER BY o.id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    before = server.snapshot(["officers", "api_tokens"])
    r = bearer(ro).put(server.url + API + "/officers/%d" % own_officer, json={"zz_unknown": 1}, timeout=10)
    assert_error(r, 403, "forbidden")
    r = bearer(ro).post(server.url + API + "/auth/tokens", json={"name": "escalate", "scopes": ["write"]},
                        timeout=10)
    assert_error(r, 403, "forbidden")
    assert server.snapshot(["officers", "api_tokens"]) == before
    r = bearer(rw).put(server.url + API + "/officers/%d" % own_officer, json={"zz_unknown": 1}, timeout=10)
    assert_error(r, 400, "unknown_field", "zz_unknown")
    # a token carries its user's role: head1's write token cannot manage accounts
    assert_error(bearer(rw).get(server.url + API + "/users", timeout=10), 403, "forbidden")

    # revocation
    r = s.delete(server.url + API + "/auth/tokens/%d" % ro_id, timeout=10)
    assert r.status_code == 200, r.text
    assert_error(bearer(ro).get(server.url + API + "/auth/me", timeout=10), 401, "unauthenticated")
    assert bearer(rw).get(server.url + API + "/auth/me", timeout=10).status_code == 200
    # another user cannot revoke head1's token
    other = server.login("officer1")
    assert other.delete(server.url + API + "/auth/tokens/%d" % rw_id, timeout=10).status_code == 404
    assert bearer(rw).get(server.url + API + "/auth/me", timeout=10).status_code == 200
    assert audit_rows(server, "api_token_create", "head1")
    assert audit_rows(server, "api_token_revoke", "head1")


@pytest.mark.parametrize("value", ["Bearer zf_not_a_real_token", "Bearer ", "Bearer zf_" + "x" * 300])
def test_bad_bearer_token_is_401(server, value):
    r = requests.get(server.url + API + "/auth/me", headers={"Authorization": value}, timeout=10)
    assert r.status_code == 401, r.text
    e = r.json()["error"]
    assert e["code"] in ("unauthenticated", "invalid_token"), e
    assert CJK.search(e["message"]), e


def test_token_scope_validation(server):
    s = server.login("officer1")
    r = s.post(server.url + API + "/auth/tokens", json={"name": "x", "scopes": ["admin"]}, timeout=10)
    assert_error(r, 400, "validation_failed", "scopes")
    r = s.post(server.url + API + "/auth/tokens", json={"scopes": ["read"]}, timeout=10)
    assert_error(r, 400, "validation_failed", "name")


# ---- lockout ----

def fail_logins(srv, username, n, headers=None):
    return [login_raw(srv, username, "wrong-password-%d" % i, headers=headers) for i in range(n)]


def test_lockout_after_five_failures_and_unlock(fresh_server):
    srv = fresh_server
    answers = fail_logins(srv, "officer2", 5)
    for r in answers[:4]:
        assert_error(r, 401, "invalid_credentials")
    assert answers[4].status_code in (401, 429), answers[4].text
    # now even the right password is refused
    e = assert_error(login_raw(srv, "officer2"), 429, "account_locked")
    assert "15" in e["message"] and "锁定" in e["message"], e
    # another account from the same address is not affected
    assert login_raw(srv, "officer1").status_code == 200
    # the administrator sees the lock
    admin = srv.login("admin")
    r = admin.get(srv.url + API + "/users", params={"q": "officer2"}, timeout=10)
    assert r.status_code == 200, r.text
    row = [u for u in r.json()["items"] if u["username"] == "officer2"][0]
    assert row["locked"] is True, row

    assert len(audit_rows(srv, "login_failed", "officer2")) == 5
    assert len(audit_rows(srv, "lockout", "officer2")) == 1
    assert len(audit_rows(srv, "login_refused_locked", "officer2")) >= 1

    # unlock from the command line (the server keeps running)
    p = subprocess.run([BIN, "user", "unlock", "officer2", "--data", srv.data_dir],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert login_raw(srv, "officer2").status_code == 200

    # lock again, unlock through the API
    fail_logins(srv, "officer2", 5)
    assert_error(login_raw(srv, "officer2"), 429, "account_locked")
    r = admin.post(srv.url + API + "/users/%d/unlock" % user_id(srv, "officer2"), timeout=10)
    assert r.status_code == 200, r.text
    assert login_raw(srv, "officer2").status_code == 200
    r = admin.get(srv.url + API + "/users", params={"q": "officer2"}, timeout=10)
    assert [u for u in r.json()["items"] if u["username"] == "officer2"][0]["locked"] is False
    assert audit_rows(srv, "user_unlock")


def test_successful_login_resets_failure_count(fresh_server):
    srv = fresh_server
    fail_logins(srv, "reviewer1", 4)
    assert login_raw(srv, "reviewer1").status_code == 200
    fail_logins(srv, "reviewer1", 4)
    assert login_raw(srv, "reviewer1").status_code == 200, \
        "4 + 4 failures separated by a good login must not lock the account"


def start_proxied_server():
    """A demo server with trust_proxy = 1, so X-Real-IP names the client."""
    root = tempfile.mkdtemp(prefix="zhifa-api-proxy-")
    data = os.path.join(root, "data")
    subprocess.run([BIN, "init", data, "--demo"], check=True, capture_output=True)
    conf = os.path.join(data, "zhifa.conf")
    with open(conf) as f:
        text = f.read()
    assert "trust_proxy = 0" in text, text
    with open(conf, "w") as f:
        f.write(text.replace("trust_proxy = 0", "trust_proxy = 1"))
    port = free_port()
    log = open(os.path.join(root, "server.log"), "wb")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT)
    srv = Server(data, port, proc)
    srv.root = root
    deadline = time.time() + 20
    while time.time() < deadline and proc.poll() is None:
        try:
            if requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                return srv
        except requests.ConnectionError:
            time.sleep(0.05)
    srv.stop()
    raise RuntimeError("zhifa did not start")


def test_stranger_cannot_lock_out_user_elsewhere():
    """The lock is per (username, address): failures from one address do not
    lock the account for its owner at another (behind a trusted proxy)."""
    srv = start_proxied_server()
    try:
        stranger = {"X-Real-IP": "203.0.113.9"}
        owner = {"X-Real-IP": "10.1.2.3"}
        fail_logins(srv, "officer1", 6, headers=stranger)
        assert_error(login_raw(srv, "officer1", headers=stranger), 429, "account_locked")
        r = login_raw(srv, "officer1", headers=owner)
        assert r.status_code == 200, "the owner was locked out by a stranger: %s" % r.text
        rows = audit_rows(srv, "lockout", "officer1")
        assert rows and rows[-1][2] == "203.0.113.9", rows
    finally:
        srv.stop()
        shutil.rmtree(srv.root, ignore_errors=True)


# ---- TOTP ----

def test_totp_enrolment_then_login_requires_code(fresh_server):
    srv = fresh_server
    s = srv.login("officer1")
    r = s.post(srv.url + API + "/auth/totp/setup", timeout=10)
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    uri = r.json()["otpauth_uri"]
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    assert uri.startswith("otpauth://totp/") and "secret=" + secret in uri, uri
    # setup alone changes nothing about logging in
    assert login_raw(srv, "officer1").status_code == 200

    r = s.post(srv.url + API + "/auth/totp/enable", json={"code": "000000" if totp(secret, time.time()) != "000000"
                                                         else "111111"}, timeout=10)
    assert_error(r, 400, "totp_invalid")
    now = time.time()
    r = s.post(srv.url + API + "/auth/totp/enable", json={"code": totp(secret, now)}, timeout=10)
    assert r.status_code == 200, r.text
    me = s.get(srv.url + API + "/auth/me", timeout=10).json()["user"]
    assert me["totp_enabled"] is True
    assert audit_rows(srv, "totp_enable", "officer1")
    # a second setup cannot silently replace the enrolled secret
    r = s.post(srv.url + API + "/auth/totp/setup", timeout=10)
    assert r.status_code == 409, r.text

    assert_error(login_raw(srv, "officer1"), 401, "totp_required", "totp")
    wrong = "123456" if totp(secret, now + 30) != "123456" else "654321"
    assert_error(login_raw(srv, "officer1", totp=wrong), 401, "totp_invalid")
    # the code that enabled it was used once and cannot be replayed
    assert_error(login_raw(srv, "officer1", totp=totp(secret, now)), 401, "totp_invalid")
    code = totp(secret, now + 30)
    r = login_raw(srv, "officer1", totp=code)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["totp_enabled"] is True
    assert_error(login_raw(srv, "officer1", totp=code), 401, "totp_invalid")
    # the password is still checked first
    assert_error(login_raw(srv, "officer1", "wrong-password-1", totp=totp(secret, now + 60)),
                 401, "invalid_credentials")

    # the administrator resets it; a password login works again
    admin = srv.login("admin")
    r = admin.post(srv.url + API + "/users/%d/reset-totp" % user_id(srv, "officer1"), timeout=10)
    assert r.status_code == 200, r.text
    assert login_raw(srv, "officer1").status_code == 200


def test_totp_secret_not_exposed(fresh_server):
    srv = fresh_server
    s = srv.login("officer2")
    secret = s.post(srv.url + API + "/auth/totp/setup", timeout=10).json()["secret"]
    assert secret not in s.get(srv.url + API + "/auth/me", timeout=10).text
    admin = srv.login("admin")
    assert secret not in admin.get(srv.url + API + "/users/%d" % user_id(srv, "officer2"), timeout=10).text
    assert secret not in admin.get(srv.url + API + "/users", params={"per_page": 100}, timeout=10).text


# ---- own password ----

def test_change_own_password(fresh_server):
    srv = fresh_server
    s = srv.login("publicity1")
    other = srv.login("publicity1")
    before = srv.snapshot(["users"])
    r = s.post(srv.url + API + "/auth/password",
               json={"old_password": "not-the-password", "new_password": "Neue-Passwort-2026"}, timeout=10)
    assert_error(r, 400, "validation_failed", "old_password")
    r = s.post(srv.url + API + "/auth/password", json={"old_password": PASSWORD, "new_password": "short"},
               timeout=10)
    assert_error(r, 400, r.json()["error"]["code"])
    assert r.json()["error"]["field"] in ("new_password", "password"), r.text
    r = s.post(srv.url + API + "/auth/password", json={"old_password": PASSWORD, "new_password": "123456789012"},
               timeout=10)
    assert r.status_code == 400, "a common password was accepted: %s" % r.text
    assert srv.snapshot(["users"]) == before
    r = s.post(srv.url + API + "/auth/password",
               json={"old_password": PASSWORD, "new_password": "Neue-Passwort-2026"}, timeout=10)
    assert r.status_code == 200, r.text
    assert_error(login_raw(srv, "publicity1"), 401, "invalid_credentials")
    assert login_raw(srv, "publicity1", "Neue-Passwort-2026").status_code == 200
    assert audit_rows(srv, "password_change", "publicity1")
    del other  # (whether other sessions end on a password change is not part of the contract)


# ---- disabled accounts ----

def test_disabled_account_loses_sessions_and_cannot_log_in(fresh_server):
    srv = fresh_server
    victim = srv.login("officer2")
    admin = srv.login("admin")
    r = admin.put(srv.url + API + "/users/%d" % user_id(srv, "officer2"), json={"disabled": True}, timeout=10)
    assert r.status_code == 200, r.text
    assert_error(victim.get(srv.url + API + "/auth/me", timeout=10), 401, "unauthenticated")
    assert_error(login_raw(srv, "officer2"), 401, "account_disabled")
    # an administrator cannot disable themselves
    r = admin.put(srv.url + API + "/users/%d" % user_id(srv, "admin"), json={"disabled": True}, timeout=10)
    assert r.status_code in (400, 409), r.text
    assert login_raw(srv, "admin").status_code == 200
