/* doctpl.h — schemas of the unified enforcement documents (统一文书格式文本):
 * for every template, its fields (type, required, length), derived fields and
 * cross-field checks; validation of a document's fields given as JSON; and the
 * document number (文号) arithmetic.
 *
 * The templates follow the structure of the 2021 market-regulation template
 * set (penalty procedure, archive) plus the licensing notices. The schemas are
 * static tables (doctpl_penalty.c, doctpl_license.c, doctpl_review.c); nothing here allocates
 * except what a caller asks for, touches a file or reads the clock.
 * Everything is thread-safe.
 *
 * Field values in JSON (the same shape the API and the console use):
 *   text, long text   string; lengths count characters (code points), the
 *                     string must be valid UTF-8 without control characters
 *                     (long text may hold line breaks and tabs);
 *   date              "YYYY-MM-DD";
 *   datetime          "YYYY-MM-DD HH:MM" (or with a "T", optional ":SS");
 *   money             yuan with at most 2 decimals, as a string "5000.00" or
 *                     a number; 0 ≤ amount < 10^12;
 *   integer           JSON integer within the field's [min, max];
 *   enum              one of the field's options, exactly;
 *   party             {"type","name","id_type","id_no","address",
 *                      "legal_rep","phone"}: type one of 自然人 / 法人 /
 *                     非法人组织 / 个体工商户; an 18-character 统一社会信用代码
 *                     or 居民身份证号码 must pass its check digit;
 *   officers          [{"name","cert_no"}...], at least min_items;
 *   law refs          [{"law":"中华人民共和国行政处罚法","article":"第二十八条",
 *                      "clause":"第一款"}...]; article is 第X条 or 第X条之N;
 *   signatures        [{"role","name","signed_at","image_sha256"}...]; role one
 *                     of the field's options (the signature slots);
 *   rows              [{column: value}...] each row checked against the
 *                     field's columns (卷内文件目录, 物品清单);
 *   document number   a 文号 as zf_docno_parse reads it (derived: assigned by
 *                     the system, never required on save).
 * Keys not in the schema are refused, so a misspelt key is not silently lost. */
#ifndef ZF_CORE_DOCTPL_H
#define ZF_CORE_DOCTPL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/doccodes.h"
#include "util/err.h"

typedef enum zf_field_type {
    ZF_FT_TEXT,
    ZF_FT_LONGTEXT,
    ZF_FT_DATE,
    ZF_FT_DATETIME,
    ZF_FT_MONEY,
    ZF_FT_INT,
    ZF_FT_ENUM,
    ZF_FT_PARTY,
    ZF_FT_OFFICERS,
    ZF_FT_LAWREFS,
    ZF_FT_SIGNATURES,
    ZF_FT_ROWS,
    ZF_FT_DOCNO
} zf_field_type;

/* Field flags. */
#define ZF_FIELD_REQUIRED 1u /* must be present and non-empty on save */
#define ZF_FIELD_DERIVED 2u  /* computed by the system (文号); checked if present */
#define ZF_FIELD_NOPRINT 4u  /* structured data (裁量基准, amounts for publicity) not printed */

typedef struct zf_doc_field {
    const char *key;    /* JSON key, snake_case ASCII */
    const char *label;  /* Chinese name used in messages and print */
    zf_field_type type;
    unsigned flags;
    int max_len;        /* text: characters; lists: most items; 0 = type default */
    int min;            /* lists: fewest items; integer: smallest value */
    int max;            /* integer: largest value (0 with min 0: no limit) */
    const char *const *options;         /* enum values / signature roles; NULL-terminated */
    const struct zf_doc_field *columns; /* ZF_FT_ROWS: the columns of a row */
    size_t column_count;
} zf_doc_field;

typedef enum zf_check_kind {
    ZF_CHK_ORDER,        /* a ≤ b (dates / datetimes; date-only compares days) */
    ZF_CHK_BEFORE,       /* a < b strictly */
    ZF_CHK_DAYS_BEFORE,  /* a at least n calendar days before b */
    ZF_CHK_SPAN_DAYS,    /* b - a at most n calendar days (a period's length) */
    ZF_CHK_MONEY_RANGE,  /* when a, b (lower) and c (upper) are all present: b ≤ a ≤ c */
    ZF_CHK_ONSITE_LIMIT  /* a (fine) ≤ 200 yuan for 自然人, ≤ 3000 for others (party in b) */
} zf_check_kind;

typedef struct zf_doc_check {
    zf_check_kind kind;
    const char *a, *b, *c; /* field keys; checks skip fields that are absent */
    int n;
} zf_doc_check;

typedef enum zf_doc_layout {
    ZF_LAYOUT_LETTER, /* 决定书, 通知书: 文号, party, prose paragraphs, seal */
    ZF_LAYOUT_FORM    /* 表, 笔录, 回证: a bordered table of label / value */
} zf_doc_layout;

