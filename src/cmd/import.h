/* import.h — loading laws into the 法律法规库 (laws, law_articles).
 *
 * `zhifa import laws DIR` (zf_cmd_import in cmd.h) walks a folder of
 * Markdown files; zf_import_law_text is the piece it runs per file, exposed
 * so the demo city can load its statute excerpts through the same path. */
#ifndef ZF_CMD_IMPORT_H
#define ZF_CMD_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* What zf_import_law_text did, in *out_changed. */
enum {
    ZF_IMPORT_UNCHANGED = 0, /* a law with this title and the same file hash is stored */
    ZF_IMPORT_CHANGED = 1,   /* inserted, or an older text replaced (articles and all) */
    ZF_IMPORT_OLDER = 2      /* the store holds a newer version (later effective date)
                              * of the same title; left alone */
};

/* Parses text (one law in the layout core/lawdoc.h reads) and upserts it by
 * title: a new title is inserted with all its articles; a stored title whose
 * content_sha256 differs has its row updated and its articles replaced (the
 * law keeps its id, so matter_basis links survive); an identical text changes
 * nothing. source is recorded in laws.source (e.g. the file's path relative
 * to the import folder); its first path component, if it has one
 * ("行政法/行政处罚法(2021-01-22).md" → "行政法"), becomes laws.category.
 *
 * Does NOT open a transaction: the caller wraps the call (the import command
 * uses one transaction per file, the demo one for the whole city), so a
 * failure can be rolled back whole. Articles "第X条之N" are stored under
 * zf_lawdoc_storage_no(X, N).
 *
 * Returns 0 with *out_changed set (may be NULL), or a negative ZF_E* code
 * with err filled (parse errors carry the parser's Chinese message). */
int zf_import_law_text(zf_db *db, const char *text, size_t len, const char *source,
                       int64_t now, int *out_changed, zf_err *err);

#endif
