/* api.h — what every request handler sees: the request context, the route
 * table entry, roles, and the JSON helpers for decoding input and encoding
 * output.
 *
 * Handlers know nothing of HTTP libraries: the http module fills a zf_ctx,
 * runs the authorization check declared by the route (zf_authz_check, the one
 * place permissions are decided), calls the handler and renders its result.
 * A handler returns 0 with c->status/c->out set, or a negative ZF_E* code with
 * c->err set; the http module then renders the standard error object. */
#ifndef ZF_API_H
#define ZF_API_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"

/* Roles, as bits so a route can list several. */
enum {
    ZF_ROLE_OFFICER = 1 << 0,    /* 执法人员 */
    ZF_ROLE_REVIEWER = 1 << 1,   /* 法制审核人员 */
    ZF_ROLE_HEAD = 1 << 2,       /* 部门负责人 */
    ZF_ROLE_PUBLICITY = 1 << 3,  /* 公示管理员 */
    ZF_ROLE_SUPERVISOR = 1 << 4, /* 司法局监督人员 */
    ZF_ROLE_AUDITOR = 1 << 5,    /* 审计员 */
    ZF_ROLE_ADMIN = 1 << 6,      /* 系统管理员 */
};
#define ZF_ROLES_ALL 0x7fu
#define ZF_ROLES_DEPT_STAFF (ZF_ROLE_OFFICER | ZF_ROLE_REVIEWER | ZF_ROLE_HEAD | ZF_ROLE_PUBLICITY)
/* Roles that may read the three libraries (not case content). */
#define ZF_ROLES_LIBRARY_READ (ZF_ROLES_DEPT_STAFF | ZF_ROLE_SUPERVISOR | ZF_ROLE_ADMIN)
/* Route flag in zf_route.roles: no login needed. */
#define ZF_PUBLIC 0x80000000u

/* Role code ("officer") <-> bit; Chinese name. Unknown gives 0 / NULL. */
unsigned zf_role_from_code(const char *code);
const char *zf_role_code(unsigned role);
const char *zf_role_name(unsigned role);

typedef struct zf_principal {
    int64_t user_id;
    char username[64];
    char display_name[128];
    unsigned role;             /* one ZF_ROLE_* bit */
    int64_t department_id;
    int via_token;             /* authenticated by an API token, not a cookie */
    int token_can_write;       /* the token's scope includes "write" */
    char csrf_token[64];       /* of the cookie session */
} zf_principal;

typedef struct zf_header {
    const char *name;
    char *value;               /* owned by the ctx */
} zf_header;

#define ZF_MAX_PATH_PARAMS 4
#define ZF_MAX_RESP_HEADERS 8

typedef struct zf_ctx {
    /* input */
    zf_db *db;                 /* a connection for this request */
    const zf_principal *who;   /* NULL when anonymous */
    const char *session_token; /* the cookie session's token, NULL otherwise */
    int64_t now;               /* Unix seconds */
    const char *method;
    const char *path;          /* decoded path, no query */
    const char *ip;
    const char *request_id;
    const char *user_agent;
    int secure;                /* request came over TLS (X-Forwarded-Proto https from a trusted proxy) */
    const char *params[ZF_MAX_PATH_PARAMS]; /* {name} segments of the pattern, in order */
    int nparams;
    const char *body;          /* raw body, NUL-terminated */
    size_t body_len;
    /* query string and request header access, provided by the http module */
    const char *(*query_fn)(void *h, const char *key);
    void *query_h;
    const char *(*header_fn)(void *h, const char *name);
    void *header_h;
    /* output */
    int status;                /* default 200 */
    const char *content_type;  /* default application/json; charset=utf-8 */
    zf_buf out;
    zf_header headers[ZF_MAX_RESP_HEADERS];
    int nheaders;
    /* a file to stream instead of out; NULL if none. file_length 0 means
     * to the end; a handler answering a Range sets status 206 and the
     * Content-Range header itself */
    char *file_path;
    uint64_t file_offset;
    uint64_t file_length;
    /* a body read from a blob reader instead (evidence on object storage,
     * blob.h): stream_length bytes from stream_offset; the ctx owns it until
     * the server hands it to the response, which frees it */
    struct zf_blob_reader *stream;
    uint64_t stream_offset;
    uint64_t stream_length;
    zf_err err;
    /* set by login/logout for the audit/access log */
    const char *audit_user;
    const struct zf_settings *settings; /* the locality's settings (store/settings.h) */
    const char *data_dir;      /* the data directory (evidence files, signing key) */
} zf_ctx;

