/* password.h — password hashing (Argon2id via libsodium) and the password policy.
 *
 * Pure computation: no database, no clock (the caller passes times in), no I/O.
 * Hashes are libsodium's self-describing "$argon2id$v=19$m=...,t=...,p=...$salt$hash"
 * strings, so the cost parameters travel with each hash and can be raised later
 * (see zf_password_needs_rehash). All functions are thread-safe. */
#ifndef ZF_AUTH_PASSWORD_H
#define ZF_AUTH_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Size of a hash string buffer, NUL included (= libsodium's crypto_pwhash_STRBYTES;
 * password.c checks that at compile time, so callers need not include sodium.h). */
#define ZF_PASSWORD_HASH_BYTES 128

/* Longest password accepted anywhere, in bytes. Bounds the work a stranger can
 * make the server do and keeps stored hashes comparable across versions. */
#define ZF_PASSWORD_MAX_BYTES 256

/* The configurable policy. A 等保 assessment may ask for character classes and
 * expiry; the defaults follow NIST SP 800-63B (length and a blocklist, no
 * composition rules, no forced expiry). */
typedef struct zf_password_policy {
    int min_length;      /* minimum length in Unicode code points */
    int require_classes; /* 0 = off; else how many of: lowercase, uppercase,
                          * digit, symbol (anything else, e.g. 汉字) are needed, 1..4 */
    int max_age_days;    /* 0 = passwords never expire */
} zf_password_policy;

#define ZF_PASSWORD_POLICY_INIT {12, 0, 0}

/* Hashes pw (NUL-terminated, at most ZF_PASSWORD_MAX_BYTES) with Argon2id at
 * libsodium's INTERACTIVE cost (about 64 MiB and a few tens of ms), a fresh
 * random salt each call. Writes a NUL-terminated string into out.
 * Returns 0, ZF_EINVAL (NULL or too long), or ZF_ENOMEM / ZF_EINTERNAL. */
int zf_password_hash(char out[ZF_PASSWORD_HASH_BYTES], const char *pw, zf_err *err);

/* Checks pw against a hash made by zf_password_hash. Returns 1 on a match and
 * 0 otherwise (wrong password, malformed hash, NULL, or pw too long).
 * Takes as long as one hash computation, whatever the outcome. */
int zf_password_verify(const char *hash, const char *pw);

/* For a login with an unknown user name: burns the same time as a real
 * zf_password_verify so response times do not reveal which names exist.
 * Always "fails". */
void zf_password_verify_dummy(const char *pw);

/* Returns 1 if hash was made with other cost parameters than the current ones
 * (or cannot be parsed), so the caller should re-hash the password it has just
 * verified and store the new hash; 0 if it is current. */
int zf_password_needs_rehash(const char *hash);

/* Checks a new password against the policy (NULL = ZF_PASSWORD_POLICY_INIT).
 * username (may be NULL) is the account's login name: the password may not
 * contain it. Rejects: longer than ZF_PASSWORD_MAX_BYTES, invalid UTF-8,
 * control characters, shorter than min_length code points, one character
 * repeated, a short piece repeated ("abcabcabcabc"), a run of consecutive
 * digits or letters ("123456789012", "zyxwvutsrqpo"), containing the user
 * name (case-insensitive, names of 3 bytes or more), a common password
 * (case-insensitive, also with digits or symbols added before or after, as
 * in "Password2026!"), and too few character classes when required.
 * Returns 0 or ZF_EINVAL with err code "weak_password", field "password" and a
 * Chinese message naming the rule that failed. */
int zf_password_check_policy(const zf_password_policy *policy, const char *pw,
                             const char *username, zf_err *err);

/* Returns 1 if a password set at changed_at (unix seconds) has expired at now
 * under policy (NULL = defaults, which never expire), else 0. */
int zf_password_expired(const zf_password_policy *policy, int64_t changed_at, int64_t now);

/* Returns 1 if pw equals (ASCII case-insensitively) an entry of the shipped
 * common-password list, else 0. */
int zf_password_is_common(const char *pw);

/* The shipped list (common_passwords.c): lowercase ASCII, each at least 8 bytes,
 * sorted in strcmp order without duplicates. Exposed so tests can check that. */
extern const char *const zf_common_passwords[];
extern const size_t zf_common_passwords_count;

#endif
