/* svg.h — inline SVG for the portal: a flowchart of a procedure drawn from
 * the workflow stage tables (core/workflow.h), and a QR code (libqrencode).
 *
 * Both append markup to a buffer that a template inserts unescaped, so every
 * text they place in the markup is HTML-escaped here. Pure computation, no
 * I/O; thread-safe. */
#ifndef ZF_WEB_SVG_H
#define ZF_WEB_SVG_H

#include <jansson.h>

#include "core/workflow.h"
#include "util/buf.h"
#include "util/err.h"

/* The workflow procedure a matter follows: its own `procedure` column when
 * that names a procedure, else the default of its power type (licensing ->
 * 行政许可, penalty -> 行政处罚普通程序, coercion -> 查封扣押, inspection ->
 * 行政检查, expropriation -> 行政征收征用). NULL for "other". */
const zf_wf_procedure *zf_svg_matter_procedure(const char *procedure, const char *power_type);

/* Draws p as a top-down flowchart: one box per stage in table order, an
 * arrow per (from, to) pair of its advancing actions — next-stage arrows
 * straight down with the action's name, jumps forward on the right, returns
 * on the left. The <svg> is role="img" with a <title> and <desc> (ids start
 * with id_prefix, which must be unique in the page). When steps is not NULL
 * it receives a new array, the text alternative, one object per stage:
 * {"stage": name, "actions": [{"name", "to"}], "records": "a、b",
 * "has_actions": bool, "final": bool}.
 * Returns 0, or ZF_ETOOBIG when out is full. */
int zf_svg_flowchart(zf_buf *out, json_t **steps, const zf_wf_procedure *p, const char *id_prefix);

/* A QR code of text (ECC level M, 8-bit) as an <svg> with a 4-module quiet
 * zone, role="img" and aria-label label. ZF_EINVAL when text cannot be
 * encoded (too long), ZF_ETOOBIG when out is full. */
int zf_svg_qr(zf_buf *out, const char *text, const char *label, zf_err *err);

/* A horizontal bar chart: one bar per label with its value written beside
 * it, scaled to the largest value (all zero: no bars, values still shown).
 * role="img" with a <title> (title) and a <desc> listing every "label:
 * value"; ids start with id_prefix, unique in the page. Labels are cut at
 * 14 characters. Returns 0, or ZF_ETOOBIG when out is full. */
int zf_svg_bars(zf_buf *out, const char *title, const char *id_prefix, const char *const *labels,
                const int64_t *values, size_t n);

#endif