typedef struct zf_doctpl {
    const char *code;     /* ZF_DOC_* */
    const char *name;     /* "行政处罚决定书" */
    const char *group;    /* "penalty", "archive", "license" or "review" */
    const char *docno_kind; /* the kind in the 文号 ("处罚"), NULL when unnumbered */
    zf_doc_layout layout;
    const zf_doc_field *fields; /* in print order */
    size_t field_count;
    const zf_doc_check *checks;
    size_t check_count;
} zf_doctpl;

/* The template with this code, or NULL. Borrowed, static. */
const zf_doctpl *zf_doctpl_find(const char *code);
/* Templates in a fixed order: i in [0, zf_doctpl_count()). */
size_t zf_doctpl_count(void);
const zf_doctpl *zf_doctpl_at(size_t i);
/* A template's field by key, or NULL. */
const zf_doc_field *zf_doctpl_field(const zf_doctpl *tpl, const char *key);

/* The members of a structured value: party, officers (one officer), law refs
 * (one reference) and signatures (one signature; its role's options are the
 * field's). NULL for other types. *out_n gets the count. Static, borrowed. */
const zf_doc_field *zf_doctpl_item_fields(zf_field_type type, size_t *out_n);

/* The effective maximum of a field as validation applies it: characters for
 * text (200, long text 8000 when max_len is 0), items for lists (100 when
 * 0), 0 for the other types. */
int zf_doctpl_field_max(const zf_doc_field *f);

/* Checks a document's fields (a JSON object) against tpl: unknown keys,
 * required fields, types, lengths, formats, then the cross-field checks.
 * Returns 0, or ZF_EINVAL with err naming the first offending field: err.field
 * is the JSON path ("party.name", "officers[1].cert_no") and the message names
 * it in Chinese ("“当事人”的“名称”不能为空"). err.code is one of
 * "unknown_field", "required", "wrong_type", "too_long", "too_few", "too_many",
 * "bad_format", "bad_value", "bad_order", "out_of_range". */
int zf_doc_validate(const zf_doctpl *tpl, const json_t *fields, zf_err *err);

/* The check of a draft: as zf_doc_validate, except that a top-level required
 * field left empty (absent, null, "", []) is not an error but is listed in
 * *out_missing, a new array of {"key", "label"} in the template's order that
 * the caller owns (out_missing may be NULL; it is set to NULL on error).
 * Everything that is filled in must be valid, including the required members
 * of a filled structure (a party needs its type and name), and the
 * cross-field checks run on the fields present. zf_doc_validate succeeds
 * exactly when this succeeds with an empty list. */
int zf_doc_validate_draft(json_t **out_missing, const zf_doctpl *tpl, const json_t *fields,
                          zf_err *err);

/* Money: parses a JSON money value into fen (分). 0 or ZF_EINVAL. */
int zf_doc_money_fen(int64_t *out, const json_t *v);
/* Writes fen as yuan with two decimals and thousands separators
 * ("12,345.60"). Returns bytes written or ZF_EINVAL if cap is too small. */
int zf_doc_money_format(char *out, size_t cap, int64_t fen);

/* ---- document numbers (文号) ------------------------------------------------
 * A 文号 reads  <department abbreviation><kind>〔<year>〕<n>号,  for example
 * "赣江市监处罚〔2026〕12号". Numbers run per department, per kind and per year,
 * starting at 1 each January; the database keeps the counter, this module
 * only does the arithmetic. */
typedef struct zf_docno {
    char prefix[96]; /* department abbreviation + kind, "赣江市监处罚" */
    int year;        /* 2000..9999 */
    int64_t seq;     /* 1.. */
} zf_docno;

/* Formats a 文号. prefix: 1..95 bytes of UTF-8 without brackets or digits at
 * the end. Returns bytes written, or ZF_EINVAL (bad prefix, year, seq, cap). */
int zf_docno_format(char *out, size_t cap, const char *prefix, int year, int64_t seq,
                    zf_err *err);

/* Reads a 文号 (also accepts [] or 【】 or ［］ for 〔〕 and full-width digits). */
int zf_docno_parse(zf_docno *out, const char *s, size_t len, zf_err *err);

/* The number after `last` for the counter of `prefix` in `year`: seq 1 when
 * last is NULL (no number issued yet) or from an earlier year, last->seq + 1
 * otherwise. Refuses (ZF_ECONFLICT) a last number from a later year or a
 * different prefix — the counter belongs to one department and kind — and
 * ZF_EINVAL on a bad year or overflow. */
int zf_docno_next(zf_docno *out, const zf_docno *last, const char *prefix, int year,
                  zf_err *err);

/* Internal: the template tables (doctpl_penalty.c, doctpl_license.c,
 * doctpl_review.c). */
extern const zf_doctpl zf_doctpl_penalty_[];
extern const size_t zf_doctpl_penalty_count_;
extern const zf_doctpl zf_doctpl_license_[];
extern const size_t zf_doctpl_license_count_;
extern const zf_doctpl zf_doctpl_review_[];
extern const size_t zf_doctpl_review_count_;

#endif
