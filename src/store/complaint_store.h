/* complaint_store.h — 投诉举报 (issue 8) in the store: receiving a complaint
 * from the portal (rate limit, tracking number, handling clock), the
 * complainant's progress view, the staff's masked and unmasked views, and
 * the handling actions (core/complaint.h decides which are allowed when).
 *
 * Every change is one transaction with its audit row and ledger event; the
 * events name the complaint's id only, never the complainant. Personal data
 * (name, phone, e-mail) leaves this module masked unless the caller asks for
 * it through zf_complaint_store_reveal, which records who looked and why. */
#ifndef ZF_COMPLAINT_STORE_H
#define ZF_COMPLAINT_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/complaint.h"
#include "store/db.h"
#include "util/err.h"

#define ZF_COMPLAINT_OBJECT "complaint" /* object_type of clocks and audit rows */
#define ZF_COMPLAINT_RULE "complaint_handle" /* the deadline rule */

struct zf_blob_store;

/* The store of attached files, DATA/complaint-files (blob.h), opened once
 * per process (blob.h allows one store per directory and process); NULL
 * with err set when it cannot be opened. Thread-safe. */
struct zf_blob_store *zf_complaint_files(const char *data_dir, zf_err *err);

/* Who acts, for the audit row. */
typedef struct zf_complaint_who {
    int64_t user_id;          /* 0: the public (the portal) */
    const char *username;
    const char *ip;
    const char *request_id;
} zf_complaint_who;

/* A file the complainant attached, already stored (durably) by the caller. */
typedef struct zf_complaint_file {
    char sha256[65];
    int64_t size;
    char filename[256];        /* as sent, last path component, may be "" */
    const char *content_type;  /* from the content's first bytes, never the header */
} zf_complaint_file;

#define ZF_COMPLAINT_MAX_FILES 3

/* A complaint as the portal form gives it, already checked for lengths and
 * UTF-8 by the caller. Empty strings for what was left out. */
typedef struct zf_complaint_new {
    int64_t department_id;
    const char *subject_kind;  /* officer, case, department */
    const char *subject_text;  /* officer name or certificate, case number */
    const char *content;
    const char *name, *phone, *email;
    const char *addr;          /* client address, for the rate limit only */
    int rate_limit;            /* submissions per address per hour */
    const zf_complaint_file *files; /* n_files (<= ZF_COMPLAINT_MAX_FILES) attachments */
    size_t n_files;
} zf_complaint_new;

/* Receives a complaint: checks the department exists (ZF_EINVAL "department_id"),
 * the address's rate (ZF_ELOCKED "rate_limited"), resolves an officer's
 * certificate number or a case number of that department when given, draws a
 * tracking number and query code (libsodium), starts the handling clock, and
 * writes row, event, audit and ledger in one transaction. out_no and
 * out_code receive what to show the complainant once. */
int zf_complaint_store_submit(char out_no[ZF_COMPLAINT_NO_LEN + 1],
                              char out_code[ZF_COMPLAINT_CODE_LEN + 1], int64_t *out_id, zf_db *db,
                              const zf_calendar *cal, const zf_complaint_new *in,
                              const zf_complaint_who *who, int64_t now, zf_err *err);

/* The complainant's view of a complaint: number, department, status, dates,
 * the public events and the reply; nothing of the complainant or the
 * handlers. ZF_ENOTFOUND ("not_found") alike for an unknown number and a
 * wrong code, so that the answer tells nothing of which. */
int zf_complaint_store_track(json_t **out, zf_db *db, const char *tracking_no, const char *code,
                             zf_err *err);

/* Whether user (role bits of api.h given as flags) handles complaint: the
 * Justice Bureau's supervisor, the head of its department, its assigned
 * handler. Returns 1/0, or a negative code (ZF_ENOTFOUND). */
int zf_complaint_store_is_handler(zf_db *db, int64_t id, int64_t user_id, int is_supervisor,
                                  int is_head, int64_t user_dept, zf_err *err);

/* The department of complaint id, or 0 when there is none. */
int64_t zf_complaint_store_department(zf_db *db, int64_t id, zf_err *err);

/* A list filter. */
typedef struct zf_complaint_filter {
    int64_t department_id;     /* 0 = all */
    const char *status;        /* NULL = any; "open" = not closed/rejected */
    int64_t handler_id;        /* 0 = any */
    int overdue_only;
    int64_t page, per_page;
} zf_complaint_filter;

/* {"items":[...masked...],"total":N,"page":..,"per_page":..}. Each item has
 * the deadline state (on_time, due_soon, overdue, done_on_time, done_late)
 * and working days left, computed on today. */
int zf_complaint_store_list(json_t **out, zf_db *db, const zf_calendar *cal,
                            const zf_complaint_filter *f, zf_date today, zf_err *err);

/* One complaint with all its events, personal data masked. */
int zf_complaint_store_get(json_t **out, zf_db *db, const zf_calendar *cal, int64_t id,
                           zf_date today, zf_err *err);

/* The complainant's name, phone and e-mail unmasked, after recording the
 * look (action complaint_personal_view, detail "reason=...") in the audit
 * trail and the ledger, in one transaction. */
int zf_complaint_store_reveal(json_t **out, zf_db *db, int64_t id, const char *reason,
                              const zf_complaint_who *who, int64_t now, zf_err *err);

/* Attachment attachment_id of complaint id (its hash, size, name, type),
 * after recording the look (action complaint_attachment_view, detail
 * "attachment=N; reason=...") in one transaction. ZF_ENOTFOUND when the
 * complaint has no such attachment. */
int zf_complaint_store_attachment(zf_complaint_file *out, zf_db *db, int64_t id, int64_t attachment_id,
                                  const char *reason, const zf_complaint_who *who, int64_t now, zf_err *err);

/* Takes a handling action (core/complaint.h) on complaint id. by says in
 * which capacity the actor acts (ZF_COMPLAINT_BY_*, or both); note is the
 * reason, reply or investigation note; handler_id the new handler for
 * assign (a user of the complaint's department, officer or head).
 * ZF_ECONFLICT when the status does not allow it, ZF_EPERM when by does not,
 * ZF_EINVAL for a missing note or handler. */
int zf_complaint_store_act(zf_db *db, const zf_calendar *cal, int64_t id, const char *action,
                           unsigned by, const char *note, int64_t handler_id,
                           const zf_complaint_who *who, int64_t now, zf_err *err);

#endif
