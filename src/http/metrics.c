/* metrics.c — see metrics.h.
 *
 * Series are kept in a fixed open-addressed table keyed by (method, route,
 * status); keys are pointers to static strings, compared by content once and
 * then claimed with a compare-and-swap, so the hot path is a few atomics. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 1024

static const double BUCKETS[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])

typedef struct series {
    _Atomic(const char *) route; /* NULL = free */
    const char *method;
    int status;
    _Atomic uint64_t count;
} series;

static series table[SLOTS];
static _Atomic uint64_t hist[NBUCKETS + 1];
static _Atomic uint64_t hist_count;
static _Atomic uint64_t hist_sum_us;
static _Atomic uint64_t db_errors;

static uint32_t hash(const char *method, const char *route, int status)
{
    uint32_t h = 2166136261u;
    const char *s;
    for (s = method; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    for (s = route; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h ^ (uint32_t)status * 2654435761u;
}

/* Methods come from the connection's memory; series keep static strings. */
static const char *intern_method(const char *m)
{
    static const char *const KNOWN[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL};
    size_t i;

    for (i = 0; KNOWN[i]; i++)
        if (strcmp(KNOWN[i], m) == 0)
            return KNOWN[i];
    return "OTHER";
}

void zf_metrics_request(const char *method_in, const char *route_key, int status, double seconds)
{
    const char *method = intern_method(method_in);
    uint32_t i, h = hash(method, route_key, status);
    size_t b;

    for (i = 0; i < SLOTS; i++) {
        series *s = &table[(h + i) % SLOTS];
        const char *cur = atomic_load(&s->route);
        if (cur == NULL) {
            const char *expected = NULL;
            /* claim the slot; method/status are written before the route
             * pointer becomes visible to other claimers */
            if (atomic_compare_exchange_strong(&s->route, &expected, (const char *)"")) {
                s->method = method;
                s->status = status;
                atomic_store(&s->route, route_key);
                cur = route_key;
            } else {
                cur = expected;
            }
        }
        while (cur[0] == '\0' && cur != route_key) /* being claimed */
            cur = atomic_load(&s->route);
        if (cur == route_key || (strcmp(cur, route_key) == 0)) {
            if (s->status == status && strcmp(s->method, method) == 0) {
                atomic_fetch_add(&s->count, 1);
                break;
            }
        }
    }
    for (b = 0; b < NBUCKETS && seconds > BUCKETS[b]; b++)
        ;
    atomic_fetch_add(&hist[b], 1);
    atomic_fetch_add(&hist_count, 1);
    atomic_fetch_add(&hist_sum_us, (uint64_t)(seconds * 1e6));
}

void zf_metrics_db_error(void)
{
    atomic_fetch_add(&db_errors, 1);
}

int zf_metrics_render(zf_buf *out)
{
    size_t i;
    uint64_t cum = 0;

    zf_buf_puts(out, "# HELP zhifa_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE zhifa_http_requests_total counter\n");
    for (i = 0; i < SLOTS; i++) {
        const char *r = atomic_load(&table[i].route);
        if (!r || !r[0])
            continue;
        zf_buf_printf(out, "zhifa_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                      table[i].method, r, table[i].status,
                      (unsigned long long)atomic_load(&table[i].count));
    }
    zf_buf_puts(out, "# HELP zhifa_http_request_duration_seconds Request latency.\n"
                     "# TYPE zhifa_http_request_duration_seconds histogram\n");
    for (i = 0; i < NBUCKETS; i++) {
        cum += atomic_load(&hist[i]);
        zf_buf_printf(out, "zhifa_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS[i],
                      (unsigned long long)cum);
    }
    cum += atomic_load(&hist[NBUCKETS]);
    zf_buf_printf(out, "zhifa_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                  (unsigned long long)cum);
    zf_buf_printf(out, "zhifa_http_request_duration_seconds_sum %.6f\n",
                  (double)atomic_load(&hist_sum_us) / 1e6);
    zf_buf_printf(out, "zhifa_http_request_duration_seconds_count %llu\n",
                  (unsigned long long)atomic_load(&hist_count));
    zf_buf_printf(out, "# HELP zhifa_db_errors_total Database errors.\n# TYPE zhifa_db_errors_total counter\n"
                       "zhifa_db_errors_total %llu\n",
                  (unsigned long long)atomic_load(&db_errors));
    return 0;
}
