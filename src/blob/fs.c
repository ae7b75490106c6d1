/* fs.c — the evidence store on a local POSIX file system (see blob.h).
 *
 * Durability follows the usual recipe (as SQLite's journal and git's object
 * store): write a temp file, fsync it, rename it into place, fsync the
 * directory that received it. The shard directories' own entries are fsynced
 * on every commit, not only when created, so that a crash between a mkdir
 * and its parent's fsync cannot leave a later commit's directory unsynced.
 *
 * Commits hold the store's mutex from the existence check to the last
 * directory fsync. That makes "already stored" exact within the process, and
 * it makes undoing a failed commit safe: the final name we unlink after a
 * failed directory fsync cannot belong to a concurrent committer.
 *
 * Speed: hashing (about 1.7 GB/s with SHA-NI here) and writing to the page
 * cache cost about the same, so once a file passes a few MiB the writer moves
 * the write(2) calls to one thread of its own and the hashing to another,
 * and the caller only copies into a ring of eight 1 MiB buffers (so a stall
 * of the disk does not stall the caller, and receiving, hashing and writing
 * overlap: the upload then runs at the speed of the hash alone). Small files
 * (photos, scans) never start a thread.
 * Memory per writer is fixed: 1 MiB, or 8 MiB once past 4 MiB.
 *
 * Past that point the file is written with O_DIRECT: on this 2-vCPU VM the
 * kernel's copy into the page cache and its writeback cost more CPU than the
 * hashing (perf: 62% of the server's time in copy_folio_from_iter_atomic
 * during a 1 GiB upload), and the same cores also run the client. The ring
 * is one aligned block, so the thread writes every queued buffer up to the
 * ring's end in one call (a deeper I/O when the disk lags). The last, partial
 * buffer goes through the page cache (O_DIRECT needs aligned lengths), and a
 * file system that refuses O_DIRECT gets buffered writes with early
 * writeback (sync_file_range). Durability does not change: O_DIRECT bypasses
 * the page cache, not the disk's cache or the metadata, so the fsync before
 * the rename stays. */
#define _GNU_SOURCE /* sync_file_range */
#include "blob/blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "blob/s3.h"
#include "util/mem.h"

#define WBUF_SIZE (1024 * 1024)      /* one buffer of the ring */
#define NBUF 8                       /* one being filled, the rest queued or being written */
#define ASYNC_AFTER (4 * WBUF_SIZE)  /* bytes written before the writer thread starts */
#define RBUF_SIZE (1024 * 1024)
#define DIRECT_ALIGN 4096            /* O_DIRECT: buffer, offset and length alignment */
/* the root path is limited so that every path built from it fits PATH_MAX */
#define ROOT_MAX (PATH_MAX - 256)

/* ---- the seam ---------------------------------------------------------- */

static int posix_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static ssize_t posix_write(int fd, const void *buf, size_t len) { return write(fd, buf, len); }
static int posix_fsync(int fd) { return fsync(fd); }
static int posix_rename(const char *from, const char *to) { return rename(from, to); }
static int posix_mkdir(const char *path, mode_t mode) { return mkdir(path, mode); }
static int posix_unlink(const char *path) { return unlink(path); }

const zf_blob_ops zf_blob_posix_ops = {posix_open,   posix_write, posix_fsync,
                                       posix_rename, posix_mkdir, posix_unlink};

/* ---- types -------------------------------------------------------------- */

struct zf_blob_store {
    char root[ROOT_MAX];
    zf_blob_ops ops;
    EVP_MD *sha256;
    EVP_MD *sm3; /* NULL when this OpenSSL has no SM3 */
    pthread_mutex_t lock;
    zf_s3 *s3; /* not NULL: the store is a bucket and every call goes to s3.c */
};

enum wstate { W_OPEN, W_DEAD, W_DONE };

struct zf_blob_writer {
    zf_blob_store *s;
    zf_s3_writer *s3w; /* not NULL for a store on S3: nothing below is used */
    enum wstate state;
    int fd;             /* -1 when closed */
    bool tmp_exists;    /* the temp file is ours to remove */
    char tmp[PATH_MAX];
    EVP_MD_CTX *sha256;
    EVP_MD_CTX *sm3;    /* NULL unless asked */
    uint64_t size, max;
    uint64_t handed;              /* bytes passed on for writing */
    unsigned char *ring[NBUF];    /* WBUF_SIZE each; only ring[0] until async */
    unsigned char *block;         /* async: the ring as one aligned block (ring[i] point into it) */
    bool direct;                  /* async: fd has O_DIRECT (the thread's, while it runs) */
    size_t rlen[NBUF];
    unsigned fill;                /* the buffer the caller fills */
    size_t blen;                  /* bytes in ring[fill] */
    /* the writer and hasher threads, once started (async); mu guards the
     * fields below. Each buffer handed over is both written and hashed; its
     * slot is free again once both threads are past it. */
    bool async;
    pthread_t thr, hthr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned cons, queued;        /* buffers [cons, cons + queued) wait or are being written */
    unsigned hcons, hqueued;      /* buffers [hcons, hcons + hqueued) wait or are being hashed */
    bool stop, cancel;
    bool hfail;                   /* the hasher's EVP_DigestUpdate failed */
    int werrno;                   /* the thread's first write error */
    uint64_t thr_off;             /* file offset when the thread started */
};

