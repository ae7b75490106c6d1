/* form.h — the parser of application/x-www-form-urlencoded bodies, for the
 * portal's forms that work without JavaScript (the complaint form, the
 * tracking form).
 *
 * Outside input, so it is strict and bounded: at most ZF_FORM_MAX_FIELDS
 * fields, names of [A-Za-z0-9_] only, no name twice, percent escapes of two
 * hex digits, '+' for a space, values that decode to UTF-8 without NUL or
 * other control characters but tab, line feed and carriage return (CR LF is
 * folded to LF, as browsers send text areas). Pure, thread-safe. */
#ifndef ZF_WEB_FORM_H
#define ZF_WEB_FORM_H

#include <stddef.h>

#include "util/err.h"

#define ZF_FORM_MAX_FIELDS 32
#define ZF_FORM_MAX_BYTES (64 * 1024)

typedef struct zf_form zf_form; /* opaque */

/* Parses body[0..len). On failure returns ZF_EINVAL ("form_invalid", with the
 * field when one is to blame) or ZF_ETOOBIG; *out is then NULL. The caller
 * frees *out with zf_form_free. */
int zf_form_parse(zf_form **out, const char *body, size_t len, zf_err *err);

/* An empty form, to be filled with zf_form_add (the text parts of a
 * multipart/form-data body). The caller frees it with zf_form_free. */
zf_form *zf_form_new(void);

/* Adds field name with the raw value[0..len) under the same rules as
 * zf_form_parse (name charset, no name twice, UTF-8 without controls but tab
 * and LF, CR LF folded, at most ZF_FORM_MAX_FIELDS). ZF_EINVAL "form_invalid". */
int zf_form_add(zf_form *f, const char *name, const char *value, size_t len, zf_err *err);

/* The decoded value of name, or NULL when the form has no such field.
 * Borrowed from f. */
const char *zf_form_get(const zf_form *f, const char *name);

/* Number of fields, and the i-th name (borrowed). */
size_t zf_form_count(const zf_form *f);
const char *zf_form_name(const zf_form *f, size_t i);

void zf_form_free(zf_form *f);

#endif
