"""Bad input never gets in: malformed JSON, wrong types, oversized bodies,
invalid UTF-8, unknown fields, missing or empty required fields and bad dates
are answered 400 (413 for size) with the standard error object in Chinese,
and the database is exactly as it was. Also: unknown paths and methods,
/healthz, /metrics, and list parameter validation.

Each write route has a valid body (checked at the end to be accepted, so the
400s come from the one defect each case injects, not from something else).
"""
import json
import re

import pytest
import requests

from conftest import PASSWORD

API = "/api/v1"
CJK = re.compile(r"[\u4e00-\u9fff]")
MIB = 1024 * 1024


def check_error(r, status, code=None, field=None, what=""):
    assert r.status_code == status, "%s: expected %d %s, got %d %s" % (
        what, status, code or "", r.status_code, r.text[:300])
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"}, "%s: %r" % (what, body)
    e = body["error"]
    assert set(e) >= {"code", "message", "field"}, "%s: %r" % (what, e)
    assert isinstance(e["code"], str) and re.fullmatch(r"[a-z][a-z0-9_]*", e["code"]), e
    assert isinstance(e["field"], str), e
    assert CJK.search(e["message"]), "%s: message not in Chinese: %r" % (what, e["message"])
    if code is not None:
        assert e["code"] == code, "%s: expected code %s, got %r" % (what, code, e)
    if field is not None:
        assert e["field"] == field, "%s: expected field %r, got %r" % (what, field, e)
    return e


def tables_to_compare(srv):
    # the session table's idle timer may tick; everything else must not move
    return [t for t in srv.snapshot() if t != "sessions"]


def send_raw(s, method, url, data):
    return s.request(method, url, data=data, headers={"Content-Type": "application/json"}, timeout=30)


@pytest.fixture(scope="module")
def ctx(server):
    con = server.db()
    try:
        def one(sql, *a):
            row = con.execute(sql, a).fetchone()
            assert row, sql
            return row[0]
        own = one("SELECT id FROM departments WHERE name LIKE '%市场监督管理局' ORDER BY id LIMIT 1")
        ctx = {
            "own": own,
            "officer": one("SELECT id FROM officers WHERE department_id = ? ORDER BY id LIMIT 1", own),
            "matter": one("SELECT id FROM matters WHERE department_id = ? ORDER BY id LIMIT 1", own),
            "user": one("SELECT id FROM users WHERE username = 'officer2'"),
            "law": one("SELECT id FROM laws ORDER BY id LIMIT 1"),
        }
    finally:
        con.close()
    ctx["admin"] = server.login("admin")
    ctx["tables"] = tables_to_compare(server)
    return ctx


# route name -> (method, path template, valid body, required fields, string
# fields, int fields, date fields, bool fields, array fields)
def write_routes(ctx):
    own = ctx["own"]
    return {
        "users.create": dict(
            method="POST", path=API + "/users",
            body={"username": "bad_input_ok", "display_name": "张三", "role": "officer",
                  "department_id": own, "password": "Bad-input-pass-2026"},
            required=["username", "display_name", "role", "department_id", "password"],
            strings=["username", "display_name", "role", "password"], ints=["department_id"]),
        "users.update": dict(
            method="PUT", path=API + "/users/%d" % ctx["user"],
            body={"display_name": "李四", "disabled": False},
            strings=["display_name", "role"], ints=["department_id"], bools=["disabled"]),
        "officers.create": dict(
            method="POST", path=API + "/officers",
            body={"department_id": own, "name": "王五", "gender": "男", "position": "科员",
                  "certificate_no": "BADINPUT-0001", "certificate_valid_from": "2024-02-29",
                  "certificate_valid_to": "2028-12-31", "categories": ["市场监管"], "legal_qualified": True},
            required=["department_id", "name", "certificate_no", "certificate_valid_from",
                      "certificate_valid_to"],
            strings=["name", "certificate_no", "position"], ints=["department_id"],
            dates=["certificate_valid_from", "certificate_valid_to"], bools=["legal_qualified"],
            arrays=["categories"]),
        "officers.update": dict(
            method="PUT", path=API + "/officers/%d" % ctx["officer"],
            body={"position": "副科长", "certificate_valid_to": "2029-06-30"},
            strings=["name", "position"], dates=["certificate_valid_to"], bools=["legal_qualified"],
            arrays=["categories"]),
        "departments.create": dict(
            method="POST", path=API + "/departments",
            body={"code": "BADINPUT01", "name": "市坏输入测试局", "phone": "0571-87654321"},
            required=["code", "name"], strings=["code", "name", "phone"]),
        "departments.update": dict(
            method="PUT", path=API + "/departments/%d" % own,
            body={"phone": "0571-12345678"}, strings=["name", "phone", "duties"]),
        "units.create": dict(
            method="POST", path=API + "/departments/%d/units" % own,
            body={"name": "坏输入测试科", "duties": "测试"}, required=["name"], strings=["name", "duties"]),
        "matters.create": dict(
            method="POST", path=API + "/matters",
            body={"department_id": own, "code": "BADINPUT-M1", "name": "坏输入测试事项",
                  "power_type": "penalty", "time_limit_days": 20},
            required=["department_id", "code", "name", "power_type"],
            strings=["code", "name", "power_type"], ints=["department_id", "time_limit_days"],
            arrays=["basis"]),
        "matters.update": dict(
            method="PUT", path=API + "/matters/%d" % ctx["matter"],
            body={"fee": "不收费"}, strings=["name", "fee"], ints=["time_limit_days"]),
        "laws.create": dict(
            method="POST", path=API + "/laws",
            body={"title": "坏输入测试条例", "category": "地方性法规", "effective_date": "2024-02-29",
                  "articles": [{"no": 1, "text": "为了测试，制定本条例。"}]},
            required=["title"], strings=["title", "category"], dates=["effective_date"],
            arrays=["articles"]),
    }


