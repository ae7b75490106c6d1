/* template.c — see template.h.
 *
 * Compilation turns the source into a flat array of operations. A section
 * operation records the index just past its body, so rendering is a loop
 * over a range of the array that recurses only into section bodies and
 * partials; the context stack is a chain of frames on the C stack, so a
 * render allocates nothing but output. */
#include "web/template.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

typedef enum { OP_TEXT, OP_VAR, OP_RAW, OP_SECTION, OP_INVERTED, OP_PARTIAL } op_kind;

typedef struct op {
    op_kind kind;
    int line;          /* where the tag starts, for messages */
    const char *text;  /* OP_TEXT: points into zf_tpl.src */
    size_t len;
    char *name;        /* tags: the whole name, NUL-terminated */
    char **seg;        /* name split at '.'; nseg == 0 for "." */
    int nseg;
    size_t end;        /* sections: index of the first op after the body */
} op;

struct zf_tpl {
    char *name;
    char *src;         /* a private copy; text ops point into it */
    op *ops;
    size_t nops, cap;
};

typedef struct named_tpl {
    char *name;
    zf_tpl *tpl;
} named_tpl;

struct zf_tpl_set {
    named_tpl *items;
    size_t n, cap;
};

/* ---- compilation ---- */

static op *push_op(zf_tpl *t, op_kind kind, int line)
{
    op *o;

    if (t->nops == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->ops = zf_realloc(t->ops, t->cap * sizeof *t->ops);
    }
    o = &t->ops[t->nops++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->line = line;
    return o;
}

static void push_text(zf_tpl *t, const char *s, size_t len, int line)
{
    op *o;

    if (len == 0)
        return;
    o = push_op(t, OP_TEXT, line);
    o->text = s;
    o->len = len;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Trims [*b, *e) and checks the name: non-empty, no blanks, braces or NUL
 * inside, and either "." or dot-separated non-empty segments. */
static int clean_name(const char *s, size_t *b, size_t *e)
{
    size_t i;

    while (*b < *e && is_blank(s[*b]))
        (*b)++;
    while (*e > *b && is_blank(s[*e - 1]))
        (*e)--;
    if (*b == *e)
        return -1;
    if (*e - *b == 1 && s[*b] == '.')
        return 0;
    for (i = *b; i < *e; i++) {
        char ch = s[i];
        if (is_blank(ch) || ch == '{' || ch == '}' || ch == '\0')
            return -1;
        if (ch == '.' && (i == *b || i + 1 == *e || s[i + 1] == '.'))
            return -1;
    }
    return 0;
}

static void set_name(op *o, const char *s, size_t len)
{
    size_t i, start = 0;
    int n = 0;

    o->name = zf_strndup(s, len);
    if (len == 1 && s[0] == '.')
        return;
    for (i = 0; i < len; i++)
        if (s[i] == '.')
            n++;
    o->seg = zf_calloc((size_t)n + 1, sizeof *o->seg);
    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            o->seg[o->nseg++] = zf_strndup(s + start, i - start);
            start = i + 1;
        }
    }
}

static int lines_between(const char *s, size_t from, size_t to)
{
    int n = 0;

    for (; from < to; from++)
        if (s[from] == '\n')
            n++;
    return n;
}

/* The first occurrence of needle in s[0, n), or NULL; memmem is a GNU
 * extension outside the feature macros the build uses. */
static const char *find(const char *s, size_t n, const char *needle, size_t nlen)
{
    size_t i;

    for (i = 0; i + nlen <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, nlen) == 0)
            return s + i;
    return NULL;
}

/* A tag of this kind disappears with its line when it stands alone on it. */
static int may_stand_alone(char sigil)
{
    return sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '!';
}

