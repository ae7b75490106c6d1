"""Evidence upload, download and small ranges through the API, file backend
and S3 backend (a local s3rver) side by side: `make s3-bench` (which starts
and stops s3rver). 16 MiB parts (the default); three runs, fastest counts;
RSS is the server's VmHWM after all runs."""
import hashlib
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "api"))
import conftest  # noqa: E402

SIZE = int(os.environ.get("S3_BENCH_MB", "64")) << 20
RUNS = 3


def hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def restart(srv):
    srv.stop()
    port = conftest.free_port()
    srv.proc = subprocess.Popen([conftest.BIN, "serve", "--data", srv.data_dir, "--listen", "127.0.0.1:%d" % port],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    srv.port, srv.url = port, "http://127.0.0.1:%d" % port
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if conftest.requests.get(srv.url + "/healthz", timeout=1).status_code == 200:
                return
        except conftest.requests.ConnectionError:
            time.sleep(0.05)


def main():
    for mode in ("fs", "s3"):
        conftest.BLOB = mode
        srv = conftest.start_server()
        try:
            if mode == "s3":  # the tests' 64 KiB parts off: the default 16 MiB
                with open(os.path.join(srv.data_dir, "zhifa.conf"), "a") as f:
                    f.write("s3_part_size = 16777216\n")
                restart(srv)
            s = srv.login("officer1")
            ups, downs, ranges = [], [], []
            for run in range(RUNS):
                blob = os.urandom(SIZE)
                t = time.time()
                r = s.put(srv.url + "/api/v1/evidence/raw", params={"kind": "video"}, data=blob, timeout=600)
                ups.append(time.time() - t)
                assert r.status_code == 201, r.text
                url = srv.url + "/api/v1/evidence/%d/content" % r.json()["id"]
                t = time.time()
                got = s.get(url, timeout=600).content
                downs.append(time.time() - t)
                assert hashlib.sha256(got).digest() == hashlib.sha256(blob).digest()
                t = time.time()
                for i in range(50):
                    off = (i * 1234567) % (SIZE - 65536)
                    r = s.get(url, headers={"Range": "bytes=%d-%d" % (off, off + 65535)}, timeout=60)
                    assert r.status_code == 206 and r.content == blob[off:off + 65536]
                ranges.append((time.time() - t) / 50)
            mb = SIZE / 1e6
            print("%s: upload %d MiB %.0f MB/s (runs %s); download %.0f MB/s (runs %s); "
                  "64 KiB range %.1f ms; server VmHWM %.1f MB"
                  % (mode, SIZE >> 20, mb / min(ups), ", ".join("%.0f" % (mb / u) for u in ups),
                     mb / min(downs), ", ".join("%.0f" % (mb / d) for d in downs), min(ranges) * 1000,
                     hwm(srv.proc.pid)))
        finally:
            conftest.stop_server(srv)


if __name__ == "__main__":
    main()
