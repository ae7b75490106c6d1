"""Documents beyond saving (issue 5), black-box: the template schemas the
console builds its forms from, PDF and HTML rendering (drafts marked 草稿,
finals with their 文号 and verification code), the public verification page
and its ledger proof checked here with an independent RFC 9162 verifier,
handwritten signatures and the department's SM2 seal checked with the
openssl command line, permissions, and bad input refused with nothing
changed.
"""
import base64
import copy
import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import tempfile
import zlib

import pytest
import requests

API = "/api/v1"
USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
CJK = re.compile(r"[\u4e00-\u9fff]")
DOC_TABLES = ["case_documents", "document_verifications", "document_signatures",
              "document_seals", "seal_keys"]


def uscc(body17):
    s = sum(USCC_ALPHA.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS))
    return body17 + USCC_ALPHA[(31 - s % 31) % 31]


PARTY_NAME = "赣江市青云粮油贸易有限公司"
PARTY_ID = uscc("91369900MA35K7Q2X")
PARTY_REP = "王建国"
PARTY_ADDR = "赣江市青云区滨江路88号"


def penalty_fields(**over):
    """A realistic three-page 行政处罚决定书 (the same text as
    tests/unit/decision_sample.h), fictional party and city."""
    f = {
        "party": {"type": "法人", "name": PARTY_NAME, "id_type": "统一社会信用代码", "id_no": PARTY_ID,
                  "address": PARTY_ADDR, "legal_rep": PARTY_REP, "phone": "0791-86123456"},
        "case_cause": "销售标签不符合规定的食品案",
        "filing_date": "2026-01-09",
        "facts": ("2026年1月8日，本局执法人员对当事人位于赣江市青云区滨江路88号的经营场所进行检查，"
                  "发现当事人在店堂内销售的“云岭”牌压榨花生油（5升装，生产日期2025年6月1日）标签未标注"
                  "生产许可证编号。经调取当事人进货台账、销售记录及供货商资质材料，查明当事人自2025年9月起"
                  "共购进上述花生油240桶，进货单价每桶人民币86元，已按每桶人民币128元的价格销售196桶，"
                  "违法所得人民币8,232元。\n"
                  "上述事实，有现场笔录、询问笔录、进货台账复印件、销售记录、抽样检验报告、当事人营业执照"
                  "复印件及法定代表人身份证明等证据证实。当事人对本局认定的违法事实无异议。"),
        "evidence": ("1. 现场笔录1份，证明检查时现场发现涉案花生油的情况；\n"
                     "2. 询问笔录2份，证明当事人购进、销售涉案花生油的数量和价格；\n"
                     "3. 进货台账复印件12页，证明涉案花生油的进货来源、数量和单价；\n"
                     "4. 销售记录复印件8页，证明涉案花生油的销售数量和价格；\n"
                     "5. 检验报告1份，证明涉案花生油的标签不符合食品安全国家标准；\n"
                     "6. 营业执照复印件、法定代表人身份证明各1份，证明当事人的主体资格。"),
        "notice_date": "2026-02-10",
        "statement": ("本局于2026年2月10日向当事人送达了《行政处罚告知书》（赣江市监罚告〔2026〕8号），"
                      "告知当事人拟作出行政处罚的内容及事实、理由、依据，并告知其依法享有陈述、申辩和"
                      "要求听证的权利。当事人在法定期限内提出了书面陈述申辩，称其系初次违法且已主动召回"
                      "全部未售出产品。经复核，当事人所述召回情况属实，本局予以采纳，作为从轻处罚的情节"
                      "考虑。当事人未要求听证。"),
        "violated": [{"law": "中华人民共和国食品安全法", "article": "第七十一条", "clause": "第一款"},
                     {"law": "中华人民共和国食品安全法", "article": "第五十三条", "clause": "第一款"}],
        "discretion": "当事人主动召回未售出的涉案产品，依据《赣江市市场监督管理行政处罚裁量基准》予以从轻处罚。",
        "basis": [{"law": "中华人民共和国食品安全法", "article": "第一百二十五条", "clause": "第一款第二项"},
                  {"law": "中华人民共和国行政处罚法", "article": "第三十二条", "clause": "第一项"}],
        "penalty": "1. 没收违法所得人民币8,232元；\n2. 罚款人民币50,000元。\n罚没款合计人民币58,232元。",
        "fine": "50000.00", "confiscation": "8232", "benchmark_min": "50000", "benchmark_max": "100000",
        "payment": ("当事人应当自收到本行政处罚决定书之日起十五日内，将罚没款缴至指定银行或者通过"
                    "电子支付系统缴纳。到期不缴纳罚款的，本局可以每日按罚款数额的百分之三加处罚款。"),
        "review_organ": "赣江市人民政府",
        "court": "赣江市青云区人民法院",
        "decision_date": "2026-03-02",
    }
    f.update(over)
    return f


