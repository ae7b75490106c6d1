/* test_blob.c — the evidence file store: write, commit, read, ranges, verify,
 * deduplication, abort, size limit, two-step deletion, the temp sweep, and
 * the bad day: through the zf_blob_ops seam every file-system call of a
 * write + commit is failed in turn, and after each run nothing is visible
 * under the final name unless the commit succeeded, and no temp file is left.
 * A 64 MiB file streamed in 64 KiB chunks must not grow the RSS. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blob/blob.h"

/* ---- fixtures ------------------------------------------------------------ */

static char base[64]; /* a fresh directory per test */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/zf_blob_test.XXXXXX");
    return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static zf_blob_store *open_store(const char *sub, const zf_blob_ops *ops)
{
    char dir[256];
    zf_blob_store *s = NULL;
    zf_err err = ZF_ERR_INIT;

    snprintf(dir, sizeof dir, "%s/%s", base, sub);
    if (zf_blob_store_open(&s, dir, ops, &err) != 0)
        fail_msg("store open: %s", err.message);
    return s;
}

/* Regular files in ROOT/sub. */
static size_t count_files(const zf_blob_store *s, const char *sub)
{
    char dir[512];
    DIR *d;
    struct dirent *e;
    size_t n = 0;

    snprintf(dir, sizeof dir, "%s/%s", zf_blob_store_root(s), sub);
    d = opendir(dir);
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void final_path(char out[512], const zf_blob_store *s, const char *hex)
{
    snprintf(out, 512, "%s/%.2s/%.2s/%s", zf_blob_store_root(s), hex, hex + 2, hex);
}

static bool final_exists(const zf_blob_store *s, const char *hex)
{
    char p[512];
    struct stat st;

    final_path(p, s, hex);
    return stat(p, &st) == 0;
}

/* Independent SHA-256 (one-shot EVP) for comparison. */
static void sha256_hex(char out[65], const void *data, size_t len)
{
    unsigned char md[32];
    unsigned int n = 0;
    static const char x[] = "0123456789abcdef";

    assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = x[md[i] >> 4];
        out[2 * i + 1] = x[md[i] & 15];
    }
    out[64] = '\0';
}

static int store_bytes(zf_blob_info *out, zf_blob_store *s, unsigned dg, const void *data,
                       size_t len, zf_err *err)
{
    zf_blob_writer *w = NULL;
    int rc;

    if ((rc = zf_blob_writer_new(&w, s, dg, 0, err)) == 0 &&
        (rc = zf_blob_writer_write(w, data, len, err)) == 0)
        rc = zf_blob_writer_commit(out, w, err);
    zf_blob_writer_free(w);
    return rc;
}

/* ---- basics -------------------------------------------------------------- */

