/* content.c — turns a validated document into printable blocks (content.h).
 *
 * Letter layout (决定书, 通知书): authority, title, 文号, then the party lines
 * and each field in schema order as a labelled line (short values) or
 * paragraph (long text, legal references), the standard sentence on the
 * right to review or sue when the template names the organs, signature lines
 * and the seal block with the decision date.
 * Form layout (表, 笔录, 回证): authority, title, then one label / value row
 * per field, tables for list fields, then signature lines. */
#include "render/content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

static int code_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n < 4 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
            return 0;
    return 1;
}

/* http(s) URL of printable ASCII without quotes, spaces, '<' '>' or '\\'. */
static int base_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n > 512 || (strncmp(s ? s : "", "https://", 8) != 0 && strncmp(s ? s : "", "http://", 7) != 0))
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] >= 0x7F || strchr("\"'<>\\`", s[i]))
            return 0;
    return n > 8;
}

void zf_rdoc_human_date(char *out, size_t cap, const char *iso)
{
    int y, m, d, h, mi;
    size_t n = iso ? strlen(iso) : 0;

    if ((n == 10 || n == 16 || n == 19) && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3) {
        if (n >= 16 && sscanf(iso + 11, "%2d:%2d", &h, &mi) == 2)
            snprintf(out, cap, "%d年%d月%d日%d时%02d分", y, m, d, h, mi);
        else
            snprintf(out, cap, "%d年%d月%d日", y, m, d);
        return;
    }
    snprintf(out, cap, "%s", iso ? iso : "");
}

