/* spotcheck.c — see spotcheck.h and docs/spotcheck.md. */
#include "core/spotcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/sm3.h"
#include "util/mem.h"

/* ---- the random stream -------------------------------------------------------- */

typedef struct stream {
    const uint8_t *seed;
    char label;
    uint64_t counter;  /* of the next block */
    uint8_t block[ZF_DIGEST_LEN];
    int used;          /* 64-bit numbers taken from block, 0..4 (4 = empty) */
} stream;

static void stream_init(stream *s, const uint8_t *seed, char label)
{
    s->seed = seed;
    s->label = label;
    s->counter = 0;
    s->used = 4;
}

static uint64_t stream_next(stream *s)
{
    uint64_t x = 0;
    int i;

    if (s->used == 4) {
        uint8_t in[ZF_SPOT_SEED_LEN + 1 + 8];

        memcpy(in, s->seed, ZF_SPOT_SEED_LEN);
        in[ZF_SPOT_SEED_LEN] = (uint8_t)s->label;
        for (i = 0; i < 8; i++)
            in[ZF_SPOT_SEED_LEN + 1 + i] = (uint8_t)(s->counter >> (56 - 8 * i));
        /* libsodium's SHA-256: no allocation per block (OpenSSL's EVP
         * one-shot makes a context each time, three times slower here) */
        crypto_hash_sha256(s->block, in, sizeof in);
        s->counter++;
        s->used = 0;
    }
    for (i = 0; i < 8; i++)
        x = (x << 8) | s->block[s->used * 8 + i];
    s->used++;
    return x;
}

/* Uniform in [0, m), m >= 1, by rejection: numbers at or above the largest
 * multiple of m below 2^64 are skipped. */
static uint64_t uniform(stream *s, uint64_t m)
{
    /* (2^64 - m) % m == 2^64 % m, computed without overflow */
    uint64_t rem = (0 - m) % m, x;

    do
        x = stream_next(s);
    while (rem != 0 && x > UINT64_MAX - rem);
    return x % m;
}

/* ---- the draw ------------------------------------------------------------------ */

size_t zf_spot_count(size_t pool, int ratio_permille)
{
    if (pool == 0 || ratio_permille <= 0)
        return 0;
    if (ratio_permille >= 1000)
        return pool;
    return (pool * (size_t)ratio_permille + 999) / 1000;
}

static int ascending(const char *const *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!v[i] || (i > 0 && strcmp(v[i - 1], v[i]) >= 0))
            return 0;
    return 1;
}

/* Pairs already used in this draw: an open-addressing hash set of pair keys
 * (key + 1, so that 0 marks an empty slot), kept at most half full. Once
 * every pair of a small pool is used, each entity tries all M × M pairs, so
 * a lookup must be O(1). */
typedef struct pairs {
    uint64_t *slot;
    size_t cap, n; /* cap a power of two */
} pairs;

static uint64_t pair_key(size_t a, size_t b)
{
    return a < b ? ((uint64_t)a << 32) | b : ((uint64_t)b << 32) | a;
}

static size_t pair_hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static int pair_used(const pairs *p, size_t a, size_t b)
{
    uint64_t k = pair_key(a, b) + 1;
    size_t i;

    if (!p->cap)
        return 0;
    for (i = pair_hash(k, p->cap); p->slot[i]; i = (i + 1) & (p->cap - 1))
        if (p->slot[i] == k)
            return 1;
    return 0;
}

static void pair_put(uint64_t *slot, size_t cap, uint64_t k)
{
    size_t i;

    for (i = pair_hash(k, cap); slot[i]; i = (i + 1) & (cap - 1))
        if (slot[i] == k)
            return;
    slot[i] = k;
}

static void pair_add(pairs *p, size_t a, size_t b)
{
    if (2 * (p->n + 1) > p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256, i;
        uint64_t *slot = zf_calloc(cap, sizeof *slot);

        for (i = 0; i < p->cap; i++)
            if (p->slot[i])
                pair_put(slot, cap, p->slot[i]);
        free(p->slot);
        p->slot = slot;
        p->cap = cap;
    }
    pair_put(p->slot, p->cap, pair_key(a, b) + 1);
    p->n++;
}

/* Conflicts of interest as sorted keys entity << 32 | inspector. */
typedef struct conflicts {
    uint64_t *keys;
    size_t n;
} conflicts;

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static int conflicted(const conflicts *cf, size_t entity, size_t inspector)
{
    uint64_t k = ((uint64_t)entity << 32) | inspector;

    return cf->n && bsearch(&k, cf->keys, cf->n, sizeof k, u64_cmp) != NULL;
}

/* Picks k of the inspectors in order[0..m) eligible for entity (see
 * spotcheck.h): for each eligible start s = 0, 1 ..., the member order[s],
 * then greedily the next eligible ones after s (wrapping around) that form
 * no used pair; the first start that completes k wins (for k = 2 this tries
 * every pair). Returns 0, 1 when none does and the first k eligible are
 * taken (repeating a pair), or -1 when fewer than k are eligible. */