static void test_write_commit_read(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_writer *w = NULL;
    zf_blob_reader *r = NULL;
    zf_blob_info info;
    zf_err err = ZF_ERR_INIT;
    char buf[64], p[512];
    size_t n;
    struct stat st;

    (void)state;
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256 | ZF_BLOB_SM3, 0, &err), 0);
    assert_int_equal(count_files(s, "tmp"), 1); /* in progress: only a temp file */
    assert_int_equal(zf_blob_writer_write(w, "hello ", 6, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, "", 0, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, "world", 5, &err), 0);
    assert_int_equal(zf_blob_writer_size(w), 11);
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), 0);
    /* known answers: `printf 'hello world' | openssl dgst -sha256` and `-sm3` */
    assert_string_equal(info.sha256, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    assert_string_equal(info.sm3, "44f0061e69fa6fdfc290c494654a05dc0c053da7e5c52b84ef93a9d67d3fff88");
    assert_int_equal(info.size, 11);
    assert_false(info.already_stored);
    /* a second commit is refused */
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), ZF_ECONFLICT);
    assert_int_equal(zf_blob_writer_write(w, "x", 1, &err), ZF_ECONFLICT);
    zf_blob_writer_free(w);

    /* on disk: sharded, read-only, temp gone */
    final_path(p, s, info.sha256);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 11);
    assert_int_equal(st.st_mode & 0222, 0);
    assert_int_equal(count_files(s, "tmp"), 0);

    /* read whole and by range */
    assert_int_equal(zf_blob_reader_open(&r, s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_reader_size(r), 11);
    assert_true(zf_blob_reader_fd(r) >= 0);
    assert_int_equal(zf_blob_reader_read(&n, r, buf, sizeof buf, 0, &err), 0);
    assert_int_equal(n, 11);
    assert_memory_equal(buf, "hello world", 11);
    assert_int_equal(zf_blob_reader_read(&n, r, buf, 3, 6, &err), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "wor", 3);
    assert_int_equal(zf_blob_reader_read(&n, r, buf, sizeof buf, 9, &err), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(buf, "ld", 2);
    assert_int_equal(zf_blob_reader_read(&n, r, buf, sizeof buf, 11, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(zf_blob_reader_read(&n, r, buf, sizeof buf, UINT64_MAX, &err), 0);
    assert_int_equal(n, 0);
    zf_blob_reader_free(r);

    /* names that are not a hash never reach the file system */
    assert_int_equal(zf_blob_reader_open(&r, s, "../../../../etc/passwd", &err), ZF_EINVAL);
    assert_int_equal(zf_blob_reader_open(&r, s, "B94D27B9934D3E08A52E52D7DA7DABFAC484EFE37A5380EE9088F7ACE2EFCDE9", &err),
                     ZF_EINVAL);
    assert_int_equal(zf_blob_reader_open(&r, s, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde", &err),
                     ZF_EINVAL);
    assert_int_equal(zf_blob_reader_open(&r, s, "0000000000000000000000000000000000000000000000000000000000000000", &err),
                     ZF_ENOTFOUND);
    assert_null(r);
    zf_blob_store_free(s);
}

static void test_empty_file(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_info info;
    zf_err err = ZF_ERR_INIT;
    zf_blob_check chk;

    (void)state;
    assert_int_equal(store_bytes(&info, s, ZF_BLOB_SHA256, "", 0, &err), 0);
    assert_string_equal(info.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(info.sm3, "");
    assert_int_equal(info.size, 0);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, NULL, &err), 0);
    assert_int_equal(chk, ZF_BLOB_INTACT);
    zf_blob_store_free(s);
}

static void test_dedup(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_info a, b;
    zf_err err = ZF_ERR_INIT;
    char p[512];
    struct stat st1, st2;

    (void)state;
    assert_int_equal(store_bytes(&a, s, ZF_BLOB_SHA256, "same content", 12, &err), 0);
    assert_false(a.already_stored);
    final_path(p, s, a.sha256);
    assert_int_equal(stat(p, &st1), 0);
    assert_int_equal(store_bytes(&b, s, ZF_BLOB_SHA256, "same content", 12, &err), 0);
    assert_true(b.already_stored);
    assert_string_equal(a.sha256, b.sha256);
    assert_int_equal(b.size, 12);
    /* stored once: the first file untouched, no temp left */
    assert_int_equal(stat(p, &st2), 0);
    assert_int_equal(st1.st_ino, st2.st_ino);
    assert_int_equal(count_files(s, "tmp"), 0);

    /* a stored file of the wrong size is damaged: not overwritten, not acknowledged */
    assert_int_equal(truncate(p, 5), 0);
    assert_int_equal(store_bytes(&b, s, ZF_BLOB_SHA256, "same content", 12, &err), ZF_EIO);
    assert_string_equal(err.code, "blob_damaged");
    assert_int_equal(stat(p, &st2), 0);
    assert_int_equal(st2.st_size, 5);
    assert_int_equal(count_files(s, "tmp"), 0);
    zf_blob_store_free(s);
}

static void test_abort_and_limit(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_writer *w = NULL;
    zf_blob_info info;
    zf_err err = ZF_ERR_INIT;
    char big[100];

    (void)state;
    memset(big, 'x', sizeof big);
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256, 0, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, "abandoned", 9, &err), 0);
    zf_blob_writer_abort(w);
    assert_int_equal(count_files(s, "tmp"), 0);
    zf_blob_writer_abort(w); /* idempotent */
    assert_int_equal(zf_blob_writer_write(w, "more", 4, &err), ZF_ECONFLICT);
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), ZF_ECONFLICT);
    zf_blob_writer_free(w);

    /* free without commit aborts too */
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256, 0, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, "dropped", 7, &err), 0);
    zf_blob_writer_free(w);
    assert_int_equal(count_files(s, "tmp"), 0);

    /* max size: exactly the limit passes, one byte more fails and kills the writer */
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256, 150, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, big, 100, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, big, 50, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, big, 1, &err), ZF_ETOOBIG);
    assert_string_equal(err.code, "file_too_large");
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), ZF_ECONFLICT);
    zf_blob_writer_free(w);
    assert_int_equal(count_files(s, "tmp"), 0);
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256, 150, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, big, 100, &err), 0);
    assert_int_equal(zf_blob_writer_write(w, big, 50, &err), 0);
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), 0);
    assert_int_equal(info.size, 150);
    zf_blob_writer_free(w);
    zf_blob_store_free(s);
}

