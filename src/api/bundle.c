/* bundle.c — the 案卷 bundle (issue 5, 归档): GET /api/v1/cases/{id}/bundle
 * answers one zip that anyone can check offline with `zhifa verify --bundle`.
 *
 * Contents (ASCII names; titles and numbers are in the manifest):
 *   manifest.json               every other file: path, SHA-256, size, role and
 *                               the ledger leaf (seq) whose content hash it is
 *   case.json                   the case's canonical content (zf_case_canonical)
 *   archive.json                the 归档 record (store/archive_store.h), when archived
 *   cover.pdf, cover.json       卷宗封面, rendered from the case (template file_cover)
 *   index.pdf, index.json       卷内文件目录 of the documents in the bundle
 *   documents/NNNN-<tpl>.json   each final document as the RFC 8785 bytes its
 *                               content_sha256 hashes ({case_id, template,
 *                               doc_no, fields, evidence_sha256})
 *   documents/NNNN-<tpl>.pdf    the same document rendered (render/pdf.h)
 *   evidence/<id>.<ext>         each stored evidence file of the case
 *   ledger/events.json          the case's events (object case/ID, its
 *                               documents, its evidence files): canonical
 *                               text, leaf hash and inclusion proof against
 *                               ledger/checkpoint.txt
 *   ledger/checkpoint.txt       the newest signed checkpoint (a new one is
 *                               issued first when it does not cover the case)
 *   ledger/public-key.pem       the server's checkpoint key
 *
 * Memory does not grow with the evidence: the zip is written by libarchive
 * into a temp file DATA/bundles/bundle-XXXXXX, evidence streamed from the
 * blob store 1 MiB at a time, and the file is answered through c->file_path
 * (the server streams it from an fd). libmicrohttpd opens the file right after
 * the handler returns, so the tick zf_bundle_tick deletes any temp file older
 * than ZF_BUNDLE_TTL seconds; an answer still being sent keeps its open fd,
 * which Linux lets outlive the name.
 *
 * Access is that of reading the case (restricted cases need `reason`, and
 * the look is recorded). */
#include "api/api.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/evidence.h"
#include "blob/blob.h"
#include "core/doctpl.h"
#include "core/workflow.h"
#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "ledger/sm3.h"
#include "render/pdf.h"
#include "store/archive_store.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/ledger_store.h"
#include "store/settings.h"
#include "util/log.h"
#include "util/mem.h"

#define ZF_BUNDLE_TTL 300
#define ZF_BUNDLE_FORMAT "zhifa-case-bundle/1"
#define MAX_EVENTS 200000
#define CHUNK (1u << 20)

#define STAFF ZF_ROLES_DEPT_STAFF
#define READERS (STAFF | ZF_ROLE_SUPERVISOR)

typedef struct ev_row {
    uint64_t idx;
    char *event;
    char leaf[65];
    char type[24];
    char oid[24];
    char sha[65];
    char action[48];
} ev_row;

typedef struct bundle {
    struct archive *a;
    json_t *files;
    ev_row *evs;
    size_t n_evs;
    int64_t now;
    zf_err *err;
} bundle;

static void bundle_dir(char *out, size_t n, const char *data_dir)
{
    snprintf(out, n, "%s/bundles", data_dir ? data_dir : ".");
}

/* ---- the tick: temp files ------------------------------------------------------- */

void zf_bundle_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir)
{
    static int64_t last;
    char dir[4096], path[4400];
    DIR *d;
    struct dirent *e;
    struct stat sb;

    (void)db;
    (void)settings;
    if (now - last < 30)
        return;
    last = now;
    bundle_dir(dir, sizeof dir, data_dir);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "bundle-", 7) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) == 0 && now - (int64_t)sb.st_mtime > ZF_BUNDLE_TTL)
            unlink(path);
    }
    closedir(d);
}

/* ---- writing entries ----------------------------------------------------------- */

static int arc_fail(bundle *b, const char *what)
{
    return zf_err_set(b->err, ZF_EIO, "bundle_write_failed", NULL, "生成案卷压缩包失败（%s）：%s", what,
                      archive_error_string(b->a) ? archive_error_string(b->a) : "未知错误");
}

static int header(bundle *b, const char *path, uint64_t size, int compress)
{
    struct archive_entry *e = archive_entry_new();
    int r;

    archive_entry_set_pathname(e, path);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, b->now, 0);
    if (compress)
        archive_write_zip_set_compression_deflate(b->a);
    else
        archive_write_zip_set_compression_store(b->a);
    r = archive_write_header(b->a, e);
    archive_entry_free(e);
    return r == ARCHIVE_OK ? 0 : arc_fail(b, path);
}