def cases_for(spec):
    """(description, raw bytes, expected status, code or None, field or None)."""
    body = spec["body"]
    enc = lambda b: json.dumps(b, ensure_ascii=False).encode()
    out = [
        ("empty body", b"", 400, "invalid_json", None),
        ("malformed JSON", b'{"name": ', 400, "invalid_json", None),
        ("trailing garbage", enc(body) + b" }", 400, "invalid_json", None),
        ("JSON array", b"[]", 400, "invalid_json", None),
        ("JSON string", b'"x"', 400, "invalid_json", None),
        ("JSON null", b"null", 400, "invalid_json", None),
        ("duplicate key", b'{"zz":1,"zz":2}', 400, "invalid_json", None),
        ("single quotes", b"{'name': 'x'}", 400, "invalid_json", None),
    ]
    b = dict(body, zz_unknown_field=1)
    out.append(("unknown field", enc(b), 400, "unknown_field", "zz_unknown_field"))
    s_field = spec.get("strings", [None])[0]
    if s_field:
        raw = enc(dict(body, **{s_field: "PLACEHOLDER"}))
        for label, bad in (("invalid UTF-8 byte", b"\xff\xfe"), ("overlong UTF-8", b"\xc0\xaf"),
                           ("UTF-8 surrogate", b"\xed\xa0\x80"), ("truncated UTF-8", b"\xe5\xb8")):
            out.append((label + " in " + s_field, raw.replace(b"PLACEHOLDER", bad), 400, "invalid_utf8", None))
        # jansson refuses \u0000 while parsing (invalid_json); either way it must not get in
        out.append(("NUL in " + s_field, enc(dict(body, **{s_field: "a\u0000b"})), 400, None, None))
        out.append(("too long " + s_field, enc(dict(body, **{s_field: "长" * 20001})), 400, None, s_field))
    for f in spec.get("strings", []):
        out.append(("number for string " + f, enc(dict(body, **{f: 12345})), 400, None, f))
        out.append(("object for string " + f, enc(dict(body, **{f: {"a": 1}})), 400, None, f))
    for f in spec.get("ints", []):
        out.append(("string for int " + f, enc(dict(body, **{f: "1"})), 400, None, f))
        out.append(("float for int " + f, enc(dict(body, **{f: 1.5})), 400, None, f))
        out.append(("bool for int " + f, enc(dict(body, **{f: True})), 400, None, f))
    for f in spec.get("bools", []):
        out.append(("string for bool " + f, enc(dict(body, **{f: "true"})), 400, None, f))
        out.append(("int for bool " + f, enc(dict(body, **{f: 1})), 400, None, f))
    for f in spec.get("arrays", []):
        out.append(("string for array " + f, enc(dict(body, **{f: "x"})), 400, None, f))
    for f in spec.get("dates", []):
        for bad in ("2025-02-30", "2023-02-29", "2025-13-01", "2025-04-31", "20250101", "2025-1-5",
                    "2025/01/05", "明年"):
            out.append(("bad date %s=%s" % (f, bad), enc(dict(body, **{f: bad})), 400, None, f))
    for f in spec.get("required", []):
        b = dict(body)
        b.pop(f, None)
        out.append(("missing required " + f, enc(b), 400, "validation_failed", f))
        out.append(("null required " + f, enc(dict(body, **{f: None})), 400, "validation_failed", f))
        if f in spec.get("strings", []) + spec.get("dates", []):
            out.append(("empty string " + f, enc(dict(body, **{f: ""})), 400, "validation_failed", f))
            out.append(("blank string " + f, enc(dict(body, **{f: "   "})), 400, None, f))
    if spec["method"] == "PUT":
        # a PUT is partial, but a present required field may not be emptied
        for f in ("name", "display_name"):
            if f in spec.get("strings", []):
                out.append(("emptied " + f, enc(dict(body, **{f: ""})), 400, "validation_failed", f))
                out.append(("blanked " + f, enc(dict(body, **{f: "   "})), 400, None, f))
    # bigger than the 1 MiB body limit
    big = enc(dict(body, **{(s_field or "zz"): "x" * (MIB + 10)}))
    out.append(("body over 1 MiB", big, 413, "payload_too_large", None))
    return out


