"""Several zhifa servers on one PostgreSQL behind nginx (issue 9, `make test-multi`).

Run by .ci/run after `make test` (it takes a minute and needs nginx-light and
postgresql-15). One throw-away PostgreSQL cluster (scripts/pg-cluster.sh), one
data directory shared by three `zhifa serve` processes (evidence files and the
signing key are in DIR, as on a shared volume), and nginx round-robin in front
of them, all in a temporary directory. Checks:
- a logged-in session works on every server (sessions live in the database):
  requests.Session with the cookie, and the console in a real browser;
- the leader lease: exactly one holder, and another server takes over within
  the lease's time when the leader is SIGKILLed; checkpoints keep being signed
  and stay consistent;
- a publication is published once when two servers are asked at the same
  moment, and an ended period is expired once although every server runs the
  publication tick;
- under a write load through nginx, with servers SIGKILLed and restarted, the
  ledger stays consistent: every checkpoint extends the previous one and
  `zhifa verify` exits 0.
"""
import os
import random
import shutil
import signal
import sys
import subprocess
import tempfile
import threading
import time

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "api"))
from test_cases import SAMPLES, id_number  # noqa: E402  (document fields the templates accept)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ZHIFA_BIN", os.path.join(ROOT, "build", "zhifa"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "demo-password-2026"
NSERVERS = 3


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    r = subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, text=True)
    return [line.split("|") for line in r.stdout.splitlines() if line]


