/* portal_ledger.c — the public page /ledger: the latest signed checkpoint
 * (size, root, time, signature, witnesses' cosignatures), its history, and
 * how anyone can check them, in plain Chinese.
 *
 * It renders with the portal's layout partials through a template set of its
 * own (web/tplset.h), so that portal.c needs no change to host it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/ledger_store.h"
#include "util/mem.h"
#include "web/tplset.h"

#define PER_PAGE 20

static const char *const template_names[] = {"layout_head", "layout_foot", "ledger", NULL};
static zf_tplset_lazy templates = ZF_TPLSET_LAZY(template_names);

static int64_t page_param(zf_ctx *c)
{
    const char *s = zf_ctx_query(c, "page");
    int64_t v = 0;

    if (!s || !*s || strlen(s) > 9)
        return 1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 1;
        v = v * 10 + (*s - '0');
    }
    return v > 0 ? v : 1;
}

static int64_t count_cosignatures(zf_ctx *c, int64_t id)
{
    char s[24];
    const char *p[1] = {s};
    int64_t n = 0;

    snprintf(s, sizeof s, "%lld", (long long)id);
    zf_db_query_int64(c->db, &n, "SELECT COUNT(*) FROM cosignatures WHERE checkpoint_id = CAST($1 AS INTEGER)",
                      NULL, 1, p);
    return n;
}

static int load_latest(json_t *ctx, zf_ctx *c)
{
    zf_ledger_checkpoint_row row;
    zf_buf note = ZF_BUF_INIT;
    zf_stmt *st = NULL;
    json_t *latest, *cos;
    int rc;

    if ((rc = zf_ledger_checkpoint_latest(&row, c->db, &c->err)) <= 0)
        return rc;
    if ((rc = zf_ledger_cosigned_note(&note, c->db, row.id, row.note, &c->err)) < 0)
        goto done;
    cos = json_array();
    if ((rc = zf_db_prepare(&st, c->db, "SELECT witness_name, key_id FROM cosignatures WHERE checkpoint_id = $1 ORDER BY id",
                            &c->err)) < 0) {
        json_decref(cos);
        goto done;
    }
    zf_stmt_bind_int64(st, 1, row.id);
    while ((rc = zf_stmt_step(st, &c->err)) == 1)
        json_array_append_new(cos, json_pack("{s:s,s:s}", "witness", zf_stmt_text(st, 0), "key_id", zf_stmt_text(st, 1)));
    latest = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o}", "tree_size", (json_int_t)row.tree_size, "root_hash",
                       row.root_hex, "timestamp", row.timestamp, "signature", row.signature, "algorithm",
                       row.algorithm, "key_id", row.key_id, "note", zf_buf_str(&note), "cosignature_count",
                       (json_int_t)json_array_size(cos), "cosignatures", cos);
    json_object_set_new(ctx, "latest", latest);
    json_object_set_new(ctx, "key_id", json_string(row.key_id));
    json_object_set_new(ctx, "algorithm_name",
                        json_string(strcmp(row.algorithm, "sm2") == 0 ? "国密 SM2/SM3 算法" : "Ed25519 算法"));
    rc = rc < 0 ? rc : 0;
done:
    zf_stmt_free(st);
    zf_buf_free(&note);
    zf_ledger_checkpoint_row_free(&row);
    return rc;
}

static int load_history(json_t *ctx, zf_ctx *c)
{
    zf_stmt *st = NULL;
    json_t *items = json_array();
    int64_t total = 0, page = page_param(c), pages;
    int64_t ids[PER_PAGE];
    size_t n = 0, i;
    int rc;

    if ((rc = zf_db_query_int64(c->db, &total, "SELECT COUNT(*) FROM checkpoints", &c->err, 0, NULL)) < 0)
        goto done;
    pages = total ? (total + PER_PAGE - 1) / PER_PAGE : 1;
    if (page > pages)
        page = pages;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, tree_size, timestamp, root_hash FROM checkpoints ORDER BY tree_size DESC "
                            "LIMIT $1 OFFSET $2",
                            &c->err)) < 0)
        goto done;
    zf_stmt_bind_int64(st, 1, PER_PAGE);
    zf_stmt_bind_int64(st, 2, (page - 1) * PER_PAGE);
    while ((rc = zf_stmt_step(st, &c->err)) == 1 && n < PER_PAGE) {
        ids[n++] = zf_stmt_int64(st, 0);
        json_array_append_new(items, json_pack("{s:I,s:s,s:s}", "tree_size", (json_int_t)zf_stmt_int64(st, 1),
                                               "timestamp", zf_stmt_text(st, 2), "root_hash", zf_stmt_text(st, 3)));
    }
    zf_stmt_free(st);
    st = NULL;
    if (rc < 0)
        goto done;
    for (i = 0; i < n; i++)
        json_object_set_new(json_array_get(items, i), "cosignature_count",
                            json_integer((json_int_t)count_cosignatures(c, ids[i])));
    json_object_set_new(ctx, "history_count", json_integer((json_int_t)total));
    json_object_set(ctx, "history", items);
    if (pages > 1) {
        json_t *pager = json_object();
        char href[48];
        json_object_set_new(pager, "page", json_integer(page));
        json_object_set_new(pager, "pages", json_integer(pages));
        if (page > 1) {
            snprintf(href, sizeof href, "/ledger?page=%lld#history", (long long)(page - 1));
            json_object_set_new(pager, "prev", json_string(href));
        }
        if (page < pages) {
            snprintf(href, sizeof href, "/ledger?page=%lld#history", (long long)(page + 1));
            json_object_set_new(pager, "next", json_string(href));
        }
        json_object_set_new(ctx, "pager", pager);
    }
    rc = 0;
done:
    zf_stmt_free(st);
    json_decref(items);
    return rc;
}

static int ledger_page(zf_ctx *c)
{
    json_t *ctx;
    int rc;

    if ((rc = zf_tplset_ready(&templates, c)) < 0)
        return rc;
    ctx = json_object();
    if ((rc = load_latest(ctx, c)) < 0 || (rc = load_history(ctx, c)) < 0) {
        json_decref(ctx);
        return rc;
    }
    return zf_tplset_page(&templates, c, "ledger", "执法记录防篡改台账", ctx);
}

const zf_route zf_portal_ledger_routes[] = {
    {"GET", "/ledger", ledger_page, ZF_PUBLIC, 0, NULL, ZF_ROUTE_HTML},
    {NULL},
};