ROUTE_NAMES = ["users.create", "users.update", "officers.create", "officers.update", "departments.create",
               "departments.update", "units.create", "matters.create", "matters.update", "laws.create"]


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_write_route_rejects_bad_input(server, ctx, name):
    spec = write_routes(ctx)[name]
    s = ctx["admin"]
    url = server.url + spec["path"]
    failures = []
    before = server.snapshot(ctx["tables"])
    for what, raw, status, code, field in cases_for(spec):
        r = send_raw(s, spec["method"], url, raw)
        try:
            check_error(r, status, code, field, what="%s %s: %s" % (spec["method"], spec["path"], what))
        except AssertionError as e:
            failures.append(str(e).split("\n")[0])
            before = server.snapshot(ctx["tables"])  # so one accepted case is reported once
            continue
        after = server.snapshot(ctx["tables"])
        if after != before:
            changed = sorted(t for t in after if after[t] != before.get(t))
            failures.append("%s: rejected with %d but tables changed: %s" % (what, r.status_code, changed))
            before = after
    assert not failures, "%s %s:\n%s" % (spec["method"], spec["path"], "\n".join(failures))
    # the control: the valid body is accepted, so each 400 above came from its one defect
    r = s.request(spec["method"], url, json=spec["body"], timeout=10)
    assert r.status_code in (200, 201), "%s %s: the valid body was refused: %d %s" % (
        spec["method"], spec["path"], r.status_code, r.text[:300])


def test_head_writes_are_checked_too(server, ctx):
    """The own-department resolver decodes create bodies before deciding; a
    malformed body is still a 400 with nothing changed, not a 403 or 500."""
    head = server.login("head1")
    before = server.snapshot(ctx["tables"])
    for raw in (b"{", b"[]", b'{"department_id":"x"}', b'{"department_id":' + str(ctx["own"]).encode() + b"}"):
        r = send_raw(head, "POST", server.url + API + "/officers", raw)
        check_error(r, 400, what="head POST /officers %r" % raw)
    assert server.snapshot(ctx["tables"]) == before


# ---- login and own password ----

LOGIN_CASES = [
    ("malformed", b'{"username":"admin",', "invalid_json", None),
    ("array", b"[]", "invalid_json", None),
    ("empty body", b"", "invalid_json", None),
    ("unknown field", b'{"username":"admin","password":"x","remember":true}', "unknown_field", "remember"),
    ("wrong type username", b'{"username":1,"password":"x"}', None, "username"),
    ("wrong type password", b'{"username":"admin","password":["x"]}', None, "password"),
    ("missing password", b'{"username":"admin"}', "validation_failed", "password"),
    ("missing username", b'{"password":"x"}', "validation_failed", "username"),
    ("empty username", b'{"username":"","password":"x"}', "validation_failed", "username"),
    ("empty password", b'{"username":"admin","password":""}', "validation_failed", "password"),
    ("invalid utf-8", b'{"username":"\xff\xfe","password":"x"}', "invalid_utf8", None),
    ("totp wrong type", b'{"username":"admin","password":"x","totp":123456}', None, "totp"),
]


