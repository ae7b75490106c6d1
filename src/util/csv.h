/* csv.h — an RFC 4180 CSV field writer for exports read by spreadsheets.
 *
 * A field is quoted when it holds a comma, a quote, CR or LF, and also when
 * it begins with = + - @ or a tab, which spreadsheets would otherwise run as
 * a formula (CSV injection). */
#ifndef ZF_UTIL_CSV_H
#define ZF_UTIL_CSV_H

#include "util/buf.h"

/* Appends s as one field to b, preceded by a comma unless first. */
void zf_csv_put(zf_buf *b, const char *s, int first);

/* Ends a record (CRLF). */
void zf_csv_end_row(zf_buf *b);

#endif
