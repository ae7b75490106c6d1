/* doc_store.h — what a final enforcement document gains after its 定稿:
 * its public verification code (the code printed with the QR code, bound to
 * the document's content SHA-256 and the ledger leaf of its finalize event),
 * handwritten signatures captured on a tablet, and the department's
 * electronic seal (an SM2 signature over the content hash with a key of the
 * department's own).
 *
 * Tables: store/migrations/0009_documents.sql. Seal keys: the private key of
 * department D is the file DATA/seals/D.key (PKCS#8 PEM, mode 0600, created
 * at the department's first seal, fsynced; it never leaves the server and is
 * not in the database, so a copy of the database cannot seal); its public
 * half is the row of seal_keys, published on the verification page.
 *
 * Writes run in the caller's transaction when there is one, else in their
 * own; each signing writes one audit row and so one ledger event:
 * document_signature (content hash = SHA-256 of the PNG) and document_seal
 * (content hash = SHA-256 of the raw DER signature), object case_document.
 * Personal data (a signer's name) never goes into the audit detail.
 *
 * Functions take the connection of the calling thread and keep no state. */
#ifndef ZF_STORE_DOC_STORE_H
#define ZF_STORE_DOC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/case_store.h"
#include "store/db.h"
#include "util/err.h"

#define ZF_DOC_SIG_MAX_PNG (200 * 1024) /* bytes of one signature image */
#define ZF_DOC_SIG_MAX_PER_DOC 20
#define ZF_DOC_SIG_ROLE_MAX 20          /* code points */
#define ZF_DOC_SIG_NAME_MAX 100
#define ZF_DOC_CODE_LEN 19              /* XXXX-XXXX-XXXX-XXXX */

/* ---- verification codes ---------------------------------------------------- */

typedef struct zf_doc_verify {
    char code[ZF_DOC_CODE_LEN + 1];
    int64_t document_id, case_id, department_id;
    char template_code[48];
    char doc_no[160];              /* "" for an unnumbered template */
    char content_sha256[65];       /* as at finalization (the ledger's) */
    char current_sha256[65];       /* as the document row holds it now */
    int64_t leaf_index;            /* -1: no finalize event in the ledger */
    int64_t finalized_at;
    char issue_date[11];           /* the document's own date (decision_date ...), or "" */
    char department_name[301];
} zf_doc_verify;

/* Whether s is a well-formed code (Crockford base32 groups, upper case). */
int zf_doc_code_valid(const char *s);

/* The verification code of final document doc_id of case case_id, created
 * (random, 80 bits) on first use together with the ledger leaf of the
 * document's case_document_finalize event. ZF_ENOTFOUND when the document
 * is not the case's, ZF_ECONFLICT "document_not_final" for a draft. */
int zf_doc_verify_ensure(zf_doc_verify *out, zf_db *db, int64_t case_id, int64_t doc_id,
                         int64_t now, zf_err *err);

/* The document a code names; ZF_ENOTFOUND "not_found" when none (a malformed
 * code included). */
int zf_doc_verify_find(zf_doc_verify *out, zf_db *db, const char *code, zf_err *err);

/* ---- handwritten signatures -------------------------------------------------- */

typedef struct zf_doc_sig {
    int64_t id, document_id, officer_id; /* officer_id 0 = none */
    char signer_kind[12];               /* officer, party, witness, reviewer */
    char role[ZF_DOC_SIG_ROLE_MAX * 4 + 1];
    char name[ZF_DOC_SIG_NAME_MAX * 4 + 1];
    char image_sha256[65], document_sha256[65];
    int width, height;
    int64_t signed_at, created_by;
    unsigned char *image;               /* owned PNG bytes */
    size_t image_len;
} zf_doc_sig;

typedef struct zf_doc_sig_new {
    const char *signer_kind;  /* officer, party, witness */
    const char *role;         /* NULL: 执法人员 / 当事人 / 见证人 by kind */
    const char *name;         /* required for a party or witness; an officer's is the record's */
    int64_t officer_id;       /* required for an officer: one of the department's */
    const unsigned char *png; /* a checked PNG (zf_render_png_check), ≤ ZF_DOC_SIG_MAX_PNG */
    size_t png_len;
    int width, height;
    const char *reviewer_name; /* kind "reviewer" only: set by the review store alone, after it
                                * checked the signer is the round's reviewer (else refused) */
} zf_doc_sig_new;

/* Records a signature on final document doc_id. ZF_EINVAL (bad kind, role
 * not a signature slot of the template, missing name, officer of another
 * department ...), ZF_ECONFLICT "document_not_final" / "case_archived" /
 * "too_many_signatures". Audit document_signature. */
int zf_doc_sig_add(int64_t *out_id, zf_db *db, int64_t case_id, int64_t doc_id,
                   const zf_doc_sig_new *in, const zf_case_actor *who, int64_t now, zf_err *err);

/* The document's signatures in order, images included. Free with
 * zf_doc_sigs_free. */
int zf_doc_sigs(zf_doc_sig **out, size_t *out_n, zf_db *db, int64_t doc_id, zf_err *err);
void zf_doc_sigs_free(zf_doc_sig *s, size_t n);

/* ---- electronic seals --------------------------------------------------------- */

typedef struct zf_doc_seal {
    int64_t id, document_id, department_id, sealed_by, sealed_at;
    char key_id[17];
    char algorithm[16];
    char content_sha256[65];  /* what was signed: these 64 ASCII characters */
    char signature[160];      /* base64 of the DER signature */
    char *public_key;         /* owned PEM of the seal key */
} zf_doc_seal;

void zf_doc_seal_clear(zf_doc_seal *s);

/* Seals final document doc_id with its department's key (created on first
 * use under data_dir/seals/). ZF_ECONFLICT "document_not_final",
 * "already_sealed", "case_archived"; ZF_EIO when the key file cannot be
 * written or read. Audit document_seal. out may be NULL. */
int zf_doc_seal_add(zf_doc_seal *out, zf_db *db, const char *data_dir, int64_t case_id,
                    int64_t doc_id, const zf_case_actor *who, int64_t now, zf_err *err);

/* The seal of doc_id: 1 with *out filled (free with zf_doc_seal_clear), 0
 * when the document is not sealed. */
int zf_doc_seal_get(zf_doc_seal *out, zf_db *db, int64_t doc_id, zf_err *err);

/* 1 when the seal's signature verifies with its public key over
 * content_sha256 (the document's current hash), 0 when it does not. */
int zf_doc_seal_valid(const zf_doc_seal *s, const char *content_sha256);

#endif