int zf_tpl_compile(zf_tpl **out, const char *name, const char *src, size_t len, zf_err *err)
{
    zf_tpl *t = zf_calloc(1, sizeof *t);
    size_t open_at[ZF_TPL_MAX_NESTING];
    int depth = 0;
    size_t pos = 0, text_start = 0, counted = 0;
    int line = 1;
    int rc = 0;

    *out = NULL;
    t->name = zf_strdup(name ? name : "");
    t->src = zf_malloc(len + 1);
    if (len)
        memcpy(t->src, src, len);
    t->src[len] = '\0';
    src = t->src;

    for (;;) {
        const char *hit = pos < len ? find(src + pos, len - pos, "{{", 2) : NULL;
        size_t tag, inner_b, inner_e, tag_end, line_start, after;
        char sigil = 0;
        int tag_line, standalone = 0;
        op *o;

        if (!hit)
            break;
        tag = (size_t)(hit - src);
        line += lines_between(src, counted, tag);
        counted = tag;
        tag_line = line;
        if (tag + 2 < len && src[tag + 2] == '{') {
            const char *close = find(src + tag + 3, len - tag - 3, "}}}", 3);
            if (!close) {
                rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                                "模板 %s 第 %d 行：{{{ 没有对应的 }}}", t->name, tag_line);
                goto done;
            }
            sigil = '{';
            inner_b = tag + 3;
            inner_e = (size_t)(close - src);
            tag_end = inner_e + 3;
        } else {
            const char *close = find(src + tag + 2, len - tag - 2, "}}", 2);
            if (!close) {
                rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                                "模板 %s 第 %d 行：{{ 没有对应的 }}", t->name, tag_line);
                goto done;
            }
            inner_b = tag + 2;
            inner_e = (size_t)(close - src);
            tag_end = inner_e + 2;
            if (inner_b < inner_e && src[inner_b] != '\0' && strchr("#^/>!&", src[inner_b]))
                sigil = src[inner_b++];
        }

        /* Standalone: only blanks before the tag on its line and after it up
         * to the newline (or the end). Then the line vanishes entirely. */
        line_start = tag;
        while (line_start > text_start && (src[line_start - 1] == ' ' || src[line_start - 1] == '\t'))
            line_start--;
        after = tag_end;
        while (after < len && (src[after] == ' ' || src[after] == '\t' || src[after] == '\r'))
            after++;
        standalone = may_stand_alone(sigil) && (line_start == 0 || src[line_start - 1] == '\n') &&
                     (after == len || src[after] == '\n');
        push_text(t, src + text_start, (standalone ? line_start : tag) - text_start, line);
        text_start = pos = standalone ? (after < len ? after + 1 : len) : tag_end;

        if (sigil == '!')
            continue;
        if (clean_name(src, &inner_b, &inner_e) < 0) {
            rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                            "模板 %s 第 %d 行：标签中的名称无效", t->name, tag_line);
            goto done;
        }
        if (sigil == '/') {
            op *sec;
            size_t nlen = inner_e - inner_b;
            if (depth == 0) {
                rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                                "模板 %s 第 %d 行：{{/%.*s}} 没有对应的开始标签", t->name,
                                tag_line, (int)nlen, src + inner_b);
                goto done;
            }
            sec = &t->ops[open_at[depth - 1]];
            if (strlen(sec->name) != nlen || memcmp(sec->name, src + inner_b, nlen) != 0) {
                rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                                "模板 %s 第 %d 行：{{/%.*s}} 与第 %d 行的 {{#%s}} 不匹配",
                                t->name, tag_line, (int)nlen, src + inner_b, sec->line, sec->name);
                goto done;
            }
            sec->end = t->nops;
            depth--;
            continue;
        }
        o = push_op(t, sigil == '#'   ? OP_SECTION
                       : sigil == '^' ? OP_INVERTED
                       : sigil == '>' ? OP_PARTIAL
                       : (sigil == '{' || sigil == '&') ? OP_RAW
                                                        : OP_VAR,
                    tag_line);
        set_name(o, src + inner_b, inner_e - inner_b);
        if (o->kind == OP_SECTION || o->kind == OP_INVERTED) {
            if (depth == ZF_TPL_MAX_NESTING) {
                rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                                "模板 %s 第 %d 行：区块嵌套超过 %d 层", t->name, tag_line,
                                ZF_TPL_MAX_NESTING);
                goto done;
            }
            open_at[depth++] = t->nops - 1;
        }
    }
    if (depth > 0) {
        const op *sec = &t->ops[open_at[depth - 1]];
        rc = zf_err_set(err, ZF_EINVAL, "template_syntax", NULL,
                        "模板 %s 第 %d 行：区块 {{%c%s}} 没有闭合", t->name, sec->line,
                        sec->kind == OP_SECTION ? '#' : '^', sec->name);
        goto done;
    }
    line += lines_between(src, counted, len);
    push_text(t, src + text_start, len - text_start, line);
    *out = t;
    t = NULL;
