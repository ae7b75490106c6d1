/* ledger_store.h — the ledger kept in the database: events appended as
 * leaves of the RFC 9162 Merkle tree in the caller's transaction, the
 * perfect-subtree nodes that make every proof O(log n) reads, the by-object
 * lookup of events, signed checkpoints, witnesses and their cosignatures.
 * docs/ledger-format.md defines every byte; src/ledger/ does the pure crypto.
 *
 * Tables (store/migrations/0003_ledger.sql, 0012_ledger_nodes.sql,
 * 0025_ledger_one_row.sql): ledger_events, ledger_nodes, ledger_objects,
 * ledger_state, checkpoints, witnesses, cosignatures.
 *
 * One row per event (migration 0025): a writer's transaction inserts the
 * event's fields and the audit columns beside them (the audit log is a view
 * over these rows) and nothing else: no canonical text, no hashing, no tree
 * state. The canonical event and its leaf hash are a pure function of the
 * row (zf_ledger_event_canonical), computed by whoever needs them. The tree
 * nodes above the leaves and ledger_objects are derived data, stored later
 * in batches by zf_ledger_nodes_sync; proofs compute what is not stored yet
 * from the rows, so their answers never depend on it.
 *
 * Every function takes the connection of the calling thread and keeps no
 * state between calls, so processes sharing the database (several servers,
 * the zhifa commands) stay consistent: appends and checkpoints are
 * serialized by the database's write lock (BEGIN IMMEDIATE on SQLite, the
 * writer's advisory lock on PostgreSQL). */
#ifndef ZF_LEDGER_STORE_H
#define ZF_LEDGER_STORE_H

#include <stdint.h>

#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"

/* One event row. The hashed fields carry no personal data and no content:
 * only identifiers and the SHA-256 of the object's content after the
 * change. The audit columns after them are stored in the same row but are
 * not part of the event. */
typedef struct zf_ledger_event {
    int64_t at;                 /* Unix seconds (the event: RFC 3339 UTC) */
    int64_t actor_id;           /* 0 when unknown or the system (row: NULL) */
    const char *action;         /* "officer_update" */
    const char *object_type;    /* "officer"; "" when none */
    const char *object_id;      /* as written; a login name: the event shows zf_ledger_object_id of it */
    const char *content_sha256; /* 64 lowercase hex */
    const char *request_id;     /* "" when none */
    /* not hashed; NULL reads as "" */
    const char *actor_name;
    const char *ip;
    const char *detail;
    int content_from; /* ZF_LEDGER_CONTENT_*: where content_sha256 came from */
} zf_ledger_event;

#define ZF_LEDGER_CONTENT_GIVEN 0  /* by the writer (a file's hash) */
#define ZF_LEDGER_CONTENT_DETAIL 1 /* SHA-256 of detail: zhifa verify checks it */
#define ZF_LEDGER_CONTENT_ROW 2    /* the record row's hash: verify checks the row */

/* The columns zf_ledger_event_from_row reads, in this order. */
#define ZF_LEDGER_EVENT_COLUMNS "idx, at, actor_id, action, object_type, object_id, content_sha256, request_id"

#define ZF_LEDGER_ORIGIN_DEFAULT "zhifa/ledger"
#define ZF_LEDGER_MAX_ENTRIES 1000 /* one page of GET /api/v1/ledger/entries */

/* Appends ev as the next leaf: one INSERT whose idx is the next leaf index,
 * assigned by the statement itself. Nothing is hashed here (the tree nodes
 * and ledger_objects rows are stored by zf_ledger_nodes_sync). ev is not
 * checked beyond what the table enforces: zf_audit_write is its caller.
 * MUST run inside the caller's write transaction (zf_db_begin): the event
 * commits or rolls back with the change it records. Outside one it refuses
 * with ZF_EINTERNAL ("ledger_needs_transaction"). */
int zf_ledger_append(zf_db *db, const zf_ledger_event *ev, zf_err *err);

/* The canonical bytes (RFC 8785) of the event ev as leaf seq: what the leaf
 * hash covers. Appends to out. */
int zf_ledger_event_canonical(zf_buf *out, const zf_ledger_event *ev, uint64_t seq, zf_err *err);

/* Fills out with the hashed fields of the current row of st, whose columns
 * from col on are ZF_LEDGER_EVENT_COLUMNS; the strings are borrowed from st
 * (valid until its next step). Returns the row's idx. */
uint64_t zf_ledger_event_from_row(zf_ledger_event *out, zf_stmt *st, int col);

/* The leaf at idx read from its row: its canonical event (appended to
 * out_canon unless NULL) and leaf hash. ZF_ENOTFOUND "ledger_node_missing"
 * when there is no such row. */
int zf_ledger_leaf(zf_buf *out_canon, zf_hash *out_leaf, zf_db *db, uint64_t idx, zf_err *err);

/* Appends to sql a query of one column, idx, listing the leaves whose
 * object matches cond: SQL over the unqualified columns object_type and
 * object_id, e.g. "object_type = $1 AND object_id = $2" (the caller binds
 * its parameters). It reads ledger_objects for the leaves the node sync has
 * processed and the rows after them (about a second of events). Use it as
 * "... WHERE idx IN (<it>)". */
void zf_ledger_objects_sql(zf_buf *sql, const char *cond);

/* "2024-06-01T08:00:00Z" (21 bytes with the NUL). */
void zf_ledger_rfc3339(char out[21], int64_t unix_seconds);

