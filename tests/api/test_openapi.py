"""docs/openapi.yaml must describe the server that exists.

* Every API route the server has (GET /api/v1/meta/routes) is documented with
  the same method, and every documented /api/ operation exists.
* The roles each operation documents (x-roles, x-own-department-roles,
  security: [] for public ones) are the roles the route table declares.
* Real responses of the read endpoints match their documented schemas
  (types, required members, enums, and no undocumented members), and real
  errors have the documented error object.

Needs python3-yaml (Debian) and the `server` fixture of conftest.py.
"""
import os
import re

import pytest
import requests

yaml = pytest.importorskip("yaml")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "post", "put", "patch", "delete")
ALL_ROLES = {"officer", "reviewer", "head", "publicity", "supervisor", "auditor", "admin"}


@pytest.fixture(scope="module")
def spec():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def operations(spec):
    """(METHOD, path, operation) for every documented operation."""
    for path, item in spec["paths"].items():
        for m in METHODS:
            if m in item:
                yield m.upper(), path, item[m]


def server_routes(server):
    r = requests.get(server.url + "/api/v1/meta/routes", timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    items = body["items"] if isinstance(body, dict) else body
    assert items, "the server lists no routes"
    return items


# ---- the document itself -------------------------------------------------

def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            assert part in node, "dangling $ref " + ref
            node = node[part]
    return node


def walk_refs(spec, node, seen):
    if isinstance(node, dict):
        if "$ref" in node:
            resolve(spec, node)
            seen.add(node["$ref"])
        for v in node.values():
            walk_refs(spec, v, seen)
    elif isinstance(node, list):
        for v in node:
            walk_refs(spec, v, seen)


def test_document_is_well_formed(spec):
    assert str(spec["openapi"]).startswith("3.0")
    assert spec["info"]["title"] and spec["info"]["version"]
    seen = set()
    walk_refs(spec, spec, seen)  # every $ref resolves
    for name in spec["components"]["schemas"]:
        assert "#/components/schemas/" + name in seen, "schema %s is never used" % name
    ids = set()
    for method, path, op in operations(spec):
        where = "%s %s" % (method, path)
        assert op.get("summary"), where + " has no summary"
        assert op.get("operationId") not in ids, where + " repeats an operationId"
        ids.add(op.get("operationId"))
        assert op.get("responses"), where + " documents no response"
        for param in re.findall(r"{(\w+)}", path):
            params = [resolve(spec, p) for p in
                      spec["paths"][path].get("parameters", []) + op.get("parameters", [])]
            assert any(p["in"] == "path" and p["name"] == param for p in params), \
                where + " does not declare path parameter " + param
        for status, resp in op["responses"].items():
            resp = resolve(spec, resp)
            if str(status)[0] in "45" and path.startswith("/api/"):
                schema = resp["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, \
                    "%s %s must use the Error object" % (where, status)
        # (uploads take multipart/form-data or raw bytes: no field list to check)
        if method in ("POST", "PUT") and "application/json" in op.get("requestBody", {}).get(
                "content", {}):
            body = resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])
            parts = [resolve(spec, p) for p in body.get("allOf", [body])]
            assert any(p.get("additionalProperties") is False or
                       p.get("x-accepts-unknown-fields") is True for p in parts), \
                where + " must say whether unknown fields are refused"


# ---- document versus server ----------------------------------------------

def test_paths_and_methods_match_the_server(spec, server):
    documented = {(m, p) for m, p, _ in operations(spec) if p.startswith("/api/")}
    served = {(r["method"].upper(), r["pattern"]) for r in server_routes(server)
              if r["pattern"].startswith("/api/")}
    missing = sorted(served - documented)
    stale = sorted(documented - served)
    assert not missing, "routes the server has but docs/openapi.yaml lacks: %s" % missing
    assert not stale, "routes docs/openapi.yaml documents but the server lacks: %s" % stale


def test_documented_roles_match_the_route_table(spec, server):
    routes = {(r["method"].upper(), r["pattern"]): r for r in server_routes(server)}
    checked = 0
    for method, path, op in operations(spec):
        r = routes.get((method, path))
        if r is None or "roles" not in r:
            continue
        where = "%s %s" % (method, path)
        documented = set(op.get("x-roles", []))
        public = documented == {"public"}
        assert public == bool(r.get("public")), where + ": public flag differs"
        assert public == (op.get("security") == []), where + ": public needs security: []"
        if not public:
            expect = ALL_ROLES if documented == {"all"} else documented
            assert expect == set(r["roles"]), "%s: documented %s, server %s" % (
                where, sorted(expect), sorted(r["roles"]))
            assert set(op.get("x-own-department-roles", [])) == \
                set(r.get("own_department_roles", [])), where + ": own-department roles differ"
        checked += 1
    assert checked >= 30