def test_login_rejects_bad_input_without_counting_failures(server):
    before = server.snapshot(tables_to_compare(server))
    failures = []
    for what, raw, code, field in LOGIN_CASES:
        r = requests.post(server.url + API + "/auth/login", data=raw,
                          headers={"Content-Type": "application/json"}, timeout=10)
        try:
            check_error(r, 400, code, field, what="login " + what)
            assert "zf_session" not in r.cookies, what
        except AssertionError as e:
            failures.append(str(e).split("\n")[0])
    r = requests.post(server.url + API + "/auth/login", timeout=30,
                      json={"username": "admin", "password": "x" * (MIB + 1)})
    try:
        check_error(r, 413, "payload_too_large", what="login over 1 MiB")
    except AssertionError as e:
        failures.append(str(e).split("\n")[0])
    assert not failures, "\n".join(failures)
    assert server.snapshot(tables_to_compare(server)) == before, \
        "malformed logins changed the database (audit rows or failure counts)"
    # and none of it locked the account
    assert server.login("admin")


def test_password_change_rejects_bad_input(server):
    s = server.login("officer2")
    url = server.url + API + "/auth/password"
    tables = tables_to_compare(server)
    before = server.snapshot(tables)
    cases = [
        (b"{", 400, "invalid_json", None),
        (b'{"old_password":"%s"}' % PASSWORD.encode(), 400, "validation_failed", "new_password"),
        (b'{"new_password":"Another-pass-2026"}', 400, "validation_failed", "old_password"),
        (b'{"old_password":"%s","new_password":12}' % PASSWORD.encode(), 400, None, "new_password"),
        (b'{"old_password":"%s","new_password":""}' % PASSWORD.encode(), 400, "validation_failed", "new_password"),
        (b'{"old_password":"%s","new_password":"Another-pass-2026","x":1}' % PASSWORD.encode(), 400,
         "unknown_field", "x"),
        (b'{"old_password":"%s","new_password":"\xff"}' % PASSWORD.encode(), 400, "invalid_utf8", None),
        (b'{"old_password":"%s","new_password":"short"}' % PASSWORD.encode(), 400, None, "new_password"),
        (b'{"old_password":"%s","new_password":"officer2officer2"}' % PASSWORD.encode(), 400, None,
         "new_password"),
        (b'{"old_password":"%s","new_password":"%s"}' % (PASSWORD.encode(), b"x" * (MIB + 1)), 413,
         "payload_too_large", None),
    ]
    failures = []
    for raw, status, code, field in cases:
        r = send_raw(s, "POST", url, raw)
        try:
            check_error(r, status, code, field, what="password %r" % raw[:60])
        except AssertionError as e:
            failures.append(str(e).split("\n")[0])
    assert not failures, "\n".join(failures)
    assert server.snapshot(tables) == before
    assert requests.post(server.url + API + "/auth/login", json={"username": "officer2", "password": PASSWORD},
                         timeout=10).status_code == 200


def test_oversized_body_without_login_is_413(server):
    r = requests.post(server.url + API + "/departments", data=b"{" + b" " * (2 * MIB) + b"}",
                      headers={"Content-Type": "application/json"}, timeout=30)
    check_error(r, 413, "payload_too_large")


# ---- unknown paths and methods ----

@pytest.mark.parametrize("path", [API + "/nope", API + "/departments/1/nope", "/api/v2/departments",
                                  API + "/officers/999999", API + "/officers/abc", API + "/officers/-1",
                                  API + "/laws/0", API + "/matters/99999999999999999999999"])
def test_unknown_api_path_is_404_json(server, path):
    s = server.login("officer1")
    check_error(s.get(server.url + path, timeout=10), 404, "not_found", what=path)


@pytest.mark.parametrize("method,path", [("DELETE", API + "/departments"), ("PATCH", API + "/officers/1"),
                                         ("PUT", API + "/auth/login"), ("GET", API + "/auth/logout"),
                                         ("POST", API + "/laws/1")])
def test_wrong_method_is_405(server, method, path):
    s = server.login("admin")
    check_error(s.request(method, server.url + path, timeout=10), 405, "method_not_allowed",
                what="%s %s" % (method, path))