static zf_rblock *add(zf_rdoc *doc, zf_rblock_kind kind, const char *label, const char *text)
{
    zf_rblock *b;

    if (doc->count == doc->cap) {
        doc->cap = doc->cap ? doc->cap * 2 : 32;
        doc->blocks = zf_realloc(doc->blocks, doc->cap * sizeof *doc->blocks);
    }
    b = &doc->blocks[doc->count++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->label = zf_strdup(label ? label : "");
    b->text = zf_strdup(text ? text : "");
    b->extra = zf_strdup("");
    return b;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

/* A value as one line of text, for fields that are not blocks of their own. */
static void value_text(zf_buf *b, const zf_doc_field *f, const json_t *v)
{
    char tmp[64];
    size_t i;
    int64_t fen;

    switch (f->type) {
    case ZF_FT_DATE:
    case ZF_FT_DATETIME:
        zf_rdoc_human_date(tmp, sizeof tmp, json_string_value(v));
        zf_buf_puts(b, tmp);
        break;
    case ZF_FT_MONEY:
        if (zf_doc_money_fen(&fen, v) == 0 && zf_doc_money_format(tmp, sizeof tmp, fen) > 0)
            zf_buf_puts(b, tmp);
        break;
    case ZF_FT_INT:
        zf_buf_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    case ZF_FT_OFFICERS:
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *o = json_array_get(v, i);

            zf_buf_printf(b, "%s%s（执法证号：%s）", i ? "、" : "", str(o, "name"),
                          str(o, "cert_no"));
        }
        break;
    case ZF_FT_LAWREFS:
        for (i = 0; i < json_array_size(v); i++) {
            const json_t *o = json_array_get(v, i);
            const char *law = str(o, "law");
            int quoted = strncmp(law, "《", 3) == 0;

            zf_buf_printf(b, "%s%s%s%s%s%s", i ? "、" : "", quoted ? "" : "《", law,
                          quoted ? "" : "》", str(o, "article"), str(o, "clause"));
        }
        break;
    default:
        if (json_is_string(v))
            zf_buf_puts(b, json_string_value(v));
        break;
    }
}

static void party_lines(zf_rdoc *doc, const zf_doc_field *f, const json_t *p, int form)
{
    const char *type = str(p, "type");
    int person = strcmp(type, "自然人") == 0;
    zf_buf b = ZF_BUF_INIT;

    if (form) {
        zf_buf_printf(&b, "%s（%s）", str(p, "name"), type);
        if (*str(p, "id_no"))
            zf_buf_printf(&b, "\n%s：%s", *str(p, "id_type") ? str(p, "id_type") : "证件号码",
                          str(p, "id_no"));
        if (*str(p, "legal_rep"))
            zf_buf_printf(&b, "\n%s：%s", person ? "监护人" : "法定代表人（负责人）",
                          str(p, "legal_rep"));
        if (*str(p, "address"))
            zf_buf_printf(&b, "\n%s：%s", person ? "住址" : "住所", str(p, "address"));
        if (*str(p, "phone"))
            zf_buf_printf(&b, "\n联系电话：%s", str(p, "phone"));
        add(doc, ZF_RB_ROW, f->label, zf_buf_str(&b));
        zf_buf_free(&b);
        return;
    }
    add(doc, ZF_RB_LINE, f->label, str(p, "name"));
    if (*str(p, "id_no"))
        add(doc, ZF_RB_LINE, *str(p, "id_type") ? str(p, "id_type") : "证件号码",
            str(p, "id_no"));
    if (*str(p, "legal_rep"))
        add(doc, ZF_RB_LINE,
            strcmp(type, "个体工商户") == 0 ? "经营者" : "法定代表人（负责人）",
            str(p, "legal_rep"));
    if (*str(p, "address"))
        add(doc, ZF_RB_LINE, person ? "住址" : "住所", str(p, "address"));
    if (*str(p, "phone"))
        add(doc, ZF_RB_LINE, "联系电话", str(p, "phone"));
}

static void table(zf_rdoc *doc, const zf_doc_field *f, const json_t *rows)
{
    zf_rblock *b = add(doc, ZF_RB_TABLE, f->label, "");
    size_t r, c, nrows = json_array_size(rows), k = 0;

    b->ncols = f->column_count + 1;
    b->ncells = b->ncols * (nrows + 1);
    b->cells = zf_calloc(b->ncells, sizeof *b->cells);
    b->cells[k++] = zf_strdup("序号");
    for (c = 0; c < f->column_count; c++)
        b->cells[k++] = zf_strdup(f->columns[c].label);
    for (r = 0; r < nrows; r++) {
        const json_t *row = json_array_get(rows, r);
        char no[24];

        snprintf(no, sizeof no, "%zu", r + 1);
        b->cells[k++] = zf_strdup(no);
        for (c = 0; c < f->column_count; c++) {
            zf_buf v = ZF_BUF_INIT;
            const json_t *cv = json_object_get(row, f->columns[c].key);

            if (cv && !json_is_null(cv))
                value_text(&v, &f->columns[c], cv);
            b->cells[k++] = zf_buf_detach(&v);
        }
    }
}

/* The decision date that goes beside the seal, and so not in the body. */
static const char *seal_date_key(const zf_doctpl *tpl)
{
    static const char *const keys[] = {"decision_date", "decision_time", "issue_date", NULL};
    size_t i;

    for (i = 0; keys[i]; i++)
        if (zf_doctpl_field(tpl, keys[i]))
            return keys[i];
    return NULL;
}

static zf_rblock *sign_block(zf_rdoc *doc, const char *role, const char *name, const char *at,
                            const zf_render_sig *sig)
{
    char when[64] = "";
    zf_rblock *b;

    zf_rdoc_human_date(when, sizeof when, at);
    b = add(doc, ZF_RB_SIGN, role, name);
    free(b->extra);
    b->extra = zf_strdup(when);
    b->sig = sig;
    return b;
}

static int has_slot(const zf_doc_field *f, const char *role)
{
    size_t i;

    for (i = 0; f && f->options && f->options[i]; i++)
        if (strcmp(f->options[i], role) == 0)
            return 1;
    return 0;
}

/* Signature lines: every slot of the template (f, may be NULL) gets its
 * lines, signed (in the fields, or captured on a tablet with the image) or
 * blank for a pen; captured signatures of a role without a slot follow. A
 * captured signature replaces a line of the fields with the same name. */
static void signatures(zf_rdoc *doc, const zf_doc_field *f, const json_t *sigs,
                       const zf_render_opts *opts)
{
    size_t i, j, k;

    for (i = 0; f && f->options && f->options[i]; i++) {
        int any = 0;

        for (k = 0; k < opts->nsigs; k++) {
            const zf_render_sig *g = &opts->sigs[k];

            if (strcmp(g->role, f->options[i]) != 0)
                continue;
            sign_block(doc, g->role, g->name, g->signed_at, g);
            any = 1;
        }
        for (j = 0; j < json_array_size(sigs); j++) {
            const json_t *s = json_array_get(sigs, j);
            int captured = 0;

            if (strcmp(str(s, "role"), f->options[i]) != 0)
                continue;
            for (k = 0; k < opts->nsigs; k++)
                if (strcmp(opts->sigs[k].role, f->options[i]) == 0 &&
                    strcmp(opts->sigs[k].name, str(s, "name")) == 0)
                    captured = 1;
            if (!captured)
                sign_block(doc, f->options[i], str(s, "name"), str(s, "signed_at"), NULL);
            any = 1;
        }
        if (!any)
            add(doc, ZF_RB_SIGN, f->options[i], "");
    }
    for (k = 0; k < opts->nsigs; k++)
        if (!has_slot(f, opts->sigs[k].role))
            sign_block(doc, opts->sigs[k].role, opts->sigs[k].name, opts->sigs[k].signed_at,
                       &opts->sigs[k]);
}

/* Bounded UTF-8 text for the options (the fields were checked by the
 * schema; these come from the caller). */
static int opt_text_ok(const char *s, size_t most)
{
    return s && *s && strlen(s) <= most && !strpbrk(s, "\r\n");
}

static int opts_check(const zf_render_opts *opts, zf_err *err)
{
    size_t i;

    if (!opts || !opts->authority || !*opts->authority || strlen(opts->authority) > 300)
        return zf_err_set(err, ZF_EINVAL, "bad_value", "authority", "缺少制作文书的行政机关名称");
    if (!((opts->draft || opts->report) && !opts->verify_code)) {
        if (!code_ok(opts->verify_code))
            return zf_err_set(err, ZF_EINVAL, "bad_value", "verify_code", "文书核验码无效");
        if (!base_ok(opts->verify_base))
            return zf_err_set(err, ZF_EINVAL, "bad_value", "verify_base", "核验网址无效");
    }
    if (opts->nsigs > ZF_RENDER_MAX_SIGS || (opts->nsigs && !opts->sigs))
        return zf_err_set(err, ZF_EINVAL, "bad_value", "sigs", "签名过多");
    for (i = 0; i < opts->nsigs; i++) {
        const zf_render_sig *g = &opts->sigs[i];

        if (!opt_text_ok(g->role, 60) || !opt_text_ok(g->name, 300) ||
            !g->signed_at || strlen(g->signed_at) > 19 || !g->png || g->png_len < 8 ||
            memcmp(g->png, "\x89PNG\r\n\x1a\n", 8) != 0)
            return zf_err_set(err, ZF_EINVAL, "bad_value", "sigs", "第%zu个签名无效", i + 1);
    }
    if (opts->seal) {
        const char *k = opts->seal->key_id;

        if (!opt_text_ok(opts->seal->department, 300) || !k || strlen(k) != 16 ||
            strspn(k, "0123456789abcdef") != 16)
            return zf_err_set(err, ZF_EINVAL, "bad_value", "seal", "电子印章信息无效");
    }
    return 0;
}

int zf_rdoc_build(zf_rdoc **out, const zf_doctpl *tpl, const json_t *fields,
                  const zf_render_opts *opts, zf_err *err)
{
    zf_rdoc *doc = NULL;
    const char *seal_key;
    const json_t *sig_field = NULL;
    const zf_doc_field *sig_def = NULL;
    int rc, form;
    size_t i, n;

    *out = NULL;
    if ((rc = zf_doc_validate(tpl, fields, err)) < 0)
        return rc;
    if ((rc = opts_check(opts, err)) < 0)
        return rc;

    doc = zf_calloc(1, sizeof *doc);
    doc->tpl = tpl;
    doc->draft = opts->draft != 0;
    if (opts->verify_code) {
        zf_buf u = ZF_BUF_INIT;

        doc->verify_code = zf_strdup(opts->verify_code);
        n = strlen(opts->verify_base);
        while (n > 0 && opts->verify_base[n - 1] == '/')
            n--;
        zf_buf_append(&u, opts->verify_base, n);
        zf_buf_printf(&u, "/verify/document/%s", opts->verify_code);
        doc->verify_url = zf_buf_detach(&u);
    }
    form = tpl->layout == ZF_LAYOUT_FORM;
    seal_key = form ? NULL : seal_date_key(tpl);

    add(doc, ZF_RB_AUTHORITY, "", opts->authority);
    add(doc, ZF_RB_TITLE, "", tpl->name);
    if (json_is_string(json_object_get(fields, "doc_no")) &&
        json_string_length(json_object_get(fields, "doc_no")) > 0)
        add(doc, ZF_RB_DOCNO, "", json_string_value(json_object_get(fields, "doc_no")));

    for (i = 0; i < tpl->field_count; i++) {
        const zf_doc_field *f = &tpl->fields[i];
        const json_t *v = json_object_get(fields, f->key);
        zf_buf b = ZF_BUF_INIT;

        if (f->type == ZF_FT_DOCNO || (f->flags & ZF_FIELD_NOPRINT) || (seal_key && strcmp(f->key, seal_key) == 0))
            continue;
        if (f->type == ZF_FT_SIGNATURES) {
            sig_field = v, sig_def = f;
            continue;
        }
        /* The two organs become one sentence (行政复议法: 60 days; 行政诉讼法
         * 第四十六条: six months). */
        if (strcmp(f->key, "court") == 0)
            continue;
        if (strcmp(f->key, "review_organ") == 0 && !form) {
            if (!v || !json_is_string(v) || !json_string_length(v))
                continue;
            zf_buf_printf(&b,
                          "如不服本决定，可以在收到本决定书之日起六十日内向%s申请行政复议，"
                          "也可以在六个月内依法向%s提起行政诉讼。",
                          json_string_value(v), str(fields, "court"));
            add(doc, ZF_RB_PARA, "", zf_buf_str(&b));
            zf_buf_free(&b);
            continue;
        }
        if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
            (json_is_array(v) && !json_array_size(v))) {
            /* Forms print every row, blank ones for a pen; letters skip them. */
            if (form && f->type != ZF_FT_ROWS)
                add(doc, ZF_RB_ROW, f->label, "");
            continue;
        }
        if (f->type == ZF_FT_PARTY) {
            party_lines(doc, f, v, form);
            continue;
        }
        if (f->type == ZF_FT_ROWS) {
            table(doc, f, v);
            continue;
        }
        if (form && f->type == ZF_FT_OFFICERS) {
            size_t k;

            for (k = 0; k < json_array_size(v); k++)
                zf_buf_printf(&b, "%s%s（执法证号：%s）", k ? "\n" : "",
                              str(json_array_get(v, k), "name"),
                              str(json_array_get(v, k), "cert_no"));
        } else {
            value_text(&b, f, v);
        }
        if (f->type == ZF_FT_MONEY && !form)
            add(doc, ZF_RB_LINE, f->label, zf_buf_str(&b));
        else if (form)
            add(doc, ZF_RB_ROW, f->label, zf_buf_str(&b));
        else if (f->type == ZF_FT_LONGTEXT || f->type == ZF_FT_LAWREFS ||
                 f->type == ZF_FT_OFFICERS)
            add(doc, ZF_RB_PARA, f->label, zf_buf_str(&b));
        else
            add(doc, ZF_RB_LINE, f->label, zf_buf_str(&b));
        zf_buf_free(&b);
    }
    if (form && zf_doctpl_field(tpl, "court") && zf_doctpl_field(tpl, "review_organ"))
        add(doc, ZF_RB_ROW, zf_doctpl_field(tpl, "court")->label, str(fields, "court"));
    if (sig_def || opts->nsigs)
        signatures(doc, sig_def, sig_field, opts);
    if (seal_key) {
        char when[64], d[11];

        /* A decision_time prints as its date beside the seal. */
        snprintf(d, sizeof d, "%.10s", str(fields, seal_key));
        zf_rdoc_human_date(when, sizeof when, d);
        add(doc, ZF_RB_SEAL, opts->authority, when)->seal = opts->seal;
    } else if (opts->seal) {
        /* A form sealed by the department: the seal over the authority's
         * name at the end, without a date of its own. */
        add(doc, ZF_RB_SEAL, opts->authority, "")->seal = opts->seal;
    }
    *out = doc;
    return 0;
}