struct zf_blob_reader {
    zf_s3_reader *s3r; /* not NULL for a store on S3 (fd is then -1) */
    int fd;
    uint64_t size;
};

/* ---- helpers ------------------------------------------------------------ */

static int io_error(zf_err *err, const char *code, const char *what, const char *path, int e)
{
    return zf_err_set(err, ZF_EIO, code, NULL, "证据文件存储%s失败：%s（%s）", what, strerror(e),
                      path);
}

static bool valid_hex(const char *h)
{
    size_t i;

    if (!h)
        return false;
    for (i = 0; i < ZF_BLOB_HEX_LEN; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return h[ZF_BLOB_HEX_LEN] == '\0';
}

static int bad_hex(zf_err *err)
{
    return zf_err_set(err, ZF_EINVAL, "invalid_hash", "sha256", "文件哈希须为 64 位小写十六进制");
}

static void to_hex(char *out, const unsigned char *d, size_t n)
{
    static const char x[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = x[d[i] >> 4];
        out[2 * i + 1] = x[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* root/tmp or root/trash; always fits (ROOT_MAX). */
static void sub_dir(char out[PATH_MAX], const zf_blob_store *s, const char *name)
{
    snprintf(out, PATH_MAX, "%s/%s", s->root, name);
}

/* root/ab, root/ab/cd and root/ab/cd/HEX for a hash. */
static void final_paths(char d1[PATH_MAX], char d2[PATH_MAX], char file[PATH_MAX],
                        const zf_blob_store *s, const char *hex)
{
    snprintf(d1, PATH_MAX, "%s/%.2s", s->root, hex);
    snprintf(d2, PATH_MAX, "%s/%.2s/%.2s", s->root, hex, hex + 2);
    snprintf(file, PATH_MAX, "%s/%.2s/%.2s/%s", s->root, hex, hex + 2, hex);
}

static void trash_path(char out[PATH_MAX], const zf_blob_store *s, const char *hex)
{
    snprintf(out, PATH_MAX, "%s/trash/%s", s->root, hex);
}

/* Makes a directory's entries durable. Returns 0 or -1 with errno. */
static int sync_dir(const zf_blob_store *s, const char *path)
{
    int fd = s->ops.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    int rc, e;

    if (fd < 0)
        return -1;
    rc = s->ops.fsync(fd);
    e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* mkdir that accepts an existing directory. */
static int ensure_dir(const zf_blob_store *s, const char *path)
{
    if (s->ops.mkdir(path, 0750) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

static int write_all(const zf_blob_store *s, int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = s->ops.write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- store -------------------------------------------------------------- */

int zf_blob_store_open(zf_blob_store **out, const char *dir, const zf_blob_ops *ops, zf_err *err)
{
    zf_blob_store *s = NULL;
    char p[PATH_MAX];
    int rc = 0;

    *out = NULL;
    s = zf_calloc(1, sizeof *s);
    s->ops = ops ? *ops : zf_blob_posix_ops;
    pthread_mutex_init(&s->lock, NULL);
    if (!dir || strlen(dir) >= sizeof s->root) {
        rc = zf_err_set(err, ZF_EINVAL, "blob_store_unavailable", NULL, "证据存储目录路径过长");
        goto done;
    }
    memcpy(s->root, dir, strlen(dir) + 1);
    s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    s->sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
    if (!s->sha256) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "OpenSSL 不支持 SHA-256");
        goto done;
    }
    if (ensure_dir(s, s->root) < 0) {
        rc = io_error(err, "blob_store_unavailable", "创建目录", s->root, errno);
        goto done;
    }
    sub_dir(p, s, "tmp");
    if (ensure_dir(s, p) < 0) {
        rc = io_error(err, "blob_store_unavailable", "创建目录", p, errno);
        goto done;
    }
    sub_dir(p, s, "trash");
    if (ensure_dir(s, p) < 0) {
        rc = io_error(err, "blob_store_unavailable", "创建目录", p, errno);
        goto done;
    }
    if (sync_dir(s, s->root) < 0) {
        rc = io_error(err, "blob_store_unavailable", "同步目录", s->root, errno);
        goto done;
    }
    *out = s;
    s = NULL;
done:
    zf_blob_store_free(s);
    return rc;
}

void zf_blob_store_free(zf_blob_store *s)
{
    if (!s)
        return;
    zf_s3_free(s->s3);
    EVP_MD_free(s->sha256);
    EVP_MD_free(s->sm3);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *zf_blob_store_root(const zf_blob_store *s) { return s->s3 ? zf_s3_root(s->s3) : s->root; }

int zf_blob_store_open_s3(zf_blob_store **out, const zf_blob_s3_config *cfg, zf_err *err)
{
    zf_blob_store *s = NULL;
    zf_s3 *s3 = NULL;
    int rc;

    *out = NULL;
    if ((rc = zf_s3_open(&s3, cfg, err)) < 0)
        return rc;
    s = zf_calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->s3 = s3;
    snprintf(s->root, sizeof s->root, "%s", zf_s3_root(s3));
    *out = s;
    return 0;
}

bool zf_blob_store_is_local(const zf_blob_store *s) { return s->s3 == NULL; }

void zf_blob_location(char *out, size_t cap, const zf_blob_store *s, const char *sha256_hex)
{
    char d1[PATH_MAX], d2[PATH_MAX], file[PATH_MAX];

    if (s->s3) {
        zf_s3_location(out, cap, s->s3, sha256_hex);
        return;
    }
    final_paths(d1, d2, file, s, sha256_hex);
    snprintf(out, cap, "%s", file);
}

/* ---- writer ------------------------------------------------------------- */

int zf_blob_writer_new(zf_blob_writer **out, zf_blob_store *s, unsigned digests,
                       uint64_t max_size, zf_err *err)
{
    if (s->s3) {
        zf_s3_writer *sw;
        int r3 = zf_s3_writer_new(&sw, s->s3, digests, max_size, err);
        *out = NULL;
        if (r3 < 0)
            return r3;
        *out = zf_calloc(1, sizeof **out);
        (*out)->s = s;
        (*out)->s3w = sw;
        (*out)->fd = -1;
        return 0;
    }
    zf_blob_writer *w;
    int rc = 0, tries;

    *out = NULL;
    if ((digests & ZF_BLOB_SM3) && !s->sm3)
        return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "OpenSSL 不支持 SM3");
    w = zf_calloc(1, sizeof *w);
    w->s = s;
    w->fd = -1;
    w->max = max_size;
    w->state = W_DEAD;
    w->sha256 = EVP_MD_CTX_new();
    if (!w->sha256 || !EVP_DigestInit_ex(w->sha256, s->sha256, NULL)) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法初始化 SHA-256");
        goto done;
    }
    if (digests & ZF_BLOB_SM3) {
        w->sm3 = EVP_MD_CTX_new();
        if (!w->sm3 || !EVP_DigestInit_ex(w->sm3, s->sm3, NULL)) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法初始化 SM3");
            goto done;
        }
    }
    for (tries = 0; tries < 8; tries++) {
        unsigned char rnd[12];
        char hex[2 * sizeof rnd + 1];

        if (RAND_bytes(rnd, sizeof rnd) != 1) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "随机数生成失败");
            goto done;
        }
        to_hex(hex, rnd, sizeof rnd);
        snprintf(w->tmp, sizeof w->tmp, "%s/tmp/%s.part", s->root, hex);
        /* read-only mode: the descriptor may write, nobody may reopen it to */
        w->fd = s->ops.open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0440);
        if (w->fd >= 0 || errno != EEXIST)
            break;
    }
    if (w->fd < 0) {
        rc = io_error(err, "blob_write_failed", "创建临时文件", w->tmp, errno);
        goto done;
    }
    w->tmp_exists = true;
    w->ring[0] = zf_malloc(WBUF_SIZE);
    w->state = W_OPEN;
    *out = w;
    w = NULL;
done:
    zf_blob_writer_free(w);
    return rc;
}

static int dead(zf_err *err)
{
    return zf_err_set(err, ZF_ECONFLICT, "blob_writer_closed", NULL, "文件写入已结束或已出错");
}

static void set_direct(zf_blob_writer *w, bool on)
{
    int fl = fcntl(w->fd, F_GETFL);

    if (fl >= 0 && fcntl(w->fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) == 0)
        w->direct = on;
    else
        w->direct = false;
}

/* Writes n bytes at file offset *off (the fd's position) from the thread. */
static int write_out(zf_blob_writer *w, const unsigned char *p, size_t n, uint64_t *off)
{
    if (w->direct && n % DIRECT_ALIGN != 0)
        set_direct(w, false); /* the tail */
    if (write_all(w->s, w->fd, p, n) < 0) {
        off_t at;
        if (!w->direct || errno != EINVAL || (at = lseek(w->fd, 0, SEEK_CUR)) < 0 || (uint64_t)at < *off ||
            (uint64_t)at > *off + n)
            return -1;
        /* the file system took the flag but not the write: buffered from here */
        set_direct(w, false);
        if (write_all(w->s, w->fd, p + ((uint64_t)at - *off), n - ((uint64_t)at - *off)) < 0)
            return -1;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* buffered: start writeback now; durability still comes from fsync */
    if (!w->direct)
        sync_file_range(w->fd, (off_t)*off, (off_t)n, SYNC_FILE_RANGE_WRITE);
#endif
    *off += n;
    return 0;
}

static void *writer_thread(void *arg)
{
    zf_blob_writer *w = arg;
    uint64_t off = w->thr_off; /* what was written before the thread started */

    pthread_mutex_lock(&w->mu);
    for (;;) {
        unsigned i, k, run;
        size_t n;
        bool skip;
        int e = 0;

        while (w->queued == 0 && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->queued == 0)
            break;
        /* every queued buffer but the very last of the file is full, so the
         * queued ones up to the ring's end are contiguous in memory and file */
        i = w->cons;
        run = w->queued < NBUF - i ? w->queued : NBUF - i;
        for (n = 0, k = 0; k < run; k++)
            n += w->rlen[i + k];
        skip = w->cancel || w->werrno;
        pthread_mutex_unlock(&w->mu);
        if (!skip && write_out(w, w->ring[i], n, &off) < 0)
            e = errno ? errno : EIO;
        pthread_mutex_lock(&w->mu);
        if (e && !w->werrno)
            w->werrno = e;
        w->cons = (w->cons + run) % NBUF;
        w->queued -= run;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Hashes the handed-over buffers, in order, beside the writer thread: the
 * caller's thread then only copies the body into the ring, so receiving,
 * hashing and writing overlap (the hashing alone is openssl's speed). */
static void *hasher_thread(void *arg)
{
    zf_blob_writer *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        unsigned i;
        size_t n;
        bool skip;
        bool bad = false;

        while (w->hqueued == 0 && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->hqueued == 0)
            break;
        i = w->hcons;
        n = w->rlen[i];
        skip = w->cancel || w->hfail;
        pthread_mutex_unlock(&w->mu);
        if (!skip && (!EVP_DigestUpdate(w->sha256, w->ring[i], n) ||
                      (w->sm3 && !EVP_DigestUpdate(w->sm3, w->ring[i], n))))
            bad = true;
        pthread_mutex_lock(&w->mu);
        if (bad)
            w->hfail = true;
        w->hcons = (w->hcons + 1) % NBUF;
        w->hqueued--;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Starts the writer and hasher threads; on failure the writer simply stays
 * synchronous.
 * Called with nothing buffered (blen == 0) at a file offset that is a
 * multiple of WBUF_SIZE. */
static void start_async(zf_blob_writer *w)
{
    void *block = NULL;
    unsigned i;

    if (w->block)
        return; /* tried once and failed: ring[0] already lives in the block */
    if (posix_memalign(&block, DIRECT_ALIGN, (size_t)NBUF * WBUF_SIZE) != 0)
        return;
    free(w->ring[0]); /* empty: it was just written */
    w->block = block;
    for (i = 0; i < NBUF; i++)
        w->ring[i] = w->block + (size_t)i * WBUF_SIZE;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->fill = w->cons = w->hcons = 0;
    w->queued = w->hqueued = 0;
    w->stop = w->cancel = w->hfail = false;
    w->thr_off = w->handed;
    if (pthread_create(&w->hthr, NULL, hasher_thread, w) != 0)
        goto fail;
    set_direct(w, true);
    if (pthread_create(&w->thr, NULL, writer_thread, w) != 0) {
        set_direct(w, false);
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->hthr, NULL);
        goto fail;
    }
    w->async = true;
    return;
fail:
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

/* Waits for the threads to write and hash (or, when cancel, to drop) what is
 * queued, and ends them. Afterwards w->werrno holds the first write error and
 * w->hfail tells whether hashing failed. */
static void stop_async(zf_blob_writer *w, bool cancel)
{
    if (!w->async)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    if (cancel)
        w->cancel = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thr, NULL);
    pthread_join(w->hthr, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->async = false;
}

static int write_failed(zf_blob_writer *w, int e, zf_err *err)
{
    w->state = W_DEAD;
    return io_error(err, "blob_write_failed", "写入", w->tmp, e);
}

/* Passes ring[fill] (blen bytes) on: written here, or queued for the thread.
 * On failure the writer is dead. */
static int hand_over(zf_blob_writer *w, zf_err *err)
{
    int e;

    if (w->blen == 0)
        return 0;
    if (!w->async) {
        if (write_all(w->s, w->fd, w->ring[w->fill], w->blen) < 0)
            return write_failed(w, errno, err);
        w->handed += w->blen;
        w->blen = 0;
        if (w->handed >= ASYNC_AFTER)
            start_async(w);
        return 0;
    }
    pthread_mutex_lock(&w->mu);
    /* the slot after fill is free once both threads are past it */
    while ((w->queued == NBUF - 1 || w->hqueued == NBUF - 1) && !w->werrno)
        pthread_cond_wait(&w->cv, &w->mu);
    e = w->werrno;
    if (!e) {
        w->rlen[w->fill] = w->blen;
        w->queued++;
        w->hqueued++;
        w->fill = (w->fill + 1) % NBUF;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    if (e)
        return write_failed(w, e, err);
    w->handed += w->blen;
    w->blen = 0;
    return 0;
}

int zf_blob_writer_write(zf_blob_writer *w, const void *data, size_t len, zf_err *err)
{
    if (w->s3w)
        return zf_s3_writer_write(w->s3w, data, len, err);
    const unsigned char *p = data;
    int rc;

    if (w->state != W_OPEN)
        return dead(err);
    if (len == 0)
        return 0;
    if (w->max && (len > w->max || w->size > w->max - len)) {
        w->state = W_DEAD;
        return zf_err_set(err, ZF_ETOOBIG, "file_too_large", "file",
                          "文件超过允许的最大大小（%llu 字节）", (unsigned long long)w->max);
    }
    w->size += len;
    while (len > 0) {
        size_t n = WBUF_SIZE - w->blen;
        if (n > len)
            n = len;
        /* until the threads start, hash here; afterwards the hasher hashes
         * whole buffers (async starts only at a buffer boundary) */
        if (!w->async &&
            (!EVP_DigestUpdate(w->sha256, p, n) || (w->sm3 && !EVP_DigestUpdate(w->sm3, p, n)))) {
            w->state = W_DEAD;
            return zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "哈希计算失败");
        }
        memcpy(w->ring[w->fill] + w->blen, p, n);
        w->blen += n;
        p += n;
        len -= n;
        if (w->blen == WBUF_SIZE && (rc = hand_over(w, err)) < 0)
            return rc;
    }
    return 0;
}

uint64_t zf_blob_writer_size(const zf_blob_writer *w) { return w->s3w ? zf_s3_writer_size(w->s3w) : w->size; }

static void close_fd(zf_blob_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

void zf_blob_writer_abort(zf_blob_writer *w)
{
    if (w && w->s3w) {
        zf_s3_writer_abort(w->s3w);
        return;
    }
    if (!w || w->state == W_DONE)
        return;
    stop_async(w, true);
    close_fd(w);
    /* if this unlink fails, the startup sweep removes the file */
    if (w->tmp_exists)
        w->s->ops.unlink(w->tmp);
    w->tmp_exists = false;
    w->state = W_DEAD;
}

void zf_blob_writer_free(zf_blob_writer *w)
{
    if (w && w->s3w) {
        zf_s3_writer_free(w->s3w);
        free(w);
        return;
    }
    if (!w)
        return;
    zf_blob_writer_abort(w);
    EVP_MD_CTX_free(w->sha256);
    EVP_MD_CTX_free(w->sm3);
    if (w->block)
        free(w->block);
    else
        for (unsigned i = 0; i < NBUF; i++)
            free(w->ring[i]);
    free(w);
}

static int finish_digest(char out[ZF_BLOB_HEX_LEN + 1], EVP_MD_CTX *ctx)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (!EVP_DigestFinal_ex(ctx, md, &n) || n != ZF_BLOB_HEX_LEN / 2)
        return -1;
    to_hex(out, md, n);
    return 0;
}

int zf_blob_writer_commit(zf_blob_info *out, zf_blob_writer *w, zf_err *err)
{
    if (w->s3w)
        return zf_s3_writer_commit(out, w->s3w, err);
    zf_blob_store *s = w->s;
    zf_blob_info info;
    char d1[PATH_MAX], d2[PATH_MAX], fin[PATH_MAX], tmpdir[PATH_MAX];
    struct stat st;
    bool locked = false, renamed = false;
    int rc = 0;

    memset(&info, 0, sizeof info);
    if (w->state != W_OPEN)
        return dead(err);
    if ((rc = hand_over(w, err)) < 0)
        goto done;
    stop_async(w, false);
    if (w->werrno) {
        rc = write_failed(w, w->werrno, err);
        goto done;
    }
    if (s->ops.fsync(w->fd) < 0) {
        rc = io_error(err, "blob_write_failed", "同步文件", w->tmp, errno);
        goto done;
    }
    close_fd(w);
    if (w->hfail || finish_digest(info.sha256, w->sha256) < 0 || (w->sm3 && finish_digest(info.sm3, w->sm3) < 0)) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "哈希计算失败");
        goto done;
    }
    info.size = w->size;
    final_paths(d1, d2, fin, s, info.sha256);
    sub_dir(tmpdir, s, "tmp");

    pthread_mutex_lock(&s->lock);
    locked = true;
    if (stat(fin, &st) == 0) {
        if ((uint64_t)st.st_size != info.size) {
            rc = zf_err_set(err, ZF_EIO, "blob_damaged", NULL,
                            "已存储的同哈希文件大小不符（已损坏）：%s", info.sha256);
            goto done;
        }
        info.already_stored = true;
        goto done; /* the temp file goes in the cleanup below */
    }
    if (ensure_dir(s, d1) < 0 || ensure_dir(s, d2) < 0) {
        rc = io_error(err, "blob_write_failed", "创建目录", d2, errno);
        goto done;
    }
    if (sync_dir(s, s->root) < 0 || sync_dir(s, d1) < 0) {
        rc = io_error(err, "blob_write_failed", "同步目录", d1, errno);
        goto done;
    }
    if (s->ops.rename(w->tmp, fin) < 0) {
        rc = io_error(err, "blob_write_failed", "重命名", fin, errno);
        goto done;
    }
    renamed = true;
    w->tmp_exists = false;
    if (sync_dir(s, d2) < 0 || sync_dir(s, tmpdir) < 0) {
        rc = io_error(err, "blob_write_failed", "同步目录", d2, errno);
        goto done;
    }
done:
    if (rc < 0 && renamed) {
        /* not acknowledged, so not visible: the name was free and we hold
         * the lock, so this file is ours */
        s->ops.unlink(fin);
    }
    if (locked)
        pthread_mutex_unlock(&s->lock);
    if (rc < 0) {
        zf_blob_writer_abort(w);
        return rc;
    }
    if (w->tmp_exists) {
        /* already stored: drop our copy; a failed unlink is left to the sweep */
        s->ops.unlink(w->tmp);
        w->tmp_exists = false;
    }
    w->state = W_DONE;
    if (out)
        *out = info;
    return 0;
}

/* ---- reader ------------------------------------------------------------- */

static int open_final(int *out_fd, zf_blob_store *s, const char *hex, zf_err *err)
{
    char d1[PATH_MAX], d2[PATH_MAX], fin[PATH_MAX];
    int fd;

    *out_fd = -1;
    if (!valid_hex(hex))
        return bad_hex(err);
    final_paths(d1, d2, fin, s, hex);
    fd = open(fin, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return zf_err_set(err, ZF_ENOTFOUND, "blob_not_found", NULL, "证据文件不存在：%s", hex);
        return io_error(err, "blob_read_failed", "打开文件", fin, errno);
    }
    *out_fd = fd;
    return 0;
}

int zf_blob_reader_open(zf_blob_reader **out, zf_blob_store *s, const char *sha256_hex,
                        zf_err *err)
{
    if (s->s3) {
        zf_s3_reader *sr;
        int r3;
        *out = NULL;
        if (!valid_hex(sha256_hex))
            return bad_hex(err);
        if ((r3 = zf_s3_reader_open(&sr, s->s3, sha256_hex, err)) < 0)
            return r3;
        *out = zf_calloc(1, sizeof **out);
        (*out)->s3r = sr;
        (*out)->fd = -1;
        (*out)->size = zf_s3_reader_size(sr);
        return 0;
    }
    struct stat st;
    int fd, rc;

    *out = NULL;
    if ((rc = open_final(&fd, s, sha256_hex, err)) < 0)
        return rc;
    if (fstat(fd, &st) < 0) {
        rc = io_error(err, "blob_read_failed", "读取文件信息", sha256_hex, errno);
        close(fd);
        return rc;
    }
    *out = zf_calloc(1, sizeof **out);
    (*out)->fd = fd;
    (*out)->size = (uint64_t)st.st_size;
    return 0;
}

uint64_t zf_blob_reader_size(const zf_blob_reader *r) { return r->size; }

int zf_blob_reader_fd(const zf_blob_reader *r) { return r->fd; }

int zf_blob_reader_read(size_t *out_len, zf_blob_reader *r, void *buf, size_t cap,
                        uint64_t offset, zf_err *err)
{
    if (r->s3r)
        return zf_s3_reader_read(out_len, r->s3r, buf, cap, offset, err);
    ssize_t n;

    *out_len = 0;
    if (offset >= r->size || cap == 0)
        return 0;
    if (cap > r->size - offset)
        cap = (size_t)(r->size - offset);
    do
        n = pread(r->fd, buf, cap, (off_t)offset);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return io_error(err, "blob_read_failed", "读取", "", errno);
    *out_len = (size_t)n;
    return 0;
}

void zf_blob_reader_free(zf_blob_reader *r)
{
    if (r && r->s3r) {
        zf_s3_reader_free(r->s3r);
        free(r);
        return;
    }
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}

/* ---- verify ------------------------------------------------------------- */

int zf_blob_verify(zf_blob_check *out, zf_blob_store *s, const char *sha256_hex,
                   const char *sm3_hex, zf_err *err)
{
    if (s->s3) {
        *out = ZF_BLOB_CORRUPT;
        if (!valid_hex(sha256_hex) || (sm3_hex && !valid_hex(sm3_hex)))
            return bad_hex(err);
        return zf_s3_verify(out, s->s3, sha256_hex, sm3_hex, err);
    }
    EVP_MD_CTX *sha = NULL, *sm3 = NULL;
    unsigned char *buf = NULL;
    char got[ZF_BLOB_HEX_LEN + 1];
    int fd = -1, rc;
    ssize_t n;

    *out = ZF_BLOB_CORRUPT;
    if (sm3_hex && !valid_hex(sm3_hex))
        return bad_hex(err);
    rc = open_final(&fd, s, sha256_hex, err);
    if (rc == ZF_ENOTFOUND) {
        *out = ZF_BLOB_MISSING;
        zf_err_clear(err);
        return 0;
    }
    if (rc < 0)
        return rc;
    sha = EVP_MD_CTX_new();
    if (!sha || !EVP_DigestInit_ex(sha, s->sha256, NULL)) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "无法初始化 SHA-256");
        goto done;
    }
    if (sm3_hex) {
        sm3 = EVP_MD_CTX_new();
        if (!s->sm3 || !sm3 || !EVP_DigestInit_ex(sm3, s->sm3, NULL)) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "OpenSSL 不支持 SM3");
            goto done;
        }
    }
    buf = zf_malloc(RBUF_SIZE);
    for (;;) {
        n = read(fd, buf, RBUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = io_error(err, "blob_read_failed", "读取", sha256_hex, errno);
            goto done;
        }
        if (n == 0)
            break;
        if (!EVP_DigestUpdate(sha, buf, (size_t)n) || (sm3 && !EVP_DigestUpdate(sm3, buf, (size_t)n))) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "哈希计算失败");
            goto done;
        }
    }
    if (finish_digest(got, sha) < 0) {
        rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "哈希计算失败");
        goto done;
    }
    if (strcmp(got, sha256_hex) != 0)
        goto done; /* CORRUPT */
    if (sm3) {
        if (finish_digest(got, sm3) < 0) {
            rc = zf_err_set(err, ZF_EINTERNAL, NULL, NULL, "哈希计算失败");
            goto done;
        }
        if (strcmp(got, sm3_hex) != 0)
            goto done;
    }
    *out = ZF_BLOB_INTACT;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    EVP_MD_CTX_free(sha);
    EVP_MD_CTX_free(sm3);
    return rc;
}

