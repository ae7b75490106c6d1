/* access_flags.c — see access_flags.h. */
#include "core/access_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define CHINA_OFFSET (8 * 3600)

const char *zf_access_flag_code(zf_access_flag_kind k)
{
    return k == ZF_ACCESS_BREADTH ? "breadth" : k == ZF_ACCESS_OFF_HOURS ? "off_hours" : "other_dept";
}

const char *zf_access_flag_name(zf_access_flag_kind k)
{
    return k == ZF_ACCESS_BREADTH     ? "短时间内大量查阅无关记录"
           : k == ZF_ACCESS_OFF_HOURS ? "非工作时间查阅"
                                      : "查阅其他部门的记录";
}

int zf_access_thresholds_check(const zf_access_thresholds *t, zf_err *err)
{
    if (t->window_hours < 1 || t->window_hours > 720)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "window_hours", "时间窗口应为 1 至 720 小时");
    if (t->max_subjects < 1 || t->max_subjects > 10000)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "max_subjects", "记录数阈值应为 1 至 10000");
    if (t->day_start < 0 || t->day_end > 24 || t->day_start >= t->day_end)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "day_start",
                          "工作时间应为 0 至 24 时之间，且开始早于结束");
    return 0;
}

/* "2026-11-27 21:05" in China time. */
static void when(char out[24], int64_t at)
{
    int64_t local = at + CHINA_OFFSET, day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int secs = (int)(local - day * 86400), y, m, d;

    zf_date_to_ymd((zf_date)day, &y, &m, &d);
    snprintf(out, 24, "%04d-%02d-%02d %02d:%02d", y, m, d, secs / 3600, secs / 60 % 60);
}

typedef struct flags {
    zf_access_flag *v;
    size_t n, cap;
} flags;

static zf_access_flag *push(flags *f, zf_access_flag_kind kind, const zf_access_row *r)
{
    zf_access_flag *x;

    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->v = zf_realloc(f->v, f->cap * sizeof *f->v);
    }
    x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->actor_id = r->actor_id;
    x->first_at = x->last_at = r->at;
    x->count = 1;
    x->row_ids[0] = r->id;
    x->n_rows = 1;
    return x;
}

/* The sort key of a row: qsort has no context argument in C11, so the
 * key carries what the comparison needs (and the function stays
 * thread-safe). */
typedef struct key {
    int64_t actor_id, at, id;
    size_t index;
} key;

static int by_actor_time(const void *a, const void *b)
{
    const key *x = a, *y = b;

    if (x->actor_id != y->actor_id)
        return x->actor_id < y->actor_id ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Distinct subjects of rows idx[l..r], counted by a small table. */
typedef struct tally {
    const char **subj;
    size_t *cnt;
    size_t n, cap;
} tally;

static void tally_add(tally *t, const char *s, int delta)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (strcmp(t->subj[i], s) == 0)
            break;
    if (i == t->n) {
        if (delta < 0)
            return;
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 32;
            t->subj = zf_realloc(t->subj, t->cap * sizeof *t->subj);
            t->cnt = zf_realloc(t->cnt, t->cap * sizeof *t->cnt);
        }
        t->subj[t->n] = s;
        t->cnt[t->n++] = 0;
    }
    if (delta > 0) {
        t->cnt[i]++;
    } else if (--t->cnt[i] == 0) {
        t->subj[i] = t->subj[t->n - 1];
        t->cnt[i] = t->cnt[t->n - 1];
        t->n--;
    }
}

/* Emits the breadth flag of window idx[l..r] with d distinct subjects. */
static void emit_breadth(flags *f, const zf_access_row *rows, const size_t *idx, size_t l, size_t r, size_t d,
                         const zf_access_thresholds *t)
{
    const zf_access_row *first = &rows[idx[l]];
    zf_access_flag *x = push(f, ZF_ACCESS_BREADTH, first);
    char a[24], b[24];
    size_t i;

    x->last_at = rows[idx[r]].at;
    x->count = d;
    x->n_rows = 0;
    for (i = l; i <= r && x->n_rows < 64; i++)
        x->row_ids[x->n_rows++] = rows[idx[i]].id;
    when(a, x->first_at);
    when(b, x->last_at);
    snprintf(x->explanation, sizeof x->explanation,
             "%s 在 %s 至 %s 期间（%d 小时窗口内）查阅了 %zu 个未承办的不同案件或当事人，超过阈值 %d 个",
             first->actor_name ? first->actor_name : "", a, b, t->window_hours, d, t->max_subjects);
}

