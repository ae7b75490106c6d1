"""The public ledger API (issue 4), checked by an independent verifier.

Everything zhifa serves is re-derived here with hashlib and the openssl
command line, never with zhifa's code: leaf hashes from the canonical events,
the tree root from all leaves (RFC 9162 MTH), inclusion and consistency proofs
by the RFC 9162 §2.1.3.2 / §2.1.4.2 algorithms, checkpoint signatures with
`openssl dgst -sm3` (SM2) and `openssl pkeyutl` (Ed25519) as
docs/ledger-format.md tells anyone to do.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import BIN, free_port, stop_server, Server

API = "/api/v1"
LEDGER = API + "/ledger"


# ---- an independent RFC 9162 verifier ----------------------------------------

def H(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return H(b"\x00" + data)


def node_hash(l, r):
    return H(b"\x01" + l + r)


def mth(leaves):
    """RFC 9162 §2.1.1 Merkle Tree Hash over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return H(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(leaf, index, size, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, proof, root1, root2):
    if first == second:
        return not proof and root1 == root2
    if first == 0 or first > second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def canonical(event):
    """RFC 8785 for zhifa's events (ASCII member names, integers)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_independent_verifier_rejects_what_it_should():
    leaves = [leaf_hash(bytes([i])) for i in range(7)]
    root = mth(leaves)
    # a 2-leaf tree by hand
    assert mth(leaves[:2]) == node_hash(leaves[0], leaves[1])
    assert verify_inclusion(leaves[0], 0, 1, [], leaves[0])
    assert not verify_inclusion(leaves[0], 1, 1, [], leaves[0])
    assert not verify_consistency(0, 3, [root], root, root)
    assert verify_consistency(3, 3, [], root, root)
    assert not verify_consistency(3, 3, [root], root, root)


# ---- helpers --------------------------------------------------------------------

def get(srv, path, **params):
    return requests.get(srv.url + path, params=params, timeout=10)


def size_of_ledger(srv):
    con = srv.db()
    try:
        return con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
    finally:
        con.close()


def wait_checkpoint(srv, at_least, timeout=3.0):
    """The checkpoint once it covers at_least leaves; fails after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        r = get(srv, LEDGER + "/checkpoint")
        if r.status_code == 200:
            last = r.json()
            if last["tree_size"] >= at_least:
                return last
        time.sleep(0.1)
    pytest.fail("no checkpoint of %d leaves within %.1f s (last: %r)" % (at_least, timeout, last))


def all_entries(srv, n):
    out = []
    for start in range(0, n, 1000):
        r = get(srv, LEDGER + "/entries", start=start, end=min(n, start + 1000))
        assert r.status_code == 200, r.text
        out += r.json()
    return out


def do_writes(srv, k):
    admin = srv.login("admin")
    con = srv.db()
    dept = con.execute("SELECT id FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    for i in range(k):
        r = admin.put(srv.url + API + "/departments/%d" % dept, json={"phone": "0571-8800%04d" % i}, timeout=10)
        assert r.status_code == 200, r.text


def note_body_and_sig(note, name):
    body = note.split("\n\n", 1)[0] + "\n"
    for line in note.split("\n\n", 1)[1].splitlines():
        if line.startswith("\u2014 " + name + " "):
            raw = base64.b64decode(line.split(" ")[2])
            return body.encode(), raw[:4], raw[4:]
    pytest.fail("no signature line by %s in %r" % (name, note))


def openssl_verify(pub_pem, body, sig, alg, tmp):
    paths = {k: os.path.join(tmp, k) for k in ("pub.pem", "body", "sig")}
    for k, v in (("pub.pem", pub_pem.encode()), ("body", body), ("sig", sig)):
        with open(paths[k], "wb") as f:
            f.write(v)
    if alg == "sm2":
        cmd = ["openssl", "dgst", "-sm3", "-verify", paths["pub.pem"], "-sigopt", "distid:1234567812345678",
               "-signature", paths["sig"], paths["body"]]
    else:
        cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["pub.pem"], "-rawin", "-in",
               paths["body"], "-sigfile", paths["sig"]]
    return subprocess.run(cmd, capture_output=True, text=True)


# ---- tests ----------------------------------------------------------------------

def test_checkpoint_follows_writes_and_verifies_with_openssl(server, tmp_path):
    do_writes(server, 3)
    n = size_of_ledger(server)
    t0 = time.time()
    cp = wait_checkpoint(server, n, timeout=2.5)
    assert time.time() - t0 < 2.5
    assert set(cp) >= {"tree_size", "root_hash", "timestamp", "note", "signature", "algorithm", "key_id"}
    assert cp["algorithm"] == "sm2"  # the default of zhifa init
    assert len(cp["root_hash"]) == 64 and len(cp["key_id"]) == 16
    lines = cp["note"].split("\n")
    origin = lines[0]
    assert lines[1] == str(cp["tree_size"])
    assert base64.b64decode(lines[2]).hex() == cp["root_hash"]
    assert lines[3] == "time " + cp["timestamp"]
    pub = get(server, LEDGER + "/public-key")
    assert pub.status_code == 200 and pub.text.startswith("-----BEGIN PUBLIC KEY-----")
    assert pub.headers["Content-Type"].startswith(("application/x-pem-file", "text/plain"))
    body, keyhash, sig = note_body_and_sig(cp["note"], origin)
    assert base64.b64decode(cp["signature"]) == sig
    res = openssl_verify(pub.text, body, sig, "sm2", str(tmp_path))
    assert res.returncode == 0 and "Verified OK" in res.stdout, res.stdout + res.stderr
    # a changed body does not verify
    bad = body.replace(b"\n" + str(cp["tree_size"]).encode() + b"\n",
                       b"\n" + str(cp["tree_size"] + 1).encode() + b"\n")
    res = openssl_verify(pub.text, bad, sig, "sm2", str(tmp_path))
    assert res.returncode != 0
    # the key id is the first 8 bytes of SHA-256 over the DER public key
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub.content,
                         capture_output=True, check=True).stdout
    assert hashlib.sha256(der).hexdigest()[:16] == cp["key_id"]