typedef int (*zf_handler)(zf_ctx *c);

/* A route that takes its body as a stream (evidence uploads of any size)
 * instead of a buffered c->body. begin runs after authorization and before
 * any body byte, with c->db; data runs for each chunk without a database
 * connection (c->db is NULL); end runs once the body is complete, with
 * c->db, and fills the response. After a successful begin exactly one of
 * end or abort is called, and each owns and frees state. */
typedef struct zf_upload_ops {
    int (*begin)(zf_ctx *c, void **state);
    int (*data)(zf_ctx *c, void *state, const char *p, size_t n);
    int (*end)(zf_ctx *c, void *state);
    void (*abort)(void *state);
} zf_upload_ops;
/* Returns the department that owns the object a request touches (from a path
 * parameter or the body), 0 if none, or a negative ZF_E* code. */
typedef int64_t (*zf_dept_resolver)(zf_ctx *c);

enum {
    ZF_ROUTE_NO_CSRF = 1 << 0, /* login: no session yet */
    ZF_ROUTE_HTML = 1 << 1,    /* renders HTML errors instead of JSON */
};

typedef struct zf_route {
    const char *method;        /* "GET", "POST", "PUT", "DELETE" */
    const char *pattern;       /* "/api/v1/officers/{id}"; a trailing "*" matches the rest */
    zf_handler handler;
    unsigned roles;            /* ZF_ROLE_* bits allowed, or ZF_PUBLIC */
    unsigned own_dept_roles;   /* of those, roles limited to their own department */
    zf_dept_resolver dept;     /* required when own_dept_roles != 0 */
    unsigned flags;
    const zf_upload_ops *upload; /* streaming body instead of handler; NULL for most routes */
} zf_route;

/* Each module keeps its own route table, terminated by a NULL method;
 * src/api/routes.c lists the tables (NULL-terminated) in zf_route_tables. */
extern const zf_route zf_auth_routes[];    /* api/auth.c: login, sessions, tokens */
extern const zf_route zf_user_routes[];    /* api/users.c: account management */
extern const zf_route zf_library_routes[]; /* api/library.c: the three libraries */
extern const zf_route zf_misc_routes[];    /* api/misc.c: meta, audit */
extern const zf_route zf_calendar_routes[]; /* api/calendar.c: working days, deadlines, rules */
extern const zf_route zf_portal_routes[];  /* web/portal.c: the public portal */
extern const zf_route zf_ledger_routes[];  /* api/ledger.c: checkpoints, proofs, witnesses */
extern const zf_route zf_portal_ledger_routes[]; /* web/portal_ledger.c: the public /ledger page */
extern const zf_route zf_evidence_routes[]; /* api/evidence.c: the evidence store */
extern const zf_route zf_case_routes[];     /* api/cases.c: cases, documents, devices (issue 5) */
extern const zf_route zf_publicity_before_routes[]; /* api/publicity_before.c: guides, checks, remedies, posts, photos */
extern const zf_route zf_portal_before_routes[]; /* web/portal_before.c: 事前/事中 portal pages, /verify */
extern const zf_route zf_search_routes[];  /* api/search.c: public search (issue 7) */
extern const zf_route zf_portal_search_routes[]; /* web/portal_search.c: the public /search page */
struct zf_search_params;
struct zf_search_result;
/* api/search.c: reads q, kind, department_id, from, to, page, per_page
 * (empty values mean absent); sets c->err and returns ZF_EINVAL on a
 * malformed number. Range checks are zf_search_run's. */