def make_png(w=240, h=80):
    """A small signature-like PNG (RGBA, a stroke on transparent ground)."""
    rows = []
    for y in range(h):
        row = bytearray(b"\x00")
        for x in range(w):
            on = abs((x * h // w) - y) < 3 or abs(y - h // 2) < 2 and x % 7 < 4
            row += b"\x10\x10\x60\xff" if on else b"\xff\xff\xff\x00"
        rows.append(bytes(row))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def pdf_text(content):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


# ---- RFC 9162 §2.1.3.2, written here independently of zhifa's code ----------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# ---- fixtures ----------------------------------------------------------------

class World:
    pass


@pytest.fixture(scope="module")
def w(server):
    x = World()
    x.srv = server
    x.url = server.url + API
    for u in ("officer1", "officer2", "reviewer1", "head1", "supervisor1", "admin", "auditor1",
              "publicity1"):
        setattr(x, u, server.login(u))
    con = server.db()
    try:
        x.market = con.execute("SELECT id FROM departments WHERE name = '市市场监督管理局'").fetchone()[0]
        x.env = con.execute("SELECT id FROM departments WHERE name = '市生态环境局'").fetchone()[0]
        x.officers = [con.execute("SELECT officer_id FROM users WHERE username = ?", (u,)).fetchone()[0]
                      for u in ("officer1", "officer2")]
        x.env_officer = con.execute("SELECT id FROM officers WHERE department_id = ? ORDER BY id",
                                    (x.env,)).fetchone()[0]
    finally:
        con.close()
    r = x.admin.post(x.url + "/users", json={
        "username": "doc_env_officer", "display_name": "生态环境执法员", "role": "officer",
        "department_id": x.env, "password": "Doc-env-officer-2026"}, timeout=10)
    assert r.status_code == 201, r.text
    x.env_user = server.login("doc_env_officer", "Doc-env-officer-2026")
    return x


def new_case(w, **kw):
    body = {"procedure": "penalty_general", "title": "文书测试案件", "summary": "API 测试",
            "source": "监督检查", "officers": w.officers,
            "parties": [{"kind": "法人", "name": PARTY_NAME, "identifier": PARTY_ID,
                         "legal_rep": PARTY_REP}]}
    body.update(kw)
    r = w.officer1.post(w.url + "/cases", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_doc(w, cid, tpl="penalty_decision", fields=None, final=True):
    r = w.officer1.post(w.url + "/cases/%d/documents" % cid,
                        json={"template": tpl, "fields": fields or penalty_fields()}, timeout=10)
    assert r.status_code == 201, r.text
    d = r.json()
    if final:
        r = w.officer1.post(w.url + "/cases/%d/documents/%d/finalize" % (cid, d["id"]), timeout=10)
        assert r.status_code == 200, r.text
        d = r.json()
    return d


def checkpoint_now(w):
    r = w.admin.post(w.url + "/ledger/checkpoint", timeout=10)
    assert r.status_code in (200, 201), r.text


def snapshot(w):
    return w.srv.snapshot(DOC_TABLES)


# ---- templates -----------------------------------------------------------------

def test_template_list_and_schema(w):
    r = w.officer1.get(w.url + "/document-templates", timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert r.json()["total"] == len(items) == 27
    by = {t["code"]: t for t in items}
    assert by["penalty_decision"] == {"code": "penalty_decision", "name": "行政处罚决定书",
                                      "group": "penalty", "group_name": "行政处罚",
                                      "layout": "letter", "numbered": True}
    assert by["site_record"]["layout"] == "form" and not by["site_record"]["numbered"]
    assert by["license_grant"]["group"] == "license"
    assert by["file_cover"]["group"] == "archive"

    r = w.officer1.get(w.url + "/document-templates/penalty_decision", timeout=10)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["docno_kind"] == "处罚"
    f = {x["key"]: x for x in t["fields"]}
    assert list(f)[0] == "doc_no"
    assert f["doc_no"]["type"] == "doc_no" and f["doc_no"]["derived"] and not f["doc_no"]["required"]
    assert f["facts"] == {"key": "facts", "label": "违法事实", "type": "longtext", "required": True,
                          "derived": False, "printed": True, "max_length": 40000, "min_items": None,
                          "max_items": None, "minimum": None, "maximum": None, "options": None,
                          "members": None}
    assert f["case_cause"]["max_length"] == 200 and f["case_cause"]["type"] == "text"
    assert f["fine"]["type"] == "money" and not f["fine"]["printed"]
    assert f["decision_date"]["type"] == "date" and f["decision_date"]["required"]
    party = {m["key"]: m for m in f["party"]["members"]}
    assert party["type"]["type"] == "enum" and party["type"]["required"]
    assert party["type"]["options"] == ["自然人", "法人", "非法人组织", "个体工商户"]
    assert party["name"]["max_length"] == 200 and party["id_type"]["options"][0] == "统一社会信用代码"
    law = {m["key"]: m for m in f["basis"]["members"]}
    assert f["basis"]["type"] == "law_refs" and f["basis"]["max_items"] == 30
    assert law["law"]["required"] and law["article"]["required"] and not law["clause"]["required"]
    kinds = {(c["kind"], c["a"], c["b"]) for c in t["checks"]}
    assert ("order", "notice_date", "decision_date") in kinds
    assert ("money_range", "fine", "benchmark_min") in kinds

    site = w.officer1.get(w.url + "/document-templates/site_record", timeout=10).json()
    sf = {x["key"]: x for x in site["fields"]}
    assert sf["officers"]["type"] == "officers" and sf["officers"]["min_items"] == 2
    assert [m["key"] for m in sf["officers"]["members"]] == ["name", "cert_no"]
    sig = {m["key"]: m for m in sf["signatures"]["members"]}
    assert sig["role"]["options"] == sf["signatures"]["options"] == ["当事人", "执法人员", "记录人", "见证人"]
    idx = w.officer1.get(w.url + "/document-templates/file_index", timeout=10).json()
    rows = [x for x in idx["fields"] if x["type"] == "rows"][0]
    assert rows["members"] and all("key" in m and CJK.search(m["label"]) for m in rows["members"])

    r = w.officer1.get(w.url + "/document-templates/no_such_template", timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert requests.get(w.url + "/document-templates", timeout=10).status_code == 401


# ---- rendering -------------------------------------------------------------------

def test_pdf_of_a_final_penalty_decision(w):
    cid = new_case(w)
    d = new_doc(w, cid)
    assert re.fullmatch(r".+处罚〔\d{4}〕\d+号", d["doc_no"]), d
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/pdf" % (cid, d["id"]), timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert r.headers["X-Page-Count"] == "3"
    code = r.headers["X-Verify-Code"]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    text = pdf_text(r.content)
    flat = re.sub(r"\s+", "", text)
    assert d["doc_no"] in flat
    assert "市市场监督管理局" in flat and "行政处罚决定书" in flat
    assert code in flat and "草稿" not in flat
    assert "/verify/document/" + code in flat
    # the code is stable: the same on a second render and in the verification API
    r2 = w.officer1.get(w.url + "/cases/%d/documents/%d/pdf" % (cid, d["id"]), timeout=30)
    assert r2.headers["X-Verify-Code"] == code
    v = w.officer1.get(w.url + "/cases/%d/documents/%d/verification" % (cid, d["id"]), timeout=10).json()
    assert v["code"] == code and v["content_sha256"] == d["content_sha256"]
    assert v["url"].endswith("/verify/document/" + code)
    assert isinstance(v["leaf_index"], int)


def test_draft_renders_with_watermark_and_no_code(w):
    cid = new_case(w)
    d = new_doc(w, cid, final=False)
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/pdf" % (cid, d["id"]), timeout=30)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert "X-Verify-Code" not in r.headers
    flat = re.sub(r"\s+", "", pdf_text(r.content))
    assert "草稿" in flat and "文书核验码" not in flat and "处罚〔" not in flat
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/html" % (cid, d["id"]), timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "zf-watermark" in r.text and "草稿" in r.text and "/verify/document/" not in r.text
    # a draft has no verification code and takes no signature
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/verification" % (cid, d["id"]), timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "document_not_final"
    con = w.srv.db()
    try:
        assert con.execute("SELECT COUNT(*) FROM document_verifications WHERE document_id = ?",
                           (d["id"],)).fetchone()[0] == 0
    finally:
        con.close()


def test_html_escapes_every_value(w):
    cid = new_case(w)
    evil = "<script>alert(1)</script>&\"'"
    d = new_doc(w, cid, fields=penalty_fields(case_cause=evil, facts=evil + "\n第二段"))
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/html" % (cid, d["id"]), timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert "<script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in r.text
    assert d["doc_no"] in r.text and "市市场监督管理局" in r.text
    assert "<svg" in r.text and "/verify/document/" in r.text


def test_scan_without_template_is_not_rendered(w):
    cid = new_case(w)
    up = w.officer1.put(w.url + "/evidence/raw", params={"kind": "scan"}, data=b"scan" * 100, timeout=10)
    assert up.status_code == 201, up.text
    r = w.officer1.post(w.url + "/cases/%d/documents" % cid, json={
        "template": "transfer_letter", "fields": {"title": "移送函"}, "evidence_id": up.json()["id"]},
        timeout=10)
    assert r.status_code == 201, r.text
    r = w.officer1.get(w.url + "/cases/%d/documents/%d/pdf" % (cid, r.json()["id"]), timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_template"


# ---- the public verification page ---------------------------------------------------

def test_verification_page_and_ledger_proof(w):
    cid = new_case(w)
    d = new_doc(w, cid)
    code = w.officer1.get(w.url + "/cases/%d/documents/%d/verification" % (cid, d["id"]),
                          timeout=10).json()["code"]
    checkpoint_now(w)
    r = requests.get(w.url + "/verify/document/" + code, timeout=10)  # public: no login
    assert r.status_code == 200, r.text
    v = r.json()
    doc = v["document"]
    assert doc["template"] == "penalty_decision" and doc["template_name"] == "行政处罚决定书"
    assert doc["doc_no"] == d["doc_no"] and doc["department"] == "市市场监督管理局"
    assert doc["issue_date"] == "2026-03-02" and doc["unchanged"] is True
    assert doc["content_sha256"] == d["content_sha256"]
    led = v["ledger"]
    assert led["included"] is True
    event = led["event_canonical"].encode()
    # the leaf is the finalize event of this document, carrying its hash
    assert json.loads(event) == led["event"]
    assert led["event"]["action"] == "case_document_finalize"
    assert led["event"]["object"] == {"type": "case_document", "id": str(d["id"])}
    assert led["event"]["content_sha256"] == d["content_sha256"]
    assert leaf_hash(event).hex() == led["leaf_hash"]
    # the proof verifies against the latest signed checkpoint's root
    cp = requests.get(w.url + "/ledger/checkpoint", timeout=10).json()
    assert led["checkpoint"]["tree_size"] == led["tree_size"]
    assert led["root_hash"] == led["checkpoint"]["root_hash"]
    assert cp["tree_size"] >= led["tree_size"]
    if cp["tree_size"] == led["tree_size"]:
        assert cp["root_hash"] == led["root_hash"]
    path = [bytes.fromhex(h) for h in led["audit_path"]]
    root = bytes.fromhex(led["root_hash"])
    assert verify_inclusion(led["leaf_index"], led["tree_size"], leaf_hash(event), path, root)
    # and a wrong leaf, index or path does not
    assert not verify_inclusion(led["leaf_index"], led["tree_size"], leaf_hash(event + b" "), path, root)
    assert not verify_inclusion(led["leaf_index"] ^ 1, led["tree_size"], leaf_hash(event), path, root)
    if path:
        bad = list(path)
        bad[0] = bytes(32)
        assert not verify_inclusion(led["leaf_index"], led["tree_size"], leaf_hash(event), bad, root)
    # the root is one zhifa signed: it appears in that checkpoint's note
    assert base64.b64encode(root).decode() in led["checkpoint"]["note"]

    page = requests.get(w.srv.url + "/verify/document/" + code, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    for s in (d["content_sha256"], d["doc_no"], "行政处罚决定书", "市市场监督管理局", "2026年3月2日",
              led["root_hash"], led["leaf_hash"], 'href="/ledger"', "离线核验"):
        assert s in html, s
    for h in led["audit_path"]:
        assert h in html
    # no personal data of the party, nor the document's content
    for s in (PARTY_NAME, PARTY_ID, PARTY_REP, PARTY_ADDR, "0791-86123456", "花生油"):
        assert s not in html and s not in r.text, s


def test_unknown_code_is_404(w):
    for code in ("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "not-a-code", "abcd-efgh-jkmn-pqrs"):
        r = requests.get(w.srv.url + "/verify/document/" + code, timeout=10)
        assert r.status_code == 404, code
        assert r.headers["Content-Type"].startswith("text/html")
        assert "没有找到该核验码对应的文书" in r.text
        r = requests.get(w.url + "/verify/document/" + code, timeout=10)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


# ---- signatures and the seal ------------------------------------------------------------

def openssl_verify(pem, sig, msg):
    d = tempfile.mkdtemp(prefix="zf-seal-")
    try:
        for name, data in (("seal.pem", pem.encode()), ("sig", sig), ("msg", msg)):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        return subprocess.run(
            ["openssl", "dgst", "-sm3", "-verify", "seal.pem", "-sigopt", "distid:1234567812345678",
             "-signature", "sig", "msg"], cwd=d, capture_output=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_signatures_and_seal(w):
    cid = new_case(w)
    d = new_doc(w, cid)
    base = w.url + "/cases/%d/documents/%d" % (cid, d["id"])
    png = make_png()
    r = w.officer1.post(base + "/signatures", json={
        "signer_kind": "party", "name": "王建国", "image": data_url(png)}, timeout=10)
    assert r.status_code == 201, r.text
    s1 = r.json()
    assert s1["signer_kind"] == "party" and s1["role"] == "当事人" and s1["name"] == "王建国"
    assert s1["image_sha256"] == hashlib.sha256(png).hexdigest()
    assert s1["width"] == 240 and s1["height"] == 80
    assert s1["document_sha256"] == d["content_sha256"]
    assert base64.b64decode(s1["image"].split(",", 1)[1]) == png
    r = w.officer1.post(base + "/signatures", json={
        "signer_kind": "officer", "officer_id": w.officers[0], "image": data_url(make_png(160, 60))},
        timeout=10)
    assert r.status_code == 201, r.text
    s2 = r.json()
    assert s2["role"] == "执法人员" and s2["officer_id"] == w.officers[0] and s2["name"]
    lst = w.officer2.get(base + "/signatures", timeout=10).json()
    assert [s["id"] for s in lst["items"]] == [s1["id"], s2["id"]] and lst["seal"] is None

    # each signature is a ledger event carrying the image's hash, and no name
    con = w.srv.db()
    try:
        rows = con.execute("SELECT detail, content_sha256 FROM audit_log WHERE action = "
                           "'document_signature' AND object_id = ? ORDER BY id", (str(d["id"]),)).fetchall()
        ev = con.execute("SELECT content_sha256 FROM ledger_events WHERE action = 'document_signature' "
                         "AND object_id = ? ORDER BY idx", (str(d["id"]),)).fetchall()
    finally:
        con.close()
    assert [r[1] for r in rows] == [s1["image_sha256"], s2["image_sha256"]] == [e[0] for e in ev]
    assert all("王建国" not in r[0] for r in rows)

    # the seal: the head only
    r = w.officer1.post(base + "/seal", timeout=10)
    assert r.status_code == 403
    r = w.head1.post(base + "/seal", timeout=10)
    assert r.status_code == 201, r.text
    seal = r.json()
    assert seal["valid"] is True and seal["algorithm"] == "sm2"
    assert seal["content_sha256"] == d["content_sha256"] and re.fullmatch(r"[0-9a-f]{16}", seal["key_id"])
    assert "PRIVATE" not in seal["public_key"] and "BEGIN PUBLIC KEY" in seal["public_key"]
    sig = base64.b64decode(seal["signature"])
    out = openssl_verify(seal["public_key"], sig, d["content_sha256"].encode())
    assert out.returncode == 0 and b"Verified OK" in out.stdout, out
    # a different message does not verify
    bad = openssl_verify(seal["public_key"], sig, ("0" * 64).encode())
    assert bad.returncode != 0
    # sealing twice is refused and changes nothing
    before = snapshot(w)
    r = w.head1.post(base + "/seal", timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_sealed"
    assert snapshot(w) == before
    # the key: private half in the data directory only (0600), public half in the database
    key = os.path.join(w.srv.data_dir, "seals", "%d.key" % w.market)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    with open(key) as f:
        assert "PRIVATE KEY" in f.read()
    con = w.srv.db()
    try:
        pub = con.execute("SELECT public_key, department_id FROM seal_keys WHERE key_id = ?",
                          (seal["key_id"],)).fetchone()
        assert pub == (seal["public_key"], w.market)
        assert con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'document_seal' AND object_id = ?",
                           (str(d["id"]),)).fetchone()[0] == 1
        dump = "\n".join(str(r) for r in con.execute("SELECT * FROM seal_keys"))
        assert "PRIVATE" not in dump
    finally:
        con.close()
    # a second document of the department is sealed with the same key
    d2 = new_doc(w, cid)
    r = w.head1.post(w.url + "/cases/%d/documents/%d/seal" % (cid, d2["id"]), timeout=10)
    assert r.status_code == 201 and r.json()["key_id"] == seal["key_id"]

    lst = w.officer1.get(base + "/signatures", timeout=10).json()
    assert lst["seal"]["valid"] is True and lst["seal"]["key_id"] == seal["key_id"]
    # both appear on the PDF and the HTML
    pdf = w.officer1.get(base + "/pdf", timeout=30)
    flat = re.sub(r"\s+", "", pdf_text(pdf.content))
    assert "电子签章" + seal["key_id"] in flat
    assert "当事人（签名）" in flat and "王建国" in flat
    html = w.officer1.get(base + "/html", timeout=30).text
    assert "电子签章 " + seal["key_id"] in html and 'class="zf-seal"' in html
    assert base64.b64encode(png).decode() in html
    # and on the public page: valid, with the key, but no signer's name
    code = pdf.headers["X-Verify-Code"]
    v = requests.get(w.url + "/verify/document/" + code, timeout=10).json()
    assert v["seal"]["valid"] is True and v["seal"]["public_key"] == seal["public_key"]
    assert [s["role"] for s in v["signatures"]] == ["当事人", "执法人员"]
    assert "王建国" not in json.dumps(v, ensure_ascii=False)
    page = requests.get(w.srv.url + "/verify/document/" + code, timeout=10).text
    assert "有效" in page and seal["key_id"] in page and "王建国" not in page

    # an altered signature in the database shows as invalid on the page
    con = w.srv.db()
    try:
        other = con.execute("SELECT signature FROM document_seals WHERE document_id = ?", (d2["id"],)).fetchone()[0]
        con.execute("UPDATE document_seals SET signature = ? WHERE document_id = ?", (other, d["id"]))
        con.commit()
    finally:
        con.close()
    v = requests.get(w.url + "/verify/document/" + code, timeout=10).json()
    assert v["seal"]["valid"] is False
    assert "无效" in requests.get(w.srv.url + "/verify/document/" + code, timeout=10).text


def test_signatures_on_a_form_fill_its_slots(w):
    cid = new_case(w)
    fields = {"start_time": "2026-03-02 09:00", "end_time": "2026-03-02 11:30",
              "place": "赣江市青云区滨江路88号",
              "party": {"type": "法人", "name": PARTY_NAME, "legal_rep": PARTY_REP},
              "officers": [{"name": "张三", "cert_no": "3601002026001"},
                           {"name": "李四", "cert_no": "3601012026002"}],
              "recorder": "张三", "notice": "出示执法证件，告知权利。", "findings": "现场检查情况。"}
    r = w.officer1.post(w.url + "/cases/%d/documents" % cid, json={"template": "site_record", "fields": fields},
                        timeout=10)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    assert w.officer1.post(w.url + "/cases/%d/documents/%d/finalize" % (cid, did), timeout=10).status_code == 200
    base = w.url + "/cases/%d/documents/%d" % (cid, did)
    r = w.officer1.post(base + "/signatures", json={"signer_kind": "witness", "name": "赵见证",
                                                    "role": "见证人", "image": data_url(make_png())}, timeout=10)
    assert r.status_code == 201, r.text
    # a role the template has no slot for is refused
    before = snapshot(w)
    r = w.officer1.post(base + "/signatures", json={"signer_kind": "witness", "name": "赵见证",
                                                    "role": "听证员", "image": data_url(make_png())}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["field"] == "role"
    assert snapshot(w) == before
    flat = re.sub(r"\s+", "", pdf_text(w.officer1.get(base + "/pdf", timeout=30).content))
    assert "见证人（签名）：赵见证" in flat or ("见证人（签名）" in flat and "赵见证" in flat)


# ---- permissions ---------------------------------------------------------------------------

def test_permissions(w):
    cid = new_case(w)
    d = new_doc(w, cid)
    base = w.url + "/cases/%d/documents/%d" % (cid, d["id"])
    for part in ("/pdf", "/html", "/signatures", "/verification"):
        assert w.officer2.get(base + part, timeout=30).status_code == 200, part
        assert w.supervisor1.get(base + part, timeout=30).status_code == 200, part
        for s in (w.env_user, w.auditor1, w.admin):
            r = s.get(base + part, timeout=10)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (part, r.text)
        assert requests.get(base + part, timeout=10).status_code == 401
    before = snapshot(w)
    sig = {"signer_kind": "party", "name": "王建国", "image": data_url(make_png())}
    for s in (w.env_user, w.supervisor1, w.publicity1, w.auditor1, w.admin):
        assert s.post(base + "/signatures", json=sig, timeout=10).status_code == 403
    for s in (w.officer1, w.reviewer1, w.supervisor1, w.admin, w.env_user):
        assert s.post(base + "/seal", timeout=10).status_code == 403
    assert requests.post(base + "/seal", timeout=10).status_code == 401
    assert snapshot(w) == before
    # reviewers capture signatures too
    assert w.reviewer1.post(base + "/signatures", json=sig, timeout=10).status_code == 201


def test_restricted_case_needs_a_reason(w):
    cid = new_case(w, secrecy="personal_privacy")
    d = new_doc(w, cid)
    base = w.url + "/cases/%d/documents/%d" % (cid, d["id"])
    r = w.officer2.get(base + "/pdf", timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "reason_required"
    con = w.srv.db()
    try:
        n0 = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'case_view_restricted' AND "
                         "object_id = ?", (str(cid),)).fetchone()[0]
    finally:
        con.close()
    r = w.officer2.get(base + "/pdf", params={"reason": "送达前核对"}, timeout=30)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    con = w.srv.db()
    try:
        rows = con.execute("SELECT actor_name, detail FROM audit_log WHERE action = 'case_view_restricted' "
                           "AND object_id = ? ORDER BY id", (str(cid),)).fetchall()
    finally:
        con.close()
    assert len(rows) == n0 + 1 and rows[-1][0] == "officer2" and "送达前核对" in rows[-1][1]
    # the public page of a restricted case's document still shows no personal data
    code = r.headers["X-Verify-Code"]
    page = requests.get(w.srv.url + "/verify/document/" + code, timeout=10).text
    assert PARTY_NAME not in page and d["content_sha256"] in page


# ---- bad input -------------------------------------------------------------------------------

def test_bad_input_changes_nothing(w):
    cid = new_case(w)
    d = new_doc(w, cid)
    draft = new_doc(w, cid, final=False)
    base = w.url + "/cases/%d/documents/%d" % (cid, d["id"])
    good = make_png()
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(200 * 1024)
    env_case = None
    con = w.srv.db()
    try:
        env_case = con.execute("SELECT id FROM cases WHERE department_id = ? ORDER BY id", (w.env,)).fetchone()[0]
    finally:
        con.close()
    cases = [
        (base + "/signatures", {"signer_kind": "boss", "name": "x", "image": data_url(good)}, 400, "signer_kind"),
        (base + "/signatures", {"signer_kind": "party", "image": data_url(good)}, 400, "name"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "image": "http://example.com/a.png"}, 400, "image"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "image": "data:image/png;base64,%%%%"}, 400, "image"),
        (base + "/signatures", {"signer_kind": "party", "name": "x",
                                "image": "data:image/png;base64," + base64.b64encode(b"GIF89a" + b"0" * 50).decode()}, 400, "image"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "image": data_url(good[:60])}, 400, "image"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "image": data_url(big)}, 400, "image"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "image": data_url(good), "zz": 1}, 400, "zz"),
        (base + "/signatures", {"signer_kind": "officer", "image": data_url(good)}, 400, "officer_id"),
        (base + "/signatures", {"signer_kind": "officer", "officer_id": w.env_officer, "image": data_url(good)}, 400, "officer_id"),
        (base + "/signatures", {"signer_kind": "party", "name": "x", "officer_id": w.officers[0],
                                "image": data_url(good)}, 400, "officer_id"),
        (base + "/signatures", {"signer_kind": "party", "name": "x\ny", "image": data_url(good)}, 400, None),
        (base + "/seal", {"zz": 1}, 400, "zz"),
        (w.url + "/cases/%d/documents/%d/signatures" % (cid, draft["id"]),
         {"signer_kind": "party", "name": "x", "image": data_url(good)}, 409, None),
        (w.url + "/cases/%d/documents/%d/seal" % (cid, draft["id"]), None, 409, None),
        (w.url + "/cases/%d/documents/987654/seal" % cid, None, 404, None),
        (w.url + "/cases/%d/documents/%d/signatures" % (env_case, d["id"]),
         {"signer_kind": "party", "name": "x", "image": data_url(good)}, 403, None),
    ]
    before = snapshot(w)
    for url, body, status, field in cases:
        s = w.head1
        r = s.post(url, json=body, timeout=10) if body is not None else s.post(url, timeout=10)
        assert r.status_code == status, (url, body and list(body), r.text[:300])
        e = r.json()["error"]
        assert CJK.search(e["message"]), r.text
        if field:
            assert e["field"] == field, (body and list(body), r.text)
    r = w.head1.post(base + "/signatures", data="{not json", headers={"Content-Type": "application/json"},
                     timeout=10)
    assert r.status_code == 400
    assert snapshot(w) == before, "a refused request changed something"


# ---- the documented shapes ------------------------------------------------------------------

def test_responses_match_openapi(w):
    yaml = pytest.importorskip("yaml")
    import test_openapi as O
    with open(O.SPEC_PATH, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    O.assert_matches(spec, "/api/v1/document-templates", "GET",
                     w.officer1.get(w.url + "/document-templates", timeout=10))
    for code in ("penalty_decision", "site_record", "file_index", "license_grant"):
        O.assert_matches(spec, "/api/v1/document-templates/{code}", "GET",
                         w.officer1.get(w.url + "/document-templates/" + code, timeout=10))
    cid = new_case(w)
    d = new_doc(w, cid)
    base = w.url + "/cases/%d/documents/%d" % (cid, d["id"])
    r = w.officer1.post(base + "/signatures", json={"signer_kind": "party", "name": "王建国",
                                                    "image": data_url(make_png())}, timeout=10)
    O.assert_matches(spec, "/api/v1/cases/{id}/documents/{doc_id}/signatures", "POST", r)
    O.assert_matches(spec, "/api/v1/cases/{id}/documents/{doc_id}/signatures", "GET",
                     w.officer1.get(base + "/signatures", timeout=10))
    r = w.head1.post(base + "/seal", timeout=10)
    O.assert_matches(spec, "/api/v1/cases/{id}/documents/{doc_id}/seal", "POST", r)
    O.assert_matches(spec, "/api/v1/cases/{id}/documents/{doc_id}/signatures", "GET",
                     w.officer1.get(base + "/signatures", timeout=10))
    r = w.officer1.get(base + "/verification", timeout=10)
    O.assert_matches(spec, "/api/v1/cases/{id}/documents/{doc_id}/verification", "GET", r)
    code = r.json()["code"]
    O.assert_matches(spec, "/api/v1/verify/document/{code}", "GET",
                     requests.get(w.url + "/verify/document/" + code, timeout=10))
    checkpoint_now(w)
    O.assert_matches(spec, "/api/v1/verify/document/{code}", "GET",
                     requests.get(w.url + "/verify/document/" + code, timeout=10))
