/* archive_store.h — the 案卷 record written when a case is archived (归档):
 * what the case's archive holds, fixed at that moment and put in the ledger.
 *
 * The record is the RFC 8785 JSON
 *
 *   {"format":"zhifa-archive-record/1", "case_id":N, "case_no":"…",
 *    "department_id":N, "archived_at":"RFC 3339 UTC",
 *    "case_sha256":"<zf_case_hash>",
 *    "documents":[{"id":N,"template":"…","doc_no":"…","content_sha256":"…"}…],
 *    "evidence":[{"id":N,"sha256":"…","size":N}…]}
 *
 * (final documents and stored evidence files of the case, each by id). It is
 * kept in case_archives and its SHA-256 is the content hash of the audit
 * row / ledger event "case_archive" (object case/ID), written in the same
 * transaction as the archiving itself. A bundle (api/bundle.c) carries the
 * record as archive.json; `zhifa verify --bundle` checks it against that
 * event and against the files in the bundle.
 *
 * Functions take the calling thread's connection and keep no state. */
#ifndef ZF_STORE_ARCHIVE_STORE_H
#define ZF_STORE_ARCHIVE_STORE_H

#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"

#define ZF_ARCHIVE_FORMAT "zhifa-archive-record/1"

/* Appends the canonical record of the case as it is now to out. */
int zf_archive_record_build(zf_buf *out, zf_db *db, int64_t case_id, int64_t archived_at,
                            zf_err *err);

/* Builds the record, stores it in case_archives (replacing none: a case is
 * archived once; ZF_ECONFLICT "already_archived" otherwise) and writes the
 * audit row and ledger event case_archive with its hash. MUST run inside
 * the caller's write transaction (the one archiving the case). out_sha (may
 * be NULL) receives the hash. */
int zf_archive_record_write(char out_sha[65], zf_db *db, int64_t case_id, int64_t actor_id,
                            const char *actor_name, const char *ip, const char *request_id,
                            int64_t now, zf_err *err);

/* The stored record: 1 with out (appended) and out_sha filled, 0 when the
 * case has none (not archived, or archived before this module existed). */
int zf_archive_record_get(zf_buf *out, char out_sha[65], zf_db *db, int64_t case_id, zf_err *err);

#endif
