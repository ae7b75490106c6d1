/* cases_gen.c — issue 5 "Speed": fills a real zhifa data directory's
 * zhifa.db (made by `zhifa init DIR --demo`) with N generated cases and
 * E events per case, through the one database API (store/db.h), for
 * bench/cases_bench.sh to measure the case list and the timeline over HTTP.
 *
 *   cases_gen DB N E
 *
 * Per case: a department of the demo city, a procedure and a stage of it
 * (core/workflow.h), 2 officers of the department, E case_events (the
 * create row, then actions spread over the case's life), one document and
 * one statutory clock (done for cases older than 100 days but 1 in 100,
 * which stays overdue; the recent ones open); then the list's counters and
 * keyword index (migrations 0023, 0027 and 0028) and the statistics' stage
 * durations (0027) as the store would keep them. A title holds its
 * department's short name (and in 1 in 500 cases the next department's), so
 * that a keyword can be common in the city and absent or rare in one
 * department. created_at
 * and updated_at are spread over the last three years. Rows go in case order
 * in transactions of 10 000 cases, as a busy city would write them over time.
 * Not a test of the rules: the data only has the shapes the queries read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/workflow.h"
#include "store/case_store.h"
#include "store/case_tsv.h"
#include "store/db.h"
#include "util/mem.h"

#define BATCH 10000

static const char SQL_INS_CASE[] =
                      "INSERT INTO cases (id, department_id, procedure, power_type, stage, flags, case_no, "
                      "title, summary, source, stage_entered_at, created_by, created_at, updated_at, "
                      "archived_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, '', '监督检查', $8, $9, $10, $11, $12)";
static const char SQL_INS_OFF[] =
                      "INSERT INTO case_officers (case_id, officer_id, position) VALUES ($1, $2, $3)";
static const char SQL_INS_EV[] =
                      "INSERT INTO case_events (case_id, action, from_stage, to_stage, actor_id, "
                      "actor_name, reason, detail, at) VALUES ($1, $2, $3, $4, $5, 'officer1', '', "
                      "'{\"clocks_started\":[],\"evidence\":[]}', $6)";
static const char SQL_INS_DOC[] =
                      "INSERT INTO case_documents (case_id, department_id, template, fields, status, "
                      "created_by, created_at, updated_at) VALUES ($1, $2, 'case_source', "
                      "'{\"source\":\"监督检查\"}', 'draft', $3, $4, $4)";
static const char SQL_INS_CLK[] =
                      "INSERT INTO clocks (rule_code, rule, object_type, object_id, department_id, "
                      "start_date, due_date, done_date, state, created_at, updated_at) VALUES "
                      "('penalty_decision_90d', $1, 'case', $2, $3, $4, $5, $6, 'on_time', $7, $7)";

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct dept {
    int64_t id;
    char word[64]; /* the department's short name, a word of its cases' titles */
    int64_t off[64];
    size_t n_off;
} dept;