# ---- health and metrics ----

def test_healthz(server):
    r = requests.get(server.url + "/healthz", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    # the demo runs in 2026, whose schedule ships: nothing is missing before
    # 1 December, and from then on the warning names 2027
    cal = body["calendar"]
    assert cal["missing_year"] in (None, 2027)
    if cal["missing_year"]:
        assert "2027" in cal["warning"]


def test_metrics_prometheus_text(server):
    s = server.login("officer1")
    for _ in range(3):
        assert s.get(server.url + API + "/departments", timeout=10).status_code == 200
    s.get(server.url + API + "/nope", timeout=10)
    r = requests.get(server.url + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers
    text = r.text
    assert "# TYPE zhifa_http_requests_total counter" in text
    counts = {}
    for m in re.finditer(r'^zhifa_http_requests_total\{([^}]*)\} (\d+)$', text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        counts[(labels.get("method"), labels.get("route"), labels.get("status"))] = int(m.group(2))
    assert counts.get(("GET", API + "/departments", "200"), 0) >= 3, counts
    # requests are counted by route pattern, not raw path (bounded label set)
    assert not any(route and re.search(r"/\d+(/|$)", route) for _, route, _ in counts), counts
    assert any(status == "404" for _, _, status in counts), counts
    assert "# TYPE zhifa_http_request_duration_seconds histogram" in text
    buckets = [(le, int(v)) for le, v in
               re.findall(r'^zhifa_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$', text, re.M)]
    assert len(buckets) >= 5 and buckets[-1][0] == "+Inf", buckets
    values = [v for _, v in buckets]
    assert values == sorted(values), "histogram buckets must be cumulative: %r" % buckets
    total = int(re.search(r"^zhifa_http_request_duration_seconds_count (\d+)$", text, re.M).group(1))
    assert total == buckets[-1][1] and total >= 4
    assert re.search(r"^zhifa_http_request_duration_seconds_sum [0-9.e+-]+$", text, re.M)
    assert re.search(r"^zhifa_db_errors_total \d+$", text, re.M), "no database error counter"


# ---- list parameters ----

LISTS = [(API + "/departments", "admin", ["code", "name", "officer_count"]),
         (API + "/officers", "officer1", ["name", "certificate_no", "valid_to"]),
         (API + "/matters", "officer1", ["code", "name"]),
         (API + "/laws", "officer1", ["title", "effective_date"]),
         (API + "/users", "admin", ["username"]),
         (API + "/audit", "auditor1", [])]
BAD_PARAMS = [({"per_page": "0"}, "per_page"), ({"per_page": "101"}, "per_page"), ({"per_page": "-5"}, "per_page"),
              ({"per_page": "abc"}, "per_page"), ({"per_page": ""}, "per_page"), ({"page": "0"}, "page"),
              ({"page": "-1"}, "page"), ({"page": "1.5"}, "page"), ({"page": "x"}, "page"),
              ({"sort": "no_such_field"}, "sort"), ({"sort": "-no_such_field"}, "sort"),
              ({"sort": "name;DROP TABLE users"}, "sort"), ({"q": "长" * 300}, "q")]


@pytest.mark.parametrize("path,user,sorts", LISTS)
def test_list_params_validated(server, path, user, sorts):
    s = server.login(user)
    failures = []
    for params, field in BAD_PARAMS:
        r = s.get(server.url + path, params=params, timeout=10)
        try:
            check_error(r, 400, "validation_failed", field, what="%s %r" % (path, params))
        except AssertionError as e:
            failures.append(str(e).split("\n")[0])
    assert not failures, "\n".join(failures)
    r = s.get(server.url + path, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"items", "total", "page", "per_page"}, body.keys()
    assert body["page"] == 1 and body["per_page"] == 20
    assert len(body["items"]) == min(20, body["total"])
    r = s.get(server.url + path, params={"per_page": "100"}, timeout=10)
    assert r.status_code == 200 and r.json()["per_page"] == 100
    for key in sorts:
        for prefix in ("", "-"):
            r = s.get(server.url + path, params={"sort": prefix + key, "per_page": "100"}, timeout=10)
            assert r.status_code == 200, "%s sort=%s%s: %s" % (path, prefix, key, r.text[:200])


def test_pagination_is_consistent(server):
    s = server.login("officer1")
    url = server.url + API + "/officers"
    first = s.get(url, params={"per_page": "7", "page": "1", "sort": "certificate_no"}, timeout=10).json()
    second = s.get(url, params={"per_page": "7", "page": "2", "sort": "certificate_no"}, timeout=10).json()
    assert first["total"] == second["total"] >= 80
    ids1 = [o["id"] for o in first["items"]]
    ids2 = [o["id"] for o in second["items"]]
    assert len(ids1) == len(ids2) == 7 and not set(ids1) & set(ids2)
    certs = [o["certificate_no"] for o in first["items"] + second["items"]]
    assert certs == sorted(certs)
    desc = s.get(url, params={"per_page": "100", "sort": "-certificate_no"}, timeout=10).json()["items"]
    assert [o["certificate_no"] for o in desc] == sorted((o["certificate_no"] for o in desc), reverse=True)
    beyond = s.get(url, params={"per_page": "100", "page": "1000"}, timeout=10).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_q_ignores_ascii_case_on_both_backends(server):
    """q is matched with SQLite's LIKE rule (ASCII letters in either case) on
    PostgreSQL too, whose own LIKE tells the cases apart."""
    s = server.login("admin")

    def found(path, q, key, want):
        r = s.get(server.url + API + path, params={"q": q, "per_page": "100"}, timeout=10)
        assert r.status_code == 200, r.text
        return want in [x[key] for x in r.json()["items"]]

    dept = s.get(server.url + API + "/departments", params={"per_page": "1"}, timeout=10).json()["items"][0]
    off = s.get(server.url + API + "/officers", params={"per_page": "1"}, timeout=10).json()["items"][0]
    assert any(ch.isalpha() for ch in dept["code"] + off["certificate_no"]), (dept, off)
    for path, key, value in (("/departments", "code", dept["code"]),
                             ("/officers", "certificate_no", off["certificate_no"]),
                             ("/users", "username", "officer1")):
        assert found(path, value, key, value), path
        assert found(path, value.lower(), key, value), path
        assert found(path, value.upper(), key, value), path
        assert found(path, value.swapcase(), key, value), path


def test_never_logged_in_sorts_first_on_both_backends(server):
    """sort=last_login_at puts users who never logged in first, -last_login_at
    last, as SQLite orders NULL; PostgreSQL alone would do the opposite."""
    s = server.login("admin")
    for sort, nulls_first in (("last_login_at", True), ("-last_login_at", False)):
        r = s.get(server.url + API + "/users", params={"sort": sort, "per_page": "100"}, timeout=10)
        assert r.status_code == 200, r.text
        seen = [u["last_login_at"] is None for u in r.json()["items"]]
        assert True in seen and False in seen, seen  # both kinds are there
        assert seen == sorted(seen, reverse=nulls_first), (sort, seen)


def test_filters_validated_and_applied(server, ctx):
    s = server.login("officer1")
    for path, params, field in [(API + "/officers", {"department_id": "abc"}, "department_id"),
                                (API + "/officers", {"department_id": "-1"}, "department_id"),
                                (API + "/officers", {"status": "retired"}, "status"),
                                (API + "/officers", {"unit_id": "1x"}, "unit_id"),
                                (API + "/matters", {"power_type": "bogus"}, "power_type"),
                                (API + "/matters", {"department_id": "1.0"}, "department_id")]:
        check_error(s.get(server.url + path, params=params, timeout=10), 400, "validation_failed", field,
                    what="%s %r" % (path, params))
    r = s.get(server.url + API + "/officers", params={"department_id": str(ctx["own"]), "per_page": "100"},
              timeout=10)
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(o["department_id"] == ctx["own"] for o in items)
    # q filters by certificate number
    cert = items[0]["certificate_no"]
    r = s.get(server.url + API + "/officers", params={"q": cert}, timeout=10)
    assert cert in [o["certificate_no"] for o in r.json()["items"]]
    r = s.get(server.url + API + "/matters", params={"power_type": "penalty", "per_page": "100"}, timeout=10)
    assert r.status_code == 200
    assert r.json()["items"] and all(m["power_type"] == "penalty" for m in r.json()["items"])
    # LIKE metacharacters in q are literal
    r = s.get(server.url + API + "/officers", params={"q": "%"}, timeout=10)
    assert r.status_code == 200 and r.json()["total"] == 0, r.text[:200]