static void test_verify_detects_flipped_byte(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_info info;
    zf_err err = ZF_ERR_INIT;
    zf_blob_check chk;
    char p[512], data[300000];
    int fd;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + (i >> 9));
    assert_int_equal(store_bytes(&info, s, ZF_BLOB_SHA256 | ZF_BLOB_SM3, data, sizeof data, &err), 0);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, info.sm3, &err), 0);
    assert_int_equal(chk, ZF_BLOB_INTACT);
    /* a wrong SM3 is a mismatch too */
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, info.sha256, &err), 0);
    assert_int_equal(chk, ZF_BLOB_CORRUPT);

    /* flip one bit in the middle, behind the store's back */
    final_path(p, s, info.sha256);
    assert_int_equal(chmod(p, 0640), 0);
    fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    data[150000] ^= 0x01;
    assert_int_equal(pwrite(fd, &data[150000], 1, 150000), 1);
    close(fd);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, NULL, &err), 0);
    assert_int_equal(chk, ZF_BLOB_CORRUPT);

    /* missing */
    assert_int_equal(unlink(p), 0);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, NULL, &err), 0);
    assert_int_equal(chk, ZF_BLOB_MISSING);
    assert_int_equal(zf_blob_verify(&chk, s, "nothex", NULL, &err), ZF_EINVAL);
    zf_blob_store_free(s);
}

static void test_trash_restore_purge(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_info info, again;
    zf_err err = ZF_ERR_INIT;
    zf_blob_state st;
    zf_blob_reader *r = NULL;
    zf_blob_check chk;

    (void)state;
    assert_int_equal(store_bytes(&info, s, ZF_BLOB_SHA256, "routine recording", 17, &err), 0);
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_STORED);

    /* step 1 then undo */
    assert_int_equal(zf_blob_trash(s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_TRASHED);
    assert_int_equal(zf_blob_reader_open(&r, s, info.sha256, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_blob_trash(s, info.sha256, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_blob_restore(s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, NULL, &err), 0);
    assert_int_equal(chk, ZF_BLOB_INTACT);
    assert_int_equal(zf_blob_restore(s, info.sha256, &err), ZF_ENOTFOUND);

    /* step 1, step 2 */
    assert_int_equal(zf_blob_trash(s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_purge(s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_ABSENT);
    assert_int_equal(count_files(s, "trash"), 0);
    assert_int_equal(zf_blob_purge(s, info.sha256, &err), ZF_ENOTFOUND);

    /* the same content uploaded again while a copy waits in trash */
    assert_int_equal(store_bytes(&again, s, ZF_BLOB_SHA256, "routine recording", 17, &err), 0);
    assert_int_equal(zf_blob_trash(s, info.sha256, &err), 0);
    assert_int_equal(store_bytes(&again, s, ZF_BLOB_SHA256, "routine recording", 17, &err), 0);
    assert_false(again.already_stored);
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_STORED);
    assert_int_equal(zf_blob_restore(s, info.sha256, &err), 0); /* drops the redundant copy */
    assert_int_equal(count_files(s, "trash"), 0);
    assert_int_equal(zf_blob_verify(&chk, s, info.sha256, NULL, &err), 0);
    assert_int_equal(chk, ZF_BLOB_INTACT);
    assert_int_equal(zf_blob_trash(s, "zz", &err), ZF_EINVAL);
    zf_blob_store_free(s);
}

static void test_sweep(void **state)
{
    zf_blob_store *s = open_store("ev", NULL);
    zf_blob_writer *w = NULL;
    zf_err err = ZF_ERR_INIT;
    char p[512];
    size_t removed = 99;
    int i, fd;
    struct timespec old[2] = {{1000000, 0}, {1000000, 0}};

    (void)state;
    /* three stale temp files left by a crash, one fresh upload in progress */
    for (i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/tmp/crash%d.part", zf_blob_store_root(s), i);
        fd = open(p, O_WRONLY | O_CREAT, 0440);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "partial", 7), 7);
        close(fd);
        assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
    }
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256, 0, &err), 0);
    assert_int_equal(count_files(s, "tmp"), 4);
    assert_int_equal(zf_blob_sweep(&removed, s, time(NULL) - 3600, &err), 0);
    assert_int_equal(removed, 3);
    assert_int_equal(count_files(s, "tmp"), 1); /* the live one survives an aged sweep */
    assert_int_equal(zf_blob_writer_write(w, "live", 4, &err), 0);
    zf_blob_writer_free(w);
    assert_int_equal(zf_blob_sweep(&removed, s, ZF_BLOB_SWEEP_ALL, &err), 0);
    assert_int_equal(removed, 0);
    zf_blob_store_free(s);
}