done:
    zf_tpl_free(t);
    return rc;
}

void zf_tpl_free(zf_tpl *t)
{
    size_t i;
    int j;

    if (!t)
        return;
    for (i = 0; i < t->nops; i++) {
        free(t->ops[i].name);
        for (j = 0; j < t->ops[i].nseg; j++)
            free(t->ops[i].seg[j]);
        free(t->ops[i].seg);
    }
    free(t->ops);
    free(t->src);
    free(t->name);
    free(t);
}

/* ---- rendering ---- */

typedef struct frame {
    json_t *v;
    const struct frame *up;
} frame;

typedef struct render_state {
    zf_buf *out;
    const zf_tpl_set *set;
    zf_err *err;
    unsigned long steps;
} render_state;

/* Resolves o's name: the first segment from the innermost context out, the
 * rest inside what that found (as mustache does). Borrowed or NULL. */
static json_t *lookup(const frame *f, const op *o)
{
    json_t *v = NULL;
    int i;

    if (o->nseg == 0)
        return f ? f->v : NULL;
    for (; f; f = f->up)
        if (json_is_object(f->v) && (v = json_object_get(f->v, o->seg[0])) != NULL)
            break;
    for (i = 1; v && i < o->nseg; i++)
        v = json_is_object(v) ? json_object_get(v, o->seg[i]) : NULL;
    return v;
}

static int truthy(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE: return 0;
    case JSON_TRUE: return 1;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_OBJECT: return json_object_size(v) > 0;
    }
    return 0;
}

static int put_value(zf_buf *out, const json_t *v, int escape)
{
    char num[64];
    const char *s = NULL;
    size_t len = 0;

    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        s = json_string_value(v);
        len = json_string_length(v);
        break;
    case JSON_INTEGER:
        len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
        break;
    case JSON_REAL:
        len = (size_t)snprintf(num, sizeof num, "%.15g", json_real_value(v));
        s = num;
        break;
    case JSON_TRUE: s = "true", len = 4; break;
    case JSON_FALSE: s = "false", len = 5; break;
    default: return 0;
    }
    return escape ? zf_buf_put_html(out, s, len) : zf_buf_append(out, s, len);
}

static int render_range(render_state *rs, const zf_tpl *t, size_t from, size_t to,
                        const frame *f, int depth);

static int render_partial(render_state *rs, const op *o, const frame *f, int depth)
{
    const zf_tpl *p = rs->set ? zf_tpl_set_get(rs->set, o->name) : NULL;

    if (!p)
        return 0;
    if (depth + 1 > ZF_TPL_MAX_PARTIAL_DEPTH)
        return zf_err_set(rs->err, ZF_EINVAL, "template_depth", NULL,
                          "模板 %s 的嵌套引用超过 %d 层", o->name, ZF_TPL_MAX_PARTIAL_DEPTH);
    return render_range(rs, p, 0, p->nops, f, depth + 1);
}

static int render_section(render_state *rs, const zf_tpl *t, size_t i, const frame *f, int depth)
{
    const op *o = &t->ops[i];
    json_t *v = lookup(f, o);
    frame inner;
    size_t k;
    int rc = 0;

    if (o->kind == OP_INVERTED)
        return truthy(v) ? 0 : render_range(rs, t, i + 1, o->end, f, depth);
    if (!truthy(v))
        return 0;
    inner.up = f;
    if (json_is_array(v)) {
        for (k = 0; k < json_array_size(v) && rc == 0; k++) {
            inner.v = json_array_get(v, k);
            rc = render_range(rs, t, i + 1, o->end, &inner, depth);
        }
        return rc;
    }
    inner.v = v;
    return render_range(rs, t, i + 1, o->end, &inner, depth);
}

