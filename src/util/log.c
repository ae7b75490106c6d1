/* log.c — see log.h. */
#include "util/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void zf_log_line(const char *line)
{
    pthread_mutex_lock(&log_mu);
    fputs(line, stderr);
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_mu);
}

void zf_log_event(const char *level, const char *msg, const char *k1, const char *v1,
                  const char *k2, long long n2, const char *k3, long long n3)
{
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;
    json_t *o;
    char *s;

    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    o = json_pack("{s:s,s:s,s:s}", "ts", ts, "level", level, "msg", msg);
    if (!o)
        return;
    if (k1)
        json_object_set_new(o, k1, json_string(v1 ? v1 : ""));
    if (k2)
        json_object_set_new(o, k2, json_integer(n2));
    if (k3)
        json_object_set_new(o, k3, json_integer(n3));
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (s) {
        zf_log_line(s);
        free(s);
    }
}