/* ---- the bad day ---------------------------------------------------------- */

static int calls, fail_at, fail_errno;

static bool should_fail(void)
{
    calls++;
    if (fail_at && calls == fail_at) {
        errno = fail_errno;
        return true;
    }
    return false;
}

static int f_open(const char *path, int flags, mode_t mode)
{
    return should_fail() ? -1 : zf_blob_posix_ops.open(path, flags, mode);
}
static ssize_t f_write(int fd, const void *buf, size_t len)
{
    return should_fail() ? -1 : zf_blob_posix_ops.write(fd, buf, len);
}
static int f_fsync(int fd) { return should_fail() ? -1 : zf_blob_posix_ops.fsync(fd); }
static int f_rename(const char *a, const char *b)
{
    return should_fail() ? -1 : zf_blob_posix_ops.rename(a, b);
}
static int f_mkdir(const char *p, mode_t m) { return should_fail() ? -1 : zf_blob_posix_ops.mkdir(p, m); }
static int f_unlink(const char *p) { return should_fail() ? -1 : zf_blob_posix_ops.unlink(p); }

static const zf_blob_ops failing_ops = {f_open, f_write, f_fsync, f_rename, f_mkdir, f_unlink};

/* 700 KiB stays in the caller's thread; 7 MiB passes the point where the
 * writer moves its writes to a thread of its own (after 4 MiB). */
static size_t seam_len;

/* One upload under the failing seam; returns the commit's rc (or the first
 * failing step's). */
static int seam_upload(zf_blob_store *s, const unsigned char *data, zf_blob_info *info)
{
    const size_t SEAM_LEN = seam_len;
    zf_blob_writer *w = NULL;
    zf_err err = ZF_ERR_INIT;
    int rc;

    if ((rc = zf_blob_writer_new(&w, s, ZF_BLOB_SHA256 | ZF_BLOB_SM3, 0, &err)) == 0 &&
        (rc = zf_blob_writer_write(w, data, 1000, &err)) == 0 &&
        (rc = zf_blob_writer_write(w, data + 1000, 300 * 1024, &err)) == 0 &&
        (rc = zf_blob_writer_write(w, data + 1000 + 300 * 1024, SEAM_LEN - 1000 - 300 * 1024, &err)) == 0)
        rc = zf_blob_writer_commit(info, w, &err);
    if (rc != 0)
        assert_true(strlen(err.message) > 0);
    zf_blob_writer_free(w);
    return rc;
}

