/* evidence.h — what the two halves of the evidence API share (not a public
 * contract: only src/api/evidence.c and src/api/evidence_upload.c include
 * it). evidence.c serves reads, metadata updates, the party view, retention
 * categories and the retention tick; evidence_upload.c streams uploads
 * (multipart, raw PUT, resumable Content-Range sessions, derivatives) into
 * the blob store and creates the records.
 *
 * Where things live: content in the blob store at DATA/evidence (blob.h),
 * resumable sessions' partial bytes in DATA/evidence-uploads/<token>.part,
 * everything else in the tables of migration 0004. */
#ifndef ZF_API_EVIDENCE_H
#define ZF_API_EVIDENCE_H

#include <stdint.h>

#include "api/api.h"
#include "blob/blob.h"

/* Route roles (see evidence.c's purpose comment for the reasoning). */
#define EV_UPLOADERS (ZF_ROLE_OFFICER | ZF_ROLE_HEAD)
#define EV_READERS (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD | ZF_ROLE_SUPERVISOR)
#define EV_OWN_DEPT (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD)

#define EV_PARTY_MAX 18
#define EV_REASON_MAX 200 /* code points */

/* Everything a client may say about a file when uploading it. Strings are
 * validated UTF-8 without control characters; "" when not given. */
typedef struct ev_meta {
    char kind[16];
    char content_type[128];
    char filename[256];
    char device[256];        /* the device's serial (filled from device_id when given) */
    int64_t device_id;       /* a registered device of the department, 0 = none */
    char officers[512];      /* compact JSON array of ids, "" until checked */
    char officers_in[512];   /* as given: "1,2" or "[1,2]" */
    int64_t started_at, ended_at, duration;
    int has_started, has_ended, has_duration;
    char location[600];
    int64_t case_id;         /* 0 = none */
    char party_id[EV_PARTY_MAX + 1];
    char party_name[300];
    char secrecy[24];
    char retention[32];
    char derivation[16];     /* derivatives only */
    uint64_t size;           /* resumable sessions only: the declared size */
    int has_size;
} ev_meta;

/* The process-wide blob store of data_dir, opened on first use. The first
 * call also removes every temp file left in tmp/ by an earlier process: it
 * runs under a lock before any writer of this process can exist, so nothing
 * in flight is touched. Borrowed; lives until exit. NULL with err set when
 * the store cannot be opened. */
zf_blob_store *ev_store(const char *data_dir, zf_err *err);

/* DATA/evidence-uploads/<token>.part into out. */
void ev_part_path(char *out, size_t n, const char *data_dir, const char *token);

/* Sets one metadata field from text (a form field, query parameter, header
 * or JSON member). Unknown keys are ZF_EINVAL "unknown_field" unless
 * ignore_unknown. */
int ev_meta_set(ev_meta *m, const char *key, const char *val, size_t len, int ignore_unknown,
                zf_err *err);
/* Sets every member of a JSON object (strings, integers, null, and an array
 * of integers for officers). */
int ev_meta_from_json(ev_meta *m, json_t *obj, zf_err *err);
/* Checks the whole set against the rules and the database (kind given,
 * times in order, officers exist, retention category exists, party
 * identifier's check digit, the recording device) and fills defaults.
 * derivative: kind may be empty, derivation is required. The device is a
 * registered one of department_id (the uploader's), not retired: device_id,
 * or a `device` naming its serial (clients from before the registry);
 * anything else is ZF_EINVAL "invalid_device". Both members are filled. */
int ev_meta_check(ev_meta *m, zf_db *db, int64_t department_id, int derivative, zf_err *err);

/* 18-character 统一社会信用代码 (GB 32100) or 身份证号 (GB 11643) with a
 * valid check character, normalised to upper case into out. */
int ev_party_normalise(char out[EV_PARTY_MAX + 1], const char *in, zf_err *err);

/* Appends the JSON object of evidence file id to *out (a new reference);
 * ZF_ENOTFOUND when absent. */
int ev_render(json_t **out, zf_db *db, int64_t id, zf_err *err);

/* Integer setting read live from the settings table (tests and operators
 * change it without a restart). */
int64_t ev_setting_int(zf_db *db, const char *key, int64_t def);

/* Appends months to a Unix time (calendar months, UTC). */
int64_t ev_add_months(int64_t t, int months);

/* Validates the optional `reason` query parameter: NULL when absent, else
 * ≤ EV_REASON_MAX code points of valid UTF-8. */
int ev_reason(const char **out, zf_ctx *c, int required);

#endif
