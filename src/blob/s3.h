/* s3.h — the evidence store on S3-compatible object storage: the backend
 * behind blob.h when a deployment configures one (zf_blob_store_open_s3).
 * Internal to src/blob: callers use blob.h, which dispatches here; the
 * functions mirror blob.h's and keep its promises (see s3.c for how).
 *
 * Object keys under the configured prefix P:
 *   P ab/cd/abcd…(64 hex)   stored content, named by its SHA-256 (as fs.c)
 *   P trash/<hex>           between the two steps of a deletion
 *   P tmp/<random>          multipart uploads in progress (name unknown yet) */
#ifndef ZF_BLOB_S3_H
#define ZF_BLOB_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "blob/blob.h"

typedef struct zf_s3 zf_s3;
typedef struct zf_s3_writer zf_s3_writer;
typedef struct zf_s3_reader zf_s3_reader;

int zf_s3_open(zf_s3 **out, const zf_blob_s3_config *cfg, zf_err *err);
void zf_s3_free(zf_s3 *s);
/* "s3://bucket/prefix" for messages. Borrowed. */
const char *zf_s3_root(const zf_s3 *s);
void zf_s3_location(char *out, size_t cap, const zf_s3 *s, const char *hex);

int zf_s3_writer_new(zf_s3_writer **out, zf_s3 *s, unsigned digests, uint64_t max_size, zf_err *err);
int zf_s3_writer_write(zf_s3_writer *w, const void *data, size_t len, zf_err *err);
uint64_t zf_s3_writer_size(const zf_s3_writer *w);
int zf_s3_writer_commit(zf_blob_info *out, zf_s3_writer *w, zf_err *err);
void zf_s3_writer_abort(zf_s3_writer *w);
void zf_s3_writer_free(zf_s3_writer *w);

int zf_s3_reader_open(zf_s3_reader **out, zf_s3 *s, const char *hex, zf_err *err);
uint64_t zf_s3_reader_size(const zf_s3_reader *r);
int zf_s3_reader_read(size_t *out_len, zf_s3_reader *r, void *buf, size_t cap, uint64_t offset, zf_err *err);
void zf_s3_reader_free(zf_s3_reader *r);

int zf_s3_verify(zf_blob_check *out, zf_s3 *s, const char *hex, const char *sm3_hex, zf_err *err);
int zf_s3_state_of(zf_blob_state *out, zf_s3 *s, const char *hex, zf_err *err);
int zf_s3_trash(zf_s3 *s, const char *hex, zf_err *err);
int zf_s3_restore(zf_s3 *s, const char *hex, zf_err *err);
int zf_s3_purge(zf_s3 *s, const char *hex, zf_err *err);
int zf_s3_sweep(size_t *out_removed, zf_s3 *s, time_t older_than, zf_err *err);

#endif