static void die(const char *what, const zf_err *err)
{
    fprintf(stderr, "cases_gen: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

int main(int argc, char **argv)
{
    zf_db *db = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_stmt *st = NULL, *ins_case = NULL, *ins_off = NULL, *ins_ev = NULL, *ins_doc = NULL,
            *ins_clk = NULL;
    dept deps[64];
    size_t nd = 0, np, i;
    const zf_wf_procedure *procs;
    long n, e, k;
    int64_t base_id = 0, now = (int64_t)time(NULL), user_id = 1;
    static const char RULE[] =
        "{\"code\":\"penalty_decision_90d\",\"name\":\"行政处罚决定期限\",\"kind\":\"calendar_days\","
        "\"workdays\":0,\"month\":0,\"day\":0,\"year_offset\":0,\"extension_workdays\":0,"
        "\"pausable\":true,\"basis\":\"《行政处罚法》第六十条\",\"days\":90}";

    if (argc != 4 || (n = atol(argv[2])) <= 0 || (e = atol(argv[3])) < 1) {
        fprintf(stderr, "usage: cases_gen DB N EVENTS_PER_CASE\n");
        return 2;
    }
    if (zf_db_open(&db, argv[1], &err) < 0)
        die("open", &err);
    /* a bulk load: the WAL and fsync per batch are the server's business */
    zf_db_exec(db, "PRAGMA synchronous = OFF", NULL);
    if (zf_db_prepare(&st, db, "SELECT id, short_name FROM departments ORDER BY id", &err) < 0)
        die("departments", &err);
    while (zf_stmt_step(st, &err) == 1 && nd < 64) {
        deps[nd].id = zf_stmt_int64(st, 0);
        snprintf(deps[nd].word, sizeof deps[nd].word, "%s", zf_stmt_text(st, 1));
        if (!deps[nd].word[0])
            snprintf(deps[nd].word, sizeof deps[nd].word, "部门%lld", (long long)deps[nd].id);
        nd++;
    }
    zf_stmt_free(st);
    for (i = 0; i < nd; i++) {
        deps[i].n_off = 0;
        zf_db_prepare(&st, db, "SELECT id FROM officers WHERE department_id = $1 ORDER BY id", &err);
        zf_stmt_bind_int64(st, 1, deps[i].id);
        while (zf_stmt_step(st, &err) == 1 && deps[i].n_off < 64)
            deps[i].off[deps[i].n_off++] = zf_stmt_int64(st, 0);
        zf_stmt_free(st);
    }
    zf_db_prepare(&st, db, "SELECT COALESCE(MAX(id), 0) FROM cases", &err);
    if (zf_stmt_step(st, &err) == 1)
        base_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    zf_db_prepare(&st, db, "SELECT MIN(id) FROM users", &err);
    if (zf_stmt_step(st, &err) == 1)
        user_id = zf_stmt_int64(st, 0);
    zf_stmt_free(st);
    st = NULL;
    procs = zf_workflow_procedures(&np);
    if (nd == 0 || np == 0)
        die("no departments or procedures (run zhifa init --demo first)", NULL);


    for (k = 0; k < n; k++) {
        int64_t id = base_id + 1 + k;
        size_t di = rnd() % nd;
        dept *d = &deps[di];
        const zf_wf_procedure *p = &procs[rnd() % np];
        const zf_wf_stage *s = &p->stages[rnd() % p->n_stages];
        int64_t created = now - (int64_t)(rnd() % (3LL * 365 * 86400));
        int64_t updated = created + (int64_t)(rnd() % (90LL * 86400));
        char no[64], title[192], sd[16], dd[16], xd[16];
        time_t t;
        struct tm tm;
        long j;

        if (updated > now)
            updated = now;
        if (k % BATCH == 0 && zf_db_begin(db, &err) < 0)
            die("begin", &err);
        snprintf(no, sizeof no, "BENCH立〔%d〕%lld号", 2024 + (int)(k % 3), (long long)id);
        /* the department's word in every title of its cases, and in 1 in
         * 500 the next department's word too: a keyword common in the city
         * but absent (or rare) in one department (cases_bench.py) */
        snprintf(title, sizeof title, "生成案件 %lld 号（%s）%s", (long long)id, d->word,
                 rnd() % 500 == 0 ? deps[(di + 1) % nd].word : "");
        zf_db_prepare(&ins_case, db, SQL_INS_CASE, &err);
        zf_stmt_bind_int64(ins_case, 1, id);
        zf_stmt_bind_int64(ins_case, 2, d->id);
        zf_stmt_bind_text(ins_case, 3, p->code, -1);
        zf_stmt_bind_text(ins_case, 4, p->power, -1);
        zf_stmt_bind_text(ins_case, 5, s->code, -1);
        zf_stmt_bind_text(ins_case, 6, no, -1);
        zf_stmt_bind_text(ins_case, 7, title, -1);
        zf_stmt_bind_int64(ins_case, 8, updated);
        zf_stmt_bind_int64(ins_case, 9, user_id);
        zf_stmt_bind_int64(ins_case, 10, created);
        zf_stmt_bind_int64(ins_case, 11, updated);
        /* as the store does: archived_at is set on entering 归档 */
        if (s->traits & ZF_WF_ST_ARCHIVED)
            zf_stmt_bind_int64(ins_case, 12, updated);
        else
            zf_stmt_bind_null(ins_case, 12);
        if (zf_stmt_step(ins_case, &err) < 0)
            die("case", &err);
        zf_stmt_free(ins_case);
        for (j = 0; j < 2 && d->n_off; j++) {
            zf_db_prepare(&ins_off, db, SQL_INS_OFF, &err);
            zf_stmt_bind_int64(ins_off, 1, id);
            zf_stmt_bind_int64(ins_off, 2, d->off[(k + j) % d->n_off]);
            zf_stmt_bind_int64(ins_off, 3, j);
            if (d->n_off > 1 || j == 0)
                if (zf_stmt_step(ins_off, &err) < 0)
                    die("officer", &err);
            zf_stmt_free(ins_off);
        }
        for (j = 0; j < e; j++) {
            const zf_wf_stage *a = &p->stages[j % p->n_stages];

            zf_db_prepare(&ins_ev, db, SQL_INS_EV, &err);
            zf_stmt_bind_int64(ins_ev, 1, id);
            zf_stmt_bind_text(ins_ev, 2, j == 0 ? "create" : p->actions[j % p->n_actions].code, -1);
            if (j == 0)
                zf_stmt_bind_null(ins_ev, 3);
            else
                zf_stmt_bind_text(ins_ev, 3, a->code, -1);
            zf_stmt_bind_text(ins_ev, 4, a->code, -1);
            zf_stmt_bind_int64(ins_ev, 5, user_id);
            zf_stmt_bind_int64(ins_ev, 6, created + (updated - created) * j / e);
            if (zf_stmt_step(ins_ev, &err) < 0)
                die("event", &err);
            zf_stmt_free(ins_ev);
        }
        zf_db_prepare(&ins_doc, db, SQL_INS_DOC, &err);
        zf_stmt_bind_int64(ins_doc, 1, id);
        zf_stmt_bind_int64(ins_doc, 2, d->id);
        zf_stmt_bind_int64(ins_doc, 3, user_id);
        zf_stmt_bind_int64(ins_doc, 4, created);
        if (zf_stmt_step(ins_doc, &err) < 0)
            die("document", &err);
        zf_stmt_free(ins_doc);
        /* the 90-day clock: due 90 days after creation */
        t = (time_t)(created + 8 * 3600);
        gmtime_r(&t, &tm);
        strftime(sd, sizeof sd, "%Y-%m-%d", &tm);
        t += 90 * 86400;
        gmtime_r(&t, &tm);
        strftime(dd, sizeof dd, "%Y-%m-%d", &tm);
        t = (time_t)(updated + 8 * 3600);
        gmtime_r(&t, &tm);
        strftime(xd, sizeof xd, "%Y-%m-%d", &tm);
        zf_db_prepare(&ins_clk, db, SQL_INS_CLK, &err);
        zf_stmt_bind_text(ins_clk, 1, RULE, -1);
        zf_stmt_bind_int64(ins_clk, 2, id);
        zf_stmt_bind_int64(ins_clk, 3, d->id);
        zf_stmt_bind_text(ins_clk, 4, sd, -1);
        zf_stmt_bind_text(ins_clk, 5, dd, -1);
        /* met when the case moved on: cases older than 100 days have it
         * done but for 1 in 100, left overdue */
        if (now - created > 100LL * 86400 && rnd() % 100 != 0)
            zf_stmt_bind_text(ins_clk, 6, xd, -1);
        else
            zf_stmt_bind_null(ins_clk, 6);
        zf_stmt_bind_int64(ins_clk, 7, created);
        if (zf_stmt_step(ins_clk, &err) < 0)
            die("clock", &err);
        zf_stmt_free(ins_clk);
        if ((k + 1) % BATCH == 0 || k + 1 == n) {
            if (zf_db_commit(db, &err) < 0)
                die("commit", &err);
            if ((k + 1) % 100000 == 0)
                fprintf(stderr, "cases_gen: %ld cases\n", k + 1);
        }
    }
    /* what case_store.c keeps per case change (migration 0023), written
     * here in bulk: the counts of the list's common views, recomputed, and
     * the keyword index of the generated cases */
    if (zf_db_begin(db, &err) < 0 || zf_db_exec(db, "DELETE FROM case_counts", &err) < 0 ||
        zf_db_exec(db,
                   "INSERT INTO case_counts (department_id, procedure, power_type, stage, n) "
                   "SELECT department_id, procedure, power_type, stage, COUNT(*) FROM cases "
                   "GROUP BY department_id, procedure, power_type, stage",
                   &err) < 0)
        die("case_counts", &err);
    /* the stage durations of the statistics (migration 0027), recomputed
     * from the events by their definition */
    if (zf_db_exec(db, "DELETE FROM case_stage_times", &err) < 0 ||
        zf_db_exec(db,
                   "INSERT INTO case_stage_times (department_id, procedure, stage, n, seconds, max_seconds) "
                   "SELECT c.department_id, c.procedure, x.from_stage, COUNT(*), SUM(x.at - x.entered), "
                   "MAX(x.at - x.entered) FROM (SELECT e.case_id, e.from_stage, e.at, LAG(e.at) OVER "
                   "(PARTITION BY e.case_id ORDER BY e.id) AS entered FROM case_events e WHERE "
                   "e.from_stage IS NULL OR e.from_stage <> e.to_stage) x JOIN cases c ON c.id = x.case_id "
                   "WHERE x.from_stage IS NOT NULL AND x.entered IS NOT NULL "
                   "GROUP BY c.department_id, c.procedure, x.from_stage",
                   &err) < 0)
        die("case_stage_times", &err);
    /* the keyword index: case_fts on SQLite (scoped, ZF_CASE_FTS_INSERT); on
     * PostgreSQL the trigger of migration 0027 left every generated case
     * pending in case_tsv, and zf_case_tsv_fill computes them as the
     * server's tick would */
    if (strcmp(zf_db_dialect(db), "postgres") == 0) {
        int64_t filled = 0;
        do {
            if (zf_case_tsv_fill(&filled, db, 5000, &err) < 0)
                die("case_tsv", &err);
        } while (filled == 5000);
    } else {
        if (zf_db_prepare(&st, db, ZF_CASE_FTS_INSERT " WHERE id > $1", &err) < 0)
            die("case_fts", &err);
        zf_stmt_bind_int64(st, 1, base_id);
        if (zf_stmt_step(st, &err) < 0)
            die("case_fts", &err);
        zf_stmt_free(st);
    }
    if (zf_db_commit(db, &err) < 0)
        die("case_fts", &err);
    zf_db_exec(db, "ANALYZE", NULL);
    zf_db_close(db);
    printf("%ld cases, %ld events\n", n, n * e);
    return 0;
}