def test_healthz_and_metrics_are_documented_and_served(spec, server):
    for path in ("/healthz", "/metrics"):
        assert "get" in spec["paths"][path]
        r = requests.get(server.url + path, timeout=10)
        assert r.status_code == 200, path
    assert requests.get(server.url + "/healthz", timeout=10).json()["status"] == "ok"


# ---- responses versus schemas --------------------------------------------

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def known_properties(spec, schema):
    schema = resolve(spec, schema)
    props = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props |= known_properties(spec, part)
    return props


def check(spec, value, schema, where, errors, strict=True):
    """A small OpenAPI 3.0 schema check: type, nullable, enum, required,
    properties, items, allOf — and no member the schema does not list."""
    schema = resolve(spec, schema)
    if value is None:
        if not schema.get("nullable") and schema:
            errors.append("%s: null is not allowed" % where)
        return
    for part in schema.get("allOf", []):
        check(spec, value, part, where, errors, strict=False)  # members: checked below
    t = schema.get("type")
    if t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif t:
        ok = isinstance(value, TYPES[t])
    else:
        ok = True
    if not ok:
        errors.append("%s: expected %s, got %r" % (where, t, value))
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                errors.append("%s: missing member %s" % (where, k))
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                check(spec, value[k], sub, where + "." + k, errors)
        props = known_properties(spec, schema)
        if props and strict:
            extra = set(value) - props
            if extra:
                errors.append("%s: undocumented members %s" % (where, sorted(extra)))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value[:20]):
            check(spec, v, schema["items"], "%s[%d]" % (where, i), errors)


def response_schema(spec, path, method, status):
    op = spec["paths"][path][method]
    resp = resolve(spec, op["responses"][str(status)])
    return resp["content"]["application/json"]["schema"]


def assert_matches(spec, path, method, r):
    assert r.status_code in (200, 201), "%s %s -> %s %s" % (method, path, r.status_code, r.text)
    errors = []
    check(spec, r.json(), response_schema(spec, path, method.lower(), r.status_code),
          "%s %s" % (method, path), errors)
    assert not errors, "\n".join(errors)


def first_id(session, url):
    r = session.get(url, params={"per_page": 1}, timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items, url + " is empty in the demo data"
    return items[0]["id"]


def test_read_responses_match_their_schemas(spec, server):
    admin = server.login("admin")
    base = server.url + "/api/v1"
    for path in ("/api/v1/departments", "/api/v1/officers", "/api/v1/matters", "/api/v1/laws",
                 "/api/v1/users", "/api/v1/auth/me", "/api/v1/auth/tokens", "/api/v1/meta",
                 "/api/v1/meta/routes"):
        assert_matches(spec, path, "GET", admin.get(server.url + path, timeout=10))
    for coll in ("departments", "officers", "matters", "laws", "users"):
        i = first_id(admin, "%s/%s" % (base, coll))
        assert_matches(spec, "/api/v1/%s/{id}" % coll, "GET",
                       admin.get("%s/%s/%s" % (base, coll, i), timeout=10))
    auditor = server.login("auditor1")
    assert_matches(spec, "/api/v1/audit", "GET", auditor.get(base + "/audit", timeout=10))


def test_errors_have_the_documented_shape(spec, server):
    base = server.url + "/api/v1"
    admin = server.login("admin")
    cases = [
        (requests.get(base + "/departments", timeout=10), 401),
        (admin.get(base + "/officers/999999999", timeout=10), 404),
        (admin.get(base + "/officers", params={"sort": "password"}, timeout=10), 400),
        (admin.post(base + "/departments", json={"code": "X", "name": "甲", "bogus": 1},
                    timeout=10), 400),
        (server.login("auditor1").get(base + "/laws", timeout=10), 403),
    ]
    for r, status in cases:
        assert r.status_code == status, r.text
        errors = []
        check(spec, r.json(), {"$ref": "#/components/schemas/Error"}, r.url, errors)
        assert not errors, errors
        pattern = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"][
            "code"]["pattern"]
        assert re.match(pattern, r.json()["error"]["code"]), r.text