int zf_search_params_read(struct zf_search_params *out, zf_ctx *c);
/* "共 12 条" / "约 12,000 条" for a result. */
void zf_search_total_text(char *out, size_t size, const struct zf_search_result *r);
/* issue 5, 归档 and supervision (clearly separate additions) */
extern const zf_route zf_bundle_routes[];      /* api/bundle.c: GET /cases/{id}/bundle (案卷 zip) */
extern const zf_route zf_evaluation_routes[];  /* api/evaluations.c: 案卷评查 */
extern const zf_route zf_supervision_routes[]; /* api/supervision.c: stage times per department */
/* issue 5, documents: templates, PDF/HTML, signatures, seals, public verification */
extern const zf_route zf_document_routes[];     /* api/documents.c */
extern const zf_route zf_portal_verify_routes[]; /* web/portal_verify.c: /verify/document/{code} */
struct zf_case;
/* api/cases.c: loads case id for a read by c->who and enforces its secrecy
 * label (国家秘密 only for heads and supervisors; any label needs the
 * `reason` query parameter and the look is recorded) — the check every read
 * of case content goes through. what names the part read. */
int zf_api_case_read(struct zf_case *out, zf_ctx *c, int64_t id, const char *what);
/* api/documents.c: the public verification of a document code as JSON
 * (docs/openapi.yaml DocumentVerification); ZF_ENOTFOUND for an unknown code. */
int zf_document_verify_json(json_t **out, zf_ctx *c, const char *code);
/* api/documents.c: renders document doc_id of case case_id as PDF (pdf 1) or
 * HTML into the response, as GET …/documents/{doc_id}/pdf|html does (read
 * recorded; the caller has authorized the case). */
int zf_api_document_render(zf_ctx *c, int64_t case_id, int64_t doc_id, int pdf);
/* api/documents.c: decodes a signature image given as a PNG data URL
 * (≤ 200 KB, decodable, ≤ 4000 px a side) into *out (caller frees) with its
 * size; ZF_EINVAL with field "image" and a Chinese message otherwise. */
int zf_api_signature_png(unsigned char **out, size_t *out_len, int *out_w, int *out_h, zf_ctx *c,
                         const char *img);
extern const zf_route zf_review_routes[];       /* api/reviews.c: 重大执法决定法制审核 (issue 6) */
extern const zf_route zf_publication_routes[];  /* api/publications.c: 事后公开 queue, exports (issue 7) */
extern const zf_route zf_portal_publication_routes[]; /* web/portal_publications.c: /publications, feeds */
/* issue 7, annual report (年报) */
extern const zf_route zf_annual_routes[];        /* api/annual.c: generate, review, publish, late list */
extern const zf_route zf_portal_annual_routes[]; /* web/portal_annual.c: /annual-reports pages */
/* api/annual.c: answers meta (a report object, borrowed) as JSON (format
 * NULL, "" or "json"), or as a download basename.xlsx / basename.pdf;
 * ZF_EINVAL for another format. */
int zf_annual_send(zf_ctx *c, const json_t *meta, const char *format, const char *basename);
/* api/xlsx_export.c: list exports as spreadsheets (issue 7). A column shows
 * the item's key under header: strings as text, numbers as numbers, booleans
 * as 是/否; kind 't' shows Unix seconds as China time, 'y' fen as yuan. */
typedef struct zf_xlsx_col {
    const char *key, *header;
    double width;              /* characters; 0 = 16 */
    char kind;                 /* 0, 't' or 'y' */
} zf_xlsx_col;
/* 1 when ?format=xlsx, 0 for none or json, ZF_EINVAL (c->err set) otherwise. */
int zf_ctx_want_xlsx(zf_ctx *c);
/* Answers items (an array of objects, borrowed) as basename.xlsx with one
 * sheet named sheet and the columns cols (terminated by a NULL key). */
