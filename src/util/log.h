/* log.h — the server's log: one JSON object per line on stderr, written
 * whole under a lock so lines from different threads never interleave. */
#ifndef ZF_LOG_H
#define ZF_LOG_H

/* Writes line plus '\n'. */
void zf_log_line(const char *line);

/* Writes {"ts":...,"level":level,"msg":msg, k1:v1, k2:n2, k3:n3} with
 * optional string/number pairs (NULL keys are skipped). */
void zf_log_event(const char *level, const char *msg, const char *k1, const char *v1,
                  const char *k2, long long n2, const char *k3, long long n3);

#endif
