"""The authorization matrix: every API route x every role (the eight demo
logins and an anonymous client) x an object of the own or of another
department -> allowed or denied.

The route list comes from GET /api/v1/meta/routes, so a route added by a
later issue is exercised automatically with the roles it declares. For the
foundation routes the declarations are also compared with EXPECTED below,
written by hand from issue 2, so a wrong declaration fails here instead of
being mirrored.

"Allowed" means the request got past authorization: any status but 401/403
(and never 5xx). "Denied" means 403 forbidden for a logged-in user, 401
unauthenticated for an anonymous one, each with the standard error object.

Write requests carry a probe body that decodes but then fails validation
(an unknown field, or for the creates whose department comes from the body a
body with an impossible date range or power type), so an allowed write is
answered 400 and nothing is changed. The few writes that take no body
(unlock, reset-totp, TOTP setup) target throwaway accounts created for this
module; logout runs last.
"""
import re

import pytest
import requests

from conftest import DEMO_USERS

API = "/api/v1"
ALL = {"officer", "reviewer", "head", "publicity", "supervisor", "auditor", "admin"}
LIB_READ = ALL - {"auditor"}
PUBLIC = "public"

# (method, pattern) -> PUBLIC, or (roles allowed, roles limited to their own
# department). Written from issue 2 and the API contract, not from the code.
EXPECTED = {
    ("POST", API + "/auth/login"): PUBLIC,
    ("POST", API + "/auth/logout"): (ALL, set()),
    ("GET", API + "/auth/me"): (ALL, set()),
    ("POST", API + "/auth/password"): (ALL, set()),
    ("POST", API + "/auth/totp/setup"): (ALL, set()),
    ("POST", API + "/auth/totp/enable"): (ALL, set()),
    ("GET", API + "/auth/tokens"): (ALL, set()),
    ("POST", API + "/auth/tokens"): (ALL, set()),
    ("DELETE", API + "/auth/tokens/{id}"): (ALL, set()),
    # accounts: administrators only
    ("GET", API + "/users"): ({"admin"}, set()),
    ("POST", API + "/users"): ({"admin"}, set()),
    ("GET", API + "/users/{id}"): ({"admin"}, set()),
    ("PUT", API + "/users/{id}"): ({"admin"}, set()),
    ("POST", API + "/users/{id}/password"): ({"admin"}, set()),
    ("POST", API + "/users/{id}/reset-totp"): ({"admin"}, set()),
    ("POST", API + "/users/{id}/unlock"): ({"admin"}, set()),
    # the three libraries: read by all staff but the auditor; written by the
    # administrator anywhere and by a department head in their own department
    ("GET", API + "/departments"): (LIB_READ, set()),
    ("GET", API + "/departments/{id}"): (LIB_READ, set()),
    ("POST", API + "/departments"): ({"admin"}, set()),
    ("PUT", API + "/departments/{id}"): ({"admin"}, set()),
    ("POST", API + "/departments/{id}/units"): ({"admin", "head"}, {"head"}),
    ("PUT", API + "/units/{id}"): ({"admin", "head"}, {"head"}),
    ("GET", API + "/officers"): (LIB_READ, set()),
    ("GET", API + "/officers/{id}"): (LIB_READ, set()),
    ("POST", API + "/officers"): ({"admin", "head"}, {"head"}),
    ("PUT", API + "/officers/{id}"): ({"admin", "head"}, {"head"}),
    ("GET", API + "/matters"): (LIB_READ, set()),
    ("GET", API + "/matters/{id}"): (LIB_READ, set()),
    ("POST", API + "/matters"): ({"admin", "head"}, {"head"}),
    ("PUT", API + "/matters/{id}"): ({"admin", "head"}, {"head"}),
    ("GET", API + "/laws"): (LIB_READ, set()),
    ("GET", API + "/laws/{id}"): (LIB_READ, set()),
    ("POST", API + "/laws"): ({"admin"}, set()),
    # reference data and the audit trail
    ("GET", API + "/meta"): PUBLIC,
    ("GET", API + "/meta/routes"): PUBLIC,
    ("GET", API + "/audit"): ({"auditor", "supervisor"}, set()),
    # the ledger (issue 4): read by anyone; checkpoints on demand by the
    # administrator and the Justice Bureau; witnesses registered by the
    # administrator; cosignatures are proved by their signature, not a login
    ("GET", API + "/ledger/checkpoint"): PUBLIC,
    ("POST", API + "/ledger/checkpoint"): ({"admin", "supervisor"}, set()),
    ("GET", API + "/ledger/checkpoints"): PUBLIC,
    ("GET", API + "/ledger/public-key"): PUBLIC,
    ("GET", API + "/ledger/proof/inclusion"): PUBLIC,
    ("GET", API + "/ledger/proof/consistency"): PUBLIC,
    ("GET", API + "/ledger/entries"): PUBLIC,
    ("POST", API + "/ledger/cosignatures"): PUBLIC,
    ("GET", API + "/ledger/witnesses"): PUBLIC,
    ("POST", API + "/ledger/witnesses"): ({"admin"}, set()),
    # 事前公开 / 事中公示 (issue 7): a department's publicity officer and head
    # edit, review and publish its items; the Justice Bureau's supervisors and
    # the administrator read every department's; photos belong to the officer
    # library (administrator anywhere, head and publicity officer at home)
    ("GET", API + "/publicity-items"): ({"head", "publicity", "supervisor", "admin"}, set()),
    ("POST", API + "/departments/{id}/publicity-items"): ({"head", "publicity"}, {"head", "publicity"}),
    ("GET", API + "/publicity-items/{id}"): ({"head", "publicity", "supervisor", "admin"},
                                            {"head", "publicity"}),
    ("PUT", API + "/publicity-items/{id}"): ({"head", "publicity"}, {"head", "publicity"}),
    ("POST", API + "/publicity-items/{id}/review"): ({"head", "publicity"}, {"head", "publicity"}),
    ("POST", API + "/publicity-items/{id}/publish"): ({"head", "publicity"}, {"head", "publicity"}),
    ("POST", API + "/publicity-items/{id}/withdraw"): ({"head", "publicity"}, {"head", "publicity"}),
    ("GET", API + "/publicity-items/{id}/history"): ({"head", "publicity", "supervisor", "admin"},
                                                    {"head", "publicity"}),
    ("PUT", API + "/officers/{id}/photo"): ({"admin", "head", "publicity"}, {"head", "publicity"}),
    ("GET", API + "/officers/{id}/photo"): (LIB_READ, set()),
    # documents (issue 5): the template schemas for every login; a document's
    # PDF, HTML, verification code and signatures are read like its case (the
    # department's staff, the Justice Bureau's supervisors); signatures are
    # captured by the department's officers, reviewers and heads, the seal is
    # the department head's; the verification of a printed code is public
    ("GET", API + "/document-templates"): (ALL, set()),
    ("GET", API + "/document-templates/{code}"): (ALL, set()),
    ("GET", API + "/cases/{id}/documents/{doc_id}/pdf"): (
        {"officer", "reviewer", "head", "publicity", "supervisor"}, {"officer", "reviewer", "head", "publicity"}),
    ("GET", API + "/cases/{id}/documents/{doc_id}/html"): (
        {"officer", "reviewer", "head", "publicity", "supervisor"}, {"officer", "reviewer", "head", "publicity"}),
    ("GET", API + "/cases/{id}/documents/{doc_id}/verification"): (
        {"officer", "reviewer", "head", "publicity", "supervisor"}, {"officer", "reviewer", "head", "publicity"}),
    ("GET", API + "/cases/{id}/documents/{doc_id}/signatures"): (
        {"officer", "reviewer", "head", "publicity", "supervisor"}, {"officer", "reviewer", "head", "publicity"}),
    ("POST", API + "/cases/{id}/documents/{doc_id}/signatures"): (
        {"officer", "reviewer", "head"}, {"officer", "reviewer", "head"}),
    ("POST", API + "/cases/{id}/documents/{doc_id}/seal"): ({"head"}, {"head"}),
    ("GET", API + "/verify/document/{code}"): PUBLIC,
    # 归档 and supervision (issue 5): the 案卷 bundle is read like its case;
    # stage times by the department's staff (their own) and the supervisor;
    # 案卷评查 by the Justice Bureau's supervisor alone
    ("GET", API + "/cases/{id}/bundle"): (
        {"officer", "reviewer", "head", "publicity", "supervisor"}, {"officer", "reviewer", "head", "publicity"}),
    ("GET", API + "/supervision/stage-times"): ({"officer", "reviewer", "head", "publicity", "supervisor"}, set()),
    ("GET", API + "/evaluations/checklist"): ({"supervisor"}, set()),
    ("PUT", API + "/evaluations/checklist"): ({"supervisor"}, set()),
    ("GET", API + "/evaluations/draws"): ({"supervisor"}, set()),
    ("POST", API + "/evaluations/draws"): ({"supervisor"}, set()),
    ("GET", API + "/evaluations/draws/{id}"): ({"supervisor"}, set()),
    ("GET", API + "/evaluations/draws/{id}/report"): ({"supervisor"}, set()),
    ("PUT", API + "/evaluations/draws/{id}/samples/{sample_id}"): ({"supervisor"}, set()),
}

