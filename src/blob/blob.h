/* blob.h — the evidence file store: content-addressed, write-once files under
 * one directory (DATA/evidence), named by the SHA-256 of their content; or
 * the same on S3-compatible object storage (zf_blob_store_open_s3, below).
 *
 * Layout: ROOT/ab/cd/abcd…(64 hex) for stored files, ROOT/tmp/ for uploads in
 * progress, ROOT/trash/ for files between the two steps of a deletion.
 *
 * The promise: a file appears under its final name only complete, fsynced,
 * and with its directory entries fsynced; zf_blob_writer_commit reports
 * success only after that, so an acknowledged file survives kill -9 and power
 * loss. The same content twice is stored once.
 *
 * Thread safety: a store may be shared by all threads (commits, trash and
 * purge are serialised inside it); a writer or reader belongs to one thread
 * at a time. One process per store directory. */
#ifndef ZF_BLOB_H
#define ZF_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "util/err.h"

#define ZF_BLOB_HEX_LEN 64 /* SHA-256 and SM3 digests in lowercase hex */

/* Which digests a writer computes. SHA-256 (the file's name) always. */
enum { ZF_BLOB_SHA256 = 1, ZF_BLOB_SM3 = 2 };

/* The seam for testing the bad day (as SQLite's VFS): every file-system call
 * that changes state goes through this table, with POSIX semantics (-1 and
 * errno on failure), so a test can fail the Nth write or fsync. Directory
 * fsyncs are open(dir, O_RDONLY|O_DIRECTORY) + fsync through the table. */
typedef struct zf_blob_ops {
    int (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*fsync)(int fd);
    int (*rename)(const char *from, const char *to);
    int (*mkdir)(const char *path, mode_t mode);
    int (*unlink)(const char *path);
} zf_blob_ops;

/* The real thing. */
extern const zf_blob_ops zf_blob_posix_ops;

typedef struct zf_blob_store zf_blob_store;   /* opaque */
typedef struct zf_blob_writer zf_blob_writer; /* opaque */
typedef struct zf_blob_reader zf_blob_reader; /* opaque */

/* What a commit stored. */
typedef struct zf_blob_info {
    char sha256[ZF_BLOB_HEX_LEN + 1]; /* lowercase hex: the file's name */
    char sm3[ZF_BLOB_HEX_LEN + 1];    /* lowercase hex, "" unless ZF_BLOB_SM3 was asked */
    uint64_t size;
    bool already_stored; /* the content was already there; this copy was discarded */
} zf_blob_info;

/* Opens (creating if needed, with tmp/ and trash/) the store at dir. ops may
 * be NULL for zf_blob_posix_ops; the table is copied. The caller owns *out.
 * Errors: ZF_EIO "blob_store_unavailable", or ZF_EINTERNAL when OpenSSL lacks
 * SHA-256 or SM3. */
int zf_blob_store_open(zf_blob_store **out, const char *dir, const zf_blob_ops *ops, zf_err *err);
void zf_blob_store_free(zf_blob_store *s);

/* The store's root directory. Borrowed. */
const char *zf_blob_store_root(const zf_blob_store *s);

/* ---- writing -------------------------------------------------------- */

/* Starts a new file: creates a temp file in tmp/. digests is a mask of
 * ZF_BLOB_SHA256 | ZF_BLOB_SM3 (SHA-256 is always computed). max_size bounds
 * the content (0 = no bound). The caller owns *out: free it with
 * zf_blob_writer_free, which aborts it unless committed. */
int zf_blob_writer_new(zf_blob_writer **out, zf_blob_store *s, unsigned digests,
                       uint64_t max_size, zf_err *err);

/* Appends len bytes (copied, hashed as they come; data may be freed on
 * return). Returns 0, ZF_ETOOBIG "file_too_large" past max_size, ZF_EIO
 * "blob_write_failed" (disk full, I/O error). Past 4 MiB the writes go to
 * disk from a thread of the writer's own (with O_DIRECT where the file
 * system allows it) and the hashing runs on another, so a disk error may surface on a
 * later call or at commit, never later. After an error the writer is dead:
 * every call fails, commit included; abort or free it. Memory: 1 MiB, or
 * 8 MiB once past 4 MiB, whatever the file size. */
int zf_blob_writer_write(zf_blob_writer *w, const void *data, size_t len, zf_err *err);

/* Bytes accepted so far. */
uint64_t zf_blob_writer_size(const zf_blob_writer *w);

/* Makes the file durable under its final name: fsync the temp file, create
 * the shard directories if needed (fsyncing their parents), rename, fsync
 * the shard directory and tmp/. Fills *out only on success. If the content
 * is already stored, the temp file is removed and out->already_stored set.
 * On failure nothing is visible under the final name and the temp file is
 * removed; the writer is dead either way. Errors: ZF_EIO "blob_write_failed",
 * "blob_damaged" (a stored file with this hash has another size: not
 * overwritten, `zhifa verify` will name it), ZF_ECONFLICT when already
 * committed or aborted. */
int zf_blob_writer_commit(zf_blob_info *out, zf_blob_writer *w, zf_err *err);

/* Removes the temp file and kills the writer (which must still be freed).
 * Idempotent; does nothing after a successful commit. */
void zf_blob_writer_abort(zf_blob_writer *w);

/* Aborts if not committed, then frees. NULL is allowed. */
void zf_blob_writer_free(zf_blob_writer *w);

/* ---- reading -------------------------------------------------------- */

