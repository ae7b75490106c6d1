/* cockpit_bench.c — issue 8 "Speed": the cockpit's city view over N cases
 * (default 1,000,000).
 *
 *   cockpit_bench DB [N]
 *
 * DB is the zhifa.db of a data directory made by `zhifa init DIR --demo`
 * (bench/cockpit_bench.sh does that and then measures over HTTP as well).
 * Adds N penalty cases spread over the demo's enforcement departments, each
 * with a 主办 officer and a creation event; every third has a publication
 * (on time, late or overdue), every tenth a legal review round, every
 * hundredth a withdrawn publication. Then measures, in process:
 *   - the full recomputation (zf_cockpit_refresh: every figure and rule),
 *   - the city view read from the precomputed figures (zf_cockpit_view),
 * and prints Markdown rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/cockpit_store.h"
#include "store/db.h"

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void die(const char *what, const zf_err *err)
{
    fprintf(stderr, "cockpit_bench: %s: %s %s\n", what, err ? err->code : "", err ? err->message : "");
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* ids of the demo's enforcement departments and one active officer of each */
static int load_depts(zf_db *db, int64_t *dept, int64_t *off, int max, zf_err *err)
{
    zf_stmt *s = NULL;
    int n = 0, rc;

    if (zf_db_prepare(&s, db, "SELECT d.id, MIN(o.id) FROM departments d JOIN officers o ON o.department_id = d.id "
                              "WHERE d.kind = 'enforcement' GROUP BY d.id ORDER BY d.id", err) < 0)
        return -1;
    while ((rc = zf_stmt_step(s, err)) == 1 && n < max) {
        dept[n] = zf_stmt_int64(s, 0);
        off[n] = zf_stmt_int64(s, 1);
        n++;
    }
    zf_stmt_free(s);
    return rc < 0 ? -1 : n;
}

static void exec1(zf_db *db, const char *sql, const int64_t *v, int nv, zf_err *err)
{
    zf_stmt *s = NULL;
    int i;

    if (zf_db_prepare(&s, db, sql, err) < 0)
        die("prepare", err);
    for (i = 0; i < nv; i++)
        zf_stmt_bind_int64(s, i + 1, v[i]);
    if (zf_stmt_step(s, err) < 0)
        die("insert", err);
    zf_stmt_free(s);
}