static void fail_each_call(size_t SEAM_LEN)
{
    unsigned char *data = malloc(SEAM_LEN);
    char want[65], sub[32];
    zf_blob_info info;
    zf_blob_check chk;
    zf_err err = ZF_ERR_INIT;
    int total, k, e, failures = 0;
    static const int errnos[] = {EIO, ENOSPC};

    seam_len = SEAM_LEN;
    for (k = 0; k < (int)SEAM_LEN; k++)
        data[k] = (unsigned char)(k * 31 + 7);
    sha256_hex(want, data, SEAM_LEN);

    /* count the calls of a clean run */
    {
        zf_blob_store *s = open_store("clean", &failing_ops);
        calls = 0;
        fail_at = 0;
        assert_int_equal(seam_upload(s, data, &info), 0);
        total = calls;
        assert_string_equal(info.sha256, want);
        zf_blob_store_free(s);
    }
    assert_true(total >= 10); /* open, writes, fsync, mkdirs, dir opens and fsyncs, rename */
    if (SEAM_LEN > 4 * 1024 * 1024)
        assert_true(total >= 14); /* four 1 MiB writes before the thread, then at least one more */

    /* Past 4 MiB the writer thread writes every buffer queued up to the
     * ring's end in one call, so how many write calls a run makes depends
     * on timing: whether call k failed is told by the count of that run
     * (the seam fails exactly its fail_at-th call), and k goes well past
     * the clean run's count. */
    for (e = 0; e < 2; e++) {
        for (k = 1; k <= total + 10; k++) {
            zf_blob_store *s;
            int rc;

            snprintf(sub, sizeof sub, "s%d_%d", e, k);
            s = open_store(sub, &failing_ops); /* fresh: shard dirs get created each time */
            calls = 0;
            fail_at = k;
            fail_errno = errnos[e];
            rc = seam_upload(s, data, &info);
            fail_at = 0;
            if (calls >= k) {
                if (rc == 0)
                    fail_msg("failing call %d of %d was not reported", k, total);
                failures++;
                /* nothing partial or unacknowledged under the final name */
                if (final_exists(s, want))
                    fail_msg("failing call %d of %d left a final file", k, total);
            } else {
                assert_int_equal(rc, 0);
                assert_true(final_exists(s, want));
                assert_int_equal(zf_blob_verify(&chk, s, want, info.sm3, &err), 0);
                assert_int_equal(chk, ZF_BLOB_INTACT);
            }
            /* nothing leaks: the temp file is gone after abort */
            if (count_files(s, "tmp") != 0)
                fail_msg("failing call %d of %d left a temp file", k, total);
            /* and a retry on a healthy day succeeds */
            assert_int_equal(seam_upload(s, data, &info), 0);
            assert_string_equal(info.sha256, want);
            assert_int_equal(zf_blob_verify(&chk, s, want, NULL, &err), 0);
            assert_int_equal(chk, ZF_BLOB_INTACT);
            assert_int_equal(count_files(s, "tmp"), 0);
            zf_blob_store_free(s);
        }
    }
    assert_true(failures >= 2 * 10);
    if (SEAM_LEN <= 4 * 1024 * 1024)
        assert_int_equal(failures, 2 * total); /* no thread: the same calls every run */
    free(data);
}

static void test_fail_each_call(void **state)
{
    (void)state;
    fail_each_call(700 * 1024);
}

static void test_fail_each_call_threaded(void **state)
{
    (void)state;
    fail_each_call(7 * 1024 * 1024 + 12345);
}

/* A failure during either deletion step never loses the file: it is stored
 * or trashed, intact, and the step can be retried. */