static int put(bundle *b, const void *p, size_t n, const char *path)
{
    while (n) {
        la_ssize_t w = archive_write_data(b->a, p, n);

        if (w <= 0)
            return arc_fail(b, path);
        p = (const char *)p + w;
        n -= (size_t)w;
    }
    return 0;
}

/* Adds a file from memory and its manifest entry (meta is stolen; may be
 * NULL). out_sha (may be NULL) gets the hash. */
static int add_mem(bundle *b, const char *path, const void *data, size_t len, int compress, const char *role,
                   json_t *meta, char *out_sha)
{
    uint8_t d[ZF_DIGEST_LEN];
    char sha[65];
    int rc;

    zf_sha256(d, data, len);
    zf_hex_encode(sha, d, sizeof d);
    if ((rc = header(b, path, len, compress)) < 0 || (rc = put(b, data, len, path)) < 0) {
        json_decref(meta);
        return rc;
    }
    if (!meta)
        meta = json_object();
    json_object_set_new(meta, "path", json_string(path));
    json_object_set_new(meta, "sha256", json_string(sha));
    json_object_set_new(meta, "size", json_integer((json_int_t)len));
    json_object_set_new(meta, "role", json_string(role));
    json_array_append_new(b->files, meta);
    if (out_sha)
        memcpy(out_sha, sha, 65);
    return 0;
}

/* Streams a stored evidence file into the zip, hashing as it goes: a blob
 * that no longer matches its name is refused rather than bundled. */
static int add_blob(bundle *b, zf_blob_store *bs, const char *path, const char *sha, json_t *meta)
{
    zf_blob_reader *r = NULL;
    zf_digest *dg = NULL;
    zf_digest_result res;
    char *buf = NULL;
    uint64_t off = 0, size;
    size_t n;
    int rc;

    if ((rc = zf_blob_reader_open(&r, bs, sha, b->err)) < 0)
        goto done;
    size = zf_blob_reader_size(r);
    if ((rc = zf_digest_new(&dg, ZF_DIGEST_SHA256, b->err)) < 0 || (rc = header(b, path, size, 0)) < 0)
        goto done;
    buf = zf_malloc(CHUNK);
    while (off < size) {
        if ((rc = zf_blob_reader_read(&n, r, buf, CHUNK, off, b->err)) < 0)
            goto done;
        if (n == 0)
            break;
        zf_digest_update(dg, buf, n, NULL);
        if ((rc = put(b, buf, n, path)) < 0)
            goto done;
        off += n;
    }
    if ((rc = zf_digest_final(&res, dg, b->err)) < 0)
        goto done;
    if (off != size || strcmp(res.sha256_hex, sha) != 0) {
        rc = zf_err_set(b->err, ZF_EIO, "blob_damaged", NULL, "证据文件 %.16s… 已损坏，无法生成案卷", sha);
        goto done;
    }
    json_object_set_new(meta, "path", json_string(path));
    json_object_set_new(meta, "sha256", json_string(sha));
    json_object_set_new(meta, "size", json_integer((json_int_t)size));
    json_object_set_new(meta, "role", json_string("evidence"));
    json_array_append(b->files, meta);
done:
    json_decref(meta);
    free(buf);
    zf_digest_free(dg);
    zf_blob_reader_free(r);
    return rc;
}

/* The newest event of (type, id) whose content hash is sha (and whose
 * action is action, when not NULL): {"seq": N, "action": …}, or null. */
static json_t *covered_by(const bundle *b, const char *type, int64_t id, const char *sha, const char *action)
{
    char oid[24];
    size_t i;

    snprintf(oid, sizeof oid, "%lld", (long long)id);
    for (i = b->n_evs; i-- > 0;) {
        const ev_row *e = &b->evs[i];

        if (strcmp(e->type, type) == 0 && strcmp(e->oid, oid) == 0 && strcmp(e->sha, sha) == 0 &&
            (!action || strcmp(e->action, action) == 0))
            return json_pack("{s:I, s:s}", "seq", (json_int_t)e->idx, "action", e->action);
    }
    return json_null();
}

/* ---- the case's ledger events -------------------------------------------------- */

