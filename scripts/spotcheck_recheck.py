#!/usr/bin/env python3
"""Re-runs a zhifa spot-check draw (双随机) from its public data, independently
of zhifa's C code (docs/spotcheck.md defines the algorithm).

    python3 scripts/spotcheck_recheck.py https://portal.example/spotchecks/7.json
    python3 scripts/spotcheck_recheck.py plan.json

The JSON is the plan's public verification record (GET /spotchecks/{id}.json on
the portal). Prints the selection and checks it, the pool hashes and the seed
commitment against the record. Exit 0 when everything matches."""
import hashlib
import json
import sys
import urllib.request


def stream(seed, label):
    counter = 0
    while True:
        block = hashlib.sha256(seed + label + counter.to_bytes(8, "big")).digest()
        counter += 1
        for i in range(4):
            yield int.from_bytes(block[8 * i:8 * i + 8], "big")


def uniform(s, m):
    limit = (1 << 64) - ((1 << 64) % m)
    while True:
        x = next(s)
        if x < limit:
            return x % m


def count(pool, permille):
    if pool == 0:
        return 0
    return pool if permille >= 1000 else (pool * permille + 999) // 1000


def draw(seed, entities, inspectors, permille, k, conflicts=()):
    """conflicts: (entity index, inspector index) pairs never assigned."""
    conflicts = set(conflicts)
    n = count(len(entities), permille)
    perm = list(range(len(entities)))
    s = stream(seed, b"E")
    for i in range(n):
        j = i + uniform(s, len(entities) - i)
        perm[i], perm[j] = perm[j], perm[i]
    s = stream(seed, b"I")
    used = set()
    out = []
    for i in range(n):
        order = list(range(len(inspectors)))
        for j in range(len(inspectors) - 1):
            t = j + uniform(s, len(inspectors) - j)
            order[j], order[t] = order[t], order[j]
        m = len(order)
        e = perm[i]
        ok = [c for c in order if (e, c) not in conflicts]
        mine = None
        for st in range(m):
            if (e, order[st]) in conflicts:
                continue
            cand = [order[st]]
            for i2 in range(1, m):
                if len(cand) == k:
                    break
                c = order[(st + i2) % m]
                if (e, c) not in conflicts and all(frozenset((x, c)) not in used for x in cand):
                    cand.append(c)
            if len(cand) == k:
                mine = cand
                break
        if mine is None:
            if len(ok) < k:
                raise ValueError("entity %d has fewer than %d eligible inspectors" % (e, k))
            mine = ok[:k]
        for a in range(k):
            for b in range(a + 1, k):
                used.add(frozenset((mine[a], mine[b])))
        out.append((perm[i], mine))
    return out


def pool_hash(rows):
    return hashlib.sha256("".join("\t".join(r) + "\n" for r in rows).encode()).hexdigest()


def main():
    src = sys.argv[1]
    if src.startswith("http://") or src.startswith("https://"):
        rec = json.load(urllib.request.urlopen(src))
    else:
        rec = json.load(open(src, encoding="utf-8"))
    ents = sorted(rec["entities"], key=lambda e: e["credit_code"].encode())
    insp = sorted(rec["inspectors"], key=lambda e: e["certificate_no"].encode())
    ok = True
    ph = pool_hash([(e["credit_code"], e["name"], e["address"], e["category"]) for e in ents])
    ih = pool_hash([(i["certificate_no"], i["name"]) for i in insp])
    ok &= ph == rec["pool_hash"] and ih == rec["inspector_pool_hash"]
    conf = sorted(((c["credit_code"], c["certificate_no"]) for c in rec.get("conflicts", [])),
                  key=lambda p: (p[0].encode(), p[1].encode()))
    ch = pool_hash(conf)
    commit = ("zhifa-spotcheck-seed/1\nplan %d\nseed %s\nentities %d %s\ninspectors %d %s\n"
              "conflicts %d %s\nratio_permille %d\nper_entity %d\n" % (
                  rec["plan_id"], rec["seed"], len(ents), ph, len(insp), ih, len(conf), ch,
                  rec["ratio_permille"], rec["inspectors_per_entity"]))
    ok &= hashlib.sha256(commit.encode()).hexdigest() == rec["commitment"]
    ei = {e["credit_code"]: i for i, e in enumerate(ents)}
    ii = {x["certificate_no"]: i for i, x in enumerate(insp)}
    sel = draw(bytes.fromhex(rec["seed"]), ents, insp, rec["ratio_permille"],
               rec["inspectors_per_entity"], [(ei[a], ii[b]) for a, b in conf])
    lines = []
    for e, ins in sel:
        line = ents[e]["credit_code"] + "\t" + ",".join(insp[i]["certificate_no"] for i in ins)
        lines.append(line)
        print(line)
    mine = [s["credit_code"] + "\t" + ",".join(s["inspectors"]) for s in rec["selection"]]
    ok &= mine == lines
    print("一致" if ok else "不一致")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