# 重大执法决定法制审核 (issue 6): the department's staff read its catalog and a
# case's review; the head edits and submits the catalog, the Justice Bureau
# files or returns it; officers and heads submit, reviewers review, the head
# overrides, extends and records a 集体讨论; the pool is the bureau's.
_STAFF = {"officer", "reviewer", "head", "publicity"}
EXPECTED.update({
    ("GET", API + "/review-catalog/defaults"): (LIB_READ, set()),
    ("POST", API + "/review-catalog/check"): (LIB_READ, set()),
    ("GET", API + "/departments/{id}/review-catalogs"): (LIB_READ, _STAFF),
    ("PUT", API + "/departments/{id}/review-catalog"): ({"head"}, {"head"}),
    ("POST", API + "/departments/{id}/review-catalog/submit"): ({"head"}, {"head"}),
    ("POST", API + "/departments/{id}/review-catalog/file"): ({"supervisor"}, set()),
    ("POST", API + "/departments/{id}/review-catalog/return"): ({"supervisor"}, set()),
    ("POST", API + "/cases/{id}/classify"): ({"officer", "reviewer", "head"}, {"officer", "reviewer", "head"}),
    ("GET", API + "/cases/{id}/review"): (_STAFF | {"supervisor"}, _STAFF),
    ("POST", API + "/cases/{id}/review/override"): ({"head"}, {"head"}),
    ("POST", API + "/cases/{id}/review/submit"): ({"officer", "head"}, {"officer", "head"}),
    ("POST", API + "/cases/{id}/review/assign"): ({"head", "supervisor"}, {"head"}),
    ("POST", API + "/cases/{id}/review/receive"): ({"reviewer"}, {"reviewer"}),
    ("PUT", API + "/cases/{id}/review/checklist"): ({"reviewer"}, {"reviewer"}),
    ("POST", API + "/cases/{id}/review/conclude"): ({"reviewer"}, {"reviewer"}),
    ("POST", API + "/cases/{id}/review/extend"): ({"reviewer", "head"}, {"reviewer", "head"}),
    ("POST", API + "/cases/{id}/review/collective"): ({"head"}, {"head"}),
    ("GET", API + "/cases/{id}/review/opinion"): (_STAFF | {"supervisor"}, _STAFF),
    ("POST", API + "/cases/{id}/review/opinion/signature"): ({"reviewer"}, {"reviewer"}),
    ("GET", API + "/reviews/queue"): (_STAFF | {"supervisor"}, set()),
    ("GET", API + "/reviews/stats"): ({"head", "supervisor", "admin"}, set()),
    ("GET", API + "/reviews/pool"): ({"reviewer", "head", "supervisor", "admin"}, set()),
    ("POST", API + "/reviews/pool"): ({"supervisor", "admin"}, set()),
    ("DELETE", API + "/reviews/pool/{id}"): ({"supervisor", "admin"}, set()),
})