static int load_events(bundle *b, zf_db *db, int64_t case_id, uint64_t below)
{
    zf_stmt *st = NULL;
    zf_buf sql = ZF_BUF_INIT, canon = ZF_BUF_INIT;
    size_t cap = 0;
    int rc;

    /* the case, its documents and its evidence files, by object */
    zf_buf_puts(&sql, "SELECT " ZF_LEDGER_EVENT_COLUMNS " FROM ledger_events WHERE idx < $3 AND idx IN (");
    zf_ledger_objects_sql(&sql, "(object_type = 'case' AND object_id = $1) OR (object_type = 'case_document' AND "
                                "object_id IN (SELECT CAST(id AS TEXT) FROM case_documents WHERE case_id = $2)) OR "
                                "(object_type = 'evidence' AND object_id IN (SELECT CAST(id AS TEXT) FROM "
                                "evidence_files WHERE case_id = $2))");
    zf_buf_puts(&sql, ") ORDER BY idx");
    rc = zf_db_prepare(&st, db, zf_buf_str(&sql), b->err);
    zf_buf_free(&sql);
    if (rc < 0)
        return rc;
    {
        char oid[24];

        snprintf(oid, sizeof oid, "%lld", (long long)case_id);
        zf_stmt_bind_text(st, 1, oid, -1);
    }
    zf_stmt_bind_int64(st, 2, case_id);
    zf_stmt_bind_int64(st, 3, (int64_t)below);
    while ((rc = zf_stmt_step(st, b->err)) == 1) {
        zf_ledger_event ev;
        zf_hash leaf;
        ev_row *e;
        uint64_t idx = zf_ledger_event_from_row(&ev, st, 0);

        if (b->n_evs == MAX_EVENTS) {
            rc = zf_err_set(b->err, ZF_ETOOBIG, "too_many_events", NULL, "该案件的台账事件过多，无法打包");
            break;
        }
        zf_buf_reset(&canon);
        if ((rc = zf_ledger_event_canonical(&canon, &ev, idx, b->err)) < 0)
            break;
        zf_merkle_leaf_hash(&leaf, canon.ptr, canon.len);
        if (b->n_evs == cap) {
            cap = cap ? cap * 2 : 64;
            b->evs = zf_realloc(b->evs, cap * sizeof *b->evs);
        }
        e = &b->evs[b->n_evs++];
        memset(e, 0, sizeof *e);
        e->idx = idx;
        e->event = zf_strdup(zf_buf_str(&canon));
        zf_hash_to_hex(e->leaf, &leaf);
        snprintf(e->type, sizeof e->type, "%s", ev.object_type);
        snprintf(e->oid, sizeof e->oid, "%s", ev.object_id);
        snprintf(e->sha, sizeof e->sha, "%s", ev.content_sha256);
        snprintf(e->action, sizeof e->action, "%s", ev.action);
    }
    zf_stmt_free(st);
    zf_buf_free(&canon);
    return rc < 0 ? rc : 0;
}

static int add_events(bundle *b, zf_db *db, uint64_t size, const char *root_hex)
{
    json_t *arr = json_array(), *o;
    zf_hash proof[ZF_MERKLE_MAX_PROOF];
    char hex[ZF_HASH_HEXLEN + 1];
    char *text = NULL;
    size_t i, n, k;
    int rc = 0;

    for (i = 0; i < b->n_evs; i++) {
        json_t *p = json_array();

        if ((rc = zf_ledger_inclusion(proof, &n, db, b->evs[i].idx, size, b->err)) < 0) {
            json_decref(p);
            goto done;
        }
        for (k = 0; k < n; k++) {
            zf_hash_to_hex(hex, &proof[k]);
            json_array_append_new(p, json_string(hex));
        }
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:o}", "seq", (json_int_t)b->evs[i].idx, "event",
                                             b->evs[i].event, "leaf_hash", b->evs[i].leaf, "proof", p));
    }
    o = json_pack("{s:I, s:s, s:O}", "tree_size", (json_int_t)size, "root", root_hex, "events", arr);
    text = json_dumps(o, JSON_INDENT(1) | JSON_ENSURE_ASCII);
    json_decref(o);
    rc = add_mem(b, "ledger/events.json", text, strlen(text), 1, "ledger_events",
                 json_pack("{s:I}", "count", (json_int_t)b->n_evs), NULL);
done:
    free(text);
    json_decref(arr);
    return rc;
}

/* ---- documents, cover and index ------------------------------------------------ */

static const char *date_of(char out[ZF_DATE_STRLEN], int64_t t)
{
    return zf_date_format(out, zf_calendar_store_today(t));
}

/* Renders fields with tpl into a PDF entry; a document the renderer
 * refuses is left out of the bundle (logged) rather than failing it. */
