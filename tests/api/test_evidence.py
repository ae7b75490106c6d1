"""The evidence store (issue 4): streaming uploads (multipart, raw PUT,
resumable with Content-Range), dedup, Idempotency-Key, metadata and list
scope, ranged downloads, restricted files, the per-party view, derivatives
and retention in two logged steps.

The 4 GiB upload runs only with ZHIFA_BIG_UPLOAD=1 (make big-upload-test).
"""
import hashlib
import os
import re
import socket
import threading
import time

import pytest
import requests

from conftest import BLOB, start_server, stop_server

API = "/api/v1"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_number(body17):
    """A 身份证号 with its GB 11643 check character, computed here."""
    s = sum(int(ch) * w for ch, w in zip(body17, ID_WEIGHTS))
    return body17 + "10X98765432"[s % 11]


def uscc(body17):
    """A 统一社会信用代码 with its GB 32100 check character."""
    s = sum(USCC_ALPHA.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS))
    return body17 + USCC_ALPHA[(31 - s % 31) % 31]


PERSON = id_number("11010519491231002")
COMPANY = uscc("91350100M000100Y4")


def data(n, seed):
    """n deterministic bytes, different for every seed."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s-%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def audit_rows(srv, action, object_id=None):
    con = srv.db()
    try:
        if object_id is None:
            return con.execute("SELECT actor_name, object_id, detail FROM audit_log WHERE action = ? "
                               "ORDER BY id", (action,)).fetchall()
        return con.execute("SELECT actor_name, object_id, detail FROM audit_log WHERE action = ? AND "
                           "object_id = ? ORDER BY id", (action, str(object_id))).fetchall()
    finally:
        con.close()


def upload(srv, s, content, fields=None, filename="clip.mp4", ctype="video/mp4", headers=None):
    form = {"kind": "video"}
    form.update(fields or {})
    return s.post(srv.url + API + "/evidence", data=form,
                  files={"file": (filename, content, ctype)}, headers=headers or {}, timeout=30)


def raw(srv, s, content, params=None, headers=None):
    p = {"kind": "photo"}
    p.update(params or {})
    return s.put(srv.url + API + "/evidence/raw", params=p, data=content,
                 headers=headers or {}, timeout=30)


def blob_file(srv, sha):
    return srv.blob_path(sha)


@pytest.fixture(scope="module")
def ev(server):
    return {"officer": server.login("officer1"), "officer2": server.login("officer2"),
            "head": server.login("head1"), "reviewer": server.login("reviewer1"),
            "supervisor": server.login("supervisor1"), "admin": server.login("admin"),
            "auditor": server.login("auditor1"), "publicity": server.login("publicity1")}


# ---- uploads -------------------------------------------------------------

def test_multipart_upload_stores_file_and_metadata(server, ev):
    content = data(300_000, "multipart")
    r = upload(server, ev["officer"], content, {
        "device": "DSJ-SCJG-0001", "location": "朝阳区某路口", "started_at": "2026-03-01T09:30:00+08:00",
        "ended_at": "2026-03-01T09:40:00+08:00", "party_id": PERSON, "party_name": "张三",
        "officers": "1,2"}, filename="现场.mp4")
    assert r.status_code == 201, r.text
    e = r.json()
    sha = hashlib.sha256(content).hexdigest()
    assert e["sha256"] == sha and e["size"] == len(content) and e["duplicate"] is False
    assert e["kind"] == "video" and e["kind_name"] == "视频"
    assert e["filename"] == "现场.mp4" and e["content_type"] == "video/mp4"
    assert e["started_at"] == 1772328600 and e["ended_at"] == 1772329200 and e["duration"] == 600
    assert e["officers"] == [1, 2] and e["device"] == "DSJ-SCJG-0001"
    assert e["party_id_masked"] == PERSON[:4] + "*" * 12 + PERSON[-2:]
    assert e["retention"] == "routine" and e["expires_at"] > e["created_at"] + 170 * 86400
    assert e["state"] == "stored" and e["parent_id"] is None
    with open(blob_file(server, sha), "rb") as f:
        assert f.read() == content
    assert r.headers["Location"] == API + "/evidence/%d" % e["id"]
    # the audit row carries the hash, never the party
    rows = audit_rows(server, "evidence_create", e["id"])
    assert len(rows) == 1 and sha in rows[0][2] and PERSON not in rows[0][2] and "张三" not in rows[0][2]
    con = server.db()
    assert con.execute("SELECT party_id FROM evidence_files WHERE id=?", (e["id"],)).fetchone()[0] == PERSON
    con.close()


def test_raw_upload_with_query_and_headers(server, ev):
    content = data(70_001, "raw")
    r = ev["officer"].put(server.url + API + "/evidence/raw", data=content,
                          params={"kind": "audio", "filename": "录音.amr"},
                          headers={"Content-Type": "audio/amr",
                                   "X-Zhifa-Location": "%E5%B8%82%E6%94%BF%E5%BA%9C",
                                   "X-Zhifa-Device": "ZD-SCJG-0001"}, timeout=30)
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["sha256"] == hashlib.sha256(content).hexdigest()
    assert (e["kind"], e["filename"], e["content_type"], e["location"], e["device"]) == \
        ("audio", "录音.amr", "audio/amr", "市政府", "ZD-SCJG-0001")


def test_same_content_is_stored_once(server, ev):
    content = data(50_000, "dedup")
    a = raw(server, ev["officer"], content)
    b = upload(server, ev["officer2"], content)
    assert a.status_code == 201 and b.status_code == 200, (a.text, b.text)
    assert b.json()["duplicate"] is True and b.json()["id"] == a.json()["id"]
    con = server.db()
    n = con.execute("SELECT COUNT(*) FROM evidence_files WHERE sha256=?",
                    (a.json()["sha256"],)).fetchone()[0]
    con.close()
    assert n == 1
    assert len(audit_rows(server, "evidence_create", a.json()["id"])) == 1


def test_idempotency_key_replays_first_response(server, ev):
    s = ev["officer"]
    key = {"Idempotency-Key": "retry-%d" % time.time_ns()}
    first = raw(server, s, data(9_000, "idem"), headers=key)
    assert first.status_code == 201, first.text
    again = raw(server, s, data(9_000, "idem"), headers=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    # even with other content: the key wins, no second record
    other = raw(server, s, data(9_000, "idem-other"), headers=key)
    assert other.status_code == 201 and other.json()["id"] == first.json()["id"]
    con = server.db()
    n = con.execute("SELECT COUNT(*) FROM evidence_files WHERE sha256=?",
                    (hashlib.sha256(data(9_000, "idem-other")).hexdigest(),)).fetchone()[0]
    con.close()
    assert n == 0
    # the same key on another route is refused
    r = upload(server, s, b"x", headers=key)
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("case", [
    ("missing kind", {"kind": ""}, 400, "kind"),
    ("bad kind", {"kind": "movie"}, 400, "kind"),
    ("bad party", {"party_id": "110105194912310021"}, 400, "party_id"),
    ("end before start", {"started_at": "2026-03-01T10:00:00Z", "ended_at": "2026-03-01T09:00:00Z"},
     400, "ended_at"),
    ("unknown officer", {"officers": "999999"}, 400, "officers"),
    ("unknown retention", {"retention": "forever"}, 400, "retention"),
    ("bad secrecy", {"secrecy": "top"}, 400, "secrecy"),
    ("unknown field", {"colour": "red"}, 400, "colour"),
])
def test_bad_multipart_input_changes_nothing(server, ev, case):
    _, fields, status, field = case
    before = server.snapshot(["evidence_files", "audit_log", "idempotency_keys"])
    tmp_before = server.blob_tmp_entries()
    r = upload(server, ev["officer"], data(1000, "bad" + field), fields)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["field"] == field and err["code"] and err["message"]
    assert server.snapshot(["evidence_files", "audit_log", "idempotency_keys"]) == before
    assert server.blob_tmp_entries() == tmp_before
    assert not os.path.exists(blob_file(server, hashlib.sha256(data(1000, "bad" + field)).hexdigest()))


def test_bad_requests_are_refused_before_the_body(server, ev):
    s = ev["officer"]
    r = s.post(server.url + API + "/evidence", json={"kind": "video"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_content_type"
    r = s.put(server.url + API + "/evidence/raw", data=b"abc", timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "kind"
    # two file parts
    r = s.post(server.url + API + "/evidence", data={"kind": "video"},
               files=[("file", ("a", b"a")), ("file2", ("b", b"b"))], timeout=10)
    assert r.status_code == 400, r.text


def test_too_large_is_413_and_changes_nothing(server, ev):
    con = server.db()
    con.execute("INSERT INTO settings (key, value) VALUES ('evidence_max_bytes', '1000')")
    con.commit()
    con.close()
    try:
        before = server.snapshot(["evidence_files", "audit_log"])
        r = raw(server, ev["officer"], data(5000, "big"))
        assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large", r.text
        # no Content-Length (chunked): refused while streaming
        r = ev["officer"].put(server.url + API + "/evidence/raw", params={"kind": "photo"},
                              data=iter([data(800, "c1"), data(800, "c2")]), timeout=10)
        assert r.status_code == 413, r.text
        assert server.snapshot(["evidence_files", "audit_log"]) == before
    finally:
        con = server.db()
        con.execute("DELETE FROM settings WHERE key='evidence_max_bytes'")
        con.commit()
        con.close()


def test_roles_that_may_not_upload(server, ev):
    for who in ("admin", "auditor", "supervisor", "reviewer", "publicity"):
        r = raw(server, ev[who], b"nope")
        assert r.status_code == 403, (who, r.text)


# ---- downloads -----------------------------------------------------------

def test_range_downloads_and_audit(server, ev):
    content = data(10_000, "range")
    e = raw(server, ev["officer"], content, {"filename": "a b.jpg"},
            headers={"Content-Type": "image/jpeg"}).json()
    url = server.url + API + "/evidence/%d/content" % e["id"]
    s = ev["officer2"]
    before = len(audit_rows(server, "evidence_download", e["id"]))
    r = s.get(url, timeout=10)
    assert r.status_code == 200 and r.content == content
    assert r.headers["ETag"] == '"%s"' % e["sha256"] and r.headers["Accept-Ranges"] == "bytes"
    assert r.headers["Content-Type"] == "image/jpeg"
    assert "filename*=UTF-8''a%20b.jpg" in r.headers["Content-Disposition"]
    r = s.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert r.status_code == 206 and r.content == content[100:200]
    assert r.headers["Content-Range"] == "bytes 100-199/10000"
    r = s.get(url, headers={"Range": "bytes=-10"}, timeout=10)
    assert r.status_code == 206 and r.content == content[-10:]
    r = s.get(url, headers={"Range": "bytes=9990-"}, params={"reason": "复核"}, timeout=10)
    assert r.status_code == 206 and r.content == content[9990:]
    r = s.get(url, headers={"Range": "bytes=10000-"}, timeout=10)
    assert r.status_code == 416 and r.headers["Content-Range"] == "bytes */10000"
    assert r.json()["error"]["code"] == "range_not_satisfiable"
    rows = audit_rows(server, "evidence_download", e["id"])
    assert len(rows) == before + 4  # every byte sent was recorded; the 416 sent none
    assert all(row[0] == "officer2" for row in rows[before:])
    assert "bytes=100-199" in rows[before + 1][2] and "reason=复核" in rows[before + 3][2]


def test_department_scope(server, ev):
    e = raw(server, ev["officer"], data(2000, "scope")).json()
    con = server.db()
    other = con.execute("SELECT id FROM departments WHERE id <> ? ORDER BY id LIMIT 1",
                        (e["department_id"],)).fetchone()[0]
    con.close()
    # supervisor sees everything, staff only their department, admin/auditor nothing
    assert ev["supervisor"].get(server.url + API + "/evidence/%d" % e["id"], timeout=10).status_code == 200
    assert ev["reviewer"].get(server.url + API + "/evidence/%d" % e["id"], timeout=10).status_code == 200
    for who in ("admin", "auditor", "publicity"):
        assert ev[who].get(server.url + API + "/evidence/%d/content" % e["id"],
                           timeout=10).status_code == 403, who
        assert ev[who].get(server.url + API + "/evidence", timeout=10).status_code == 403, who
    r = ev["officer"].get(server.url + API + "/evidence", params={"department_id": other}, timeout=10)
    assert r.status_code == 403
    r = ev["supervisor"].get(server.url + API + "/evidence", params={"department_id": other}, timeout=10)
    assert r.status_code == 200 and all(i["department_id"] == other for i in r.json()["items"])
    # a file of another department, written behind the API, stays invisible to officer1
    con = server.db()
    con.execute("INSERT INTO evidence_files (sha256, size, kind, department_id, retention, created_by, "
                "created_at) VALUES (?, 1, 'photo', ?, 'routine', 1, 0)", ("f" * 64, other))
    con.commit()
    fid = con.execute("SELECT id FROM evidence_files WHERE sha256=?", ("f" * 64,)).fetchone()[0]
    con.close()
    r = ev["officer"].get(server.url + API + "/evidence/%d" % fid, timeout=10)
    assert r.status_code == 403
    ids = [i["id"] for i in ev["officer"].get(server.url + API + "/evidence",
                                              params={"per_page": 100}, timeout=10).json()["items"]]
    assert fid not in ids and e["id"] in ids


def test_list_filters_and_pagination(server, ev):
    s = ev["officer"]
    made = []
    for i, kind in enumerate(["audio", "scan", "scan"]):
        r = raw(server, s, data(100 + i, "filter%d" % i),
                {"kind": kind, "started_at": "2025-0%d-15T08:00:00+08:00" % (i + 1)})
        assert r.status_code == 201, r.text
        made.append(r.json())
    r = s.get(server.url + API + "/evidence", params={"kind": "scan", "from": "2025-01-01",
                                                     "to": "2025-12-31"}, timeout=10).json()
    assert {i["id"] for i in r["items"]} == {made[1]["id"], made[2]["id"]} and r["total"] == 2
    r = s.get(server.url + API + "/evidence", params={"from": "2025-02-15", "to": "2025-02-15"},
              timeout=10).json()
    assert [i["id"] for i in r["items"]] == [made[1]["id"]]
    r = s.get(server.url + API + "/evidence", params={"per_page": 1, "page": 2}, timeout=10).json()
    assert len(r["items"]) == 1 and r["total"] >= 3 and r["page"] == 2
    assert s.get(server.url + API + "/evidence", params={"kind": "x"}, timeout=10).status_code == 400
    assert s.get(server.url + API + "/evidence", params={"from": "2025-13-01"},
                 timeout=10).status_code == 400
    # case filter after linking
    link = s.put(server.url + API + "/evidence/%d" % made[0]["id"], json={"case_id": 4242}, timeout=10)
    assert link.status_code == 200, link.text
    r = s.get(server.url + API + "/evidence", params={"case_id": 4242}, timeout=10).json()
    assert [i["id"] for i in r["items"]] == [made[0]["id"]]


def test_files_without_a_start_time_sort_first(server, ev):
    """sort=started_at puts files with no start time first, and -started_at
    last, on both backends (PostgreSQL alone would put NULLs last when
    ascending)."""
    s = ev["officer"]
    made = []
    for i, start in enumerate([None, "2025-05-02T08:00:00+08:00", "2025-05-01T08:00:00+08:00"]):
        r = raw(server, s, data(120 + i, "nullsort%d" % i), {"started_at": start} if start else {})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
        r = s.put(server.url + API + "/evidence/%d" % made[-1], json={"case_id": 5151}, timeout=10)
        assert r.status_code == 200, r.text
    for sort, want in (("started_at", [made[0], made[2], made[1]]),
                       ("-started_at", [made[1], made[2], made[0]])):
        r = s.get(server.url + API + "/evidence", params={"case_id": 5151, "sort": sort}, timeout=10)
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["items"]] == want, sort


def test_restricted_files_need_reason_and_role(server, ev):
    priv = raw(server, ev["officer"], data(3000, "privacy"), {"secrecy": "personal_privacy"}).json()
    state = raw(server, ev["officer"], data(3000, "state"), {"secrecy": "state_secret"}).json()
    url = server.url + API + "/evidence/%d/content"
    before = server.snapshot(["audit_log"])
    r = ev["officer2"].get(url % priv["id"], timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    r = ev["officer2"].get(url % priv["id"], params={"reason": "x" * 201}, timeout=10)
    assert r.status_code == 400
    assert server.snapshot(["audit_log"]) == before  # a refused look is not a look
    r = ev["officer2"].get(url % priv["id"], params={"reason": "案件复核"}, timeout=10)
    assert r.status_code == 200 and r.content == data(3000, "privacy")
    rows = audit_rows(server, "evidence_view_restricted", priv["id"])
    assert rows[-1][0] == "officer2" and "reason=案件复核" in rows[-1][2]
    # 国家秘密: officers may not, the head and the supervisor may (with a reason)
    r = ev["officer"].get(url % state["id"], params={"reason": "查看"}, timeout=10)
    assert r.status_code == 403
    assert ev["head"].get(url % state["id"], timeout=10).status_code == 400
    assert ev["head"].get(url % state["id"], params={"reason": "审批"}, timeout=10).status_code == 200
    assert ev["supervisor"].get(url % state["id"], params={"reason": "监督检查"},
                                timeout=10).status_code == 200
    assert [r[0] for r in audit_rows(server, "evidence_view_restricted", state["id"])] == \
        ["head1", "supervisor1"]


# ---- resumable uploads ---------------------------------------------------

def test_resumable_upload_interrupted_and_resumed(server, ev):
    s = ev["officer"]
    content = data(3_000_000, "resumable")
    r = s.post(server.url + API + "/evidence/uploads",
               json={"size": len(content), "kind": "video", "device": "DSJ-SCJG-0002", "party_id": COMPANY,
                     "party_name": "某某有限公司"}, timeout=10)
    assert r.status_code == 201, r.text
    up = r.json()
    url = server.url + API + "/evidence/uploads/%d" % up["id"]
    assert up["received"] == 0 and up["complete"] is False

    def put(first, last, body):
        return s.put(url, data=body, headers={
            "Content-Range": "bytes %d-%d/%d" % (first, last, len(content))}, timeout=30)

    r = put(0, 999_999, content[:1_000_000])
    assert r.status_code == 200 and r.json()["received"] == 1_000_000, r.text
    # the connection breaks in the middle of the second chunk
    sock = socket.create_connection(("127.0.0.1", server.port))
    cookie = "; ".join("%s=%s" % (k, v) for k, v in s.cookies.items())
    head = ("PUT %s/evidence/uploads/%d HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
            "Content-Range: bytes 1000000-1999999/%d\r\nContent-Length: 1000000\r\n\r\n"
            % (API, up["id"], cookie, s.headers["X-CSRF-Token"], len(content)))
    sock.sendall(head.encode() + content[1_000_000:1_400_000])
    sock.close()
    time.sleep(0.3)
    # the client asks where to go on
    r = s.get(url, timeout=10)
    assert r.status_code == 200 and r.json()["received"] == 1_000_000
    assert r.headers["Upload-Offset"] == "1000000" and r.headers["Range"] == "bytes=0-999999"
    h = s.head(url, timeout=10)
    assert h.status_code == 200 and h.headers["Upload-Offset"] == "1000000"
    # a wrong offset is 409 with the right one
    r = put(2_000_000, 2_999_999, content[2_000_000:])
    assert r.status_code == 409 and r.json()["error"]["code"] == "offset_mismatch"
    assert r.headers["Upload-Offset"] == "1000000"
    r = put(1_000_000, 1_999_999, content[1_000_000:2_000_000])
    assert r.status_code == 200 and r.json()["received"] == 2_000_000, r.text
    con = server.db()
    assert con.execute("SELECT COUNT(*) FROM evidence_files WHERE sha256=?",
                       (hashlib.sha256(content).hexdigest(),)).fetchone()[0] == 0
    con.close()
    r = put(2_000_000, 2_999_999, content[2_000_000:])
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["sha256"] == hashlib.sha256(content).hexdigest() and e["size"] == len(content)
    assert e["device"] == "DSJ-SCJG-0002" and e["party_name"] == "某某有限公司"
    with open(blob_file(server, e["sha256"]), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == e["sha256"]
    # a retry of the last chunk gets the same record, nothing new
    r = put(2_000_000, 2_999_999, content[2_000_000:])
    assert r.status_code == 200 and r.json()["id"] == e["id"]
    st = s.get(url, timeout=10).json()
    assert st["complete"] is True and st["evidence_id"] == e["id"] and st["received"] == len(content)
    assert not os.listdir(os.path.join(server.data_dir, "evidence-uploads"))
    # someone else's session does not exist for them
    assert ev["officer2"].get(url, timeout=10).status_code == 404


def test_resumable_bad_input(server, ev):
    s = ev["officer"]
    assert s.post(server.url + API + "/evidence/uploads", json={"kind": "video"},
                  timeout=10).status_code == 400
    assert s.post(server.url + API + "/evidence/uploads", json={"size": 10, "kind": "x"},
                  timeout=10).status_code == 400
    up = s.post(server.url + API + "/evidence/uploads", json={"size": 10, "kind": "photo"},
                timeout=10).json()
    url = server.url + API + "/evidence/uploads/%d" % up["id"]
    assert s.put(url, data=b"0123456789", timeout=10).status_code == 400  # no Content-Range
    r = s.put(url, data=b"0123456789", headers={"Content-Range": "bytes 0-9/11"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "content_range_mismatch"
    r = s.put(url, data=b"01234", headers={"Content-Range": "bytes 0-9/10"}, timeout=10)
    assert r.status_code == 400
    assert s.get(url, timeout=10).json()["received"] == 0


# ---- derivatives, linking, party view ------------------------------------

def test_derivative_names_parent_and_write_once(server, ev):
    s = ev["officer"]
    parent = raw(server, s, data(4000, "parent"), {"kind": "video", "party_id": PERSON,
                                                     "secrecy": "personal_privacy"}).json()
    r = s.post(server.url + API + "/evidence/%d/derivatives" % parent["id"],
               data={"derivation": "redacted"}, files={"file": ("masked.mp4", data(3000, "child"))},
               timeout=10)
    assert r.status_code == 201, r.text
    child = r.json()
    assert child["parent_id"] == parent["id"] and child["derivation"] == "redacted"
    assert child["kind"] == "video" and child["department_id"] == parent["department_id"]
    assert child["party_id_masked"] == parent["party_id_masked"]
    assert len(audit_rows(server, "evidence_derive", child["id"])) == 1
    r = s.get(server.url + API + "/evidence", params={"parent_id": parent["id"]}, timeout=10).json()
    assert [i["id"] for i in r["items"]] == [child["id"]]
    # raw form too; derivation is required
    r = s.post(server.url + API + "/evidence/%d/derivatives" % parent["id"],
               params={"derivation": "transcoded"}, data=data(10, "child2"),
               headers={"Content-Type": "video/webm"}, timeout=10)
    assert r.status_code == 201 and r.json()["content_type"] == "video/webm", r.text
    r = s.post(server.url + API + "/evidence/%d/derivatives" % parent["id"], data=data(10, "c3"),
               headers={"Content-Type": "video/webm"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "derivation"
    # no route replaces content; metadata other than case and secrecy is fixed
    url = server.url + API + "/evidence/%d" % parent["id"]
    assert s.put(url, json={"kind": "audio"}, timeout=10).status_code == 400
    assert s.put(url + "/content", data=b"x", timeout=10).status_code == 405
    r = s.put(url, json={"secrecy": "none"}, timeout=10)
    assert r.status_code == 403  # lowering is for the head
    r = ev["head"].put(url, json={"secrecy": "commercial_secret"}, timeout=10)
    assert r.status_code == 200 and r.json()["secrecy"] == "commercial_secret"
    r = s.put(url, json={"case_id": 77}, timeout=10)
    assert r.status_code == 200 and r.json()["case_id"] == 77 and r.json()["expires_at"] is None
    assert s.put(url, json={"case_id": 78}, timeout=10).status_code == 409
    assert s.put(url, json={"case_id": 77}, timeout=10).status_code == 200
    assert [r[0] for r in audit_rows(server, "evidence_link_case", parent["id"])] == ["officer1"]


def test_party_view_needs_reason_and_is_recorded(server, ev):
    s = ev["officer"]
    mine = raw(server, s, data(500, "party-a"), {"party_id": COMPANY.lower()}).json()
    # a recording of a case in which the party is a party belongs to its file
    # too, though the upload itself names no party
    kase = s.post(server.url + API + "/cases", json={
        "procedure": "inspection", "title": "当事人档案测试", "parties": [
            {"kind": "法人", "name": "档案测试有限公司", "identifier": COMPANY}]}, timeout=10)
    assert kase.status_code == 201, kase.text
    via_case = raw(server, s, data(300, "party-b")).json()
    assert s.put(server.url + API + "/evidence/%d" % via_case["id"], json={"case_id": kase.json()["id"]},
                 timeout=10).status_code == 200
    other = raw(server, s, data(300, "party-c")).json()
    r = s.get(server.url + API + "/parties/%s/records" % COMPANY, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    assert s.get(server.url + API + "/parties/123/records", params={"reason": "x"},
                 timeout=10).status_code == 400
    before = len(audit_rows(server, "party_view"))
    r = s.get(server.url + API + "/parties/%s/records" % COMPANY, params={"reason": "当事人档案"},
              timeout=10)
    assert r.status_code == 200, r.text
    ids = [i["id"] for i in r.json()["items"]]
    assert mine["id"] in ids and via_case["id"] in ids and other["id"] not in ids
    rows = audit_rows(server, "party_view")
    assert len(rows) == before + 1 and COMPANY not in rows[-1][2] and COMPANY not in rows[-1][1]
    con = server.db()
    look = con.execute("SELECT identifier, reason FROM party_lookups WHERE id=?",
                       (int(rows[-1][1]),)).fetchone()
    con.close()
    assert look == (COMPANY, "当事人档案")
    # list by party: the same rule
    assert s.get(server.url + API + "/evidence", params={"party_id": COMPANY},
                 timeout=10).status_code == 400
    assert ev["admin"].get(server.url + API + "/parties/%s/records" % COMPANY,
                           params={"reason": "x"}, timeout=10).status_code == 403


# ---- retention -------------------------------------------------------------

def test_retention_trash_then_purge(fresh_server):
    srv = fresh_server
    s = srv.login("officer1")
    content = data(20_000, "expire")
    e = raw(srv, s, content).json()
    kept = raw(srv, s, data(100, "kept")).json()
    linked = raw(srv, s, data(100, "linked")).json()
    assert s.put(srv.url + API + "/evidence/%d" % linked["id"], json={"case_id": 5},
                 timeout=10).status_code == 200
    con = srv.db()
    con.execute("UPDATE evidence_files SET expires_at = 1 WHERE id IN (?, ?)", (e["id"], linked["id"]))
    con.execute("INSERT INTO settings (key, value) VALUES ('evidence_purge_grace_days', '7')")
    con.commit()
    con.close()
    path = blob_file(srv, e["sha256"])
    deadline = time.time() + 10
    while time.time() < deadline and os.path.exists(path):
        time.sleep(0.2)
    assert not os.path.exists(path)
    assert os.path.exists(srv.blob_trash_path(e["sha256"]))
    # the record changes when the tick's transaction commits, just after the
    # file moved (on object storage a copy and a delete: a visible moment)
    while time.time() < deadline:
        got = s.get(srv.url + API + "/evidence/%d" % e["id"], timeout=10).json()
        if got["state"] != "stored":
            break
        time.sleep(0.1)
    assert got["state"] == "trashed" and got["trashed_at"]
    r = s.get(srv.url + API + "/evidence/%d/content" % e["id"], timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "evidence_expired"
    assert [r[0] for r in audit_rows(srv, "evidence_trash", e["id"])] == ["system"]
    time.sleep(2.5)
    assert s.get(srv.url + API + "/evidence/%d" % e["id"], timeout=10).json()["state"] == "trashed"
    con = srv.db()
    con.execute("UPDATE settings SET value = '0' WHERE key = 'evidence_purge_grace_days'")
    con.commit()
    con.close()
    trash = srv.blob_trash_path(e["sha256"])
    deadline = time.time() + 10
    while time.time() < deadline and os.path.exists(trash):
        time.sleep(0.2)
    assert not os.path.exists(trash)
    got = s.get(srv.url + API + "/evidence/%d" % e["id"], timeout=10).json()
    assert got["state"] == "purged" and got["sha256"] == e["sha256"]
    assert len(audit_rows(srv, "evidence_purge", e["id"])) == 1
    # the unexpired and the linked file are untouched
    for f in (kept, linked):
        assert s.get(srv.url + API + "/evidence/%d" % f["id"], timeout=10).json()["state"] == "stored"
    # the same content may be uploaded again: a new record
    again = raw(srv, s, content)
    assert again.status_code == 201 and again.json()["id"] != e["id"]


def test_retention_categories(server, ev):
    r = ev["officer"].get(server.url + API + "/retention-categories", timeout=10)
    assert r.status_code == 200
    cats = {c["code"]: c for c in r.json()["items"]}
    assert cats["routine"]["months"] == 6 and cats["permanent"]["months"] is None
    assert ev["officer"].put(server.url + API + "/retention-categories/important",
                             json={"months": 48}, timeout=10).status_code == 403
    r = ev["admin"].put(server.url + API + "/retention-categories/important", json={"months": 48},
                        timeout=10)
    assert r.status_code == 200, r.text
    assert {c["code"]: c["months"] for c in r.json()["items"]}["important"] == 48
    assert ev["admin"].put(server.url + API + "/retention-categories/important",
                           json={"months": 0}, timeout=10).status_code == 400
    assert ev["admin"].put(server.url + API + "/retention-categories/nope",
                           json={"months": 5}, timeout=10).status_code == 404
    e = raw(server, ev["officer"], data(10, "perm"), {"retention": "permanent"}).json()
    assert e["expires_at"] is None


def test_stale_temp_files_are_swept_at_start():
    if BLOB == "s3":
        pytest.skip("a bucket may be shared by several servers: start-up does not sweep it "
                    "(the daily tick removes temp objects older than a day)")
    srv = start_server()
    try:
        tmp = os.path.join(srv.data_dir, "evidence", "tmp")
        deadline = time.time() + 5
        while not os.path.isdir(tmp) and time.time() < deadline:
            time.sleep(0.1)
    finally:
        srv.stop()
    with open(os.path.join(tmp, "leftover.part"), "wb") as f:
        f.write(b"partial")
    import subprocess
    from conftest import BIN, free_port
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--data", srv.data_dir, "--listen", "127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while time.time() < deadline and os.listdir(tmp):
            time.sleep(0.1)
        assert os.listdir(tmp) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        stop_server(srv)


# ---- 4 GiB ---------------------------------------------------------------

def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


@pytest.mark.skipif(os.environ.get("ZHIFA_BIG_UPLOAD") != "1",
                    reason="4 GiB upload: set ZHIFA_BIG_UPLOAD=1 (make big-upload-test)")
def test_upload_4gib_memory_bounded(fresh_server):
    srv = fresh_server
    s = srv.login("officer1")
    size = 4 << 30
    block = data(1 << 20, "big")
    h = hashlib.sha256()

    class Body:
        """A 4 GiB stream with a known length (requests then sends a
        Content-Length body, not chunked), hashed as it is read."""
        def __init__(self):
            self.sent = 0

        def __len__(self):
            return size - self.sent

        def read(self, n=-1):
            if self.sent >= size:
                return b""
            chunk = block[: min(len(block), size - self.sent)]
            h.update(chunk)
            self.sent += len(chunk)
            return chunk
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], vm_hwm_kb(srv.proc.pid))
            time.sleep(0.5)
    t = threading.Thread(target=watch)
    t.start()
    try:
        r = s.put(srv.url + API + "/evidence/raw", params={"kind": "video"}, data=Body(),
                  timeout=3600)
    finally:
        stop.set()
        t.join()
    peak[0] = max(peak[0], vm_hwm_kb(srv.proc.pid))
    assert r.status_code == 201, r.text
    assert r.json()["size"] == size and r.json()["sha256"] == h.hexdigest()
    print("4 GiB upload: server VmHWM %.1f MB" % (peak[0] / 1024))
    assert peak[0] < 64 * 1024, "server RSS peaked at %d kB" % peak[0]
    os.unlink(blob_file(srv, h.hexdigest()))  # 4 GiB of test data need not stay


# ---- uploads tagged by a registered device ----------------------------------

def test_upload_names_a_registered_device(server, ev):
    con = server.db()
    try:
        dev = con.execute("SELECT id FROM devices WHERE serial = 'DSJ-SCJG-0001'").fetchone()[0]
        env_dev = con.execute("SELECT id FROM devices WHERE serial = 'DSJ-STHJ-0001'").fetchone()[0]
    finally:
        con.close()
    r = raw(server, ev["officer"], data(10_000, "device-id"), {"kind": "video", "device_id": dev})
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["device_id"] == dev and e["device"] == "DSJ-SCJG-0001"
    # an older client naming the serial gets the same link
    r = raw(server, ev["officer"], data(10_000, "device-serial"), {"kind": "video", "device": "DSJ-SCJG-0002"})
    assert r.status_code == 201 and r.json()["device_id"] is not None, r.text
    # free text, another department's device, a retired one, a bad id: 400, nothing stored
    ev["head"].put(server.url + API + "/devices/%d" % dev, json={"status": "retired"}, timeout=10)
    try:
        for params, field in [({"device": "随便写的设备"}, "device"), ({"device_id": env_dev}, "device_id"),
                              ({"device_id": dev}, "device_id"), ({"device_id": 999999}, "device_id"),
                              ({"device_id": "abc"}, "device_id")]:
            content = data(10_000, "bad-device-%s" % params)
            con = server.db()
            before = con.execute("SELECT COUNT(*) FROM evidence_files").fetchone()[0]
            con.close()
            r = raw(server, ev["officer"], content, dict(params, kind="video"))
            assert r.status_code == 400, (params, r.text)
            err = r.json()["error"]
            assert err["code"] == "invalid_device" and err["field"] == field, err
            assert re.search(r"[\u4e00-\u9fff]", err["message"])
            con = server.db()
            assert con.execute("SELECT COUNT(*) FROM evidence_files").fetchone()[0] == before
            con.close()
        # the resumable session checks it when it is declared
        r = ev["officer"].post(server.url + API + "/evidence/uploads",
                               json={"size": 100, "kind": "video", "device_id": env_dev}, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_device", r.text
    finally:
        ev["head"].put(server.url + API + "/devices/%d" % dev, json={"status": "active"}, timeout=10)
