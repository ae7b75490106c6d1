/* checkpoint.h — signed tree heads as C2SP tlog-checkpoint signed notes.
 *
 * A note is a body, a blank line, and one or more signature lines:
 *
 *     <origin>\n
 *     <tree size, decimal>\n
 *     <root hash, standard base64 with padding>\n
 *     [<extension line>\n ...]
 *     \n
 *     — <key name> <base64(key hash[4] || signature)>\n
 *     ...
 *
 * "—" is U+2014 (bytes E2 80 94) followed by one space. Signatures cover the
 * body exactly: every byte up to and including the newline that ends the last
 * body line, never the blank line. The key hash (a hint for picking the key)
 * is the first 4 bytes of SHA-256 over:
 *     Ed25519: key name || 0x0A || 0x01 || 32-byte public key   (C2SP)
 *     SM2:     key name || 0x0A || 0xFF || "zhifa-sm2-sm3" || 65-byte point
 *              04||X||Y  (zhifa's own type; 0xFF is the signed-note escape
 *              for types identified by a name)
 * and the signature is what zf_sign gives (64 bytes Ed25519, DER for SM2).
 * docs/ledger-format.md shows how to check one with the openssl tool.
 *
 * Parsing is strict and bounded (untrusted input from witnesses and
 * clients): at most ZF_CHECKPOINT_MAX bytes, valid UTF-8, no CR or other
 * control characters except LF, a non-empty origin, a canonical decimal size
 * that fits in 64 bits, a root of exactly 32 bytes in canonical base64,
 * non-empty extension lines, at least one and at most
 * ZF_CHECKPOINT_MAX_SIGS well-formed signature lines. */
#ifndef ZF_LEDGER_CHECKPOINT_H
#define ZF_LEDGER_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/merkle.h"
#include "ledger/sign.h"
#include "util/buf.h"
#include "util/err.h"

#define ZF_CHECKPOINT_MAX (16 * 1024)
#define ZF_CHECKPOINT_MAX_SIGS 64
#define ZF_CHECKPOINT_MAX_EXT 16
#define ZF_CHECKPOINT_MAX_NAME 255 /* origin and key names, bytes */
#define ZF_NOTE_SIG_MAX 256        /* decoded signature bytes after the key hash */

typedef struct zf_note_sig {
    char name[ZF_CHECKPOINT_MAX_NAME + 1];
    uint8_t key_hash[4];
    uint8_t sig[ZF_NOTE_SIG_MAX];
    size_t sig_len;
} zf_note_sig;

/* A checkpoint and its signatures. Everything is owned by the struct; read
 * the fields freely, change them only through the functions below. */
typedef struct zf_checkpoint {
    char *origin;
    uint64_t size;
    zf_hash root;
    char *ext[ZF_CHECKPOINT_MAX_EXT]; /* extension lines without '\n' */
    size_t n_ext;
    zf_note_sig sigs[ZF_CHECKPOINT_MAX_SIGS];
    size_t n_sigs;
} zf_checkpoint;

/* A new unsigned checkpoint. origin: 1..255 bytes of UTF-8 with no control
 * characters. Caller frees with zf_checkpoint_free. */
int zf_checkpoint_new(zf_checkpoint **out, const char *origin, uint64_t size,
                      const zf_hash *root, zf_err *err);
/* Adds an extension line (validated like the origin, any length up to
 * 1 KiB). Only before signing: it changes the body. */
int zf_checkpoint_add_extension(zf_checkpoint *c, const char *line, zf_err *err);
void zf_checkpoint_free(zf_checkpoint *c);

/* Appends the body — the exact bytes signatures cover — to out. */
int zf_checkpoint_body(zf_buf *out, const zf_checkpoint *c, zf_err *err);
/* Appends the whole note (body, blank line, signature lines) to out. */
int zf_checkpoint_serialize(zf_buf *out, const zf_checkpoint *c, zf_err *err);

/* The 4-byte key hash of (key_name, key) as described above. */
int zf_note_key_hash(uint8_t out[4], const char *key_name, const zf_sign_key *key,
                     zf_err *err);

/* Signs the body with key (which must hold a private key) under key_name and
 * appends the signature line. key_name: 1..255 bytes, no spaces, '+' or
 * control characters. */
int zf_checkpoint_sign(zf_checkpoint *c, const char *key_name, const zf_sign_key *key,
                       zf_err *err);

/* Strict parse of a whole signed note (see the rules above). Caller frees. */
int zf_checkpoint_parse(zf_checkpoint **out, const char *note, size_t len, zf_err *err);

/* Checks that c carries a valid signature by (key_name, key): a line with
 * that name and key hash whose signature verifies over the body. Returns 0,
 * ZF_ENOTFOUND when no line is by that key, ZF_EINVAL when a line by that
 * key does not verify (a bad signature by a known key rejects the note, as
 * C2SP signed-note asks). Call once per trusted key: the log's own key and
 * each witness's. */
int zf_checkpoint_verify(const zf_checkpoint *c, const char *key_name, const zf_sign_key *key,
                         zf_err *err);

/* Decides whether newer extends older: same origin, newer->size >= older->size,
 * and either equal sizes with equal roots, an empty older tree (whose root
 * must then be the empty root), or a consistency proof that verifies.
 * Returns 0 when consistent, ZF_ECONFLICT ("checkpoint_inconsistent") when the
 * two cannot both be honest heads of one log, ZF_EINVAL for a malformed
 * proof. The signatures are not checked here. */
int zf_checkpoint_check_consistent(const zf_checkpoint *older, const zf_checkpoint *newer,
                                   const zf_hash *proof, size_t proof_len, zf_err *err);

/* Standard base64 with padding (RFC 4648 §4). decode is strict: no
 * whitespace, canonical padding and trailing bits; *out_len gets the byte
 * count (out must hold len / 4 * 3 bytes). */
int zf_base64_encode(zf_buf *out, const uint8_t *data, size_t len);
int zf_base64_decode(uint8_t *out, size_t *out_len, const char *in, size_t len);

#endif
