/* template.h — a small mustache-style HTML template engine.
 *
 * Written by hand because no packaged C library fits: templates are compiled
 * once into a flat list of operations, then rendered any number of times,
 * from any number of threads, against a jansson value.
 *
 * Syntax (a subset of mustache):
 *   {{name}}            the value, HTML-escaped (& < > " ')
 *   {{{name}}} {{&name}} the value unescaped: only for HTML built by code
 *   {{#name}}..{{/name}} the body once per array item, once for any other
 *                       truthy value; the item becomes the new context and
 *                       names not found in it are looked up in outer ones
 *   {{^name}}..{{/name}} the body when name is falsey or missing
 *   {{> name}}          another template of the same set, in the current
 *                       context (layout head and foot, shared fragments)
 *   {{! comment}}       nothing
 * Names are dotted paths (site.name); "." is the current context. The first
 * segment is searched from the innermost context outwards, the remaining
 * segments inside what it found. Missing names render as nothing.
 * Falsey: missing, null, false, "", 0, 0.0, an empty array or object.
 * Numbers render as written (integers in full, reals with %g precision 15),
 * true/false as "true"/"false", objects and arrays as nothing.
 * A line holding only a section, inverted, close, partial or comment tag
 * (and blanks) leaves no blank line behind, as in mustache.
 *
 * Thread safety: a compiled template or set is read-only after compilation
 * and may be rendered concurrently; rendering allocates only in `out`. */
#ifndef ZF_TEMPLATE_H
#define ZF_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct zf_tpl zf_tpl;         /* one compiled template (opaque) */
typedef struct zf_tpl_set zf_tpl_set; /* named templates that may include each other */

/* Deepest nesting of sections within one template, and of partials within
 * one render; deeper input is refused (compile) or cut (render error). */
#define ZF_TPL_MAX_NESTING 64
#define ZF_TPL_MAX_PARTIAL_DEPTH 16
/* Most operations one render may execute: nested sections over arrays
 * multiply, and a render must end in bounded time whatever the input. */
#define ZF_TPL_MAX_STEPS 20000000UL

/* Compiles src (len bytes, need not be NUL-terminated) into *out, which the
 * caller frees with zf_tpl_free. name is used in error messages only. On a
 * syntax error (unclosed tag or section, mismatched close, bad name) returns
 * ZF_EINVAL with err->message naming the template and line, and *out NULL. */
int zf_tpl_compile(zf_tpl **out, const char *name, const char *src, size_t len, zf_err *err);
void zf_tpl_free(zf_tpl *t);

/* Renders t with ctx (borrowed; may be NULL) appended to out. Partials are
 * looked up in set (may be NULL: partials then render as nothing). Returns 0,
 * ZF_ETOOBIG when out's maximum or ZF_TPL_MAX_STEPS is reached, or ZF_EINVAL when partials nest
 * deeper than ZF_TPL_MAX_PARTIAL_DEPTH (a template including itself). */
int zf_tpl_render(zf_buf *out, const zf_tpl *t, json_t *ctx, const zf_tpl_set *set,
                  zf_err *err);

/* A set of named templates. Build it single-threaded, then share it. */
zf_tpl_set *zf_tpl_set_new(void);
void zf_tpl_set_free(zf_tpl_set *set);
/* Compiles src and adds it under name (copied). A name added twice is
 * ZF_ECONFLICT. */
int zf_tpl_set_add(zf_tpl_set *set, const char *name, const char *src, size_t len, zf_err *err);
/* Checks that every partial named by a template of the set exists in it;
 * ZF_ENOTFOUND naming the first missing one otherwise. */
int zf_tpl_set_check(const zf_tpl_set *set, zf_err *err);
/* The template of that name, or NULL. Borrowed from set. */
const zf_tpl *zf_tpl_set_get(const zf_tpl_set *set, const char *name);

/* Renders the template called name from set; ZF_ENOTFOUND if there is none. */
int zf_tpl_set_render(zf_buf *out, const zf_tpl_set *set, const char *name, json_t *ctx,
                      zf_err *err);

#endif