static int render_range(render_state *rs, const zf_tpl *t, size_t from, size_t to,
                        const frame *f, int depth)
{
    size_t i = from;
    int rc = 0;

    while (i < to && rc == 0) {
        const op *o = &t->ops[i];
        if (++rs->steps > ZF_TPL_MAX_STEPS) {
            rc = zf_err_set(rs->err, ZF_ETOOBIG, "template_too_long", NULL,
                            "页面内容过多，无法生成");
            break;
        }
        switch (o->kind) {
        case OP_TEXT: rc = zf_buf_append(rs->out, o->text, o->len); break;
        case OP_VAR: rc = put_value(rs->out, lookup(f, o), 1); break;
        case OP_RAW: rc = put_value(rs->out, lookup(f, o), 0); break;
        case OP_PARTIAL: rc = render_partial(rs, o, f, depth); break;
        case OP_SECTION:
        case OP_INVERTED:
            rc = render_section(rs, t, i, f, depth);
            i = o->end;
            continue;
        }
        i++;
    }
    return rc;
}

int zf_tpl_render(zf_buf *out, const zf_tpl *t, json_t *ctx, const zf_tpl_set *set, zf_err *err)
{
    render_state rs = {out, set, err, 0};
    frame top = {ctx, NULL};
    int rc;

    if (err)
        zf_err_clear(err);
    rc = render_range(&rs, t, 0, t->nops, &top, 0);
    /* Only the output buffer fails without saying why. */
    if (rc < 0 && err && err->rc != rc)
        zf_err_set(err, rc, "template_too_long", NULL, "页面内容过大，无法生成");
    return rc;
}

/* ---- sets ---- */

zf_tpl_set *zf_tpl_set_new(void)
{
    return zf_calloc(1, sizeof(zf_tpl_set));
}

void zf_tpl_set_free(zf_tpl_set *set)
{
    size_t i;

    if (!set)
        return;
    for (i = 0; i < set->n; i++) {
        free(set->items[i].name);
        zf_tpl_free(set->items[i].tpl);
    }
    free(set->items);
    free(set);
}

int zf_tpl_set_add(zf_tpl_set *set, const char *name, const char *src, size_t len, zf_err *err)
{
    zf_tpl *t = NULL;
    int rc;

    if (zf_tpl_set_get(set, name))
        return zf_err_set(err, ZF_ECONFLICT, "template_duplicate", NULL, "模板 %s 重复", name);
    if ((rc = zf_tpl_compile(&t, name, src, len, err)) < 0)
        return rc;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 8;
        set->items = zf_realloc(set->items, set->cap * sizeof *set->items);
    }
    set->items[set->n].name = zf_strdup(name);
    set->items[set->n].tpl = t;
    set->n++;
    return 0;
}

int zf_tpl_set_check(const zf_tpl_set *set, zf_err *err)
{
    size_t i, k;

    for (i = 0; i < set->n; i++) {
        const zf_tpl *t = set->items[i].tpl;
        for (k = 0; k < t->nops; k++)
            if (t->ops[k].kind == OP_PARTIAL && !zf_tpl_set_get(set, t->ops[k].name))
                return zf_err_set(err, ZF_ENOTFOUND, "template_missing", NULL,
                                  "模板 %s 第 %d 行引用的模板 %s 不存在", t->name,
                                  t->ops[k].line, t->ops[k].name);
    }
    return 0;
}

const zf_tpl *zf_tpl_set_get(const zf_tpl_set *set, const char *name)
{
    size_t i;

    /* A handful of templates: a linear scan beats hashing here. */
    for (i = 0; set && i < set->n; i++)
        if (strcmp(set->items[i].name, name) == 0)
            return set->items[i].tpl;
    return NULL;
}

int zf_tpl_set_render(zf_buf *out, const zf_tpl_set *set, const char *name, json_t *ctx,
                      zf_err *err)
{
    const zf_tpl *t = zf_tpl_set_get(set, name);

    if (!t)
        return zf_err_set(err, ZF_ENOTFOUND, "template_missing", NULL, "模板 %s 不存在", name);
    return zf_tpl_render(out, t, ctx, set, err);
}