static void test_fail_each_call_in_deletion(void **state)
{
    zf_blob_store *s = open_store("del", &failing_ops);
    zf_blob_info info;
    zf_err err = ZF_ERR_INIT;
    zf_blob_state st;
    int k, rc;

    (void)state;
    fail_at = 0;
    fail_errno = EIO;
    assert_int_equal(store_bytes(&info, s, ZF_BLOB_SHA256, "to be deleted", 13, &err), 0);
    for (k = 1; k <= 4; k++) {
        calls = 0;
        fail_at = k;
        rc = zf_blob_trash(s, info.sha256, &err);
        fail_at = 0;
        assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
        if (rc == 0) {
            assert_int_equal(st, ZF_BLOB_TRASHED);
        } else {
            assert_true(st == ZF_BLOB_STORED || st == ZF_BLOB_TRASHED);
            if (st == ZF_BLOB_STORED)
                assert_int_equal(zf_blob_trash(s, info.sha256, &err), 0);
        }
        assert_int_equal(zf_blob_restore(s, info.sha256, &err), 0);
        assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
        assert_int_equal(st, ZF_BLOB_STORED);
    }
    assert_int_equal(zf_blob_trash(s, info.sha256, &err), 0);
    calls = 0;
    fail_at = 1; /* the unlink */
    assert_int_equal(zf_blob_purge(s, info.sha256, &err), ZF_EIO);
    fail_at = 0;
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_TRASHED);
    assert_int_equal(zf_blob_purge(s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_state_of(&st, s, info.sha256, &err), 0);
    assert_int_equal(st, ZF_BLOB_ABSENT);
    zf_blob_store_free(s);
}

/* ---- size ------------------------------------------------------------------ */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static void test_large_file_constant_memory(void **state)
{
    enum { CHUNK = 64 * 1024, CHUNKS = 1024 }; /* 64 MiB */
    zf_blob_store *s = open_store("big", NULL);
    zf_blob_writer *w = NULL;
    zf_blob_info info;
    zf_blob_reader *r = NULL;
    zf_err err = ZF_ERR_INIT;
    unsigned char *chunk = malloc(CHUNK), tail[16];
    EVP_MD_CTX *ref = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned int mdlen;
    char want[65];
    long before, mid = 0, after;
    size_t n;
    int i, j;

    (void)state;
    memset(chunk, 0, CHUNK);
    assert_int_equal(EVP_DigestInit_ex(ref, EVP_sha256(), NULL), 1);
    before = rss_kib();
    if (before < 0)
        skip();
    assert_int_equal(zf_blob_writer_new(&w, s, ZF_BLOB_SHA256 | ZF_BLOB_SM3, 0, &err), 0);
    for (i = 0; i < CHUNKS; i++) {
        for (j = 0; j < CHUNK; j += 4096)
            chunk[j] = (unsigned char)(i + j); /* every chunk differs */
        assert_int_equal(EVP_DigestUpdate(ref, chunk, CHUNK), 1);
        assert_int_equal(zf_blob_writer_write(w, chunk, CHUNK, &err), 0);
        if (i == CHUNKS / 4)
            mid = rss_kib(); /* 16 MiB in: the writer's buffers and thread exist */
    }
    after = rss_kib();
    assert_int_equal(zf_blob_writer_commit(&info, w, &err), 0);
    zf_blob_writer_free(w);
    /* the last 48 MiB cost nothing; the fixed cost is the 8 MiB ring */
    if (after - mid > 1024)
        fail_msg("RSS grew by %ld KiB over the last 48 MiB", after - mid);
    if (after - before > 12 * 1024)
        fail_msg("RSS grew by %ld KiB while storing 64 MiB", after - before);

    assert_int_equal(EVP_DigestFinal_ex(ref, md, &mdlen), 1);
    for (i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(info.sha256, want);
    assert_int_equal(info.size, (uint64_t)CHUNK * CHUNKS);

    /* read the last bytes by offset, as a Range request would */
    assert_int_equal(zf_blob_reader_open(&r, s, info.sha256, &err), 0);
    assert_int_equal(zf_blob_reader_size(r), (uint64_t)CHUNK * CHUNKS);
    assert_int_equal(zf_blob_reader_read(&n, r, tail, sizeof tail, (uint64_t)CHUNK * CHUNKS - 4096, &err), 0);
    assert_int_equal(n, sizeof tail);
    assert_int_equal(tail[0], chunk[CHUNK - 4096]);
    zf_blob_reader_free(r);
    EVP_MD_CTX_free(ref);
    free(chunk);
    zf_blob_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_commit_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_detects_flipped_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trash_restore_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_each_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_each_call_threaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_each_call_in_deletion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_file_constant_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