static int add_pdf(bundle *b, const char *path, const zf_doctpl *tpl, const json_t *fields, const char *authority,
                   const char *code, const char *base, const char *role, json_t *meta, int *out_pages)
{
    zf_buf pdf = ZF_BUF_INIT;
    zf_render_opts opts = ZF_RENDER_OPTS_INIT;
    zf_err rerr = ZF_ERR_INIT;
    int pages = 0, rc = 0;

    opts.authority = authority;
    opts.verify_code = code;
    opts.verify_base = base;
    *out_pages = 0;
    if (zf_render_pdf(&pdf, &pages, tpl, fields, &opts, &rerr) < 0) {
        zf_log_event("warn", rerr.message, "bundle_pdf", path, NULL, 0, NULL, 0);
        json_decref(meta);
    } else {
        json_object_set_new(meta, "pages", json_integer(pages));
        rc = add_mem(b, path, zf_buf_str(&pdf), pdf.len, 0, role, meta, NULL);
        *out_pages = pages;
    }
    zf_buf_free(&pdf);
    return rc;
}

typedef struct index_entry {
    char doc_no[160];
    char title[96];
    char date[ZF_DATE_STRLEN];
    int pages;
} index_entry;

static int add_documents(bundle *b, zf_ctx *c, const zf_case *k, const char *authority, const char *base,
                         json_t *index, int *out_pages)
{
    zf_stmt *st = NULL;
    int64_t ids[2048];
    size_t n = 0, i;
    int rc, from = 1;

    *out_pages = 0;
    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id FROM case_documents WHERE case_id = $1 AND status = 'final' ORDER BY "
                            "finalized_at, id",
                            b->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, k->id);
    while ((rc = zf_stmt_step(st, b->err)) == 1 && n < 2048)
        ids[n++] = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        zf_case_doc d;
        zf_buf canon = ZF_BUF_INIT;
        json_t *hashed = NULL, *meta;
        const zf_doctpl *tpl;
        char ev_sha[65] = "", path[160], sha[65], code[24], date[ZF_DATE_STRLEN], pages_txt[24];
        int pages = 0;

        if ((rc = zf_case_doc_get(&d, c->db, k->id, ids[i], b->err)) < 0)
            return rc;
        if (d.evidence_id) {
            zf_stmt *q = NULL;

            if (zf_db_prepare(&q, c->db, "SELECT sha256 FROM evidence_files WHERE id = $1", NULL) == 0) {
                zf_stmt_bind_int64(q, 1, d.evidence_id);
                if (zf_stmt_step(q, NULL) == 1)
                    snprintf(ev_sha, sizeof ev_sha, "%s", zf_stmt_text(q, 0));
                zf_stmt_free(q);
            }
        }
        hashed = json_pack("{s:I, s:s, s:s, s:O, s:s}", "case_id", (json_int_t)k->id, "template", d.template_code,
                           "doc_no", d.doc_no, "fields", d.fields, "evidence_sha256", ev_sha);
        rc = zf_jcs_encode(&canon, hashed, b->err);
        json_decref(hashed);
        if (rc < 0) {
            zf_buf_free(&canon);
            zf_case_doc_clear(&d);
            return rc;
        }
        snprintf(path, sizeof path, "documents/%04zu-%s.json", i + 1, d.template_code);
        meta = json_pack("{s:I, s:s, s:s, s:s}", "document_id", (json_int_t)d.id, "template", d.template_code,
                         "title", zf_workflow_doc_name(d.template_code), "content_sha256", d.content_sha256);
        json_object_set_new(meta, "doc_no", d.doc_no[0] ? json_string(d.doc_no) : json_null());
        json_object_set_new(meta, "evidence_id", d.evidence_id ? json_integer(d.evidence_id) : json_null());
        json_object_set_new(meta, "covered_by", covered_by(b, "case_document", d.id, d.content_sha256,
                                                           "case_document_finalize"));
        rc = add_mem(b, path, zf_buf_str(&canon), canon.len, 1, "document", meta, sha);
        zf_buf_free(&canon);
        if (rc == 0 && strcmp(sha, d.content_sha256) != 0)
            zf_log_event("warn", "bundle: document bytes differ from its content hash", "path", path, NULL, 0,
                         NULL, 0);
        if (rc == 0 && (tpl = zf_doctpl_find(d.template_code))) {
            char pdf_path[160];

            snprintf(code, sizeof code, "%.20s", d.content_sha256[0] ? d.content_sha256 : "0000");
            snprintf(pdf_path, sizeof pdf_path, "documents/%04zu-%s.pdf", i + 1, d.template_code);
            rc = add_pdf(b, pdf_path, tpl, d.fields, authority, code, base, "document_pdf",
                         json_pack("{s:I, s:s}", "document_id", (json_int_t)d.id, "rendered_from", path), &pages);
        }
        if (rc == 0) {
            if (pages > 0) {
                snprintf(pages_txt, sizeof pages_txt, pages > 1 ? "%d-%d" : "%d", from, from + pages - 1);
                from += pages;
                *out_pages += pages;
            } else {
                snprintf(pages_txt, sizeof pages_txt, "—");
            }
            json_t *row = json_pack("{s:s, s:s, s:s}", "title", zf_workflow_doc_name(d.template_code), "date",
                                    date_of(date, d.finalized_at), "pages", pages_txt);

            if (d.doc_no[0])
                json_object_set_new(row, "doc_no", json_string(d.doc_no));
            json_array_append_new(index, row);
        }
        zf_case_doc_clear(&d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_evidence(bundle *b, zf_ctx *c, int64_t case_id)
{
    zf_blob_store *bs;
    zf_stmt *st = NULL;
    typedef struct {
        int64_t id;
        char sha[65], kind[16], ext[12];
        char *filename;
    } ev;
    ev *list = NULL;
    size_t n = 0, cap = 0, i;
    int rc;

    if ((rc = zf_db_prepare(&st, c->db,
                            "SELECT id, sha256, kind, filename FROM evidence_files WHERE case_id = $1 AND "
                            "state = 'stored' ORDER BY id",
                            b->err)) < 0)
        return rc;
    zf_stmt_bind_int64(st, 1, case_id);
    while ((rc = zf_stmt_step(st, b->err)) == 1) {
        const char *fn = zf_stmt_text(st, 3), *dot = strrchr(fn, '.');

        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            list = zf_realloc(list, cap * sizeof *list);
        }
        list[n].id = zf_stmt_int64(st, 0);
        snprintf(list[n].sha, sizeof list[n].sha, "%s", zf_stmt_text(st, 1));
        snprintf(list[n].kind, sizeof list[n].kind, "%s", zf_stmt_text(st, 2));
        list[n].filename = zf_strdup(fn);
        /* an extension only when it is plain ASCII letters and digits */
        if (dot && strlen(dot + 1) >= 1 && strlen(dot + 1) <= 8 &&
            strspn(dot + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == strlen(dot + 1))
            snprintf(list[n].ext, sizeof list[n].ext, "%s", dot + 1);
        else
            snprintf(list[n].ext, sizeof list[n].ext, "bin");
        n++;
    }
    zf_stmt_free(st);
    if (rc < 0)
        goto done;
    if (n && !(bs = ev_store(c->data_dir, b->err))) {
        rc = b->err->rc ? b->err->rc : ZF_EIO;
        goto done;
    }
    for (i = 0; i < n && rc >= 0; i++) {
        char path[64];
        json_t *meta = json_pack("{s:I, s:s, s:s}", "evidence_id", (json_int_t)list[i].id, "kind", list[i].kind,
                                 "filename", list[i].filename);

        json_object_set_new(meta, "covered_by", covered_by(b, "evidence", list[i].id, list[i].sha, NULL));
        snprintf(path, sizeof path, "evidence/%lld.%s", (long long)list[i].id, list[i].ext);
        rc = add_blob(b, bs, path, list[i].sha, meta);
    }
done:
    for (i = 0; i < n; i++)
        free(list[i].filename);
    free(list);
    return rc;
}

/* The first party's name, or 无. */
static void party_name(char *out, size_t n, zf_db *db, int64_t case_id)
{
    zf_stmt *st = NULL;

    snprintf(out, n, "无");
    if (zf_db_prepare(&st, db, "SELECT name FROM case_parties WHERE case_id = $1 ORDER BY id LIMIT 1", NULL) < 0)
        return;
    zf_stmt_bind_int64(st, 1, case_id);
    if (zf_stmt_step(st, NULL) == 1 && *zf_stmt_text(st, 0))
        snprintf(out, n, "%s", zf_stmt_text(st, 0));
    zf_stmt_free(st);
}

static int add_cover_and_index(bundle *b, zf_ctx *c, const zf_case *k, const char *authority, const char *base,
                               json_t *index, int doc_pages)
{
    const zf_doctpl *ctpl = zf_doctpl_find("file_cover"), *itpl = zf_doctpl_find("file_index");
    char party[400], filed[ZF_DATE_STRLEN], closed[ZF_DATE_STRLEN], code[24];
    json_t *cover, *idx;
    char *text;
    int rc, pages = 0;

    party_name(party, sizeof party, c->db, k->id);
    date_of(filed, k->created_at);
    date_of(closed, k->archived_at ? k->archived_at : b->now);
    cover = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "authority", authority, "case_name", k->title,
                      "party_name", party, "filing_date", filed, "closing_date", closed, "retention", "永久",
                      "items", (json_int_t)json_array_size(index));
    if (k->case_no[0])
        json_object_set_new(cover, "case_no", json_string(k->case_no));
    if (k->archived_at)
        json_object_set_new(cover, "archive_date", json_string(closed));
    if (doc_pages > 0)
        json_object_set_new(cover, "pages", json_integer(doc_pages));
    idx = json_pack("{s:s, s:O}", "case_name", k->title, "entries", index);
    if (k->case_no[0])
        json_object_set_new(idx, "case_no", json_string(k->case_no));
    if (json_array_size(index) == 0)
        json_array_append_new(json_object_get(idx, "entries"), json_pack("{s:s, s:s}", "title", "（无定稿文书）",
                                                                          "pages", "—"));
    text = json_dumps(cover, JSON_INDENT(1) | JSON_SORT_KEYS);
    rc = add_mem(b, "cover.json", text, strlen(text), 1, "cover_fields", NULL, NULL);
    free(text);
    snprintf(code, sizeof code, "CASE-%lld", (long long)k->id);
    if (rc == 0 && ctpl)
        rc = add_pdf(b, "cover.pdf", ctpl, cover, authority, code, base, "cover",
                     json_pack("{s:s}", "rendered_from", "cover.json"), &pages);
    if (rc == 0) {
        text = json_dumps(idx, JSON_INDENT(1) | JSON_SORT_KEYS);
        rc = add_mem(b, "index.json", text, strlen(text), 1, "index_fields", NULL, NULL);
        free(text);
    }
    if (rc == 0 && itpl)
        rc = add_pdf(b, "index.pdf", itpl, idx, authority, code, base, "index",
                     json_pack("{s:s}", "rendered_from", "index.json"), &pages);
    json_decref(cover);
    json_decref(idx);
    return rc;
}

