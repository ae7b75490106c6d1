/* xlsx.h — spreadsheets (.xlsx) for the exports users open in Excel or WPS:
 * the 双公示 data-item export, list exports and the annual report.
 *
 * A workbook is built row by row into one or more sheets, each starting
 * with a bold, frozen header row; cells are text or numbers. libxlsxwriter
 * writes the package to a temporary file (it has no memory output in
 * Debian 12's version), which zf_xlsx_finish reads back into a buffer and
 * removes. Text is always written as text, never as a formula, so a cell
 * starting with "=" cannot run in the reader's spreadsheet.
 *
 * Not thread-safe per workbook; separate workbooks in separate threads are
 * fine. */
#ifndef ZF_RENDER_XLSX_H
#define ZF_RENDER_XLSX_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct zf_xlsx zf_xlsx; /* opaque */

/* Starts a workbook. *out is owned by the caller: zf_xlsx_finish or
 * zf_xlsx_free ends it. ZF_EIO when no temporary file can be made. */
int zf_xlsx_new(zf_xlsx **out, zf_err *err);

/* Adds a sheet named name (at most 31 characters; characters Excel refuses
 * in names are replaced) with header as its bold first row, ncols columns
 * each widths[i] characters wide (widths may be NULL: 16 each). Later cells
 * go to this sheet. ZF_EINVAL for an empty name or ncols 0. */
int zf_xlsx_sheet(zf_xlsx *x, const char *name, const char *const *header, const double *widths,
                  size_t ncols, zf_err *err);

/* The next cell of the current row: text (longer than Excel's 32,767
 * characters is cut at a character boundary), or a number. */
void zf_xlsx_text(zf_xlsx *x, const char *s);
void zf_xlsx_number(zf_xlsx *x, double v);
/* A row in bold (a title or a total), then moves on: zf_xlsx_text follows. */
void zf_xlsx_bold_next(zf_xlsx *x);
/* Ends the current row. */
void zf_xlsx_row_end(zf_xlsx *x);

/* Closes the workbook, appends the .xlsx bytes to out, removes the
 * temporary file and frees x (also on failure). ZF_EIO when the library
 * fails, ZF_ETOOBIG past out's limit. */
int zf_xlsx_finish(zf_buf *out, zf_xlsx *x, zf_err *err);

/* Abandons a workbook (NULL is fine). */
void zf_xlsx_free(zf_xlsx *x);

#endif