int zf_ctx_xlsx_items(zf_ctx *c, const char *basename, const char *sheet, const json_t *items,
                      const zf_xlsx_col *cols);
/* issue 8: supervision of implementation */
extern const zf_route zf_cockpit_routes[];  /* api/cockpit.c: cockpit, weights, warning rules */
extern const zf_route zf_filing_routes[];   /* api/filings.c: tracker (任务分解表), filings (备案) */
extern const zf_route zf_bulletin_routes[]; /* api/bulletin.c: the weekly bulletin (PDF) */
/* issue 7, 双随机、一公开: api/spotchecks.c and web/portal_spotchecks.c */
extern const zf_route zf_spotcheck_routes[];
extern const zf_route zf_portal_spotcheck_routes[];
/* A plan as JSON with its selection; public_view: only a plan whose seed is
 * committed, and results only once published. ZF_ENOTFOUND otherwise. */
int zf_spotcheck_json(json_t **out, zf_ctx *c, int64_t id, int public_view);
/* The public record to re-run a draw from (docs/spotcheck.md). */
int zf_spotcheck_verification_json(json_t **out, zf_ctx *c, int64_t id);
/* issue 8: 投诉举报 and 调阅监督 */
extern const zf_route zf_complaint_routes[];        /* api/complaints.c: handling in the console */
extern const zf_route zf_portal_complaint_routes[]; /* web/portal_complaints.c: /complaints form, tracking */
extern const zf_route zf_access_review_routes[];    /* api/access_review.c: views of restricted records */
extern const zf_route *const zf_route_tables[];

/* Periodic work (issuing checkpoints, retention, publication clocks): the
 * server calls every function of zf_ticks (src/api/ticks.c, NULL-terminated)
 * about once a second from one background thread, with a connection of its
 * own. A tick must be quick and must log, not return, its failures. */
typedef void (*zf_tick_fn)(zf_db *db, int64_t now, const struct zf_settings *settings,
                           const char *data_dir);
extern const zf_tick_fn zf_ticks[];
void zf_ledger_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir); /* api/ledger.c */
void zf_evidence_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir); /* api/evidence.c */
void zf_bundle_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir); /* api/bundle.c: temp zips */
void zf_publication_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir); /* api/publications.c: period expiry */
void zf_cockpit_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir); /* api/cockpit.c: cockpit numbers, warnings */
/* issue 9: the leader lease (api/leader.c). zf_leader_tick runs first and
 * takes or renews this process's lease (ZF_LEADER_TTL seconds, renewed after
 * ZF_LEADER_RENEW); the ticks that must not run in two servers at once
 * (checkpoint signing, publication clocks, cockpit, retention purge) return
 * early unless zf_leader_held(now). zf_leader_id names this process. */
#define ZF_LEADER_TTL 10
#define ZF_LEADER_RENEW 3
void zf_leader_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir);
int zf_leader_held(int64_t now);
/* On a clean shutdown, after the last tick: gives the lease up at once
 * (when held), so that the next server, or this one restarted, takes over
 * without waiting ZF_LEADER_TTL. */
void zf_leader_resign(zf_db *db);
/* issue 9: computes the case list's pending keyword index rows on
 * PostgreSQL (store/case_tsv.h), leader only (api/cases.c) */
void zf_case_tsv_tick(zf_db *db, int64_t now, const struct zf_settings *settings, const char *data_dir);
const char *zf_leader_id(void);

/* The one permission check. Returns 0 if who may use route for this
 * request, ZF_EAUTH when a login is needed, ZF_EPERM when refused; sets
 * c->err. Resolves the department through route->dept when needed. */
int zf_authz_check(const zf_route *route, zf_ctx *c);

/* ---- request helpers ---- */

const char *zf_ctx_query(zf_ctx *c, const char *key);
/* A request header, or NULL. */
const char *zf_ctx_request_header(zf_ctx *c, const char *name);
/* Path parameter n as a positive id; sets c->err and returns ZF_ENOTFOUND if
 * it is not one. */