/* ---- the handler ------------------------------------------------------------------ */

static int64_t resolve_case(zf_ctx *c)
{
    int64_t id, dept = 0;
    int rc;

    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0)
        return rc;
    {
        zf_stmt *st = NULL;

        if ((rc = zf_db_prepare(&st, c->db, "SELECT department_id FROM cases WHERE id = $1", &c->err)) < 0)
            return rc;
        zf_stmt_bind_int64(st, 1, id);
        if (zf_stmt_step(st, NULL) == 1)
            dept = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
    }
    if (!dept)
        return zf_err_set(&c->err, ZF_ENOTFOUND, "not_found", NULL, "找不到该案件");
    return dept;
}

/* A restricted case as in cases.c: a reason, recorded before the answer. */
static int check_restricted(zf_ctx *c, const zf_case *k)
{
    const char *reason = zf_ctx_query(c, "reason");
    zf_audit_event ev = {0};
    char detail[400], oid[24];
    long n = 0;
    const char *s;
    int rc;

    if (strcmp(k->secrecy, "none") == 0)
        return 0;
    if (strcmp(k->secrecy, "state_secret") == 0 && !(c->who->role & (ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR)))
        return zf_err_set(&c->err, ZF_EPERM, "forbidden", NULL, "该案件标为国家秘密，只有部门负责人和监督人员可以查看");
    if (!reason || !*reason)
        return zf_err_set(&c->err, ZF_EINVAL, "reason_required", "reason", "查看该记录需要填写查阅事由（reason 参数）");
    for (s = reason; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    if (n > 200)
        return zf_err_set(&c->err, ZF_EINVAL, "validation_failed", "reason", "查阅事由应为不超过 200 个字符的文本");
    snprintf(oid, sizeof oid, "%lld", (long long)k->id);
    snprintf(detail, sizeof detail, "bundle; secrecy=%s; reason=%s", k->secrecy, reason);
    ev.at = c->now;
    ev.actor_id = c->who->user_id;
    ev.actor_name = c->who->username;
    ev.action = "case_view_restricted";
    ev.object_type = ZF_CASE_OBJECT;
    ev.object_id = oid;
    ev.ip = c->ip;
    ev.request_id = c->request_id;
    ev.detail = detail;
    if ((rc = zf_db_begin(c->db, &c->err)) < 0)
        return rc;
    if ((rc = zf_audit_write(c->db, &ev, &c->err)) < 0 || (rc = zf_db_commit(c->db, &c->err)) < 0)
        zf_db_rollback(c->db);
    return rc;
}

/* Makes sure a signed checkpoint covers every event of the case. */
static int ensure_checkpoint(zf_ctx *c, int64_t case_id, zf_sign_key **out_key)
{
    zf_ledger_checkpoint_row row = {0};
    char oid[24];
    int64_t max_idx = -1;
    int have, rc;

    snprintf(oid, sizeof oid, "%lld", (long long)case_id);
    zf_db_query_int64(c->db, &max_idx, "SELECT COALESCE(MAX(idx), -1) FROM ledger_events", NULL, 0, NULL);
    if ((rc = zf_ledger_key_load(out_key, c->data_dir ? c->data_dir : ".", &c->err)) < 0)
        return rc;
    if ((have = zf_ledger_checkpoint_latest(&row, c->db, &c->err)) < 0)
        return have;
    if (!have || (int64_t)row.tree_size <= max_idx) {
        zf_db_read_end(c->db);
        rc = zf_ledger_checkpoint_issue(c->db, *out_key,
                                        zf_settings_get(c->settings, "ledger_origin", ZF_LEDGER_ORIGIN_DEFAULT),
                                        c->now, NULL, &c->err);
        zf_db_read_begin(c->db);
    }
    zf_ledger_checkpoint_row_free(&row);
    return rc;
}

static int h_bundle(zf_ctx *c)
{
    zf_case *k = zf_malloc(sizeof *k);
    bundle b = {0};
    zf_sign_key *key = NULL;
    zf_ledger_checkpoint_row cp = {0};
    zf_buf tmp = ZF_BUF_INIT;
    json_t *index = json_array(), *manifest = NULL;
    char dir[4096], path[4200], authority[300] = "", base[600], disp[160], sha[65];
    char *text = NULL;
    int64_t id;
    int fd = -1, rc, have_cp, pages = 0;
    const char *portal;

    b.files = json_array();
    b.now = c->now;
    b.err = &c->err;
    if ((rc = zf_ctx_param_id(c, 0, &id)) < 0 || (rc = zf_case_get(k, c->db, id, &c->err)) < 0 ||
        (rc = check_restricted(c, k)) < 0 || (rc = ensure_checkpoint(c, id, &key)) < 0)
        goto done;
    if ((have_cp = zf_ledger_checkpoint_latest(&cp, c->db, &c->err)) < 0) {
        rc = have_cp;
        goto done;
    }
    if (!have_cp) {
        rc = zf_err_set(&c->err, ZF_ECONFLICT, "no_checkpoint", NULL, "台账尚无签名检查点，暂不能生成案卷");
        goto done;
    }
    if ((rc = load_events(&b, c->db, id, cp.tree_size)) < 0)
        goto done;
    {
        zf_stmt *st = NULL;

        if (zf_db_prepare(&st, c->db, "SELECT name FROM departments WHERE id = $1", NULL) == 0) {
            zf_stmt_bind_int64(st, 1, k->department_id);
            if (zf_stmt_step(st, NULL) == 1)
                snprintf(authority, sizeof authority, "%s", zf_stmt_text(st, 0));
            zf_stmt_free(st);
        }
    }
    portal = zf_settings_get(c->settings, "portal_url", NULL);
    snprintf(base, sizeof base, "%s", portal && *portal ? portal : "http://localhost");

    bundle_dir(dir, sizeof dir, c->data_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        rc = zf_err_set(&c->err, ZF_EIO, "bundle_write_failed", NULL, "无法创建临时目录 %s", dir);
        goto done;
    }
    snprintf(path, sizeof path, "%s/bundle-XXXXXX", dir);
    if ((fd = mkstemp(path)) < 0) {
        rc = zf_err_set(&c->err, ZF_EIO, "bundle_write_failed", NULL, "无法创建临时文件");
        goto done;
    }
    b.a = archive_write_new();
    if (archive_write_set_format_zip(b.a) != ARCHIVE_OK || archive_write_open_fd(b.a, fd) != ARCHIVE_OK) {
        rc = arc_fail(&b, "open");
        goto done;
    }
    /* case.json: what every case event hashes */
    if ((rc = zf_case_canonical(&tmp, c->db, id, &c->err)) < 0)
        goto done;
    {
        uint8_t d[ZF_DIGEST_LEN];

        zf_sha256(d, zf_buf_str(&tmp), tmp.len);
        zf_hex_encode(sha, d, sizeof d);
    }
    if ((rc = add_mem(&b, "case.json", zf_buf_str(&tmp), tmp.len, 1, "case",
                      json_pack("{s:o}", "covered_by", covered_by(&b, "case", id, sha, NULL)), NULL)) < 0)
        goto done;
    zf_buf_reset(&tmp);
    if ((rc = zf_archive_record_get(&tmp, sha, c->db, id, &c->err)) < 0)
        goto done;
    if (rc == 1 && (rc = add_mem(&b, "archive.json", zf_buf_str(&tmp), tmp.len, 1, "archive_record",
                                 json_pack("{s:o}", "covered_by", covered_by(&b, "case", id, sha, "case_archive")),
                                 NULL)) < 0)
        goto done;
    if ((rc = add_documents(&b, c, k, authority, base, index, &pages)) < 0 ||
        (rc = add_cover_and_index(&b, c, k, authority, base, index, pages)) < 0 ||
        (rc = add_evidence(&b, c, id)) < 0 || (rc = add_events(&b, c->db, cp.tree_size, cp.root_hex)) < 0)
        goto done;
    if ((rc = add_mem(&b, "ledger/checkpoint.txt", cp.note, strlen(cp.note), 0, "checkpoint",
                      json_pack("{s:I, s:s, s:s}", "tree_size", (json_int_t)cp.tree_size, "root", cp.root_hex,
                                "key_id", cp.key_id),
                      NULL)) < 0)
        goto done;
    zf_buf_reset(&tmp);
    if ((rc = zf_sign_key_public_pem(&tmp, key, &c->err)) < 0 ||
        (rc = add_mem(&b, "ledger/public-key.pem", zf_buf_str(&tmp), tmp.len, 0, "public_key",
                      json_pack("{s:s, s:s}", "key_id", zf_sign_key_id(key), "algorithm",
                                zf_sign_alg_name(zf_sign_key_alg(key))),
                      NULL)) < 0)
        goto done;
    {
        char when[21];
        const zf_wf_procedure *p = zf_workflow_procedure(k->procedure);

        zf_ledger_rfc3339(when, c->now);
        manifest = json_pack("{s:s, s:s, s:{s:I, s:s, s:s, s:s, s:s, s:s, s:I}, s:s, s:s, s:s, s:O}", "format",
                             ZF_BUNDLE_FORMAT, "generated_at", when, "case", "id", (json_int_t)id, "case_no",
                             k->case_no, "title", k->title, "department", authority, "procedure",
                             p ? p->name : k->procedure, "stage", k->stage, "department_id",
                             (json_int_t)k->department_id, "checkpoint", "ledger/checkpoint.txt", "public_key",
                             "ledger/public-key.pem", "events", "ledger/events.json", "files", b.files);
        json_object_set_new(json_object_get(manifest, "case"), "archived_at",
                            k->archived_at ? json_integer(k->archived_at) : json_null());
    }
    text = json_dumps(manifest, JSON_INDENT(1));
    if ((rc = header(&b, "manifest.json", strlen(text), 1)) < 0 || (rc = put(&b, text, strlen(text), "manifest.json")) < 0)
        goto done;
    if (archive_write_close(b.a) != ARCHIVE_OK) {
        rc = arc_fail(&b, "close");
        goto done;
    }
    c->file_path = zf_strdup(path);
    c->content_type = "application/zip";
    c->status = 200;
    snprintf(disp, sizeof disp, "attachment; filename=\"case-%lld-bundle.zip\"", (long long)id);
    zf_ctx_header(c, "Content-Disposition", disp);
    rc = 0;
done:
    if (b.a)
        archive_write_free(b.a);
    if (fd >= 0) {
        close(fd);
        if (rc < 0)
            unlink(path);
    }
    for (size_t i = 0; i < b.n_evs; i++)
        free(b.evs[i].event);
    free(b.evs);
    free(text);
    json_decref(manifest);
    json_decref(index);
    json_decref(b.files);
    zf_buf_free(&tmp);
    zf_ledger_checkpoint_row_free(&cp);
    zf_sign_key_free(key);
    free(k);
    return rc;
}

const zf_route zf_bundle_routes[] = {
    {"GET", "/api/v1/cases/{id}/bundle", h_bundle, READERS, STAFF, resolve_case, 0, NULL},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL},
};