/* How an audit object id appears in the ledger: verbatim, except a user
 * named by login name ("user", non-numeric), which becomes "sha256:<hex>"
 * so that no name typed at a login reaches the public ledger. */
void zf_ledger_object_id(zf_buf *out, const char *object_type, const char *object_id);

/* The content hash of the record a (type, id) names, if it is one of the
 * record tables zhifa verify checks (officer, department, unit, matter,
 * user): SHA-256 of the canonical JSON of the row's recorded columns, hex.
 * Returns 1 with out filled, 0 when the type is not a record table or the
 * row does not exist, negative on a database error. A user may be named by
 * id or by login name. */
int zf_ledger_row_hash(char out[ZF_HASH_HEXLEN + 1], zf_db *db, const char *object_type,
                       const char *object_id, zf_err *err);

/* The record tables and how their rows are named in the ledger; for
 * zhifa verify. NULL-terminated. */
typedef struct zf_ledger_record_table {
    const char *object_type; /* "officer" */
    const char *table;       /* "officers" */
    const char *columns;     /* the hashed columns, SQL list starting with id */
} zf_ledger_record_table;
extern const zf_ledger_record_table zf_ledger_record_tables[];

/* Writes an audit row ("baseline", by the system) for every row of the
 * record tables that no event names yet: run by zhifa init after it
 * creates the first data, so that verify can tell later rows inserted
 * behind zhifa's back. Opens its own transaction. */
int zf_ledger_baseline(zf_db *db, int64_t now, zf_err *err);

/* Reads the events appended since the last sync, builds each canonical
 * event and its leaf hash, and stores the tree nodes (perfect subtrees of
 * level >= 1) they complete and their ledger_objects rows, in transactions
 * of at most 8,192 leaves, until the stored nodes cover the whole tree.
 * Leaf hashes are not stored: they are a function of the rows. Idempotent and safe
 * to interrupt at any point (each batch commits whole). The checkpoint tick
 * runs it every second and zf_ledger_checkpoint_issue before signing.
 * *out_leaves (may be NULL) gets the number of leaves processed. Must not
 * be called inside a transaction. */
int zf_ledger_nodes_sync(zf_db *db, uint64_t *out_leaves, zf_err *err);

/* ---- reading the tree ---- */

/* Number of leaves. */
int zf_ledger_size(zf_db *db, uint64_t *out, zf_err *err);
/* A proof source hashing ledger_events rows (level 0) and reading
 * ledger_nodes; a node not stored is computed from its children. db must outlive its use. */
zf_merkle_source zf_ledger_source(zf_db *db);
/* Root of the tree of the first size leaves (size <= the current size). */
int zf_ledger_root(zf_hash *out, zf_db *db, uint64_t size, zf_err *err);
/* RFC 9162 proofs from the stored nodes. ZF_EINVAL for arguments out of
 * range (index >= size, size beyond the tree, not 0 < first <= second). */
int zf_ledger_inclusion(zf_hash *out, size_t *out_len, zf_db *db, uint64_t index, uint64_t size,
                        zf_err *err);
int zf_ledger_consistency(zf_hash *out, size_t *out_len, zf_db *db, uint64_t first,
                          uint64_t second, zf_err *err);

/* ---- checkpoints ---- */

/* Data-directory files: DATA/signing.key (private, PKCS#8 PEM, 0600) and
 * DATA/signing.pub (SubjectPublicKeyInfo PEM). */
int zf_ledger_key_create(const char *data_dir, zf_sign_alg alg, zf_err *err);
/* Loads DATA/signing.key; the algorithm comes from the PEM. Caller frees. */
int zf_ledger_key_load(zf_sign_key **out, const char *data_dir, zf_err *err);

typedef struct zf_ledger_checkpoint_row {
    int64_t id;
    uint64_t tree_size;
    char root_hex[ZF_HASH_HEXLEN + 1];
    char timestamp[24];
    char *note;      /* owned */
    char *signature; /* owned, base64 */
    char key_id[ZF_SIGN_KEY_ID_LEN + 1];
    char algorithm[16];
} zf_ledger_checkpoint_row;

void zf_ledger_checkpoint_row_free(zf_ledger_checkpoint_row *r);

/* The newest checkpoint: 1 with *out filled (caller frees with _row_free),
 * 0 when none was issued yet. */
int zf_ledger_checkpoint_latest(zf_ledger_checkpoint_row *out, zf_db *db, zf_err *err);

/* Issues a checkpoint for the current tree, signed by key under origin,
 * unless the newest one already covers it (then *out_issued = 0 and nothing
 * changes). Runs zf_ledger_nodes_sync first, then its own write transaction,
 * so checkpointing is one at a time across threads and processes. Before
 * signing it proves, from the
 * stored nodes, that the new tree extends the last signed checkpoint; when
 * it does not (the database was altered) it refuses with ZF_ECONFLICT
 * "checkpoint_inconsistent" and signs nothing. Must not be called inside a
 * transaction. out_issued may be NULL. */
int zf_ledger_checkpoint_issue(zf_db *db, const zf_sign_key *key, const char *origin, int64_t now,
                               int *out_issued, zf_err *err);

/* Cosigned note: the stored note followed by every stored cosignature line
 * of checkpoint id. Appends to out. */
int zf_ledger_cosigned_note(zf_buf *out, zf_db *db, int64_t checkpoint_id, const char *note,
                            zf_err *err);

#endif