/* Opens the stored file named by sha256_hex (64 lowercase hex; anything else
 * is ZF_EINVAL, so a name can never escape the store). ZF_ENOTFOUND when
 * absent. The caller owns *out. */
int zf_blob_reader_open(zf_blob_reader **out, zf_blob_store *s, const char *sha256_hex,
                        zf_err *err);

uint64_t zf_blob_reader_size(const zf_blob_reader *r);

/* The open file descriptor, for zero-copy responses (e.g.
 * MHD_create_response_from_fd_at_offset64, which takes ownership: pass it a
 * dup()). Borrowed: valid until the reader is freed. */
int zf_blob_reader_fd(const zf_blob_reader *r);

/* Reads up to cap bytes at offset (pread, so readers may serve several
 * ranges). *out_len is 0 at or past the end. */
int zf_blob_reader_read(size_t *out_len, zf_blob_reader *r, void *buf, size_t cap,
                        uint64_t offset, zf_err *err);

void zf_blob_reader_free(zf_blob_reader *r);

/* ---- checking ------------------------------------------------------- */

typedef enum zf_blob_check {
    ZF_BLOB_INTACT = 0,
    ZF_BLOB_MISSING, /* no file under the final name */
    ZF_BLOB_CORRUPT  /* the content no longer hashes to its name (or to sm3_hex) */
} zf_blob_check;

/* Re-hashes the stored file and compares with its name and, when sm3_hex is
 * not NULL, with that SM3 digest. Returns 0 with the verdict in *out, or a
 * negative code for an unexpected I/O error or a malformed hex argument. */
int zf_blob_verify(zf_blob_check *out, zf_blob_store *s, const char *sha256_hex,
                   const char *sm3_hex, zf_err *err);

/* ---- deletion at the end of retention, in two logged steps ---------- */

typedef enum zf_blob_state {
    ZF_BLOB_ABSENT = 0,
    ZF_BLOB_STORED,  /* under its final name */
    ZF_BLOB_TRASHED  /* in trash/, waiting for purge (may also be STORED again
                        if the same content was uploaded meanwhile: STORED wins) */
} zf_blob_state;

int zf_blob_state_of(zf_blob_state *out, zf_blob_store *s, const char *sha256_hex, zf_err *err);

/* Step 1: moves the file from its final name to trash/ (durably). After this
 * readers get ZF_ENOTFOUND, but the bytes still exist, so a failed database
 * transaction can zf_blob_restore it. ZF_ENOTFOUND when not stored. */
int zf_blob_trash(zf_blob_store *s, const char *sha256_hex, zf_err *err);

/* Undoes step 1. If the content was stored again meanwhile, just drops the
 * trashed copy. ZF_ENOTFOUND when not in trash. */
int zf_blob_restore(zf_blob_store *s, const char *sha256_hex, zf_err *err);

/* Step 2: removes the trashed file for good (durably). ZF_ENOTFOUND when not
 * in trash, so a retried purge can tell it already happened. */
int zf_blob_purge(zf_blob_store *s, const char *sha256_hex, zf_err *err);

/* ---- housekeeping --------------------------------------------------- */

/* Pass as older_than to remove every temp file (at startup, when no writer
 * can be running). */
#define ZF_BLOB_SWEEP_ALL ((time_t)INT64_MAX)

/* Removes temp files in tmp/ last modified before older_than (left by a
 * crash or a lost connection); *out_removed counts them (may be NULL). */
int zf_blob_sweep(size_t *out_removed, zf_blob_store *s, time_t older_than, zf_err *err);

/* ---- S3-compatible object storage ------------------------------------ */

/* A store on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, the
 * object services of Chinese clouds), path-style addressing
 * (ENDPOINT/BUCKET/KEY), requests signed with AWS Signature Version 4. Every
 * call of this header works on it with the same promises (details in
 * blob/s3.c), except that zf_blob_reader_fd answers -1 (no local file) and
 * there is no zf_blob_ops seam. */
typedef struct zf_blob_s3_config {
    const char *endpoint;   /* "https://host[:port]", no path */
    const char *bucket;
    const char *region;     /* "us-east-1" unless the service says otherwise */
    const char *access_key;
    const char *secret_key; /* the secret itself (zhifa.conf names a file holding it) */
    const char *prefix;     /* key prefix, "" or NULL for none, e.g. "evidence/" */
    uint64_t part_size;     /* multipart part size in bytes; 0 = 16 MiB; at least 5 MiB on
                               real S3 (smaller only for tests against a local server) */
    uint64_t copy_max;      /* largest object copied by one CopyObject, and the part size of
                               a multipart copy past it; 0 = 5 GiB (S3's limit). Services
                               with a lower limit set it; tests set it small. */
} zf_blob_s3_config;

/* Opens a store on a bucket; checks that the bucket answers (HEAD). The
 * caller owns *out. Errors: ZF_EINVAL "blob_config_invalid" (a missing or
 * malformed setting), ZF_EIO "blob_store_unavailable". */
int zf_blob_store_open_s3(zf_blob_store **out, const zf_blob_s3_config *cfg, zf_err *err);

/* True for a store on the local file system (whose files may be sent from
 * a path, see zf_blob_location), false for object storage. */
bool zf_blob_store_is_local(const zf_blob_store *s);

/* Where the content named sha256_hex lives, for messages and for sending a
 * local file: the file's path, or "s3://bucket/key". */
void zf_blob_location(char *out, size_t cap, const zf_blob_store *s, const char *sha256_hex);

#endif