void zf_rdoc_free(zf_rdoc *doc)
{
    size_t i, j;

    if (!doc)
        return;
    for (i = 0; i < doc->count; i++) {
        free(doc->blocks[i].label);
        free(doc->blocks[i].text);
        free(doc->blocks[i].extra);
        for (j = 0; j < doc->blocks[i].ncells; j++)
            free(doc->blocks[i].cells[j]);
        free(doc->blocks[i].cells);
    }
    free(doc->blocks);
    free(doc->verify_code);
    free(doc->verify_url);
    free(doc->footer);
    free(doc);
}

zf_rdoc *zf_rdoc_new(const char *footer)
{
    zf_rdoc *doc = zf_calloc(1, sizeof *doc);

    doc->footer = footer ? zf_strdup(footer) : NULL;
    return doc;
}

void zf_rdoc_add(zf_rdoc *doc, zf_rblock_kind kind, const char *label, const char *text)
{
    add(doc, kind, label, text);
}

void zf_rdoc_add_table(zf_rdoc *doc, const char *caption, size_t ncols, const char *const *cells,
                       size_t ncells)
{
    zf_rblock *b = add(doc, ZF_RB_TABLE, caption, "");
    size_t i;

    b->ncols = ncols;
    b->ncells = ncells;
    b->cells = zf_calloc(ncells ? ncells : 1, sizeof *b->cells);
    for (i = 0; i < ncells; i++)
        b->cells[i] = zf_strdup(cells[i] ? cells[i] : "");
}
