#!/usr/bin/env python3
"""Crash test (issue 4): kill zhifa with SIGKILL at random moments while
threads upload evidence and write records, restart it each time, and check
that nothing acknowledged was lost.

    ZHIFA_BIN=build/zhifa python3 tests/crash/crash_test.py        # 200 kills
    ZHIFA_CRASH_KILLS=10 python3 tests/crash/crash_test.py          # quick mode

Acknowledged means the client got 201/200 back. After the last restart:
  * every acknowledged upload has a row in state 'stored' and its file hashes
    to the sha256 the server answered (and the client computed);
  * every acknowledged write (a unit created through the API) is there;
  * every stored row's file exists and hashes right (no row points to a
    missing file), every file under a final name hashes to its name;
  * no temp file is left in evidence/tmp once the restarted server swept it;
  * `zhifa verify --data DIR` exits 0 when that command exists.
Prints one JSON line with the numbers; exits 1 on any failure.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ZHIFA_BIN", os.path.join(ROOT, "build", "zhifa"))
KILLS = int(os.environ.get("ZHIFA_CRASH_KILLS", "200"))
SEED = int(os.environ.get("ZHIFA_CRASH_SEED", str(int(time.time()))))
PASSWORD = "demo-password-2026"
API = "/api/v1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Zhifa:
    def __init__(self, data, port, log):
        self.data, self.port, self.log = data, port, log
        self.url = "http://127.0.0.1:%d" % port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([BIN, "serve", "--data", self.data, "--listen",
                                      "127.0.0.1:%d" % self.port],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("zhifa exited at start (%s)" % self.proc.returncode)
            time.sleep(0.02)
        raise RuntimeError("zhifa did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def login(srv, user):
    s = requests.Session()
    r = s.post(srv.url + API + "/auth/login", json={"username": user, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


class Workers:
    def __init__(self, srv, sessions, dept):
        self.srv, self.sessions, self.dept = srv, sessions, dept
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.uploads = {}   # sha256 -> evidence id
        self.units = {}     # name -> unit id
        self.attempts = 0
        self.errors = 0
        self.statuses = {}

    def uploader(self, n):
        rnd = random.Random(SEED * 100 + n)
        s = self.sessions[n % len(self.sessions)]
        i = 0
        while not self.stop.is_set():
            # 9 MB passes the writer's 4 MiB mark: its writer thread and O_DIRECT writes
            size = rnd.choice([0, 1, 1000, 65536, 300_000, 1_500_000, rnd.randrange(1, 3_000_000), 9_000_001])
            body = rnd.randbytes(size) if size else b""
            sha = hashlib.sha256(body).hexdigest()
            i += 1
            try:
                r = s.put(self.srv.url + API + "/evidence/raw", params={"kind": "video"}, data=body,
                          headers={"Idempotency-Key": "crash-%d-%d-%d" % (SEED, n, i)}, timeout=10)
            except requests.RequestException:
                with self.lock:
                    self.attempts += 1
                continue
            with self.lock:
                self.attempts += 1
                self.statuses[r.status_code] = self.statuses.get(r.status_code, 0) + 1
                if r.status_code in (200, 201):
                    e = r.json()
                    if e["sha256"] != sha or e["size"] != size:
                        self.errors += 1
                        print("server answered a wrong hash for an upload", file=sys.stderr)
                    self.uploads[sha] = e["id"]

    def writer(self, n):
        s = self.sessions[0]
        i = 0
        while not self.stop.is_set():
            i += 1
            name = "崩溃测试-%d-%d-%d" % (SEED, n, i)
            try:
                r = s.post(self.srv.url + API + "/departments/%d/units" % self.dept,
                           json={"name": name}, timeout=10)
            except requests.RequestException:
                continue
            if r.status_code == 201:
                with self.lock:
                    self.units[name] = r.json()["id"]
            elif r.status_code == 409:
                pass  # committed before a kill whose answer was lost: fine either way
            time.sleep(0.005)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check(data, w):
    failures = []
    import sqlite3
    con = sqlite3.connect(os.path.join(data, "zhifa.db"))
    rows = con.execute("SELECT id, sha256, size, state FROM evidence_files").fetchall()
    units = {n: i for i, n in con.execute("SELECT id, name FROM units")}
    con.close()
    by_sha = {}
    for rid, sha, size, state in rows:
        by_sha.setdefault(sha, []).append((rid, size, state))
    root = os.path.join(data, "evidence")
    for sha, eid in w.uploads.items():
        got = [r for r in by_sha.get(sha, []) if r[2] == "stored"]
        if not got or got[0][0] != eid:
            failures.append("acknowledged upload %s (id %d) has no stored row" % (sha, eid))
    for name, uid in w.units.items():
        if units.get(name) != uid:
            failures.append("acknowledged unit %s (id %d) is missing" % (name, uid))
    for rid, sha, size, state in rows:
        if state != "stored":
            continue
        path = os.path.join(root, sha[:2], sha[2:4], sha)
        if not os.path.exists(path):
            failures.append("row %d points to a missing file %s" % (rid, sha))
        elif os.path.getsize(path) != size or sha256_file(path) != sha:
            failures.append("row %d: file %s does not hash to its name" % (rid, sha))
    for d1 in os.listdir(root):
        if len(d1) != 2:
            continue
        for d2 in os.listdir(os.path.join(root, d1)):
            for f in os.listdir(os.path.join(root, d1, d2)):
                p = os.path.join(root, d1, d2, f)
                if sha256_file(p) != f:
                    failures.append("partial or damaged file under a final name: %s" % p)
    return failures, len(rows)


def main():
    if not os.path.exists(BIN):
        print("no binary at %s (make build/zhifa)" % BIN, file=sys.stderr)
        return 2
    random.seed(SEED)
    tmp = tempfile.mkdtemp(prefix="zhifa-crash-")
    data = os.path.join(tmp, "data")
    subprocess.run([BIN, "init", data, "--demo"], check=True, capture_output=True)
    log = open(os.path.join(tmp, "server.log"), "wb")
    srv = Zhifa(data, free_port(), log)
    srv.start()
    sessions = [login(srv, "officer1"), login(srv, "officer2")]
    admin = login(srv, "admin")
    dept = sessions[0].get(srv.url + API + "/auth/me", timeout=10).json()
    dept = dept.get("department_id") or dept.get("user", {}).get("department_id")
    w = Workers(srv, [admin], dept)
    w.sessions = sessions
    up_threads = [threading.Thread(target=w.uploader, args=(i,)) for i in range(3)]
    wr_admin = Workers(srv, [admin], dept)
    wr_threads = [threading.Thread(target=wr_admin.writer, args=(i,)) for i in range(2)]
    for t in up_threads + wr_threads:
        t.start()
    started = time.time()
    kills = 0
    try:
        for kills in range(1, KILLS + 1):
            time.sleep(random.uniform(0.05, 0.6))
            srv.kill()
            srv.start()
            if kills % 20 == 0:
                print("kills %d, acknowledged uploads %d, writes %d" %
                      (kills, len(w.uploads), len(wr_admin.units)), file=sys.stderr)
    finally:
        w.stop.set()
        wr_admin.stop.set()
        for t in up_threads + wr_threads:
            t.join()
    # one more kill with everything quiet, then the restart sweeps tmp/
    srv.kill()
    srv.start()
    tmpdir = os.path.join(data, "evidence", "tmp")
    deadline = time.time() + 10
    while time.time() < deadline and os.listdir(tmpdir):
        time.sleep(0.1)
    srv.stop()
    w.units = wr_admin.units
    failures, nrows = check(data, w)
    if os.listdir(tmpdir):
        failures.append("temp files left after the sweep: %s" % os.listdir(tmpdir)[:5])
    if w.errors:
        failures.append("%d uploads were answered with a wrong hash" % w.errors)
    verify = "not available"
    helptext = subprocess.run([BIN, "help"], capture_output=True, text=True).stdout
    if "verify" in helptext:
        v = subprocess.run([BIN, "verify", "--data", data], capture_output=True, text=True)
        verify = "exit %d" % v.returncode
        if v.returncode != 0:
            failures.append("zhifa verify exited %d: %s" % (v.returncode, (v.stdout + v.stderr)[-2000:]))
    result = {"kills": kills, "seed": SEED, "upload_attempts": w.attempts,
              "acknowledged_uploads": len(w.uploads),
              "upload_statuses": {str(k): v for k, v in sorted(w.statuses.items())}, "acknowledged_writes": len(w.units),
              "evidence_rows": nrows, "verify": verify, "failures": len(failures),
              "seconds": round(time.time() - started, 1)}
    print(json.dumps(result, ensure_ascii=False))
    for f in failures[:50]:
        print("FAIL: " + f, file=sys.stderr)
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("data kept in " + tmp, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
