"""归档 and the 案卷 bundle (issue 5), black-box: a case is taken through the
workflow to 归档 with documents and evidence, its bundle is downloaded and
unzipped, the manifest is checked in Python, and `zhifa verify --bundle`
accepts it (exit 0) and names what is wrong in a bundle with a flipped byte,
a removed ledger event, an altered checkpoint or an inserted file (exit 1).
Also: every change route refuses an archived case (409), including linking
evidence through the evidence API, and who may download a bundle.
"""
import hashlib
import io
import json
import os
import re
import subprocess
import zipfile

import pytest

from conftest import BIN
from test_cases import (API, CASE_TABLES, World, act, create, doc, fields, get,  # noqa: F401
                        refused, upload, w)


def build_archived_case(w, with_scan=True):
    """An inspection case with a linked photo and a scan document, archived."""
    c = create(w, "inspection", parties=[])
    cid = c["id"]
    act(w, cid, "dispatch")
    doc(w, cid, "site_record")
    photo = upload(w, "photo")
    r = w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": photo}, timeout=10)
    assert r.status_code == 200, r.text
    act(w, cid, "inspect")
    act(w, cid, "result_normal")
    act(w, cid, "publish")
    for t in ("file_cover", "file_index", "file_notes"):
        doc(w, cid, t)
    r = act(w, cid, "archive")
    assert r["stage"] == "archived"
    return cid, photo


def download(w, cid, s=None, status=200, **params):
    r = (s or w.officer1).get(w.url + "/cases/%d/bundle" % cid, params=params, timeout=60)
    assert r.status_code == status, r.text[:300]
    return r


