#!/usr/bin/python3
"""document_api_bench.py — a three-page 行政处罚决定书 rendered through the API
(issue 5): GET /api/v1/cases/{id}/documents/{doc_id}/pdf and /html on a real
server, timed from the client (request, access check, database reads, the
verification code, signatures and seal, render, transfer over loopback).

A fresh demo data directory; one case; the document (the text of
tests/unit/decision_sample.h) finalized, signed by the party on a tablet and
sealed by the head. One warm-up request per endpoint (a server thread loads
its fonts once), then RUNS sequential requests each. Prints Markdown rows for
docs/benchmarks.md; exit status 1 when the PDF median misses 100 ms.

    ZHIFA_BIN=build/zhifa /usr/bin/python3 bench/document_api_bench.py [RUNS]
"""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
os.environ.setdefault("ZHIFA_BIN", os.path.join(HERE, "..", "build", "zhifa"))

import conftest  # noqa: E402  (the API tests' server fixture)
import test_documents as T  # noqa: E402  (the sample document, PNG and helpers)

TARGET_MS = 100.0
WARMUP = 32


class World:
    pass


def timed(session, url, runs):
    ms = []
    size = 0
    # every server thread loads its fonts once: warm them all up
    for _ in range(WARMUP):
        session.get(url, timeout=60)
    for _ in range(runs):
        t0 = time.perf_counter()
        r = session.get(url, timeout=60)
        ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text[:200]
        size = len(r.content)
        pages = r.headers.get("X-Page-Count", "")
    ms.sort()
    return ms, size, pages


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    srv = conftest.start_server()
    try:
        w = World()
        w.srv, w.url = srv, srv.url + "/api/v1"
        w.officer1, w.head1 = srv.login("officer1"), srv.login("head1")
        con = srv.db()
        try:
            w.officers = [con.execute("SELECT officer_id FROM users WHERE username = ?", (u,)).fetchone()[0]
                          for u in ("officer1", "officer2")]
        finally:
            con.close()
        cid = T.new_case(w)
        plain = T.new_doc(w, cid)
        signed = T.new_doc(w, cid)
        base = w.url + "/cases/%d/documents/%%d" % cid
        r = w.officer1.post(base % signed["id"] + "/signatures", json={
            "signer_kind": "party", "name": "王建国", "image": T.data_url(T.make_png())}, timeout=10)
        assert r.status_code == 201, r.text
        assert w.head1.post(base % signed["id"] + "/seal", timeout=10).status_code == 201
        ok = True
        for doc, note in ((plain, "final"), (signed, "final, signed and sealed")):
            for kind in ("pdf", "html"):
                ms, size, pages = timed(w.officer1, base % doc["id"] + "/" + kind, runs)
                med, p90 = statistics.median(ms), ms[int(len(ms) * 0.9) - 1]
                what = "行政处罚决定书 via GET …/%s (%s%d bytes, %s)" % (
                    kind, "%s pages, " % pages if pages else "", size, note)
                print("| %s | median %.1f ms | p90 %.1f ms | runs %d | target %.0f ms | ratio %.2f |"
                      % (what, med, p90, runs, TARGET_MS, med / TARGET_MS))
                if kind == "pdf" and doc is plain:
                    ok = med < TARGET_MS and pages == "3"
        return 0 if ok else 1
    finally:
        conftest.stop_server(srv)


if __name__ == "__main__":
    sys.exit(main())
