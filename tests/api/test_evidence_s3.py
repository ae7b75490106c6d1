"""Evidence on S3-compatible storage (issue 9), end to end through the API
against the local s3rver that `make test-s3` starts (ZHIFA_TEST_BLOB=s3;
skipped otherwise). The server is configured with 64 KiB parts, so a file of
a few hundred KB takes the multipart path (temp key, completion, server-side
copy to its SHA-256 name).

Covered here: a multipart upload stored under its hash and nothing left under
tmp/; the same content twice stored once; ranged downloads across part
boundaries; `zhifa verify` passing, then naming an object changed or removed
behind zhifa's back; a bucket that cannot be reached refused with the
standard error object and nothing recorded. The rest of the evidence API runs
against the bucket too (tests/api/test_evidence.py under the same switch).
"""
import glob
import hashlib
import os
import subprocess
import time

import pytest
import requests

from conftest import BIN, BLOB, S3_BUCKET, S3_DIR, free_port, start_server, stop_server

pytestmark = pytest.mark.skipif(BLOB != "s3", reason="needs s3rver: make test-s3")

API = "/api/v1"


def data(n, seed):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s-%d" % (seed.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def raw(srv, s, content):
    return s.put(srv.url + API + "/evidence/raw", params={"kind": "video"}, data=content, timeout=60)


def objects(srv):
    """Keys of the server's objects in the bucket (as s3rver keeps them)."""
    root = os.path.join(S3_DIR, S3_BUCKET, srv.s3_prefix)
    keys = []
    for p in glob.glob(os.path.join(root, "**", "*._S3rver_object"), recursive=True):
        keys.append(os.path.relpath(p, root)[:-len("._S3rver_object")])
    return sorted(keys)


@pytest.fixture(scope="module")
def srv():
    s = start_server()
    yield s
    stop_server(s)


def test_multipart_upload_dedup_and_ranges(srv):
    s = srv.login("officer1")
    content = data(300_000, "s3-multipart")  # five parts of 64 KiB
    sha = hashlib.sha256(content).hexdigest()
    r = raw(srv, s, content)
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["sha256"] == sha and e["size"] == len(content)
    with open(srv.blob_path(sha), "rb") as f:
        assert f.read() == content
    assert not [k for k in objects(srv) if k.startswith("tmp/")]
    # the same content again, from another department: its own record, one object
    before = objects(srv)
    again = raw(srv, srv.login("officer2"), content)
    assert again.status_code in (200, 201) and again.json()["sha256"] == sha, again.text
    assert objects(srv) == before
    url = srv.url + API + "/evidence/%d/content" % e["id"]
    whole = s.get(url, timeout=30)
    assert whole.status_code == 200 and whole.content == content
    assert whole.headers["ETag"] == '"%s"' % sha
    for first, last in [(0, 0), (65530, 65545), (131072, 299_999), (299_990, 299_999)]:
        r = s.get(url, headers={"Range": "bytes=%d-%d" % (first, last)}, timeout=30)
        assert r.status_code == 206, r.text
        assert r.content == content[first:last + 1]
        assert r.headers["Content-Range"] == "bytes %d-%d/%d" % (first, last, len(content))
    r = s.get(url, headers={"Range": "bytes=-10"}, timeout=30)
    assert r.status_code == 206 and r.content == content[-10:]
    r = s.get(url, headers={"Range": "bytes=400000-"}, timeout=30)
    assert r.status_code == 416 and r.json()["error"]["code"] == "range_not_satisfiable"


def test_verify_rehashes_objects():
    srv = start_server()
    try:
        s = srv.login("officer1")
        small = data(1000, "s3-verify-small")
        big = data(200_000, "s3-verify-big")
        for c in (small, big):
            assert raw(srv, s, c).status_code == 201
    finally:
        srv.stop()
    try:
        def verify():
            return subprocess.run([BIN, "verify", "--data", srv.data_dir], capture_output=True, text=True,
                                  timeout=120)
        r = verify()
        assert r.returncode == 0, r.stdout + r.stderr
        # a changed byte in the multipart object
        h = hashlib.sha256(big).hexdigest()
        path = srv.blob_path(h)
        with open(path, "r+b") as f:
            f.seek(100_000)
            b = f.read(1)
            f.seek(100_000)
            f.write(bytes([b[0] ^ 1]))
        r = verify()
        assert r.returncode == 1, r.stdout
        assert "内容与其哈希值不符" in r.stdout and "s3://zhifa-test/" in r.stdout and h in r.stdout, r.stdout
        # a removed object
        h2 = hashlib.sha256(small).hexdigest()
        os.unlink(srv.blob_path(h2))
        for meta in glob.glob(srv.blob_path(h2).replace("._S3rver_object", "._S3rver_*")):
            os.unlink(meta)
        r = verify()
        assert r.returncode == 1 and "缺失" in r.stdout and h2 in r.stdout, r.stdout
    finally:
        stop_server(srv)


def test_unreachable_bucket_is_refused_and_changes_nothing(tmp_path):
    srv = start_server()
    try:
        conf = os.path.join(srv.data_dir, "zhifa.conf")
        srv.stop()
        with open(conf, "a") as f:  # the last setting wins
            f.write("s3_endpoint = http://127.0.0.1:9\n")
        port = free_port()
        proc = subprocess.Popen([BIN, "serve", "--data", srv.data_dir, "--listen", "127.0.0.1:%d" % port],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        srv.proc, srv.port, srv.url = proc, port, "http://127.0.0.1:%d" % port
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        s = srv.login("officer1")
        before = srv.snapshot(["evidence_files", "audit_log"])
        r = raw(srv, s, data(1000, "s3-down"))
        assert r.status_code >= 500, r.text
        err = r.json()["error"]
        assert err["code"] == "blob_store_unavailable" and err["message"]
        assert srv.snapshot(["evidence_files", "audit_log"]) == before
    finally:
        stop_server(srv)