static int pick(size_t *out, const size_t *order, size_t m, int k, const pairs *used,
                const conflicts *cf, size_t entity)
{
    size_t s, i, j, chosen;

    for (s = 0; s < m; s++) {
        if (conflicted(cf, entity, order[s]))
            continue;
        chosen = 1;
        out[0] = order[s];
        for (i = 1; i < m && chosen < (size_t)k; i++) {
            size_t c = order[(s + i) % m];
            int ok = !conflicted(cf, entity, c);

            for (j = 0; j < chosen && ok; j++)
                ok = !pair_used(used, out[j], c);
            if (ok)
                out[chosen++] = c;
        }
        if (chosen == (size_t)k)
            return 0;
    }
    for (i = 0, chosen = 0; i < m && chosen < (size_t)k; i++)
        if (!conflicted(cf, entity, order[i]))
            out[chosen++] = order[i];
    return chosen == (size_t)k ? 1 : -1;
}

int zf_spot_draw_run(zf_spot_draw *out, const zf_spot_input *in, zf_err *err)
{
    size_t *perm = NULL, *order = NULL, i, j, n;
    pairs used = {0};
    conflicts cf = {NULL, 0};
    stream s;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (in->ratio_permille < 1 || in->ratio_permille > 1000)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "ratio_permille",
                          "抽查比例应在 0.1%% 至 100%% 之间");
    if (in->per_entity < 1 || in->per_entity > ZF_SPOT_MAX_PER_ENTITY)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "inspectors_per_entity",
                          "每户检查人员数应在 1 至 %d 之间", ZF_SPOT_MAX_PER_ENTITY);
    if (in->n_entities > ZF_SPOT_MAX_POOL || in->n_inspectors > ZF_SPOT_MAX_POOL)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "pool", "名录库过大");
    if (!ascending(in->entities, in->n_entities))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "entities",
                          "检查对象名录须按统一社会信用代码升序排列且不重复");
    if (!ascending(in->inspectors, in->n_inspectors))
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "inspectors",
                          "检查人员名录须按执法证号升序排列且不重复");
    for (i = 0; i < in->n_conflicts; i++)
        if (in->conflicts[2 * i] >= in->n_entities || in->conflicts[2 * i + 1] >= in->n_inspectors)
            return zf_err_set(err, ZF_EINVAL, "validation_failed", "conflicts",
                              "回避关系应指向名录库中的检查对象和检查人员");
    out->per_entity = in->per_entity;
    n = zf_spot_count(in->n_entities, in->ratio_permille);
    if (n == 0)
        return 0;
    if (in->n_inspectors < (size_t)in->per_entity)
        return zf_err_set(err, ZF_ECONFLICT, "not_enough_inspectors", "inspectors",
                          "检查人员名录库只有 %zu 人，少于每户 %d 人", in->n_inspectors,
                          in->per_entity);
    if (in->n_conflicts) {
        cf.keys = zf_malloc(in->n_conflicts * sizeof *cf.keys);
        for (i = 0; i < in->n_conflicts; i++)
            cf.keys[i] = ((uint64_t)in->conflicts[2 * i] << 32) | in->conflicts[2 * i + 1];
        qsort(cf.keys, in->n_conflicts, sizeof *cf.keys, u64_cmp);
        cf.n = in->n_conflicts;
    }
    /* entities: Fisher–Yates (Durstenfeld), stopped after n steps */
    perm = zf_malloc(in->n_entities * sizeof *perm);
    for (i = 0; i < in->n_entities; i++)
        perm[i] = i;
    stream_init(&s, in->seed, 'E');
    for (i = 0; i < n; i++) {
        size_t t;

        j = i + (size_t)uniform(&s, (uint64_t)(in->n_entities - i));
        t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    out->n = n;
    out->entity = zf_malloc(n * sizeof *out->entity);
    memcpy(out->entity, perm, n * sizeof *perm);
    /* inspectors: one full shuffle per entity from one continuing stream */
    out->inspector = zf_malloc(n * (size_t)in->per_entity * sizeof *out->inspector);
    order = zf_malloc(in->n_inspectors * sizeof *order);
    stream_init(&s, in->seed, 'I');
    for (i = 0; i < n; i++) {
        size_t *mine = out->inspector + i * (size_t)in->per_entity, a, b;

        for (j = 0; j < in->n_inspectors; j++)
            order[j] = j;
        for (j = 0; j + 1 < in->n_inspectors; j++) {
            size_t k = j + (size_t)uniform(&s, (uint64_t)(in->n_inspectors - j)), t;

            t = order[j];
            order[j] = order[k];
            order[k] = t;
        }
        switch (pick(mine, order, in->n_inspectors, in->per_entity, &used, &cf, out->entity[i])) {
        case 1:
            out->repeated_pairs++;
            break;
        case -1:
            rc = zf_err_set(err, ZF_ECONFLICT, "not_enough_inspectors", "conflicts",
                            "检查对象 %s 除回避人员外的检查人员少于 %d 人",
                            in->entities[out->entity[i]], in->per_entity);
            goto done;
        }
        for (a = 0; a < (size_t)in->per_entity; a++)
            for (b = a + 1; b < (size_t)in->per_entity; b++)
                if (!pair_used(&used, mine[a], mine[b]))
                    pair_add(&used, mine[a], mine[b]);
    }
done:
    free(perm);
    free(order);
    free(used.slot);
    free(cf.keys);
    return rc;
}

