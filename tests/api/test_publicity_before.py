"""事前公开 and 事中公示 (issue 7): service guides, random-check items,
remedies, supervision contacts and 岗位信息, reviewed before they are public
(draft -> reviewed -> published), corrections that keep their history, every
transition in the ledger; officer photos; the public certificate check with
its QR card, and the printable 岗位信息公示牌.

Runs against the `server` fixture of conftest.py (a real zhifa with the demo
city): publicity1 and head1 belong to 市市场监督管理局.
"""
import hashlib
import re
import shutil
import subprocess
import time
import uuid
import zlib
import struct
from urllib.parse import quote

import pytest
import requests

API = "/api/v1"


def uniq(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def png_bytes(extra=b""):
    """A real 1x1 PNG (plus optional trailing bytes to make it bigger)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"\x00\x80\x20\x20"
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return png + extra


@pytest.fixture(scope="module")
def world(server):
    con = server.db()
    try:
        def one(sql, *a):
            row = con.execute(sql, a).fetchone()
            assert row is not None, sql
            return row
        own = one("SELECT id FROM departments WHERE name LIKE '%市场监督管理局' ORDER BY id LIMIT 1")[0]
        other = one("SELECT id FROM departments WHERE name LIKE '%生态环境局' ORDER BY id LIMIT 1")[0]
        matters = [r[0] for r in con.execute(
            "SELECT id FROM matters WHERE department_id = ? ORDER BY id", (own,))]
        other_matter = one("SELECT id FROM matters WHERE department_id = ? ORDER BY id LIMIT 1", other)[0]
        officers = {r[0]: r for r in con.execute(
            "SELECT id, certificate_no, status, certificate_valid_from, certificate_valid_to, name, "
            "department_id FROM officers ORDER BY id")}
    finally:
        con.close()
    return {
        "own": own, "other": other, "matters": matters, "other_matter": other_matter,
        "officers": officers,
        "pub": server.login("publicity1"), "head": server.login("head1"),
        "officer": server.login("officer1"), "sup": server.login("supervisor1"),
        "admin": server.login("admin"),
    }


_matter_cursor = [0]


def next_matter(world):
    m = world["matters"][_matter_cursor[0]]
    _matter_cursor[0] += 1
    return m


def guide_body(matter_id, marker):
    return {
        "kind": "guide", "matter_id": matter_id, "name": "食品经营许可" + marker,
        "basis": "《中华人民共和国食品安全法》第三十五条", "accepting_body": "市市场监督管理局政务服务窗口",
        "approving_body": "市市场监督管理局", "conditions": "具有与经营的食品品种、数量相适应的经营场所",
        "materials": "1. 食品经营许可申请书\n2. 营业执照复印件", "process": "申请—受理—审查—决定—送达",
        "time_limit": "10 个工作日", "supervision": "市司法局行政执法监督科 0791-88880000",
        "remedies": "可依法申请行政复议或者提起行政诉讼", "office_hours": "工作日 9:00-12:00，13:30-17:00",
        "address": "南昌市红谷滩区卫东大道 1 号", "phone": "0791-86660000",
    }


def portal(server, path, **kw):
    return requests.get(server.url + path, timeout=10, allow_redirects=False, **kw)


def create(server, s, dept, body):
    return s.post(server.url + API + "/departments/%d/publicity-items" % dept, json=body, timeout=10)


def act(server, s, item_id, what, body=None):
    return s.post(server.url + API + "/publicity-items/%d/%s" % (item_id, what),
                  json=body if body is not None else {}, timeout=10)


def publish_flow(server, world, dept, body):
    """publicity1 writes, head1 reviews, publicity1 publishes."""
    r = create(server, world["pub"], dept, body)
    assert r.status_code == 201, r.text
    item = r.json()
    r = act(server, world["head"], item["id"], "review")
    assert r.status_code == 200, r.text
    r = act(server, world["pub"], item["id"], "publish")
    assert r.status_code == 200, r.text
    return r.json()


def ledger_events(server, item_id):
    con = server.db()
    try:
        return con.execute("SELECT action, content_sha256 FROM ledger_events WHERE object_type = "
                           "'publicity_item' AND object_id = ? ORDER BY idx", (str(item_id),)).fetchall()
    finally:
        con.close()


# ---- the review flow ------------------------------------------------------

def test_guide_is_public_only_after_review_and_publication(server, world):
    marker = uniq("指南")
    matter = next_matter(world)
    page = "/departments/%d/guides/%d" % (world["own"], matter)
    r = create(server, world["pub"], world["own"], guide_body(matter, marker))
    assert r.status_code == 201, r.text
    item = r.json()
    assert (item["state"], item["version"], item["published_version"]) == ("draft", 1, None)
    assert item["kind"] == "guide" and item["matter_id"] == matter
    assert marker not in portal(server, page).text, "a draft is not public"

    # publishing straight from draft is refused; so is reviewing one's own text
    r = act(server, world["pub"], item["id"], "publish")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state", r.text
    r = act(server, world["pub"], item["id"], "review")
    assert r.status_code == 409 and r.json()["error"]["code"] == "same_person", r.text

    r = act(server, world["head"], item["id"], "review")
    assert r.status_code == 200 and r.json()["state"] == "reviewed", r.text
    assert marker not in portal(server, page).text, "reviewed but unpublished is not public"
    r = act(server, world["head"], item["id"], "review")
    assert r.status_code == 409, "a reviewed item cannot be reviewed again"

    r = act(server, world["pub"], item["id"], "publish")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["published_version"]) == ("published", 1)
    text = portal(server, page).text
    assert marker in text
    for label in ("事项名称", "设定依据", "受理机构", "审批机构", "受理条件", "申请材料", "办理流程",
                  "办理时限", "监督方式", "救济渠道", "办公时间", "办公地址", "办公电话"):
        assert "<dt>%s</dt>" % label in text, label
    assert "0791-86660000" in text
    listing = portal(server, "/departments/%d/matters" % world["own"]).text
    assert 'href="/departments/%d/guides/%d"' % (world["own"], matter) in listing

    # every transition is one history row and one ledger event carrying the
    # hash of the content as it was after it
    h = world["pub"].get(server.url + API + "/publicity-items/%d/history" % item["id"], timeout=10)
    assert h.status_code == 200, h.text
    assert [x["action"] for x in h.json()["items"]] == ["create", "review", "publish"]
    events = ledger_events(server, item["id"])
    assert [e[0] for e in events] == ["publicity_create", "publicity_review", "publicity_publish"]
    import json as _json
    content = h.json()["items"][-1]["content"]
    canonical = _json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert events[-1][1] == hashlib.sha256(canonical.encode()).hexdigest()


def test_correction_keeps_history_and_old_version_stays_public(server, world):
    v1, v2 = uniq("第一版"), uniq("纠错版")
    matter = next_matter(world)
    page = "/departments/%d/guides/%d" % (world["own"], matter)
    item = publish_flow(server, world, world["own"], guide_body(matter, v1))
    url = server.url + API + "/publicity-items/%d" % item["id"]

    # a correction needs its reason; refused means unchanged
    before = server.snapshot(["publicity_items", "publicity_item_history"])
    r = world["pub"].put(url, json={"name": "食品经营许可" + v2}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "note", r.text
    assert server.snapshot(["publicity_items", "publicity_item_history"]) == before

    r = world["pub"].put(url, json={"name": "食品经营许可" + v2, "note": "事项名称有误"}, timeout=10)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["version"], body["published_version"]) == ("draft", 2, 1)
    assert body["published_content"]["name"].endswith(v1)
    text = portal(server, page).text
    assert v1 in text and v2 not in text, "the published version stays until the correction is published"

    assert act(server, world["head"], item["id"], "review").status_code == 200
    assert act(server, world["head"], item["id"], "publish").status_code == 200
    text = portal(server, page).text
    assert v2 in text and v1 not in text
    assert "第 2 版" in text

    hist = world["head"].get(url + "/history", timeout=10).json()["items"]
    assert [x["action"] for x in hist] == ["create", "review", "publish", "correct", "review", "publish"]
    assert [x["version"] for x in hist] == [1, 1, 1, 2, 2, 2]
    assert hist[3]["note"] == "事项名称有误"
    assert hist[0]["content"]["name"].endswith(v1) and hist[3]["content"]["name"].endswith(v2)


def test_editing_a_reviewed_item_needs_a_new_review(server, world):
    matter = next_matter(world)
    r = create(server, world["pub"], world["own"], guide_body(matter, uniq("x")))
    item = r.json()
    assert act(server, world["head"], item["id"], "review").status_code == 200
    r = world["pub"].put(server.url + API + "/publicity-items/%d" % item["id"],
                         json={"phone": "0791-86661111"}, timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "draft" and r.json()["version"] == 1
    assert act(server, world["pub"], item["id"], "publish").status_code == 409


def test_withdraw_takes_it_down(server, world):
    marker = uniq("撤下")
    matter = next_matter(world)
    page = "/departments/%d/guides/%d" % (world["own"], matter)
    item = publish_flow(server, world, world["own"], guide_body(matter, marker))
    assert marker in portal(server, page).text
    r = act(server, world["head"], item["id"], "withdraw")
    assert r.status_code == 400 and r.json()["error"]["field"] == "note"
    r = act(server, world["head"], item["id"], "withdraw", {"note": "事项已取消"})
    assert r.status_code == 200, r.text
    assert r.json()["published_version"] is None and r.json()["state"] == "draft"
    assert marker not in portal(server, page).text
    assert act(server, world["head"], item["id"], "withdraw", {"note": "x"}).status_code == 409


def test_one_guide_per_matter(server, world):
    matter = next_matter(world)
    assert create(server, world["pub"], world["own"], guide_body(matter, "a")).status_code == 201
    before = server.snapshot(["publicity_items", "publicity_item_history", "audit_log"])
    r = create(server, world["head"], world["own"], guide_body(matter, "b"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate", r.text
    assert server.snapshot(["publicity_items", "publicity_item_history", "audit_log"]) == before


# ---- the other kinds ------------------------------------------------------

def test_random_checks_remedies_supervision_and_posts_reach_their_pages(server, world):
    own = world["own"]
    mark = uniq("抽查")
    publish_flow(server, world, own, {
        "kind": "random_check", "name": "食品经营者监督检查" + mark, "basis": "《食品安全法》第一百一十条",
        "subject": "市市场监督管理局", "content": "经营条件、进货查验记录", "method": "双随机抽取",
        "ratio": "5%", "frequency": "每年一次"})
    draft_mark = uniq("未发布")
    r = create(server, world["pub"], own, {
        "kind": "random_check", "name": "草稿" + draft_mark, "basis": "b", "subject": "s",
        "content": "c", "method": "m", "ratio": "1%", "frequency": "f"})
    assert r.status_code == 201
    text = portal(server, "/departments/%d/random-checks" % own).text
    assert mark in text and "5%" in text and "每年一次" in text
    assert draft_mark not in text

    organ = uniq("南昌市人民政府")
    publish_flow(server, world, own, {
        "kind": "remedy", "channel": "reconsideration", "organ": organ, "time_limit": "六十日内",
        "address": "南昌市红谷滩区", "phone": "0791-12345678"})
    court = uniq("南昌铁路运输法院")
    publish_flow(server, world, own, {
        "kind": "remedy", "channel": "litigation", "organ": court, "time_limit": "六个月内"})
    sup = uniq("市司法局执法监督科")
    publish_flow(server, world, own, {
        "kind": "supervision", "name": sup, "address": "南昌市东湖区", "postcode": "330000",
        "phone": "0791-88880000", "email": "jiandu@example.gov.cn",
        "procedure": "收到投诉后 5 个工作日内受理，15 个工作日内反馈"})
    text = portal(server, "/departments/%d/remedies" % own).text
    recon, lit = text.index("申请行政复议"), text.index("提起行政诉讼")
    assert recon < text.index(organ) < lit < text.index(court)
    assert sup in text and "330000" in text and "jiandu@example.gov.cn" in text
    assert "15 个工作日内反馈" in text

    officer = next(o for o in world["officers"].values() if o[6] == own and o[2] == "active")
    who = uniq("王窗口")
    item = publish_flow(server, world, own, {
        "kind": "post", "window": "3 号窗口", "unit": "行政审批科", "name": who, "position": "科员",
        "duties": "受理食品经营许可申请", "services": "食品经营许可", "complaint": "12345 热线",
        "officer_id": officer[0]})
    text = portal(server, "/departments/%d/posts" % own).text
    assert who in text and "12345 热线" in text
    board = portal(server, "/departments/%d/posts/%d/board" % (own, item["id"]))
    assert board.status_code == 200
    for s in ("岗位信息公示牌", who, "行政审批科", "科员", "受理食品经营许可申请", "食品经营许可", "12345 热线"):
        assert s in board.text, s
    assert '<svg class="qr"' in board.text
    # the board's QR leads to the window officer's certificate check
    assert "/verify/officer/" + quote(officer[1], safe="") in board.text


# ---- permissions ------------------------------------------------------------

def test_permissions(server, world):
    own, other = world["own"], world["other"]
    body = guide_body(world["other_matter"], "p")
    assert create(server, world["officer"], own, guide_body(next_matter(world), "o")).status_code == 403
    assert create(server, world["head"], other, body).status_code == 403
    assert create(server, world["pub"], other, body).status_code == 403
    assert create(server, world["sup"], own, guide_body(next_matter(world), "s")).status_code == 403
    assert create(server, world["admin"], own, guide_body(next_matter(world), "a")).status_code == 403

    # an item of another department, written by a publicity officer there
    admin = world["admin"]
    username = "pub_other_%s" % uuid.uuid4().hex[:6]
    r = admin.post(server.url + API + "/users", json={
        "username": username, "display_name": "外部门公示员",
        "role": "publicity", "department_id": other, "password": "Other-dept-pass-2026"}, timeout=10)
    assert r.status_code == 201, r.text
    ext = server.login(username, "Other-dept-pass-2026")
    r = create(server, ext, other, body)
    assert r.status_code == 201, r.text
    foreign = r.json()["id"]
    for s in (world["pub"], world["head"]):
        assert s.get(server.url + API + "/publicity-items/%d" % foreign, timeout=10).status_code == 403
        assert act(server, s, foreign, "review").status_code == 403
    # the Justice Bureau and the administrator read every department
    for s in (world["sup"], world["admin"]):
        assert s.get(server.url + API + "/publicity-items/%d" % foreign, timeout=10).status_code == 200
        assert act(server, s, foreign, "review").status_code == 403
        r = s.get(server.url + API + "/publicity-items", params={"per_page": 100}, timeout=10)
        assert {i["department_id"] for i in r.json()["items"]} >= {own, other}
    # a department's own staff list their own department only
    r = world["pub"].get(server.url + API + "/publicity-items",
                         params={"department_id": other, "per_page": 100}, timeout=10)
    assert r.status_code == 200 and {i["department_id"] for i in r.json()["items"]} <= {own}
    assert world["officer"].get(server.url + API + "/publicity-items", timeout=10).status_code == 403
    assert requests.get(server.url + API + "/publicity-items", timeout=10).status_code == 401


# ---- bad input --------------------------------------------------------------

BAD = [
    ({"kind": "guide", "zz": 1}, "zz"),
    ({"kind": "nonsense", "name": "x"}, "kind"),
    ({"name": "x"}, "kind"),
    ({"kind": "supervision", "name": "n", "address": "a", "postcode": "3300", "phone": "0791-88880000",
      "email": "a@b.cn", "procedure": "p"}, "postcode"),
    ({"kind": "supervision", "name": "n", "address": "a", "postcode": "330000", "phone": "0791-88880000",
      "email": "not-an-email", "procedure": "p"}, "email"),
    ({"kind": "remedy", "channel": "petition", "organ": "o", "time_limit": "t"}, "channel"),
    ({"kind": "random_check", "name": "n", "basis": "  ", "subject": "s", "content": "c", "method": "m",
      "ratio": "r", "frequency": "f"}, "basis"),
    ({"kind": "post", "unit": "u", "name": "n", "position": "p", "duties": "d", "services": "s",
      "complaint": "c", "officer_id": 99999999}, "officer_id"),
    ({"kind": "post", "unit": "u", "name": "n", "position": "p", "duties": "d", "services": "s",
      "complaint": "c", "matter_id": 1}, "matter_id"),
]


def test_bad_input_is_refused_and_changes_nothing(server, world):
    tables = ["publicity_items", "publicity_item_history", "audit_log", "officer_photos"]
    before = server.snapshot(tables)
    for body, field in BAD:
        r = create(server, world["pub"], world["own"], body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.text)
    g = guide_body(world["other_matter"], "x")
    r = create(server, world["pub"], world["own"], g)
    assert r.status_code == 400 and r.json()["error"]["field"] == "matter_id"
    g = guide_body(next_matter(world), "x")
    del g["materials"]
    r = create(server, world["pub"], world["own"], g)
    assert r.status_code == 400 and r.json()["error"]["field"] == "materials"
    g = guide_body(next_matter(world), "x")
    g["phone"] = "call me"
    assert create(server, world["pub"], world["own"], g).status_code == 400
    g["phone"] = "0791-1"
    g["name"] = "长" * 201
    assert create(server, world["pub"], world["own"], g).status_code == 400
    r = world["pub"].post(server.url + API + "/departments/%d/publicity-items" % world["own"],
                          data=b"{not json", headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400
    assert server.snapshot(tables) == before


# ---- photos and the certificate check ---------------------------------------

def pick(world, pred):
    for o in world["officers"].values():
        if pred(o):
            return o
    pytest.skip("the demo city has no such officer")


def today():
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))


def test_photo_upload_checks_and_scope(server, world):
    own_off = pick(world, lambda o: o[6] == world["own"] and o[2] == "active" and o[4] >= today())
    other_off = pick(world, lambda o: o[6] == world["other"])
    url = server.url + API + "/officers/%d/photo"
    tables = ["officer_photos", "audit_log"]
    before = server.snapshot(tables)
    for data in (b"GIF89a....", b"", b"\xff\xd8", png_bytes(b"\x00" * (200 * 1024))):
        r = world["pub"].put(url % own_off[0], data=data, headers={"Content-Type": "image/png"}, timeout=10)
        assert r.status_code == 400, r.text
    assert server.snapshot(tables) == before
    # refusals are audited as "forbidden" (not a change of any photo)
    before = server.snapshot(["officer_photos"])
    r = world["head"].put(url % other_off[0], data=png_bytes(), timeout=10)
    assert r.status_code == 403
    assert world["officer"].put(url % own_off[0], data=png_bytes(), timeout=10).status_code == 403
    assert server.snapshot(["officer_photos"]) == before

    img = png_bytes()
    r = world["pub"].put(url % own_off[0], data=img, headers={"Content-Type": "application/octet-stream"},
                         timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["content_type"] == "image/png" and r.json()["sha256"] == hashlib.sha256(img).hexdigest()
    r = world["officer"].get(url % own_off[0], timeout=10)
    assert r.status_code == 200 and r.content == img and r.headers["Content-Type"] == "image/png"
    # public: on the verification page and at its own address
    cert = quote(own_off[1], safe="")
    page = portal(server, "/verify/officer/" + cert)
    assert '<img class="officer-photo" src="/verify/officer/%s/photo"' % cert in page.text
    r = portal(server, "/verify/officer/%s/photo" % cert)
    assert r.status_code == 200 and r.content == img
    con = server.db()
    try:
        ev = con.execute("SELECT content_sha256 FROM ledger_events WHERE action = 'officer_photo' AND "
                         "object_id = ? ORDER BY idx DESC", (str(own_off[0]),)).fetchone()
    finally:
        con.close()
    assert ev and ev[0] == hashlib.sha256(img).hexdigest()


def test_verify_valid_certificate(server, world):
    o = pick(world, lambda o: o[2] == "active" and o[3] <= today() <= o[4])
    r = portal(server, "/verify/officer/" + quote(o[1], safe=""))
    assert r.status_code == 200, r.text[:300]
    t = r.text
    assert "证件有效" in t and o[5] in t and o[1] in t
    assert "%s 至 %s" % (o[3], o[4]) in t
    con = server.db()
    try:
        dept, cats = con.execute("SELECT d.name, o.categories FROM officers o JOIN departments d ON "
                                 "d.id = o.department_id WHERE o.id = ?", (o[0],)).fetchone()
    finally:
        con.close()
    assert dept in t
    import json as _json
    for c in _json.loads(cats):
        assert "<li>%s</li>" % c in t


@pytest.mark.parametrize("kind,pred,phrase", [
    ("expired", lambda o: o[2] == "active" and o[4] < today(), "证件已过期"),
    ("suspended", lambda o: o[2] == "suspended", "暂停执法"),
    ("revoked", lambda o: o[2] == "revoked", "证件无效"),
])
def test_verify_invalid_certificates_say_so(server, world, kind, pred, phrase):
    o = pick(world, pred)
    r = portal(server, "/verify/officer/" + quote(o[1], safe=""))
    assert r.status_code == 200
    assert phrase in r.text and "✓ 证件有效" not in r.text and "verdict-valid" not in r.text
    assert "verdict-" + kind in r.text
    assert "不得" in r.text


def test_verify_unknown_certificate_is_404_with_a_clear_message(server):
    r = portal(server, "/verify/officer/" + quote("赣9999999999999", safe=""))
    assert r.status_code == 404
    assert "未查询到执法证号为“赣9999999999999”的执法人员" in r.text
    assert "text/html" in r.headers["Content-Type"]


def test_verify_form_redirects_to_the_result(server, world):
    o = next(iter(world["officers"].values()))
    r = portal(server, "/verify")
    assert r.status_code == 200 and 'name="cert"' in r.text and '<label for="cert">' in r.text
    r = portal(server, "/verify", params={"cert": " %s " % o[1]})
    assert r.status_code == 303
    assert r.headers["Location"] == "/verify/officer/" + quote(o[1], safe="")
    r = portal(server, "/verify", params={"cert": ""})
    assert r.status_code == 200 and "请输入执法证号" in r.text


def qr_modules(svg):
    """The dark modules of one of our QR SVGs, as a set of (x, y)."""
    m = re.search(r'<svg class="qr"[^>]*>.*?<path fill="#000" d="([^"]*)"', svg, re.S)
    assert m, "no QR code in the page"
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", m.group(1))}


def reference_modules(text):
    """The same code from the qrencode command line (libqrencode's own tool)."""
    out = subprocess.run(["qrencode", "-t", "ASCII", "-m", "0", "-l", "M", "-o", "-", text],
                         capture_output=True, check=True, text=True).stdout
    return {(x // 2, y) for y, line in enumerate(out.splitlines())
            for x in range(0, len(line), 2) if line[x] == "#"}


def test_card_has_a_qr_code_of_the_verification_url(server, world):
    o = pick(world, lambda o: o[2] == "active")
    cert = quote(o[1], safe="")
    r = portal(server, "/verify/officer/%s/card" % cert)
    assert r.status_code == 200
    url = "http://127.0.0.1:%d/verify/officer/%s" % (server.port, cert)
    assert url in r.text and o[5] in r.text and "行政执法证件核验卡" in r.text
    assert 'role="img" aria-label="扫码核验执法证件"' in r.text
    mods = qr_modules(r.text)
    assert len(mods) > 100
    if shutil.which("qrencode"):
        assert mods == reference_modules(url), "the QR code encodes the verification URL"
    assert portal(server, "/verify/officer/%s/card" % quote("没有此证", safe="")).status_code == 404


# ---- flowcharts ---------------------------------------------------------------

def test_guide_page_has_an_accessible_flowchart(server, world):
    con = server.db()
    try:
        mid = con.execute("SELECT id FROM matters WHERE department_id = ? AND power_type = 'penalty' "
                          "ORDER BY id LIMIT 1", (world["own"],)).fetchone()
    finally:
        con.close()
    if not mid:
        pytest.skip("no penalty matter in the demo department")
    r = portal(server, "/departments/%d/guides/%d" % (world["own"], mid[0]))
    assert r.status_code == 200
    t = r.text
    svg = re.search(r'<svg class="flowchart".*?</svg>', t, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    # 行政处罚（普通程序）: 13 stages from 案源登记 to 归档, one box each
    assert svg.count("<rect") == 13
    for stage in ("案源登记", "调查取证", "法制审核", "告知", "决定", "送达", "结案"):
        assert ">%s</text>" % stage in svg
    assert svg.count("marker-end") >= 12
    # the text alternative names the same steps
    steps = re.search(r'<ol class="flow-steps".*?</ol>', t, re.S).group(0)
    assert "立案 → 进入“调查取证”" in steps
    assert portal(server, "/departments/%d/guides/%d" % (world["other"], mid[0])).status_code == 404


# ---- responses versus docs/openapi.yaml -------------------------------------

def test_responses_match_the_documented_schemas(server, world):
    test_openapi = pytest.importorskip("test_openapi")
    yaml = pytest.importorskip("yaml")
    with open(test_openapi.SPEC_PATH, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    item = publish_flow(server, world, world["own"], {
        "kind": "random_check", "name": uniq("文档"), "basis": "b", "subject": "s", "content": "c",
        "method": "m", "ratio": "1%", "frequency": "f"})
    base = server.url + API
    for s in (world["pub"], world["sup"]):
        test_openapi.assert_matches(spec, "/api/v1/publicity-items", "GET",
                                    s.get(base + "/publicity-items", timeout=10))
        test_openapi.assert_matches(spec, "/api/v1/publicity-items/{id}", "GET",
                                    s.get(base + "/publicity-items/%d" % item["id"], timeout=10))
        test_openapi.assert_matches(spec, "/api/v1/publicity-items/{id}/history", "GET",
                                    s.get(base + "/publicity-items/%d/history" % item["id"], timeout=10))
    off = pick(world, lambda o: o[6] == world["own"])
    test_openapi.assert_matches(spec, "/api/v1/officers/{id}/photo", "PUT",
                                world["head"].put(base + "/officers/%d/photo" % off[0], data=png_bytes(),
                                                  timeout=10))
