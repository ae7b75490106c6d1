/* content.h — the printable content of one document, shared by the PDF and
 * HTML renderers so both show exactly the same words: a list of blocks
 * (authority, title, 文号, party lines, paragraphs, form rows, tables,
 * signature lines, seal) built from a validated document and its template.
 *
 * Pure computation: no I/O, no clock. Thread-safe. */
#ifndef ZF_RENDER_CONTENT_H
#define ZF_RENDER_CONTENT_H

#include <stddef.h>

#include <jansson.h>

#include "core/doctpl.h"
#include "util/err.h"

/* A handwritten signature captured on a tablet, printed in its slot. */
typedef struct zf_render_sig {
    const char *role;          /* the slot ("当事人"); a role the template has no slot
                                * for gets a signature line of its own */
    const char *name;          /* printed beside the image */
    const char *signed_at;     /* "YYYY-MM-DD HH:MM" */
    const unsigned char *png;  /* the image (PNG), borrowed for the render */
    size_t png_len;
} zf_render_sig;

/* The department's electronic seal: a red circle with the department's name
 * and the key id of the SM2 signature, over the authority and date. */
typedef struct zf_render_seal {
    const char *department;    /* text around the circle */
    const char *key_id;        /* 16 hex characters */
} zf_render_seal;

#define ZF_RENDER_MAX_SIGS 20

/* What the caller supplies beside the fields. */
typedef struct zf_render_opts {
    const char *authority;   /* issuing authority, "赣江市市场监督管理局" (required) */
    const char *verify_code; /* document verification code, [A-Za-z0-9-]{4,64} (required
                              * unless draft; a draft prints none) */
    const char *verify_base; /* portal base URL, "https://zhifa.example.gov.cn" (required
                              * with verify_code) */
    int draft;               /* a draft: "草稿" across every page, no verification block */
    const zf_render_sig *sigs; /* captured signatures, at most ZF_RENDER_MAX_SIGS */
    size_t nsigs;
    const zf_render_seal *seal; /* NULL: no electronic seal */
    int report;              /* a report, not a document (issue 8's weekly bulletin): no
                              * verification code and no 草稿 mark */
} zf_render_opts;

#define ZF_RENDER_OPTS_INIT {NULL, NULL, NULL, 0, NULL, 0, NULL, 0}

typedef enum zf_rblock_kind {
    ZF_RB_AUTHORITY, /* text: authority name, centred */
    ZF_RB_TITLE,     /* text: document name, centred */
    ZF_RB_DOCNO,     /* text: the 文号, right-aligned */
    ZF_RB_LINE,      /* label：text, no indent (party block, short fields) */
    ZF_RB_PARA,      /* label：text as indented paragraphs split at '\n' */
    ZF_RB_ROW,       /* form row: label cell | text cell */
    ZF_RB_TABLE,     /* label caption; cells: ncols headers then rows */
    ZF_RB_SIGN,      /* label（签名）：text   date */
    ZF_RB_SEAL       /* label: authority, text: date, right-aligned */
} zf_rblock_kind;

typedef struct zf_rblock {
    zf_rblock_kind kind;
    char *label; /* may be "" */
    char *text;  /* may be "" */
    char *extra; /* SIGN: signing time; "" otherwise */
    const zf_render_sig *sig; /* SIGN: the captured image, borrowed from the opts; or NULL */
    const zf_render_seal *seal; /* SEAL: the electronic seal, borrowed; or NULL */
    size_t ncols;
    size_t ncells; /* TABLE: ncols headers + rows * ncols */
    char **cells;
} zf_rblock;

typedef struct zf_rdoc {
    const zf_doctpl *tpl;
    zf_rblock *blocks;
    size_t count, cap;
    char *verify_code; /* NULL for a draft without one */
    char *verify_url;  /* "{base}/verify/document/{code}"; NULL with verify_code */
    int draft;
    char *footer;      /* set: printed in the footer instead of the code or the draft note */
} zf_rdoc;

/* Validates fields against tpl (zf_doc_validate) and the options, then builds
 * the blocks. On success *out is new and the caller frees it with
 * zf_rdoc_free. Errors: ZF_EINVAL with err naming the field or option. */
int zf_rdoc_build(zf_rdoc **out, const zf_doctpl *tpl, const json_t *fields,
                  const zf_render_opts *opts, zf_err *err);
void zf_rdoc_free(zf_rdoc *doc);

/* Content that is not a template's document (the annual report): an empty
 * zf_rdoc (tpl NULL, no verification) that the caller fills block by block
 * and frees with zf_rdoc_free. footer may be NULL. */
zf_rdoc *zf_rdoc_new(const char *footer);
/* Appends a block; label and text are copied (NULL is ""). */
void zf_rdoc_add(zf_rdoc *doc, zf_rblock_kind kind, const char *label, const char *text);
/* Appends a ZF_RB_TABLE captioned caption: ncols header cells then rows,
 * ncells in all (a multiple of ncols); the cells are copied. */
void zf_rdoc_add_table(zf_rdoc *doc, const char *caption, size_t ncols, const char *const *cells,
                       size_t ncells);

/* "2026-03-01" → "2026年3月1日", "2026-03-01 09:30" → "2026年3月1日9时30分";
 * other text copied. Writes at most cap bytes, NUL included. */
void zf_rdoc_human_date(char *out, size_t cap, const char *iso);

#endif