# issue 5 leftovers: a case's recording interruptions are read like the case
# and recorded by those who take its steps (officers, reviewers, heads)
EXPECTED.update({
    ("GET", API + "/cases/{id}/recording-interruptions"): (_STAFF | {"supervisor"}, _STAFF),
    ("POST", API + "/cases/{id}/recording-interruptions"): (
        {"officer", "reviewer", "head"}, {"officer", "reviewer", "head"}),
})

# 投诉举报 and 调阅监督 (issue 8): a department's officers and head work on
# its complaints (which of them may see the complainant is the handler's
# check, answered 403 by the handler), the Justice Bureau's supervisor on
# every department's; only the head and the bureau pick a handler. The
# access log is for the auditor and the bureau.
EXPECTED.update({
    ("GET", API + "/complaints"): ({"officer", "head", "supervisor"}, set()),
    ("GET", API + "/complaints/{id}"): ({"officer", "head", "supervisor"}, {"officer", "head"}),
    ("POST", API + "/complaints/{id}/reveal"): ({"officer", "head", "supervisor"}, {"officer", "head"}),
    ("POST", API + "/complaints/{id}/actions"): ({"officer", "head", "supervisor"}, {"officer", "head"}),
    ("GET", API + "/complaints/{id}/handlers"): ({"head", "supervisor"}, {"head"}),
    ("GET", API + "/complaints/{id}/attachments/{attachment_id}"): (
        {"officer", "head", "supervisor"}, {"officer", "head"}),
    ("GET", API + "/access-log"): ({"auditor", "supervisor"}, set()),
    ("GET", API + "/access-log/flags"): ({"auditor", "supervisor"}, set()),
})

