/* doctpl_fields.h — private shorthand for the template tables in
 * doctpl_penalty.c and doctpl_license.c (not part of any public contract).
 * REQ / OPT say whether a field must be filled on save. */
#ifndef ZF_CORE_DOCTPL_FIELDS_H
#define ZF_CORE_DOCTPL_FIELDS_H

#include "core/doctpl.h"

#define REQ ZF_FIELD_REQUIRED
#define OPT 0u
#define DATA ZF_FIELD_NOPRINT
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define TXT(k, l, f, n) {k, l, ZF_FT_TEXT, f, n, 0, 0, NULL, NULL, 0}
#define LTXT(k, l, f, n) {k, l, ZF_FT_LONGTEXT, f, n, 0, 0, NULL, NULL, 0}
#define DATE(k, l, f) {k, l, ZF_FT_DATE, f, 0, 0, 0, NULL, NULL, 0}
#define DTIME(k, l, f) {k, l, ZF_FT_DATETIME, f, 0, 0, 0, NULL, NULL, 0}
#define MONEY(k, l, f) {k, l, ZF_FT_MONEY, f, 0, 0, 0, NULL, NULL, 0}
#define INT(k, l, f, lo, hi) {k, l, ZF_FT_INT, f, 0, lo, hi, NULL, NULL, 0}
#define ENUM(k, l, f, o) {k, l, ZF_FT_ENUM, f, 0, 0, 0, o, NULL, 0}
#define PARTY(k, l, f) {k, l, ZF_FT_PARTY, f, 0, 0, 0, NULL, NULL, 0}
#define OFFICERS(k, l, f, lo) {k, l, ZF_FT_OFFICERS, f, 10, lo, 0, NULL, NULL, 0}
#define LAWS(k, l, f) {k, l, ZF_FT_LAWREFS, f, 30, 0, 0, NULL, NULL, 0}
#define SIGS(k, l, roles) {k, l, ZF_FT_SIGNATURES, OPT, 12, 0, 0, roles, NULL, 0}
#define ROWS(k, l, f, n, cols) {k, l, ZF_FT_ROWS, f, n, 0, 0, NULL, cols, NELEM(cols)}
#define DOCNO {"doc_no", "文号", ZF_FT_DOCNO, ZF_FIELD_DERIVED, 0, 0, 0, NULL, NULL, 0}

#define TPL(code, name, group, kind, layout, fields, checks) \
    {code, name, group, kind, layout, fields, NELEM(fields), checks, NELEM(checks)}
#define TPL0(code, name, group, kind, layout, fields) \
    {code, name, group, kind, layout, fields, NELEM(fields), NULL, 0}

#endif