int main(int argc, char **argv)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    int64_t n = argc > 2 ? atoll(argv[2]) : 1000000, i, now = (int64_t)time(NULL), user = 1, existing = 0;
    int64_t dept[64], off[64], refresh_ms = 0;
    int nd, k;
    struct timespec t0;
    double times[21];
    json_t *v = NULL;

    if (argc < 2) {
        fprintf(stderr, "usage: cockpit_bench DB [N]\n");
        return 2;
    }
    if (zf_db_open(&db, argv[1], &err) < 0 || zf_db_migrate(db, &err) < 0)
        die("open", &err);
    if ((nd = load_depts(db, dept, off, 64, &err)) <= 0)
        die("departments", &err);
    zf_db_query_int64(db, &existing, "SELECT COUNT(*) FROM cases", &err, 0, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = existing; i < n; i++) {
        int d = (int)(i % nd);
        int64_t created = now - (i % 720) * 86400, cid;
        zf_stmt *s = NULL;

        if ((i - existing) % 50000 == 0 && i > existing && zf_db_commit(db, &err) < 0)
            die("commit", &err);
        if ((i - existing) % 50000 == 0 && zf_db_begin(db, &err) < 0)
            die("begin", &err);
        if (zf_db_prepare(&s, db,
                          "INSERT INTO cases (department_id, procedure, power_type, stage, title, outcome, fine_fen, "
                          "stage_entered_at, created_by, created_at, updated_at) VALUES ($1, 'penalty_general', "
                          "'penalty', $2, '基准测试案件', $3, $4, $5, $6, $5, $5) RETURNING id",
                          &err) < 0)
            die("prepare", &err);
        zf_stmt_bind_int64(s, 1, dept[d]);
        zf_stmt_bind_text(s, 2, i % 4 == 0 ? "closed" : i % 4 == 1 ? "investigation" : i % 4 == 2 ? "decision" : "service", -1);
        zf_stmt_bind_text(s, 3, i % 4 == 0 || i % 4 == 3 ? "penalty" : "", -1);
        if (i % 4 == 0)
            zf_stmt_bind_int64(s, 4, 100000 + (i % 50) * 1000);
        else
            zf_stmt_bind_null(s, 4);
        zf_stmt_bind_int64(s, 5, created);
        zf_stmt_bind_int64(s, 6, user);
        if (zf_stmt_step(s, &err) != 1)
            die("case", &err);
        cid = zf_stmt_int64(s, 0);
        zf_stmt_free(s);
        {
            int64_t a[2] = {cid, off[d]};
            exec1(db, "INSERT INTO case_officers (case_id, officer_id, position) VALUES ($1, $2, 0)", a, 2, &err);
        }
        {
            int64_t a[2] = {cid, created};
            exec1(db, "INSERT INTO case_events (case_id, action, to_stage, detail, at) VALUES ($1, 'create', "
                      "'source', '{}', $2)", a, 2, &err);
        }
        if (i % 3 == 0) {
            int64_t a[3] = {dept[d], cid, i % 9 == 0 ? 1 : 0};
            exec1(db, "INSERT INTO publications (department_id, case_id, kind, state, title, content, masked, "
                      "decision_date, due_date, on_time, published_on, created_at, updated_at) VALUES ($1, $2, "
                      "'penalty', CASE WHEN $3 = 1 THEN 'published' ELSE 'pending' END, '公示', '{}', '{}', "
                      "'2026-01-05', '2026-01-12', CASE WHEN $3 = 1 THEN 1 ELSE NULL END, "
                      "CASE WHEN $3 = 1 THEN '2026-01-09' ELSE NULL END, 0, 0)", a, 3, &err);
        }
        if (i % 100 == 1) {
            int64_t a[3] = {dept[d], cid, now - (i % 60) * 86400};
            exec1(db, "INSERT INTO publications (department_id, case_id, kind, state, title, content, masked, "
                      "decision_date, withdrawn_at, created_at, updated_at) VALUES ($1, $2, 'penalty', 'withdrawn', "
                      "'公示', '{}', '{}', '2026-01-05', $3, 0, 0)", a, 3, &err);
        }
        if (i % 10 == 2) {
            int64_t a[3] = {cid, dept[d], i % 20 == 2 ? 1 : 0};
            exec1(db, "INSERT INTO review_rounds (case_id, department_id, no, state, route, submitted_by, "
                      "submitted_on, submitted_at, due_on, outcome, concluded_on, created_at, updated_at) VALUES "
                      "($1, $2, 1, CASE WHEN $3 = 1 THEN 'concluded' ELSE 'in_review' END, 'department', '送审', "
                      "'2026-01-05', 0, '2026-01-08', CASE WHEN $3 = 1 THEN 'agree' ELSE '' END, "
                      "CASE WHEN $3 = 1 THEN '2026-01-07' ELSE NULL END, 0, 0)", a, 3, &err);
        }
    }
    if (n > existing && zf_db_commit(db, &err) < 0)
        die("commit", &err);
    if (n > existing)
        printf("| generate %lld cases (with events, officers, publications, reviews) | %.1f s |\n",
               (long long)(n - existing), ms_since(&t0) / 1000.0);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (zf_cockpit_refresh(&refresh_ms, db, now, &err) < 0)
        die("refresh", &err);
    printf("| full recomputation (zf_cockpit_refresh: figures + %s rules) | %.0f ms |\n", "all enabled",
           ms_since(&t0));
    for (k = 0; k < 21; k++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (zf_cockpit_view(&v, db, 0, now, &err) < 0)
            die("view", &err);
        times[k] = ms_since(&t0);
        json_decref(v);
    }
    qsort(times, 21, sizeof times[0], cmp_double);
    printf("| city view from the precomputed figures (zf_cockpit_view, median of 21) | %.2f ms (max %.2f) |\n",
           times[10], times[20]);
    zf_db_close(db);
    return 0;
}
