"""The portal's page cache (web/page_cache.h, issue 7 speed): the home page,
the decision list and decision pages are served from memory, yet every
change shows on the very next request, whether made through the API by this
server or by another process on the same database (`zhifa import
penalties`); each page carries an ETag and answers If-None-Match with 304.
"""
import subprocess

import requests

from conftest import BIN
from test_cases import w  # noqa: F401
from test_publications import publish, summary_case


def pages(srv, path, times=3):
    """The same page fetched several times (the later ones from the cache)."""
    out = [requests.get(srv.url + path, timeout=10) for _ in range(times)]
    assert all(r.status_code == out[0].status_code for r in out)
    if out[0].status_code == 200:  # error pages carry their request id
        assert len({r.text for r in out}) == 1, "a cached page differs from the rendered one"
    return out[-1]


def test_changes_show_on_the_next_request(w):
    _, pid = summary_case(w, "销售变质食品。")
    srv = w.srv
    assert pages(srv, "/publications/%d" % pid).status_code == 404
    before = pages(srv, "/publications")
    assert "/publications/%d\"" % pid not in before.text
    publish(w, pid)
    r = requests.get(srv.url + "/publications/%d" % pid, timeout=10)
    assert r.status_code == 200 and "销售变质食品" in r.text
    assert "/publications/%d\"" % pid in pages(srv, "/publications").text
    pages(srv, "/publications/%d" % pid)
    r = w.publicity1.post(w.url + "/publications/%d/withdraw" % pid, json={"reason": "处罚决定已被撤销"},
                          timeout=10)
    assert r.status_code == 200, r.text
    r = requests.get(srv.url + "/publications/%d" % pid, timeout=10)
    assert "处罚决定已被撤销" in r.text and "销售变质食品" not in r.text


def test_a_change_by_another_process_shows_too(w, tmp_path):
    srv = w.srv
    home = pages(srv, "/publications")
    assert "缓存测试食品经营部" not in home.text
    csv = tmp_path / "p.csv"
    csv.write_text("当事人,当事人类型,处罚日期,处罚类型,罚没金额（元）,违规事实\n"
                   "赣江市缓存测试食品经营部,法人及非法人组织,2026/3/2,罚款,2000,经营超过保质期的食品。\n",
                   encoding="utf-8")
    r = subprocess.run([BIN, "import", "penalties", str(csv), "--department", str(w.market),
                        "--data", srv.data_dir], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "缓存测试食品经营部" in requests.get(srv.url + "/publications", timeout=10).text


def test_etag_and_not_modified(w):
    srv = w.srv
    for path in ("/", "/publications", "/departments/%d" % w.market):
        r = pages(srv, path, 2)
        etag = r.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 18
        assert r.headers["Cache-Control"] == "no-cache"
        r = requests.get(srv.url + path, headers={"If-None-Match": etag}, timeout=10)
        assert r.status_code == 304 and r.content == b""
        r = requests.get(srv.url + path, headers={"If-None-Match": '"0000000000000000"'}, timeout=10)
        assert r.status_code == 200 and r.headers["ETag"] == etag
    # a department page's ?page= is its own page
    r1 = requests.get(srv.url + "/departments/%d" % w.market, timeout=10)
    r2 = requests.get(srv.url + "/departments/%d" % w.market, params={"page": "2"}, timeout=10)
    assert r1.status_code == 200 and r2.status_code == 200
    # a new publication changes the list's ETag
    etag = requests.get(srv.url + "/publications", timeout=10).headers["ETag"]
    _, pid = summary_case(w, "未按规定索证索票。")
    publish(w, pid)
    r = requests.get(srv.url + "/publications", headers={"If-None-Match": etag}, timeout=10)
    assert r.status_code == 200 and r.headers["ETag"] != etag