/* ---- deletion ----------------------------------------------------------- */

int zf_blob_state_of(zf_blob_state *out, zf_blob_store *s, const char *sha256_hex, zf_err *err)
{
    if (s->s3 && valid_hex(sha256_hex))
        return zf_s3_state_of(out, s->s3, sha256_hex, err);
    char d1[PATH_MAX], d2[PATH_MAX], fin[PATH_MAX], tr[PATH_MAX];
    struct stat st;

    *out = ZF_BLOB_ABSENT;
    if (!valid_hex(sha256_hex))
        return bad_hex(err);
    final_paths(d1, d2, fin, s, sha256_hex);
    trash_path(tr, s, sha256_hex);
    if (stat(fin, &st) == 0)
        *out = ZF_BLOB_STORED;
    else if (stat(tr, &st) == 0)
        *out = ZF_BLOB_TRASHED;
    return 0;
}

int zf_blob_trash(zf_blob_store *s, const char *sha256_hex, zf_err *err)
{
    if (s->s3 && valid_hex(sha256_hex))
        return zf_s3_trash(s->s3, sha256_hex, err);
    char d1[PATH_MAX], d2[PATH_MAX], fin[PATH_MAX], tr[PATH_MAX], trdir[PATH_MAX];
    int rc = 0;

    if (!valid_hex(sha256_hex))
        return bad_hex(err);
    final_paths(d1, d2, fin, s, sha256_hex);
    trash_path(tr, s, sha256_hex);
    sub_dir(trdir, s, "trash");
    pthread_mutex_lock(&s->lock);
    if (s->ops.rename(fin, tr) < 0) {
        rc = errno == ENOENT
                 ? zf_err_set(err, ZF_ENOTFOUND, "blob_not_found", NULL, "证据文件不存在：%s", sha256_hex)
                 : io_error(err, "blob_delete_failed", "移入回收区", fin, errno);
        goto done;
    }
    if (sync_dir(s, d2) < 0 || sync_dir(s, trdir) < 0)
        rc = io_error(err, "blob_delete_failed", "同步目录", trdir, errno);
done:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int zf_blob_restore(zf_blob_store *s, const char *sha256_hex, zf_err *err)
{
    if (s->s3 && valid_hex(sha256_hex))
        return zf_s3_restore(s->s3, sha256_hex, err);
    char d1[PATH_MAX], d2[PATH_MAX], fin[PATH_MAX], tr[PATH_MAX], trdir[PATH_MAX];
    struct stat st;
    int rc = 0;

    if (!valid_hex(sha256_hex))
        return bad_hex(err);
    final_paths(d1, d2, fin, s, sha256_hex);
    trash_path(tr, s, sha256_hex);
    sub_dir(trdir, s, "trash");
    pthread_mutex_lock(&s->lock);
    if (stat(tr, &st) < 0) {
        rc = zf_err_set(err, ZF_ENOTFOUND, "blob_not_found", NULL, "回收区中没有该文件：%s", sha256_hex);
        goto done;
    }
    if (stat(fin, &st) == 0) {
        /* stored again meanwhile: the trashed copy is redundant */
        if (s->ops.unlink(tr) < 0 || sync_dir(s, trdir) < 0)
            rc = io_error(err, "blob_delete_failed", "删除回收区文件", tr, errno);
        goto done;
    }
    if (ensure_dir(s, d1) < 0 || ensure_dir(s, d2) < 0 || sync_dir(s, s->root) < 0 ||
        sync_dir(s, d1) < 0) {
        rc = io_error(err, "blob_write_failed", "创建目录", d2, errno);
        goto done;
    }
    if (s->ops.rename(tr, fin) < 0 || sync_dir(s, d2) < 0 || sync_dir(s, trdir) < 0)
        rc = io_error(err, "blob_write_failed", "恢复文件", fin, errno);
done:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int zf_blob_purge(zf_blob_store *s, const char *sha256_hex, zf_err *err)
{
    if (s->s3 && valid_hex(sha256_hex))
        return zf_s3_purge(s->s3, sha256_hex, err);
    char tr[PATH_MAX], trdir[PATH_MAX];
    int rc = 0;

    if (!valid_hex(sha256_hex))
        return bad_hex(err);
    trash_path(tr, s, sha256_hex);
    sub_dir(trdir, s, "trash");
    pthread_mutex_lock(&s->lock);
    if (s->ops.unlink(tr) < 0) {
        rc = errno == ENOENT
                 ? zf_err_set(err, ZF_ENOTFOUND, "blob_not_found", NULL, "回收区中没有该文件：%s", sha256_hex)
                 : io_error(err, "blob_delete_failed", "删除", tr, errno);
        goto done;
    }
    if (sync_dir(s, trdir) < 0)
        rc = io_error(err, "blob_delete_failed", "同步目录", trdir, errno);
done:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- sweep -------------------------------------------------------------- */

int zf_blob_sweep(size_t *out_removed, zf_blob_store *s, time_t older_than, zf_err *err)
{
    if (s->s3)
        return zf_s3_sweep(out_removed, s->s3, older_than, err);
    char dir[PATH_MAX], p[PATH_MAX];
    DIR *d;
    struct dirent *e;
    struct stat st;
    size_t removed = 0;
    int rc = 0;

    if (out_removed)
        *out_removed = 0;
    sub_dir(dir, s, "tmp");
    d = opendir(dir);
    if (!d)
        return io_error(err, "blob_store_unavailable", "打开目录", dir, errno);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p || lstat(p, &st) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (st.st_mtime >= older_than)
            continue;
        if (s->ops.unlink(p) < 0) {
            if (errno != ENOENT && rc == 0)
                rc = io_error(err, "blob_store_unavailable", "清理临时文件", p, errno);
            continue;
        }
        removed++;
    }
    closedir(d);
    if (removed && sync_dir(s, dir) < 0 && rc == 0)
        rc = io_error(err, "blob_store_unavailable", "同步目录", dir, errno);
    if (out_removed)
        *out_removed = removed;
    return rc;
}
