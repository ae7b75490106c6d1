/* metrics.h — request counters by route and status, a latency histogram and
 * database errors, rendered in the Prometheus text format. Lock-free
 * (atomic counters), safe from every server thread. */
#ifndef ZF_METRICS_H
#define ZF_METRICS_H

#include "util/buf.h"

/* method may be any string (it is mapped to a static one); route_key
 * identifies the route (its pattern, or "static"/"not_found"),
 * must be a string that lives forever. */
void zf_metrics_request(const char *method, const char *route_key, int status, double seconds);
void zf_metrics_db_error(void);
/* Appends the exposition text to out. */
int zf_metrics_render(zf_buf *out);

#endif