# Creates whose department is named in the body: the body must decode for
# the department check to run, so these probes are complete bodies that the
# handler then refuses (certificate ends before it starts; unknown power type).
# issue 8: supervision of implementation (the Justice Bureau's supervisor;
# a department head sees and files for their own department only)
EXPECTED.update({
    ("GET", API + "/cockpit"): ({"supervisor"}, set()),
    ("GET", API + "/departments/{id}/cockpit"): ({"supervisor", "head"}, {"head"}),
    ("POST", API + "/cockpit/refresh"): ({"supervisor"}, set()),
    ("GET", API + "/cockpit/bulletin"): ({"supervisor"}, set()),
    ("GET", API + "/cockpit/weights"): ({"supervisor"}, set()),
    ("PUT", API + "/cockpit/weights"): ({"supervisor"}, set()),
    ("GET", API + "/warnings"): ({"supervisor"}, set()),
    ("GET", API + "/warning-rules"): ({"supervisor"}, set()),
    ("POST", API + "/warning-rules"): ({"supervisor"}, set()),
    ("PUT", API + "/warning-rules/{id}"): ({"supervisor"}, set()),
    ("GET", API + "/tracker"): ({"supervisor"}, set()),
    ("GET", API + "/departments/{id}/tracker"): ({"supervisor", "head"}, {"head"}),
    ("POST", API + "/tracker/tasks"): ({"supervisor"}, set()),
    ("PUT", API + "/tracker/tasks/{id}"): ({"supervisor"}, set()),
    ("DELETE", API + "/tracker/tasks/{id}"): ({"supervisor"}, set()),
    ("PUT", API + "/tracker/tasks/{id}/marks/{dept_id}"): ({"supervisor"}, set()),
    ("GET", API + "/filings"): ({"supervisor"}, set()),
    ("GET", API + "/departments/{id}/filings"): ({"supervisor", "head"}, {"head"}),
    ("POST", API + "/departments/{id}/filings"): ({"head"}, {"head"}),
    ("GET", API + "/filings/{id}"): ({"supervisor", "head"}, {"head"}),
    ("POST", API + "/filings/{id}/accept"): ({"supervisor"}, set()),
    ("POST", API + "/filings/{id}/return"): ({"supervisor"}, set()),
})

BODY_DEPT_PROBES = {
    ("POST", API + "/officers"): lambda dept: {
        "department_id": dept, "name": "矩阵探针", "certificate_no": "MATRIX-PROBE-1",
        "certificate_valid_from": "2025-06-01", "certificate_valid_to": "2024-06-01"},
    ("POST", API + "/matters"): lambda dept: {
        "department_id": dept, "code": "MATRIX-PROBE", "name": "矩阵探针",
        "power_type": "no_such_power_type"},
}
UNKNOWN_FIELD_PROBE = {"zz_matrix_probe": 1}
# Allowed rows of the foundation whose answer is known exactly.
EXPECTED_ALLOWED_STATUS = {
    ("POST", API + "/auth/login"): {400},
    ("POST", API + "/auth/logout"): {200},
    ("DELETE", API + "/auth/tokens/{id}"): {404},
    ("POST", API + "/users/{id}/reset-totp"): {200},
    ("POST", API + "/users/{id}/unlock"): {200},
    ("POST", API + "/auth/totp/setup"): {200},
}

# a DELETE takes no body: an unknown pool id is simply not found (issue 6)
EXPECTED_ALLOWED_STATUS[("DELETE", API + "/reviews/pool/{id}")] = {404}
# issue 8: the matrix has no tracker task id (no table "tasks"): not found
EXPECTED_ALLOWED_STATUS[("DELETE", API + "/tracker/tasks/{id}")] = {404}

OWN_DEPT_NAME = "市场监督管理局"   # officer1, head1 ... (市市场监督管理局)
OTHER_DEPT_NAME = "生态环境局"
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_SUCH_ID = 987654
# path resources whose table has another name (issue 4: /evidence/{id})
TABLE_OF = {"evidence": "evidence_files",
            # issue 5: /cases/{id}/documents/{doc_id}
            "documents": "case_documents",
            # issue 7: /annual-reports/{id}
            "annual-reports": "annual_reports",
            # issue 7, 双随机: /spotchecks/{id}/entities/{entity_id}, .../selections/{selection_id}
            "spotchecks": "spot_plans", "entities": "spot_entities",
            "selections": "spot_selections",
            # issue 8: /complaints/{id}/attachments/{attachment_id}
            "attachments": "complaint_attachments"}


