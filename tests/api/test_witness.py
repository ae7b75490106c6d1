"""`zhifa witness` against a live server, and POST /api/v1/ledger/cosignatures.

The witness pins the server's key, checks consistency with the checkpoint it
kept, countersigns, and the cosignature shows on the API and the portal. Then
the database is rewritten behind zhifa's back (the last events deleted and
replaced by others, so the server signs a tree that does not extend the one
the witness kept) and the witness must exit 1 loudly.
"""
import base64
import hashlib
import os
import subprocess
import time

import pytest
import requests

from conftest import BIN, Server, free_port, start_server, stop_server

API = "/api/v1"
LEDGER = API + "/ledger"
NAME = "witness.sfj"


def openssl(*args, input=None):
    return subprocess.run(["openssl"] + list(args), input=input, capture_output=True, check=True).stdout


def make_key(path):
    openssl("genpkey", "-algorithm", "ed25519", "-out", path)
    return openssl("pkey", "-in", path, "-pubout").decode()


def raw_ed25519(pub_pem):
    der = openssl("pkey", "-pubin", "-outform", "DER", input=pub_pem.encode())
    return der[-32:]


def ledger_size(srv):
    con = srv.db()
    try:
        return con.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
    finally:
        con.close()


def wait_checkpoint(srv, at_least, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = requests.get(srv.url + LEDGER + "/checkpoint", timeout=10)
        if r.status_code == 200 and r.json()["tree_size"] >= at_least:
            return r.json()
        time.sleep(0.1)
    pytest.fail("no checkpoint of %d leaves" % at_least)


def writes(srv, k, tag):
    admin = srv.login("admin")
    con = srv.db()
    dept = con.execute("SELECT id FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    for i in range(k):
        r = admin.put(srv.url + API + "/departments/%d" % dept, json={"phone": "0571-%d%04d" % (ord(tag), i)}, timeout=10)
        assert r.status_code == 200, r.text


def witness(url, state, key):
    return subprocess.run([BIN, "witness", url, "--state", state, "--key", key, "--name", NAME, "--once"],
                          capture_output=True, text=True, timeout=60)


def restart(srv):
    """Starts zhifa again on the same data directory (a new port)."""
    srv.stop()
    port = free_port()
    log = open(os.path.join(srv.root, "server2.log"), "ab")
    proc = subprocess.Popen([BIN, "serve", "--data", srv.data_dir, "--listen", "127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT)
    new = Server(srv.data_dir, port, proc)
    new.root = srv.root
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(new.url + "/healthz", timeout=1).status_code == 200:
                return new
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail("zhifa did not restart")


def test_witness_round_trip_and_alarm(tmp_path):
    srv = start_server()
    try:
        state = str(tmp_path / "state")
        key = str(tmp_path / "witness.pem")
        pub = make_key(key)
        writes(srv, 2, "a")
        wait_checkpoint(srv, ledger_size(srv))

        # an unregistered witness: checked, but its cosignature is refused
        r = witness(srv.url, state, key)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "未接受会签" in r.stderr
        assert os.path.exists(os.path.join(state, "log.pub"))
        assert requests.get(srv.url + LEDGER + "/checkpoint", timeout=10).json()["cosignatures"] == []

        admin = srv.login("admin")
        r = admin.post(srv.url + LEDGER + "/witnesses", json={"name": NAME, "public_key": pub}, timeout=10)
        assert r.status_code == 201, r.text
        assert r.json()["algorithm"] == "ed25519"
        r = admin.post(srv.url + LEDGER + "/witnesses", json={"name": NAME, "public_key": pub}, timeout=10)
        assert r.status_code == 409
        r = admin.post(srv.url + LEDGER + "/witnesses", json={"name": "bad name", "public_key": pub}, timeout=10)
        assert r.status_code == 400
        r = srv.login("officer1").post(srv.url + LEDGER + "/witnesses", json={"name": "x", "public_key": pub},
                                       timeout=10)
        assert r.status_code == 403

        # a registered witness: its cosignature shows, and verifies with openssl
        writes(srv, 1, "b")
        wait_checkpoint(srv, ledger_size(srv))
        r = witness(srv.url, state, key)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "已会签" in r.stdout
        cp = requests.get(srv.url + LEDGER + "/checkpoint", timeout=10).json()
        assert [c["witness"] for c in cp["cosignatures"]] == [NAME], (r.stdout, r.stderr, cp)
        line = cp["cosignatures"][0]["signature_line"]
        assert ("\n" + line + "\n") in cp["note"]
        body = cp["note"].split("\n\n", 1)[0] + "\n"
        blob = base64.b64decode(line.split(" ")[2])
        assert blob[:4] == hashlib.sha256(NAME.encode() + b"\n\x01" + raw_ed25519(pub)).digest()[:4]
        for fname, data in (("body", body.encode()), ("sig", blob[4:]), ("pub.pem", pub.encode())):
            with open(str(tmp_path / fname), "wb") as f:
                f.write(data)
        out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin",
                      "-in", str(tmp_path / "body"), "-sigfile", str(tmp_path / "sig"))
        assert b"Signature Verified Successfully" in out
        page = requests.get(srv.url + "/ledger", timeout=10).text
        assert NAME in page

        # the endpoint itself: unknown key 403, bad signature 400, unknown size 404
        other = str(tmp_path / "other.pem")
        make_key(other)
        sig = openssl("pkeyutl", "-sign", "-inkey", other, "-rawin", "-in", str(tmp_path / "body"))
        forged = "\u2014 %s %s" % (NAME, base64.b64encode(blob[:4] + sig).decode())
        r = requests.post(srv.url + LEDGER + "/cosignatures",
                          json={"tree_size": cp["tree_size"], "signature": forged}, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_signature", r.text
        stranger = "\u2014 stranger %s" % base64.b64encode(b"\x00\x01\x02\x03" + sig).decode()
        r = requests.post(srv.url + LEDGER + "/cosignatures",
                          json={"tree_size": cp["tree_size"], "signature": stranger}, timeout=10)
        assert r.status_code == 403 and r.json()["error"]["code"] == "unknown_witness", r.text
        r = requests.post(srv.url + LEDGER + "/cosignatures",
                          json={"tree_size": 10 ** 9, "signature": line}, timeout=10)
        assert r.status_code == 404
        r = requests.post(srv.url + LEDGER + "/cosignatures",
                          json={"tree_size": cp["tree_size"], "signature": "not a line"}, timeout=10)
        assert r.status_code == 400
        r = requests.post(srv.url + LEDGER + "/cosignatures",
                          json={"tree_size": cp["tree_size"], "signature": line}, timeout=10)
        assert r.status_code == 200  # the same cosignature again changes nothing

        # a round with nothing new still succeeds
        assert witness(srv.url, state, key).returncode == 0

        # rewrite history: drop the last events, then let different ones take their place
        kept = cp["tree_size"]
        cut = kept - 2
        srv.stop()
        con = srv.db()
        con.execute("DELETE FROM cosignatures")
        con.execute("DELETE FROM checkpoints WHERE tree_size > ?", (cut,))
        con.execute("DELETE FROM ledger_events WHERE idx >= ?", (cut,))
        con.execute("DELETE FROM ledger_nodes WHERE ((idx + 1) << level) > ?", (cut,))
        con.commit()
        con.close()
        srv = restart(srv)
        writes(srv, 3, "c")
        new = wait_checkpoint(srv, kept)
        assert new["tree_size"] >= kept
        r = witness(srv.url, state, key)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "警报" in r.stderr and str(kept) in r.stderr and str(new["tree_size"]) in r.stderr, r.stderr
        # and the forged tree gets no cosignature
        cp = requests.get(srv.url + LEDGER + "/checkpoint", timeout=10).json()
        assert cp["cosignatures"] == []
    finally:
        stop_server(srv)


def test_witness_refuses_a_different_server_key(tmp_path):
    a = start_server()
    b = start_server()
    try:
        state = str(tmp_path / "state")
        key = str(tmp_path / "w.pem")
        make_key(key)
        wait_checkpoint(a, 1)
        wait_checkpoint(b, 1)
        assert witness(a.url, state, key).returncode == 0
        r = witness(b.url, state, key)  # another server, another key: not the pinned one
        assert r.returncode == 1 and "警报" in r.stderr, r.stdout + r.stderr
    finally:
        stop_server(a)
        stop_server(b)


def test_witness_usage_errors():
    assert subprocess.run([BIN, "witness"], capture_output=True).returncode == 2
    assert subprocess.run([BIN, "witness", "ftp://x"], capture_output=True).returncode == 2
    r = subprocess.run([BIN, "witness", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--state" in r.stdout