int zf_ctx_param_id(zf_ctx *c, int n, int64_t *out);
/* Query parameter key as a positive id: 0 in *out when absent or empty;
 * sets c->err and returns ZF_EINVAL when it is something else (issue 8). */
int zf_ctx_query_id(zf_ctx *c, const char *key, int64_t *out);
/* Adds a response header; value is copied. */
void zf_ctx_header(zf_ctx *c, const char *name, const char *value);
/* 1 when a response header of that name (any case) has been added. */
int zf_ctx_has_header(const zf_ctx *c, const char *name);
/* Frees what the ctx owns (out, headers, file_path). */
void zf_ctx_release(zf_ctx *c);

/* ---- JSON input ---- */

typedef enum { ZF_JT_STRING, ZF_JT_INT, ZF_JT_BOOL, ZF_JT_NUMBER, ZF_JT_ARRAY, ZF_JT_DATE } zf_json_type;

typedef struct zf_json_field {
    const char *name;
    zf_json_type type;
    int required;
    size_t max_len;            /* strings: max code points (0 = 1000); arrays: max items */
    const char *label;         /* Chinese name for messages, e.g. "名称" */
} zf_json_field;

/* Parses the request body as a JSON object and checks it against spec
 * (terminated by a NULL name): unknown fields, wrong types, missing required
 * fields, over-long strings, bad dates and invalid UTF-8 are refused with a
 * Chinese message naming the field. *out is a new reference on success. */
int zf_json_decode(json_t **out, const char *body, size_t len, const zf_json_field *spec,
                   zf_err *err);

/* ---- JSON output ---- */

/* Serialises v (stealing the reference) into c->out with status. */
int zf_ctx_json(zf_ctx *c, int status, json_t *v);
/* Renders {"error":{...}} from err into c->out and sets the status. */
void zf_ctx_error(zf_ctx *c, const zf_err *err);

/* ---- list parameters ---- */

typedef struct zf_list_params {
    int64_t page, per_page, offset;
    const char *sort_column;   /* a whitelisted SQL column, never user text */
    int sort_desc;
    const char *q;             /* NULL when absent */
} zf_list_params;

typedef struct zf_sort_key {
    const char *name;          /* as given in ?sort= */
    const char *column;        /* SQL expression */
} zf_sort_key;

/* Reads page, per_page, sort, q. sort must name one of keys (optionally with
 * a leading '-'); the first key is the default. */
int zf_list_params_read(zf_list_params *out, zf_ctx *c, const zf_sort_key *keys);

/* Column value helpers for building JSON from rows. */
json_t *zf_json_text_or_null(zf_stmt *st, int col);
json_t *zf_json_int_or_null(zf_stmt *st, int col);

/* ---- Idempotency-Key (src/api/idempotency.c) ----
 * A client that may retry a creating request (a lost answer, the offline
 * queue) sends Idempotency-Key; the first answer is kept in
 * idempotency_keys per (user, key) and any retry gets it again, so a retry
 * never creates a second record. */
#define ZF_IDEM_MAX 200

/* The request's Idempotency-Key, validated (1..ZF_IDEM_MAX visible ASCII
 * characters): *out is NULL when there is none. ZF_EINVAL otherwise. */
int zf_idem_key(const char **out, zf_ctx *c);

/* Looks key up for c's user. Not stored: *out_found = 0. Stored for route:
 * *out_found = 1 and the stored answer is written into c (status, body,
 * header Idempotent-Replayed: true). Stored for another route: ZF_ECONFLICT
 * "idempotency_key_reused". Run it inside the write transaction so a
 * concurrent retry waits for the first answer. */
int zf_idem_replay(int *out_found, zf_ctx *c, const char *key, const char *route);

/* Keeps the answer (status, JSON body) of key for c's user and route, in the
 * caller's transaction. A NULL or empty key stores nothing. */
int zf_idem_store(zf_ctx *c, const char *key, const char *route, int status, const char *body);

#endif