def test_entries_leaf_hashes_and_root(server):
    do_writes(server, 2)
    cp = wait_checkpoint(server, size_of_ledger(server))
    n = cp["tree_size"]
    entries = all_entries(server, n)
    assert [e["index"] for e in entries] == list(range(n))
    leaves = []
    for e in entries:
        ev = e["event"]
        assert set(ev) == {"seq", "time", "actor", "action", "object", "content_sha256", "request_id"}
        assert ev["seq"] == e["index"]
        lh = leaf_hash(canonical(ev))
        assert lh.hex() == e["leaf_hash"], e
        leaves.append(lh)
    assert mth(leaves).hex() == cp["root_hash"]
    # no personal data: no password hashes, names of people, IP addresses
    text = json.dumps([e["event"] for e in entries], ensure_ascii=False)
    assert "127.0.0.1" not in text and "$argon2" not in text and "admin" not in text


def test_inclusion_proofs_verify_independently(server):
    cp = wait_checkpoint(server, 1)
    n = cp["tree_size"]
    root = bytes.fromhex(cp["root_hash"])
    entries = all_entries(server, n)
    indices = sorted(set([0, 1, n // 2, n - 2, n - 1] + list(range(0, n, max(1, n // 40)))))
    for i in indices:
        r = get(server, LEDGER + "/proof/inclusion", index=i, tree_size=n)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["leaf_index"] == i and body["tree_size"] == n
        path = [bytes.fromhex(h) for h in body["audit_path"]]
        leaf = leaf_hash(canonical(entries[i]["event"]))
        assert verify_inclusion(leaf, i, n, path, root), i
        # and a wrong leaf, index or root does not
        assert not verify_inclusion(leaf_hash(b"x"), i, n, path, root)
        assert not verify_inclusion(leaf, i, n, path, H(b"other"))
        if n > 1:
            assert not verify_inclusion(leaf, (i + 1) % n, n, path, root)
    # proofs against older sizes, with roots recomputed here
    leaves = [leaf_hash(canonical(e["event"])) for e in entries]
    for size in sorted(set([1, 2, 3, 7, 8, 9, n // 3, n - 1, n])):
        if size < 1 or size > n:
            continue
        sroot = mth(leaves[:size])
        for i in sorted(set([0, size // 2, size - 1])):
            r = get(server, LEDGER + "/proof/inclusion", index=i, tree_size=size)
            path = [bytes.fromhex(h) for h in r.json()["audit_path"]]
            assert verify_inclusion(leaves[i], i, size, path, sroot), (i, size)


def test_consistency_proofs_verify_independently(server):
    first_cp = wait_checkpoint(server, 1)
    do_writes(server, 5)
    cp = wait_checkpoint(server, size_of_ledger(server))
    n = cp["tree_size"]
    assert n > first_cp["tree_size"]
    leaves = [leaf_hash(canonical(e["event"])) for e in all_entries(server, n)]
    # between the two checkpoints, with the roots they signed
    r = get(server, LEDGER + "/proof/consistency", first=first_cp["tree_size"], second=n)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["first"] == first_cp["tree_size"] and body["second"] == n
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert verify_consistency(first_cp["tree_size"], n, proof, bytes.fromhex(first_cp["root_hash"]),
                              bytes.fromhex(cp["root_hash"]))
    assert not verify_consistency(first_cp["tree_size"], n, proof, H(b"forged"), bytes.fromhex(cp["root_hash"]))
    # and between many sizes, roots recomputed here
    for m in sorted(set([1, 2, 3, 4, 5, 8, 16, n // 2, n - 1, n])):
        if not 1 <= m <= n:
            continue
        r = get(server, LEDGER + "/proof/consistency", first=m, second=n)
        proof = [bytes.fromhex(h) for h in r.json()["proof"]]
        assert verify_consistency(m, n, proof, mth(leaves[:m]), mth(leaves)), m


def test_history_lists_checkpoints_newest_first(server):
    do_writes(server, 1)
    wait_checkpoint(server, size_of_ledger(server))
    r = get(server, LEDGER + "/checkpoints", per_page=5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 2 and body["page"] == 1 and body["per_page"] == 5
    sizes = [c["tree_size"] for c in body["items"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) <= 5
    assert body["items"][0]["tree_size"] == get(server, LEDGER + "/checkpoint").json()["tree_size"]


def test_checkpoint_on_demand_and_roles(server):
    do_writes(server, 1)
    sup = server.login("supervisor1")
    r = sup.post(server.url + LEDGER + "/checkpoint", timeout=10)
    assert r.status_code in (200, 201), r.text
    assert r.json()["tree_size"] == size_of_ledger(server)
    # nothing new: the same checkpoint, not a new signature
    r2 = sup.post(server.url + LEDGER + "/checkpoint", timeout=10)
    assert r2.status_code == 200 and r2.json()["note"] == r.json()["note"]
    off = server.login("officer1")
    r = off.post(server.url + LEDGER + "/checkpoint", timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = requests.post(server.url + LEDGER + "/checkpoint", timeout=10)
    assert r.status_code == 401


@pytest.mark.parametrize("path,params", [
    ("/proof/inclusion", {}),
    ("/proof/inclusion", {"index": 0}),
    ("/proof/inclusion", {"index": "-1", "tree_size": 5}),
    ("/proof/inclusion", {"index": "a", "tree_size": 5}),
    ("/proof/inclusion", {"index": 5, "tree_size": 5}),
    ("/proof/inclusion", {"index": 0, "tree_size": 0}),
    ("/proof/inclusion", {"index": 0, "tree_size": 10 ** 12}),
    ("/proof/inclusion", {"index": "01", "tree_size": 5}),
    ("/proof/inclusion", {"index": "99999999999999999999", "tree_size": 5}),
    ("/proof/consistency", {"first": 0, "second": 5}),
    ("/proof/consistency", {"first": 6, "second": 5}),
    ("/proof/consistency", {"first": 1}),
    ("/proof/consistency", {"first": 1, "second": 10 ** 12}),
    ("/proof/consistency", {"first": "1.5", "second": 3}),
    ("/entries", {"start": 5, "end": 5}),
    ("/entries", {"start": 0, "end": 1001}),
    ("/entries", {"start": -1, "end": 3}),
    ("/entries", {"start": 0}),
])
def test_bad_parameters_are_400(server, path, params):
    r = get(server, LEDGER + path, **params)
    assert r.status_code == 400, (path, params, r.status_code, r.text)
    e = r.json()["error"]
    assert e["code"] and e["message"] and "field" in e


def test_ledger_page_shows_latest_checkpoint(server):
    cp = wait_checkpoint(server, 1)
    r = requests.get(server.url + "/ledger", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert cp["root_hash"] in r.text or get(server, LEDGER + "/checkpoint").json()["root_hash"] in r.text
    assert "如何自行核验" in r.text and "检查点历史" in r.text
    assert 'href="/ledger"' in requests.get(server.url + "/", timeout=10).text


def test_every_audit_row_has_its_event(server):
    do_writes(server, 1)
    con = server.db()
    try:
        # one row per event (migration 0025): the audit log is a view over
        # ledger_events (id = idx) and the rows older than the ledger (< 0)
        missing = con.execute("SELECT COUNT(*) FROM audit_log a WHERE a.id >= 0 "
                              "AND NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.idx = a.id "
                              "AND e.action = a.action)").fetchone()[0]
        total = con.execute("SELECT COUNT(*) FROM audit_log WHERE id >= 0").fetchone()[0]
        events = con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
        kinds = con.execute("SELECT table_name FROM information_schema.tables WHERE table_name = 'audit_log' "
                            "AND table_type = 'VIEW'" if server.database else
                            "SELECT name FROM sqlite_master WHERE name = 'audit_log' AND type = 'view'").fetchall()
    finally:
        con.close()
    assert total > 0 and missing == 0 and total == events
    assert len(kinds) == 1


def test_ed25519_data_directory(tmp_path):
    """zhifa init --sign ed25519: checkpoints signed with Ed25519, checked
    with openssl pkeyutl."""
    root = tempfile.mkdtemp(prefix="zhifa-ed-")
    data = os.path.join(root, "data")
    subprocess.run([BIN, "init", data, "--demo", "--sign", "ed25519"], check=True, capture_output=True)
    assert oct(os.stat(os.path.join(data, "signing.key")).st_mode & 0o777) == "0o600"
    port = free_port()
    log = open(os.path.join(root, "server.log"), "wb")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT)
    srv = Server(data, port, proc)
    srv.root = root
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        cp = wait_checkpoint(srv, 1)
        assert cp["algorithm"] == "ed25519"
        pub = get(srv, LEDGER + "/public-key").text
        body, _, sig = note_body_and_sig(cp["note"], cp["note"].split("\n")[0])
        assert len(sig) == 64
        res = openssl_verify(pub, body, sig, "ed25519", str(tmp_path))
        assert res.returncode == 0 and "Signature Verified Successfully" in res.stdout, res.stdout + res.stderr
    finally:
        stop_server(srv)
    with pytest.raises(subprocess.CalledProcessError):
        subprocess.run([BIN, "init", os.path.join(root, "x"), "--sign", "rsa"], check=True, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)
