/* annual_doc.h — the annual report (core/annual.h) as a spreadsheet and as a
 * PDF, the two downloads of the portal, the console and the CLI.
 *
 * Both take the report object of store/annual_store.h (zf_annual_get_json:
 * department, year, as_of, state_name, published_on, report) or the city's
 * (department "全市", report = the sum). Amounts are shown in yuan.
 * Pure rendering, no database. Thread-safe (see pdf.h). */
#ifndef ZF_RENDER_ANNUAL_DOC_H
#define ZF_RENDER_ANNUAL_DOC_H

#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* Sheet "年报": 类别 | 统计项 | 件数 | 金额（元）, one row per item in
 * report order; sheet "说明": who, which year, as of when, state. */
int zf_annual_doc_xlsx(zf_buf *out, const json_t *meta, zf_err *err);

/* A4 PDF: title, the department and period, one table per section. */
int zf_annual_doc_pdf(zf_buf *out, const json_t *meta, zf_err *err);

/* "12,345.67" for an amount in fen. */
void zf_annual_doc_yuan(char *out, size_t cap, int64_t fen);

#endif