def is_write(method):
    return method not in ("GET", "HEAD", "OPTIONS")


def expectation_of(route):
    """(public, roles, own_dept_roles) from EXPECTED when the route is a
    foundation route, else from its declaration."""
    key = (route["method"], route["pattern"])
    exp = EXPECTED.get(key)
    if exp is None:
        if route["public"]:
            return True, set(), set()
        return False, set(route["roles"]), set(route["own_department_roles"])
    if exp == PUBLIC:
        return True, set(), set()
    return False, set(exp[0]), set(exp[1])


def is_error_object(r):
    try:
        body = r.json()
    except ValueError:
        return False
    e = body.get("error") if isinstance(body, dict) else None
    return (isinstance(e, dict) and isinstance(e.get("code"), str) and e["code"]
            and isinstance(e.get("message"), str) and CJK.search(e["message"]) is not None
            and isinstance(e.get("field"), str))


@pytest.fixture(scope="module")
def world(server):
    """Logins, department ids and target objects for the matrix."""
    con = server.db()
    try:
        def one(sql, *args):
            row = con.execute(sql, args).fetchone()
            assert row is not None, "demo data lacks: %s %r" % (sql, args)
            return row[0]
        own = one("SELECT id FROM departments WHERE name LIKE ? ORDER BY id LIMIT 1",
                  "%" + OWN_DEPT_NAME)
        other = one("SELECT id FROM departments WHERE name LIKE ? ORDER BY id LIMIT 1",
                    "%" + OTHER_DEPT_NAME)
        table_names = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()

    admin = server.login("admin")
    # throwaway accounts, one per department, for the account routes
    users = {}
    for label, dept in (("own", own), ("other", other)):
        r = admin.post(server.url + API + "/users", json={
            "username": "matrix_%s" % label, "display_name": "矩阵测试%s" % label,
            "role": "officer", "department_id": dept, "password": "Matrix-target-pass-2026"},
            timeout=10)
        assert r.status_code == 201, r.text
        users[dept] = r.json().get("id") or r.json().get("user", {}).get("id")
        assert users[dept], r.text

    # one evidence file per department (issue 4), uploaded by an officer of
    # each, so the own-department rows of /evidence/{id} have targets
    for label in ("own", "other"):
        up = server.login("matrix_%s" % label, "Matrix-target-pass-2026")
        r = up.put(server.url + API + "/evidence/raw", params={"kind": "photo"},
                   data=("matrix evidence %s" % label).encode(), timeout=10)
        assert r.status_code == 201, r.text
        up.post(server.url + API + "/auth/logout", timeout=10)

    # one publicity item per department (issue 7), written by a publicity
    # officer of each, so /publicity-items/{id} has targets on both sides
    for label, dept in (("own", own), ("other", other)):
        r = admin.post(server.url + API + "/users", json={
            "username": "matrix_pub_%s" % label, "display_name": "矩阵公示%s" % label,
            "role": "publicity", "department_id": dept, "password": "Matrix-target-pass-2026"},
            timeout=10)
        assert r.status_code == 201, r.text
        pub = server.login("matrix_pub_%s" % label, "Matrix-target-pass-2026")
        r = pub.post(server.url + API + "/departments/%d/publicity-items" % dept, json={
            "kind": "random_check", "name": "矩阵探针", "basis": "b", "subject": "s", "content": "c",
            "method": "m", "ratio": "1%", "frequency": "f"}, timeout=10)
        assert r.status_code == 201, r.text
        pub.post(server.url + API + "/auth/logout", timeout=10)

    # one queued publication per department (issue 7, 事后公开), so
    # /publications/{id} has targets on both sides; written to the store
    # directly because queuing one through the API needs a decided case
    if "publications" in table_names:
        con = server.db()
        try:
            for dept in (own, other):
                con.execute("INSERT INTO publications (department_id, kind, title, content, masked, "
                            "decision_date, created_at, updated_at) VALUES (?, 'other', '矩阵探针', "
                            "'{}', '{}', '2026-01-05', 0, 0)", (dept,))
            con.commit()
        finally:
            con.close()

    # one annual report (issue 7, 年报) per department, so /annual-reports/{id}
    # has targets on both sides; written to the store directly (generating
    # one through the API is for the caller's own department only)
    if "annual_reports" in table_names:
        con = server.db()
        try:
            for dept in (own, other):
                con.execute("INSERT INTO annual_reports (department_id, year, data, as_of, generated_at, "
                            "created_at, updated_at) VALUES (?, 2025, '{\"year\":2025,\"sections\":[]}', "
                            "'2026-01-05', 0, 0, 0)", (dept,))
            con.commit()
        finally:
            con.close()

    # one submitted filing per department (issue 8), so /filings/{id} has
    # targets on both sides; written to the store directly because a
    # department's filing is a snapshot of lists the demo data may lack
    if "filings" in table_names:
        con = server.db()
        try:
            for dept in (own, other):
                con.execute("INSERT INTO filings (department_id, kind, version, state, body, body_sha256, "
                            "submitted_on, submitted_at) VALUES (?, 'device_rules', 99, 'submitted', "
                            "'{\"text\":\"矩阵探针\"}', '', '2026-01-05', 0)", (dept,))
            con.commit()
        finally:
            con.close()

    # one random-check plan per department (issue 7, 双随机) with one entity
    # and one selection, so /spotchecks/{id}/... has targets on both sides;
    # written to the store directly (a selection exists only after a draw)
    if "spot_plans" in table_names:
        con = server.db()
        try:
            for dept in (own, other):
                pid = con.execute("INSERT INTO spot_plans (department_id, title, ratio_permille, "
                                  "period_from, period_to, created_by, created_at, updated_at) VALUES "
                                  "(?, '矩阵探针', 50, '2026-01-01', '2026-12-31', 1, 0, 0)",
                                  (dept,)).lastrowid
                eid = con.execute("INSERT INTO spot_entities (plan_id, credit_code, name, created_at) "
                                  "VALUES (?, '91360100MA35ABCDE2', '矩阵探针', 0)", (pid,)).lastrowid
                con.execute("INSERT INTO spot_selections (plan_id, draw_order, entity_id) VALUES (?, 1, ?)",
                            (pid, eid))
            con.commit()
        finally:
            con.close()

    # one complaint per department (issue 8, 投诉举报), so /complaints/{id}
    # has targets on both sides; written to the store directly because the
    # portal form is not an API route
    if "complaints" in table_names:
        con = server.db()
        try:
            for n, dept in enumerate((own, other)):
                cur = con.execute("INSERT INTO complaints (tracking_no, query_hash, department_id, "
                                  "subject_kind, content, created_at, updated_at) VALUES (?, '', ?, "
                                  "'department', '矩阵探针', 0, 0)", ("TS-2026-MATRIX0%d-0" % n, dept))
                con.execute("INSERT INTO complaint_attachments (complaint_id, sha256, size, content_type) "
                            "VALUES (?, ?, 0, 'image/png')", (cur.lastrowid, "0" * 64))
            con.commit()
        finally:
            con.close()

    sessions = {u: server.login(u) for u in DEMO_USERS}
    sessions[None] = requests.Session()  # anonymous
    for u in DEMO_USERS:
        assert sessions[u].user["username"] == u
    head = sessions["head1"].user
    assert head["department_id"] == own, \
        "head1 should belong to %s (id %d), got %r" % (OWN_DEPT_NAME, own, head)
    return {"own": own, "other": other, "tables": table_names, "users": users,
            "sessions": sessions}