def wait_healthy(url, proc, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("not healthy: " + url)


class Cluster:
    def __init__(self, root):
        self.root = root
        self.pgdir = os.path.join(root, "pg")
        self.nginx = None
        self.procs = []
        base = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", self.pgdir],
                              check=True, capture_output=True, text=True).stdout.strip()
        self.pg_base = base
        psql(base + "/postgres", "CREATE DATABASE zhifa_multi")
        self.db = base + "/zhifa_multi"
        self.data = os.path.join(root, "data")
        subprocess.run([BIN, "init", self.data, "--demo", "--database", self.db], check=True,
                       capture_output=True)
        self.ports = [free_port() for _ in range(NSERVERS)]
        self.procs = [None] * NSERVERS
        self.logs = []
        for i in range(NSERVERS):
            self.start(i)
        self.front = free_port()
        self.nginx = None
        self.start_nginx()
        self.url = "http://127.0.0.1:%d" % self.front

    def server_url(self, i):
        return "http://127.0.0.1:%d" % self.ports[i]

    def start(self, i):
        log = open(os.path.join(self.root, "server%d.log" % i), "ab")
        self.procs[i] = subprocess.Popen([BIN, "serve", "--data", self.data, "--listen",
                                          "127.0.0.1:%d" % self.ports[i]],
                                         stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_healthy(self.server_url(i), self.procs[i])

    def kill(self, i):
        p = self.procs[i]
        if p and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
        self.procs[i] = None

    def start_nginx(self):
        ngx = os.path.join(self.root, "nginx")
        os.makedirs(os.path.join(ngx, "logs"), exist_ok=True)
        servers = "\n".join("        server 127.0.0.1:%d max_fails=0;" % p for p in self.ports)
        conf = """
worker_processes 1;
user root;
pid %(ngx)s/nginx.pid;
error_log %(ngx)s/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(ngx)s/body;
    proxy_temp_path %(ngx)s/proxy;
    fastcgi_temp_path %(ngx)s/fastcgi;
    uwsgi_temp_path %(ngx)s/uwsgi;
    scgi_temp_path %(ngx)s/scgi;
    client_max_body_size 64m;
    upstream zhifa {
%(servers)s
        keepalive 16;
    }
    server {
        listen 127.0.0.1:%(port)d;
        location / {
            proxy_pass http://zhifa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            # a refused connection (a killed server) goes to the next one;
            # a request already sent is never repeated (POST is not idempotent)
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            add_header X-Upstream $upstream_addr always;
        }
    }
}
""" % {"ngx": ngx, "servers": servers, "port": self.front}
        path = os.path.join(ngx, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.nginx = subprocess.Popen([NGINX, "-p", ngx, "-c", path, "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(ngx, "stderr"), "wb"))
        wait_healthy("http://127.0.0.1:%d" % self.front, self.nginx)

    def stop(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait()
        for p in self.procs:
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", self.pgdir],
                       capture_output=True)

    def login(self, username, base=None):
        s = requests.Session()
        r = s.post((base or self.url) + "/api/v1/auth/login",
                   json={"username": username, "password": PASSWORD}, timeout=10)
        assert r.status_code == 200, r.text
        s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return s

    def lease(self):
        rows = psql(self.db, "SELECT holder, expires_at FROM leader_lease WHERE name = 'ticks'")
        return (rows[0][0], int(rows[0][1])) if rows else (None, 0)

    def leader_index(self):
        holder, expires = self.lease()
        if not holder or expires < time.time():
            return None
        pid = int(holder.split(":")[1])
        for i, p in enumerate(self.procs):
            if p and p.pid == pid:
                return i
        return None

    def checkpoints(self):
        return [(int(a), b) for a, b in psql(self.db, "SELECT tree_size, root_hash FROM checkpoints ORDER BY id")]

    def ledger_size(self):
        return int(psql(self.db, "SELECT COUNT(*) FROM ledger_events")[0][0])

    def wait_checkpoint_covers(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            size = self.ledger_size()
            cps = self.checkpoints()
            if cps and cps[-1][0] == size:
                return size
            time.sleep(0.5)
        raise AssertionError("no checkpoint covers the ledger (size %d, checkpoints %r)"
                             % (self.ledger_size(), self.checkpoints()[-3:]))

    def verify(self):
        r = subprocess.run([BIN, "verify", "--data", self.data], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout


@pytest.fixture(scope="module")
def cl():
    for need in ("/usr/lib/postgresql/15/bin/initdb", NGINX):
        if not os.path.exists(need):
            pytest.skip("needs " + need)
    root = tempfile.mkdtemp(prefix="zhifa-multi-")
    os.chmod(root, 0o755)
    c = Cluster.__new__(Cluster)
    try:
        c.__init__(root)
    except BaseException:
        c.stop()
        raise
    yield c
    c.stop()
    if os.environ.get("ZHIFA_KEEP_MULTI"):
        print("kept", root)
    else:
        shutil.rmtree(root, ignore_errors=True)


def case_body(cl):
    rows = psql(cl.db, "SELECT officer_id FROM users WHERE username IN ('officer1', 'officer2') ORDER BY username")
    return {"procedure": "penalty_general", "title": "多服务器测试案件", "summary": "多服务器写入",
            "source": "监督检查", "officers": [int(r[0]) for r in rows],
            "parties": [{"kind": "自然人", "name": "张测试"}]}


def checkpoints_consistent(cl):
    """Every checkpoint's tree is the one the ledger has at that size (so no
    server signed a root the others disagree with), sizes grow."""
    cps = cl.checkpoints()
    sizes = [s for s, _ in cps]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes), sizes
    return cps


def test_session_moves_between_servers(cl):
    s = cl.login("officer1")
    seen = set()
    for _ in range(12):
        r = s.get(cl.url + "/api/v1/auth/me", timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["user"]["username"] == "officer1", r.text
        seen.add(r.headers["X-Upstream"])
    assert len(seen) == NSERVERS, seen
    # the same cookie, straight to each server, and a write on each
    body = case_body(cl)
    for i in range(NSERVERS):
        r = s.get(cl.server_url(i) + "/api/v1/auth/me", timeout=10)
        assert r.status_code == 200, r.text
        r = s.post(cl.server_url(i) + "/api/v1/cases", json=body, timeout=10)
        assert r.status_code == 201, r.text
    # logging out on one server ends the session on all of them
    r = s.post(cl.server_url(0) + "/api/v1/auth/logout", timeout=10)
    assert r.status_code in (200, 204), r.text
    for i in range(NSERVERS):
        assert s.get(cl.server_url(i) + "/api/v1/auth/me", timeout=10).status_code == 401


def test_browser_session_moves_between_servers(cl):
    """The console in a real browser (tests/multi/browser_session.test.mjs,
    chromium through playwright-core as in tests/e2e) stays logged in while
    nginx sends its API calls to every server in turn."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for need in (shutil.which("node"), chromium, os.path.join(ROOT, "console", "dist", "index.html")):
        if not need or not os.path.exists(need):
            pytest.skip("needs node, chromium and the built console (make all)")
    env = dict(os.environ, ZHIFA_URL=cl.url, NSERVERS=str(NSERVERS), CHROMIUM=chromium)
    r = subprocess.run(["node", "--test", os.path.join(ROOT, "tests", "multi", "browser_session.test.mjs")],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_one_leader_signs_and_takeover(cl):
    deadline = time.time() + 15
    while cl.leader_index() is None and time.time() < deadline:
        time.sleep(0.5)
    leader = cl.leader_index()
    assert leader is not None, cl.lease()
    # only that server ever took the lease (each logs it once)
    taken = [i for i in range(NSERVERS)
             if b"leader lease taken" in open(os.path.join(cl.root, "server%d.log" % i), "rb").read()]
    assert taken == [leader], taken
    # the lease row names one live server; only it logs having taken it
    size = cl.wait_checkpoint_covers()
    assert size > 0
    old_holder, _ = cl.lease()
    cl.kill(leader)
    s = cl.login("officer1")
    r = s.post(cl.url + "/api/v1/cases", json=case_body(cl), timeout=10)
    assert r.status_code == 201, r.text
    t0 = time.time()
    deadline = t0 + 25
    while time.time() < deadline:
        holder, expires = cl.lease()
        if holder != old_holder and expires > time.time():
            break
        time.sleep(0.5)
    assert holder != old_holder, "no takeover"
    took = time.time() - t0
    assert took < 15, took
    # the new leader signs the write made while nobody led
    cl.wait_checkpoint_covers()
    cl.start(leader)
    checkpoints_consistent(cl)


def test_publication_published_once(cl):
    pub = cl.login("publicity1")
    off = cl.login("officer1")
    # a 简易程序 decision on the spot queues a publication
    body = dict(case_body(cl), procedure="penalty_summary", summary="未按规定明码标价。",
                parties=[{"kind": "自然人", "name": "陈某某", "identifier": id_number("36010219850203123")}])
    r = off.post(cl.url + "/api/v1/cases", json=body, timeout=10)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = off.post(cl.url + "/api/v1/cases/%d/documents" % cid,
                 json={"template": "onsite_penalty", "fields": SAMPLES["onsite_penalty"]}, timeout=10)
    assert r.status_code == 201, r.text
    r = off.post(cl.url + "/api/v1/cases/%d/documents/%d/finalize" % (cid, r.json()["id"]), timeout=10)
    assert r.status_code == 200, r.text
    r = off.post(cl.url + "/api/v1/cases/%d/actions" % cid, json={"action": "decide_on_spot", "fine_fen": 5000},
                 timeout=10)
    assert r.status_code == 200, r.text
    rows = psql(cl.db, "SELECT id FROM publications WHERE case_id = %d AND state = 'pending'" % cid)
    assert len(rows) == 1, rows
    pid = int(rows[0][0])
    results = []

    def go(i):
        r = pub.post(cl.server_url(i) + "/api/v1/publications/%d/publish" % pid,
                     json={"confirm": True}, timeout=20)
        results.append(r.status_code)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(NSERVERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * (NSERVERS - 1), results
    n = psql(cl.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'publication_publish' AND object_id = '%d'"
             % pid)[0][0]
    assert int(n) == 1
    # its period ends: every server runs the publication tick, one expires it
    psql(cl.db, "UPDATE publications SET max_end = '2000-01-01' WHERE id = %d" % pid)
    deadline = time.time() + 30
    while time.time() < deadline:
        if psql(cl.db, "SELECT state FROM publications WHERE id = %d" % pid)[0][0] == "expired":
            break
        time.sleep(0.5)
    time.sleep(6)  # every server's tick has run again since
    assert psql(cl.db, "SELECT state FROM publications WHERE id = %d" % pid)[0][0] == "expired"
    n = psql(cl.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'publication_expire' AND object_id = '%d'"
             % pid)[0][0]
    assert int(n) == 1


def test_ledger_consistent_while_servers_die(cl):
    stop = threading.Event()
    created, failed = [0], [0]
    body = case_body(cl)

    def writer():
        s = cl.login("officer1")
        while not stop.is_set():
            try:
                r = s.post(cl.url + "/api/v1/cases", json=body, timeout=15)
                if r.status_code == 201:
                    created[0] += 1
                else:
                    failed[0] += 1  # the server died mid-request (nginx: 502)
            except requests.RequestException:
                failed[0] += 1

    signed, refused = [0], []

    def signer():
        # besides the leader's tick, an administrator asks random servers
        # for a checkpoint at the same time: any server may sign on request,
        # and every signature must extend the last (409 would say otherwise)
        s = cl.login("admin")
        r2 = random.Random(7)
        while not stop.is_set():
            i = r2.randrange(NSERVERS)
            try:
                r = s.post(cl.server_url(i) + "/api/v1/ledger/checkpoint", timeout=15)
            except requests.RequestException:
                continue  # that server is down right now
            if r.status_code in (200, 201):
                signed[0] += r.status_code == 201
            else:
                refused.append((r.status_code, r.text[:200]))
            time.sleep(0.05)

    threads = [threading.Thread(target=writer) for _ in range(4)] + [threading.Thread(target=signer)]
    for t in threads:
        t.start()
    rnd = random.Random(9)
    try:
        for _ in range(int(os.environ.get("ZHIFA_MULTI_KILLS", "6"))):
            time.sleep(rnd.uniform(0.8, 2.0))
            # kill the leader half the time: checkpoint signing moves
            i = cl.leader_index() if rnd.random() < 0.5 else None
            if i is None:
                i = rnd.randrange(NSERVERS)
            cl.kill(i)
            time.sleep(rnd.uniform(0.2, 1.0))
            cl.start(i)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert created[0] > 20, (created, failed)
    # no server refused to sign (409 inconsistent_checkpoint) or failed
    assert not refused, refused
    assert signed[0] > 0
    size = cl.wait_checkpoint_covers(timeout=40)
    cps = checkpoints_consistent(cl)
    assert cps[-1][0] == size
    # the answer of each server agrees with the database
    for i in range(NSERVERS):
        r = requests.get(cl.server_url(i) + "/api/v1/ledger/checkpoint", timeout=10)
        assert r.status_code == 200, r.text
    out = cl.verify()
    print("created", created[0], "failed", failed[0], "signed on request", signed[0], "ledger", size,
          "checkpoints", len(cps), out[-300:])