def verify(path):
    p = subprocess.run([BIN, "verify", "--bundle", str(path)], capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8") + p.stderr.decode("utf-8")


def rewrite(src, dst, change):
    """Copies the zip src to dst, passing every (name, bytes) through
    change(name, data) -> bytes or None (drop); change may return extra
    entries through the special name '+'."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def fix_manifest(man_bytes, path, data):
    """The manifest with path's hash and size updated to data's, so that a
    tampered file passes the hash check and only the deeper check can
    catch it."""
    m = json.loads(man_bytes)
    for f in m["files"]:
        if f["path"] == path:
            f["sha256"] = sha(data)
            f["size"] = len(data)
    return json.dumps(m, ensure_ascii=False, indent=1).encode()


@pytest.fixture(scope="module")
def bundle(w, tmp_path_factory):
    cid, photo = build_archived_case(w)
    r = download(w, cid)
    assert r.headers["Content-Type"].startswith("application/zip")
    assert "case-%d-bundle.zip" % cid in r.headers.get("Content-Disposition", "")
    path = tmp_path_factory.mktemp("bundle") / "case.zip"
    path.write_bytes(r.content)
    return {"cid": cid, "photo": photo, "path": path}


def test_archiving_records_the_archive_in_the_ledger(w, bundle):
    con = w.srv.db()
    try:
        rec = con.execute("SELECT record, record_sha256 FROM case_archives WHERE case_id = ?",
                          (bundle["cid"],)).fetchone()
        ev = con.execute("SELECT e.content_sha256 FROM ledger_events e JOIN audit_log a ON a.id = e.idx "
                         "WHERE a.action = 'case_archive' AND a.object_id = ?",
                         (str(bundle["cid"]),)).fetchall()
        docs = con.execute("SELECT id, content_sha256 FROM case_documents WHERE case_id = ? AND "
                           "status = 'final' ORDER BY id", (bundle["cid"],)).fetchall()
    finally:
        con.close()
    assert rec, "no archive record"
    assert sha(rec[0].encode()) == rec[1]
    assert ev == [(rec[1],)], "the archive record's hash is not in the ledger"
    record = json.loads(rec[0])
    assert record["case_id"] == bundle["cid"]
    assert [(d["id"], d["content_sha256"]) for d in record["documents"]] == docs
    assert [e["id"] for e in record["evidence"]] == [bundle["photo"]] + \
        [e["id"] for e in record["evidence"] if e["id"] != bundle["photo"]]


def test_bundle_contents_match_the_manifest(w, bundle):
    with zipfile.ZipFile(bundle["path"]) as z:
        names = set(z.namelist())
        man = json.loads(z.read("manifest.json"))
        assert man["format"] == "zhifa-case-bundle/1"
        assert man["case"]["id"] == bundle["cid"] and man["case"]["archived_at"]
        listed = {f["path"] for f in man["files"]}
        assert listed | {"manifest.json"} == names
        for f in man["files"]:
            data = z.read(f["path"])
            assert sha(data) == f["sha256"] and len(data) == f["size"], f["path"]
        roles = [f["role"] for f in man["files"]]
        for role in ("case", "archive_record", "cover", "index", "document", "document_pdf", "evidence",
                     "ledger_events", "checkpoint", "public_key"):
            assert role in roles, role
        docs = [f for f in man["files"] if f["role"] == "document"]
        assert len(docs) == 4  # site_record, file_cover, file_index, file_notes
        for d in docs:
            # the bytes are what the document's content hash hashes
            assert sha(z.read(d["path"])) == d["content_sha256"]
            assert d["covered_by"] and d["covered_by"]["action"] == "case_document_finalize"
            assert json.loads(z.read(d["path"]))["case_id"] == bundle["cid"]
        pdfs = [f for f in man["files"] if f["role"] == "document_pdf"]
        assert len(pdfs) == 4 and all(z.read(p["path"]).startswith(b"%PDF-") for p in pdfs)
        assert z.read("cover.pdf").startswith(b"%PDF-") and z.read("index.pdf").startswith(b"%PDF-")
        ev = [f for f in man["files"] if f["role"] == "evidence"]
        assert [e["evidence_id"] for e in ev] == [bundle["photo"]]
        assert ev[0]["covered_by"]
        # every event is in the tree of the bundled checkpoint
        events = json.loads(z.read("ledger/events.json"))
        cp = z.read("ledger/checkpoint.txt").decode()
        lines = cp.split("\n")
        assert int(lines[1]) == events["tree_size"]
        seqs = {e["seq"] for e in events["events"]}
        for f in man["files"]:
            if f.get("covered_by"):
                assert f["covered_by"]["seq"] in seqs
        for e in events["events"]:
            assert hashlib.sha256(b"\x00" + e["event"].encode()).hexdigest() == e["leaf_hash"]
            assert e["seq"] < events["tree_size"]
        actions = [json.loads(e["event"])["action"] for e in events["events"]]
        assert "case_archive" in actions and "case_create" in actions
        assert z.read("ledger/public-key.pem").startswith(b"-----BEGIN PUBLIC KEY-----")


def test_verify_accepts_the_bundle(bundle):
    rc, out = verify(bundle["path"])
    assert rc == 0, out
    assert "校验通过" in out


def test_verify_names_a_flipped_byte(bundle, tmp_path):
    with zipfile.ZipFile(bundle["path"]) as z:
        target = [n for n in z.namelist() if n.startswith("evidence/")][0]
    bad = tmp_path / "flipped.zip"

    def flip(name, data):
        if name == target:
            return bytes([data[0] ^ 1]) + data[1:]
        return data
    rewrite(bundle["path"], bad, flip)
    rc, out = verify(bad)
    assert rc == 1, out
    assert target in out and "不符" in out


def test_verify_names_a_flipped_byte_even_with_the_manifest_fixed(bundle, tmp_path):
    """A document changed and the manifest rewritten to match: the ledger
    event covering the document no longer matches."""
    with zipfile.ZipFile(bundle["path"]) as z:
        man = z.read("manifest.json")
        target = [f["path"] for f in json.loads(man)["files"] if f["role"] == "document"][0]
        data = z.read(target).replace("测试文本".encode(), "篡改文本".encode(), 1)
    bad = tmp_path / "doc.zip"
    rewrite(bundle["path"], bad, lambda n, d: data if n == target else
            fix_manifest(d, target, data) if n == "manifest.json" else d)
    rc, out = verify(bad)
    assert rc == 1, out
    assert target in out and "台账事件" in out


def test_verify_names_a_removed_event(bundle, tmp_path):
    with zipfile.ZipFile(bundle["path"]) as z:
        man = json.loads(z.read("manifest.json"))
        events = json.loads(z.read("ledger/events.json"))
    doc0 = [f for f in man["files"] if f["role"] == "document"][0]
    seq = doc0["covered_by"]["seq"]
    events["events"] = [e for e in events["events"] if e["seq"] != seq]
    new_events = json.dumps(events, indent=1).encode()
    for variant in ("plain", "manifest_fixed"):
        bad = tmp_path / ("noevent-%s.zip" % variant)

        def change(n, d):
            if n == "ledger/events.json":
                return new_events
            if n == "manifest.json" and variant == "manifest_fixed":
                return fix_manifest(d, "ledger/events.json", new_events)
            return d
        rewrite(bundle["path"], bad, change)
        rc, out = verify(bad)
        assert rc == 1, out
        if variant == "plain":
            assert "ledger/events.json" in out
        else:
            assert doc0["path"] in out and ("seq %d" % seq) in out, out


def test_verify_names_an_altered_checkpoint(bundle, tmp_path):
    with zipfile.ZipFile(bundle["path"]) as z:
        cp = z.read("ledger/checkpoint.txt").decode()
    lines = cp.split("\n")
    lines[1] = str(int(lines[1]) + 1)  # claim a bigger tree
    new_cp = "\n".join(lines).encode()
    bad = tmp_path / "cp.zip"
    rewrite(bundle["path"], bad, lambda n, d: new_cp if n == "ledger/checkpoint.txt" else
            fix_manifest(d, "ledger/checkpoint.txt", new_cp) if n == "manifest.json" else d)
    rc, out = verify(bad)
    assert rc == 1, out
    assert "检查点" in out and "签名" in out


def test_verify_names_an_inserted_file(bundle, tmp_path):
    bad = tmp_path / "extra.zip"
    with zipfile.ZipFile(bundle["path"]) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("evidence/999.jpg", b"not from the case")
    rc, out = verify(bad)
    assert rc == 1, out
    assert "evidence/999.jpg" in out


def test_verify_refuses_what_is_not_a_bundle(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    rc, out = verify(junk)
    assert rc == 1, out
    p = subprocess.run([BIN, "verify", "--bundle"], capture_output=True, timeout=30)
    assert p.returncode == 2


def test_bundle_access(w, bundle):
    cid = bundle["cid"]
    download(w, cid, s=w.supervisor1)
    download(w, cid, s=w.head1)
    for s in (w.auditor1, w.admin):
        assert download(w, cid, s=s, status=403).json()["error"]["code"] == "forbidden"
    # another department's case
    assert download(w, w.env_case, status=403).json()["error"]["code"] == "forbidden"
    assert w.officer1.get(w.url + "/cases/987654/bundle", timeout=10).status_code in (403, 404)


def test_bundle_of_an_open_case_verifies(w, tmp_path):
    """On demand, before 归档: documents and evidence are covered by their own
    events; there is no archive record."""
    c = create(w, "inspection", parties=[])
    cid = c["id"]
    act(w, cid, "dispatch")
    doc(w, cid, "site_record")
    big = os.urandom(3 * 1024 * 1024 + 17)
    r = w.officer1.put(w.url + "/evidence/raw", params={"kind": "video"}, data=big, timeout=60)
    assert r.status_code == 201, r.text
    ev = r.json()["id"]
    assert w.officer1.post(w.url + "/cases/%d/evidence" % cid, json={"evidence_id": ev},
                           timeout=10).status_code == 200
    r = download(w, cid)
    path = tmp_path / "open.zip"
    path.write_bytes(r.content)
    with zipfile.ZipFile(path) as z:
        man = json.loads(z.read("manifest.json"))
        assert "archive.json" not in z.namelist() and man["case"]["archived_at"] is None
        e = [f for f in man["files"] if f["role"] == "evidence"][0]
        assert z.read(e["path"]) == big
    rc, out = verify(path)
    assert rc == 0, out


def test_restricted_case_bundle_needs_a_reason(w):
    c = create(w, "inspection", parties=[], secrecy="commercial_secret")
    r = download(w, c["id"], status=400)
    assert r.json()["error"]["code"] == "reason_required"
    download(w, c["id"], reason="案卷评查抽查")
    con = w.srv.db()
    try:
        rows = con.execute("SELECT detail FROM audit_log WHERE action = 'case_view_restricted' AND "
                           "object_id = ?", (str(c["id"]),)).fetchall()
    finally:
        con.close()
    assert any("bundle" in d and "案卷评查抽查" in d for (d,) in rows)


# ---- archived cases are immutable ----------------------------------------------------

def test_archived_case_refuses_every_change_route(w, bundle):
    cid = bundle["cid"]
    base = w.url + "/cases/%d" % cid
    ev = upload(w, "photo")
    con = w.srv.db()
    try:
        doc_id = con.execute("SELECT id FROM case_documents WHERE case_id = ? ORDER BY id",
                             (cid,)).fetchone()[0]
    finally:
        con.close()
    attempts = [
        lambda: w.officer1.put(base, json={"summary": "改"}, timeout=10),
        lambda: w.head1.put(base, json={"major": True}, timeout=10),
        lambda: w.officer1.post(base + "/actions", json={"action": "archive"}, timeout=10),
        lambda: w.head1.post(base + "/actions", json={"action": "return", "target_stage": "inspect",
                                                      "reason": "退回"}, timeout=10),
        lambda: w.officer1.put(base + "/officers", json={"officers": w.officers}, timeout=10),
        lambda: w.officer1.post(base + "/parties", json={"kind": "法人", "name": "某公司"}, timeout=10),
        lambda: w.officer1.post(base + "/documents", json={"template": "file_notes",
                                                           "fields": fields("file_notes")}, timeout=10),
        lambda: w.officer1.put(base + "/documents/%d" % doc_id, json={"fields": fields("site_record")},
                               timeout=10),
        lambda: w.officer1.post(base + "/documents/%d/finalize" % doc_id, timeout=10),
        lambda: w.officer1.post(base + "/evidence", json={"evidence_id": ev}, timeout=10),
    ]
    for fn in attempts:
        e = refused(w, fn, 409, "case_archived")
        assert re.search(r"[\u4e00-\u9fff]", e["message"])
    # the bundle is unchanged by the refusals and still verifies
    assert get(w, cid)["stage"] == "archived"


def test_evidence_api_cannot_link_to_an_archived_case(w, bundle):
    ev = upload(w, "photo")
    before = w.srv.snapshot(CASE_TABLES)
    r = w.officer1.put(w.url + "/evidence/%d" % ev, json={"case_id": bundle["cid"]}, timeout=10)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "case_archived"
    assert w.srv.snapshot(CASE_TABLES) == before
    # nor an upload that names it
    before = w.srv.snapshot(CASE_TABLES)
    r = w.officer1.put(w.url + "/evidence/raw", params={"kind": "photo", "case_id": bundle["cid"]},
                       data=b"late photo for an archived case", timeout=10)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "case_archived"
    assert w.srv.snapshot(CASE_TABLES) == before