def target_ids(server, world, resource, dept, param="id"):
    """A value for the path parameter {param} of resource (the path segment
    before it): an object owned by dept when the resource has a department,
    else any object; None when no such object or table is found."""
    if resource == "departments":
        return dept
    if resource == "users":
        return world["users"][dept]
    if resource == "tokens":
        return NO_SUCH_ID  # tokens are per user; a foreign id is simply not found
    resource = TABLE_OF.get(resource, resource.replace("-", "_"))
    con = server.db()
    try:
        if resource not in world["tables"]:
            return None
        cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % resource)]
        key = param if param in cols else "id" if "id" in cols else None
        if key is None:
            return None
        if "department_id" in cols:
            row = con.execute('SELECT "%s" FROM "%s" WHERE department_id = ? ORDER BY 1 LIMIT 1'
                              % (key, resource), (dept,)).fetchone()
        else:
            row = con.execute('SELECT "%s" FROM "%s" ORDER BY 1 LIMIT 1' % (key, resource)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def has_department(server, world, resource):
    if resource in ("departments", "users"):
        return True
    resource = TABLE_OF.get(resource, resource.replace("-", "_"))
    if resource not in world["tables"]:
        return False
    con = server.db()
    try:
        return "department_id" in [r[1] for r in con.execute('PRAGMA table_info("%s")' % resource)]
    finally:
        con.close()


def build_rows(server, world, routes):
    """Every (route, user, target department) to try, with the expected
    answer: True (allowed) or False (denied)."""
    rows = []
    for route in routes:
        method, pattern = route["method"], route["pattern"]
        public, roles, own_roles = expectation_of(route)
        segs = pattern.split("/")
        params = [(i, segs[i - 1], s.strip("{}")) for i, s in enumerate(segs) if s.startswith("{")]
        key = (method, pattern)
        dept_scoped = (key in BODY_DEPT_PROBES or
                       any(has_department(server, world, res) for _, res, _ in params))
        depts = [world["own"], world["other"]] if dept_scoped else [None]
        for dept in depts:
            path_segs = list(segs)
            unresolved = []
            for i, res, name in params:
                oid = target_ids(server, world, res, dept if dept else world["own"], name)
                if oid is None:
                    unresolved.append(res)
                    oid = NO_SUCH_ID
                path_segs[i] = str(oid)
            path = "/".join(path_segs)
            if key in BODY_DEPT_PROBES:
                body = BODY_DEPT_PROBES[key](dept)
            elif is_write(method):
                body = UNKNOWN_FIELD_PROBE
            else:
                body = None
            for user in [None] + DEMO_USERS:
                s = world["sessions"][user]
                role = s.user["role"] if user else None
                if public:
                    allow = True
                elif user is None or role not in roles:
                    allow = False
                elif role in own_roles:
                    if unresolved:
                        pytest.fail("%s %s limits %s to their own department but the matrix cannot "
                                    "find a %s object: teach target_ids() about it"
                                    % (method, pattern, role, "/".join(unresolved)))
                    allow = dept == s.user["department_id"]
                else:
                    allow = True
                rows.append({"method": method, "pattern": pattern, "path": path, "body": body,
                             "user": user, "role": role, "dept": dept, "allow": allow})
    return rows


def run_order(row):
    """Reads first; then writes, refusals before acceptances so that no
    accepted write can change what a later refusal sees; logout last."""
    if row["pattern"] == API + "/auth/logout":
        return (3, 0)
    if not is_write(row["method"]):
        return (0, 0)
    return (1 if not row["allow"] else 2, 0)


def check_row(server, world, row):
    s = world["sessions"][row["user"]]
    kw = {"timeout": 10}
    if row["body"] is not None:
        kw["json"] = row["body"]
    r = s.request(row["method"], server.url + row["path"], **kw)
    who = row["user"] or "anonymous"
    what = "%s %s as %s (dept %s)" % (row["method"], row["path"], who, row["dept"])
    if row["allow"]:
        if r.status_code in (401, 403) or r.status_code >= 500:
            return "%s: expected allowed, got %d %s" % (what, r.status_code, r.text[:200])
        exact = EXPECTED_ALLOWED_STATUS.get((row["method"], row["pattern"]))
        if exact is None and is_write(row["method"]) and (row["method"], row["pattern"]) in EXPECTED:
            exact = {400}  # the probe must be refused by validation, i.e. nothing written
        if exact and r.status_code not in exact:
            return "%s: expected status %s after authorization, got %d %s" % (
                what, sorted(exact), r.status_code, r.text[:200])
        return None
    want, code = (401, "unauthenticated") if row["user"] is None else (403, "forbidden")
    if r.status_code != want:
        return "%s: expected %d %s, got %d %s" % (what, want, code, r.status_code, r.text[:200])
    if not is_error_object(r) or r.json()["error"]["code"] != code:
        return "%s: expected the error object with code %s, got %s" % (what, code, r.text[:200])
    return None


def test_every_route_declares_roles(server):
    routes = requests.get(server.url + API + "/meta/routes", timeout=10).json()["items"]
    assert len(routes) >= len(EXPECTED)
    seen = set()
    for r in routes:
        key = (r["method"], r["pattern"])
        assert key not in seen, "route listed twice: %s %s" % key
        seen.add(key)
        assert r["pattern"].startswith(API + "/"), r
        assert r["public"] or r["roles"], "%s %s declares no role (it would be dead)" % key
        assert set(r["own_department_roles"]) <= set(r["roles"]), \
            "%s %s: own-department roles must be a subset of the roles" % key
        assert set(r["roles"]) <= ALL, "%s %s: unknown role in %r" % (key + (r["roles"],))


def test_foundation_declarations_match_expectations(server):
    routes = requests.get(server.url + API + "/meta/routes", timeout=10).json()["items"]
    declared = {(r["method"], r["pattern"]): r for r in routes}
    problems = []
    for key, exp in sorted(EXPECTED.items()):
        r = declared.get(key)
        if r is None:
            problems.append("%s %s is missing from /meta/routes" % key)
            continue
        if exp == PUBLIC:
            if not r["public"]:
                problems.append("%s %s should be public" % key)
            continue
        if r["public"]:
            problems.append("%s %s should not be public" % key)
        if set(r["roles"]) != exp[0]:
            problems.append("%s %s declares roles %s, expected %s"
                            % (key + (sorted(r["roles"]), sorted(exp[0]))))
        if set(r["own_department_roles"]) != exp[1]:
            problems.append("%s %s declares own-department roles %s, expected %s"
                            % (key + (sorted(r["own_department_roles"]), sorted(exp[1]))))
    assert not problems, "route declarations differ from issue 2:\n" + "\n".join(problems)


def test_matrix(server, world):
    routes = requests.get(server.url + API + "/meta/routes", timeout=10).json()["items"]
    rows = build_rows(server, world, routes)
    rows.sort(key=run_order)
    # every role, both departments and anonymous are really exercised
    assert {r["role"] for r in rows} == ALL | {None}
    assert any(r["dept"] == world["own"] for r in rows)
    assert any(r["dept"] == world["other"] for r in rows)
    assert any(r["allow"] and r["role"] == "head" and r["dept"] == world["own"]
               and r["method"] == "PUT" for r in rows)
    assert any(not r["allow"] and r["role"] == "head" and r["dept"] == world["other"]
               and r["method"] == "PUT" for r in rows)

    failures = [f for f in (check_row(server, world, row) for row in rows) if f]
    assert not failures, "%d of %d matrix rows are wrong:\n%s" % (
        len(failures), len(rows), "\n".join(failures))

    # every refusal of a logged-in user left an audit row naming the user,
    # the route and the method
    con = server.db()
    try:
        logged = {(a, o, d) for a, o, d in con.execute(
            "SELECT actor_name, object_id, detail FROM audit_log WHERE action = 'forbidden'")}
    finally:
        con.close()
    missing = sorted({"%s %s by %s" % (r["method"], r["pattern"], r["user"]) for r in rows
                      if not r["allow"] and r["user"]
                      and (r["user"], r["pattern"], r["method"]) not in logged})
    assert not missing, "refused requests without a 'forbidden' audit row:\n" + "\n".join(missing)


def test_refusal_writes_one_audit_row(fresh_server):
    srv = fresh_server
    s = srv.login("officer1")
    con = srv.db()
    before = con.execute("SELECT COUNT(*) FROM audit_log WHERE action='forbidden'").fetchone()[0]
    con.close()
    r = s.get(srv.url + API + "/users", timeout=10)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    con = srv.db()
    try:
        rows = con.execute("SELECT actor_name, object_type, object_id, ip, detail FROM audit_log "
                           "WHERE action='forbidden' ORDER BY id").fetchall()
    finally:
        con.close()
    assert len(rows) == before + 1, rows
    assert rows[-1] == ("officer1", "route", API + "/users", "127.0.0.1", "GET"), rows[-1]


def test_anonymous_refusal_is_401_not_audited_as_user(server):
    r = requests.get(server.url + API + "/users", timeout=10)
    assert r.status_code == 401
    assert is_error_object(r) and r.json()["error"]["code"] == "unauthenticated", r.text


def test_head_cannot_move_officer_to_other_department(server, world):
    """Own-department rules also hold for the target of a write: a head may
    not move an officer of their department into another one."""
    con = server.db()
    try:
        oid = con.execute("SELECT id FROM officers WHERE department_id = ? ORDER BY id LIMIT 1",
                          (world["own"],)).fetchone()[0]
    finally:
        con.close()
    before = server.snapshot(["officers"])
    s = server.login("head1")  # the matrix's own sessions are logged out by its last rows
    r = s.put(server.url + API + "/officers/%d" % oid,
              json={"department_id": world["other"]}, timeout=10)
    assert r.status_code == 403, "a head moved an officer out of their department: %d %s" % (
        r.status_code, r.text)
    assert is_error_object(r)
    assert server.snapshot(["officers"]) == before