static void find_breadth(flags *f, const zf_access_row *rows, size_t n, const zf_access_thresholds *t)
{
    size_t *idx = zf_malloc((n ? n : 1) * sizeof *idx), m = 0, start, end, l, r, i;
    key *keys = zf_malloc((n ? n : 1) * sizeof *keys);
    int64_t w = (int64_t)t->window_hours * 3600;
    tally tl = {0};

    for (i = 0; i < n; i++)
        if (!rows[i].related && rows[i].subject && *rows[i].subject) {
            keys[m].actor_id = rows[i].actor_id;
            keys[m].at = rows[i].at;
            keys[m].id = rows[i].id;
            keys[m++].index = i;
        }
    qsort(keys, m, sizeof *keys, by_actor_time);
    for (i = 0; i < m; i++)
        idx[i] = keys[i].index;
    free(keys);
    for (start = 0; start < m; start = end) {
        size_t best = 0, best_l = 0, best_r = 0;
        int above = 0;

        for (end = start; end < m && rows[idx[end]].actor_id == rows[idx[start]].actor_id; end++)
            ;
        tl.n = 0;
        for (l = r = start; r < end; r++) {
            tally_add(&tl, rows[idx[r]].subject, 1);
            while (rows[idx[r]].at - rows[idx[l]].at >= w)
                tally_add(&tl, rows[idx[l++]].subject, -1);
            if (tl.n > (size_t)t->max_subjects) {
                if (tl.n > best) {
                    best = tl.n;
                    best_l = l;
                    best_r = r;
                }
                above = 1;
            } else if (above) {
                emit_breadth(f, rows, idx, best_l, best_r, best, t);
                above = 0;
                best = 0;
            }
        }
        if (above)
            emit_breadth(f, rows, idx, best_l, best_r, best, t);
    }
    free(tl.subj);
    free(tl.cnt);
    free(idx);
}

static int cmp_flag(const void *a, const void *b)
{
    const zf_access_flag *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->first_at != y->first_at)
        return x->first_at < y->first_at ? -1 : 1;
    return x->row_ids[0] < y->row_ids[0] ? -1 : x->row_ids[0] > y->row_ids[0];
}

int zf_access_flags_find(zf_access_flag **out, size_t *out_n, const zf_access_row *rows, size_t n,
                         const zf_access_thresholds *t, const zf_calendar *cal, zf_err *err)
{
    flags f = {0};
    size_t i;
    int rc;

    *out = NULL;
    *out_n = 0;
    if ((rc = zf_access_thresholds_check(t, err)) < 0)
        return rc;
    for (i = 0; i < n; i++) {
        const zf_access_row *r = &rows[i];
        int64_t local = r->at + CHINA_OFFSET;
        zf_date day = (zf_date)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
        int hour = (int)((local - (int64_t)day * 86400) / 3600);
        int rest = cal ? !zf_calendar_is_workday(cal, day) : zf_date_weekday(day) >= 6;
        char a[24];

        if (rest || hour < t->day_start || hour >= t->day_end) {
            zf_access_flag *x = push(&f, ZF_ACCESS_OFF_HOURS, r);

            when(a, r->at);
            snprintf(x->explanation, sizeof x->explanation, "%s 于 %s 查阅，%s", r->actor_name ? r->actor_name : "",
                     a, rest ? "当天不是工作日" : "不在工作时间内");
            if (!rest)
                snprintf(x->explanation + strlen(x->explanation), sizeof x->explanation - strlen(x->explanation),
                         "（%02d:00–%02d:00）", t->day_start, t->day_end);
        }
        if (!r->cross_dept_ok && r->record_dept && r->actor_dept && r->record_dept != r->actor_dept) {
            zf_access_flag *x = push(&f, ZF_ACCESS_OTHER_DEPT, r);

            when(a, r->at);
            snprintf(x->explanation, sizeof x->explanation, "%s 于 %s 查阅了%s的记录，不是本部门的案件",
                     r->actor_name ? r->actor_name : "", a,
                     r->record_dept_name && *r->record_dept_name ? r->record_dept_name : "其他部门");
        }
    }
    find_breadth(&f, rows, n, t);
    if (f.n)
        qsort(f.v, f.n, sizeof *f.v, cmp_flag);
    *out = f.v;
    *out_n = f.n;
    return 0;
}