void zf_spot_draw_free(zf_spot_draw *d)
{
    if (!d)
        return;
    free(d->entity);
    free(d->inspector);
    memset(d, 0, sizeof *d);
}

/* ---- hashes ---------------------------------------------------------------------- */

static int digest_done(char out[65], zf_digest *d, zf_err *err)
{
    zf_digest_result r;
    int rc = zf_digest_final(&r, d, err);

    zf_digest_free(d);
    if (rc == 0)
        memcpy(out, r.sha256_hex, 65);
    return rc;
}

int zf_spot_pool_hash(char out[65], const char *const *rows, size_t n, size_t nfields,
                      zf_err *err)
{
    zf_digest *d = NULL;
    size_t i, f;
    int rc;

    if ((rc = zf_digest_new(&d, ZF_DIGEST_SHA256, err)) < 0)
        return rc;
    for (i = 0; i < n && rc == 0; i++)
        for (f = 0; f < nfields && rc == 0; f++) {
            const char *v = rows[i * nfields + f] ? rows[i * nfields + f] : "";

            if ((rc = zf_digest_update(d, v, strlen(v), err)) == 0)
                rc = zf_digest_update(d, f + 1 < nfields ? "\t" : "\n", 1, err);
        }
    if (rc < 0) {
        zf_digest_free(d);
        return rc;
    }
    return digest_done(out, d, err);
}

int zf_spot_commitment(char out[65], int64_t plan_id, const char *seed_hex, size_t n_entities,
                       const char *pool_hash, size_t n_inspectors, const char *inspector_hash,
                       size_t n_conflicts, const char *conflict_hash, int ratio_permille,
                       int per_entity, zf_err *err)
{
    char text[640];
    uint8_t h[ZF_DIGEST_LEN];
    int len = snprintf(text, sizeof text,
                       "zhifa-spotcheck-seed/1\nplan %lld\nseed %s\nentities %zu %s\n"
                       "inspectors %zu %s\nconflicts %zu %s\nratio_permille %d\nper_entity %d\n",
                       (long long)plan_id, seed_hex, n_entities, pool_hash, n_inspectors,
                       inspector_hash, n_conflicts, conflict_hash, ratio_permille, per_entity);

    if (len < 0 || (size_t)len >= sizeof text)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "抽查种子承诺过长");
    if (zf_sha256(h, text, (size_t)len) < 0)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法计算摘要");
    zf_hex_encode(out, h, sizeof h);
    return 0;
}

int zf_spot_selection_hash(char out[65], const zf_spot_draw *d, const zf_spot_input *in,
                           zf_err *err)
{
    zf_digest *g = NULL;
    size_t i;
    int k, rc;

    if ((rc = zf_digest_new(&g, ZF_DIGEST_SHA256, err)) < 0)
        return rc;
    for (i = 0; i < d->n && rc == 0; i++) {
        const char *e = in->entities[d->entity[i]];

        rc = zf_digest_update(g, e, strlen(e), err);
        for (k = 0; k < d->per_entity && rc == 0; k++) {
            const char *c = in->inspectors[d->inspector[i * (size_t)d->per_entity + (size_t)k]];

            if ((rc = zf_digest_update(g, k == 0 ? "\t" : ",", 1, err)) == 0)
                rc = zf_digest_update(g, c, strlen(c), err);
        }
        if (rc == 0)
            rc = zf_digest_update(g, "\n", 1, err);
    }
    if (rc < 0) {
        zf_digest_free(g);
        return rc;
    }
    return digest_done(out, g, err);
}

int zf_spot_seed_parse(uint8_t out[ZF_SPOT_SEED_LEN], const char *hex, zf_err *err)
{
    size_t i;

    if (!hex || strlen(hex) != 2 * ZF_SPOT_SEED_LEN)
        goto bad;
    for (i = 0; i < ZF_SPOT_SEED_LEN; i++) {
        int v = 0, k;

        for (k = 0; k < 2; k++) {
            char ch = hex[2 * i + (size_t)k];

            v <<= 4;
            if (ch >= '0' && ch <= '9')
                v |= ch - '0';
            else if (ch >= 'a' && ch <= 'f')
                v |= ch - 'a' + 10;
            else
                goto bad;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
bad:
    return zf_err_set(err, ZF_EINVAL, "validation_failed", "seed", "随机种子应为 64 位小写十六进制");
}
