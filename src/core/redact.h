/* redact.h — masking of natural persons' personal data before publication
 * (行政执法公示, 双公示 exports), with a list of what was found for the
 * publicity officer's 保密审查 view (masked and unmasked side by side).
 *
 * What is recognised, on text normalised per character with NFKC (so
 * full-width "１３８" reads as "138") while the ORIGINAL characters are
 * masked one for one — the output has exactly as many characters as the
 * input, and everything not masked is byte-for-byte unchanged:
 *   ID_NUMBER    居民身份证号码: 18 characters (17 digits + digit or X/x) with a
 *                valid region prefix, birth date and ISO 7064 MOD 11-2 check
 *                character; or the old 15-digit form (region + YYMMDD). An
 *                18-digit number shaped like an ID (region and date) but with a
 *                wrong check character is left alone, and is never taken for
 *                a bank card.
 *   MOBILE       1[3-9] + 9 digits, optionally after 86 / 0086 / +86, in any
 *                grouping by spaces or hyphens ("138 1234 5678").
 *   LANDLINE     0 + area code (010, 02X, or 4 digits) + 7-8 digit local
 *                number: "0791-86661234", "(0791)86661234", "079186661234".
 *   BANK_CARD    16-19 digits passing the Luhn check, contiguous or in groups
 *                of four.
 *   ADDRESS      in free text, what follows a personal label (住址, 家庭住址,
 *                现住址, 户籍地址, 户籍地, 居住地, 家住, 现住) up to the next
 *                clause punctuation; a whole field if a rule says so.
 *   NAME         in free text, "姓名：张三" and "张三，男/女" (a natural person
 *                described by sex); a whole field if a rule says so.
 *   CREDIT_CODE  统一社会信用代码 (18 characters with a valid GB 32100 check
 *                character). Published, never masked by the default rules;
 *                recognised so that it is not read as an ID or card number.
 * Numbers count only when whole: not preceded or followed by a letter or
 * digit (so part of a longer number is never masked).
 *
 * Rules: a table of zf_redact_rule. For each finding the most specific
 * rule wins: an exact audience counts most, then an exact field (over "*"),
 * then an exact kind (over any); among equals, the first in the table. So
 * ("*", INTERNAL, any kind, mask 0) unmasks everything for staff, while
 * ("证件号码", CREDIT, ID_NUMBER, mask 0) unmasks one field for the credit
 * platform only. A field named by a whole rule (any audience) is treated as
 * a value of that kind: names and addresses are masked as a whole; for
 * number kinds the value is scanned, and masked as a whole only when the
 * scan finds nothing. A finding no rule covers is masked with the
 * built-in public defaults (fail closed).
 *
 * Pure computation: no I/O, no clock. Thread-safe. */
#ifndef ZF_CORE_REDACT_H
#define ZF_CORE_REDACT_H

#include <stddef.h>

#include "util/err.h"

/* Largest text accepted, in bytes (a whole decision document fits). */
#define ZF_REDACT_MAX_BYTES ((size_t)4 * 1024 * 1024)

typedef enum zf_redact_kind {
    ZF_REDACT_ANY_KIND = 0, /* in a rule: every kind */
    ZF_REDACT_ID_NUMBER,
    ZF_REDACT_MOBILE,
    ZF_REDACT_LANDLINE,
    ZF_REDACT_BANK_CARD,
    ZF_REDACT_ADDRESS,
    ZF_REDACT_NAME,
    ZF_REDACT_CREDIT_CODE,
    ZF_REDACT_KIND_COUNT
} zf_redact_kind;

typedef enum zf_redact_audience {
    ZF_REDACT_ANY_AUDIENCE = 0, /* in a rule: every audience */
    ZF_REDACT_PUBLIC,           /* the public portal, feeds, public exports */
    ZF_REDACT_CREDIT,           /* the credit platform (信用平台) export */
    ZF_REDACT_INTERNAL          /* staff inside the department */
} zf_redact_audience;

/* keep_prefix for the natural boundary of the kind: the surname of a name
 * (two characters for compound surnames such as 欧阳), the administrative
 * divisions of an address (see zf_redact_rule.keep_prefix), the area code
 * of a landline; 0 for the others. */
#define ZF_REDACT_AUTO (-1)

typedef struct zf_redact_rule {
    const char *field; /* field name, e.g. "违法事实"; "*" = any field */
    int audience;      /* zf_redact_audience */
    int kind;          /* zf_redact_kind; ZF_REDACT_ANY_KIND = every kind */
    /* 1: the field's whole value is of `kind` (a 姓名 or 住址 field), so it
     * is masked without searching; 0: the rule applies to what a scan of
     * the field finds. A whole rule needs an exact field and kind. */
    int whole;
    int mask;          /* 0: publish as is (still listed as a finding) */
    /* Characters left visible at the start and end. Numbers count only
     * digits (and a final X): separators stay as they are and a 86 / +86
     * prefix is not counted. Names and addresses count every character.
     * ZF_REDACT_AUTO: see the macro; for an address it keeps the
     * province, city and district (through the first 区, 县 or 旗 that does
     * not end 小区/社区/园区) and a 镇/乡/街道 right after it, or the city
     * when no district is named, and masks the rest (road, number,
     * building, room). Any value >= 0 is a
     * plain count. If prefix and suffix would leave nothing masked,
     * everything is masked. */
    int keep_prefix;
    int keep_suffix;
    const char *mask_char; /* exactly one UTF-8 character; NULL = "*" */
} zf_redact_rule;

typedef struct zf_redact_policy {
    const zf_redact_rule *rules;
    size_t count;
} zf_redact_policy;

/* The built-in table, borrowed (static). Public and credit platform:
 * ID 1+1 visible, mobile 3+4 (138****5678), landline area code + last 2,
 * bank card 4+4, address through the district, name the surname; the
 * credit platform also receives the whole 证件号码 and 姓名 fields (the 双公示
 * items it needs), free text masked as for the public; internal: nothing
 * masked. Credit codes are never masked. */
const zf_redact_policy *zf_redact_default_policy(void);

/* Checks a rule table: fields present, kinds and audiences in range, whole
 * rules with an exact field and kind, mask_char one character. Returns 0 or
 * ZF_EINVAL "bad_rule" naming the rule's index. */
int zf_redact_policy_check(const zf_redact_policy *policy, zf_err *err);

typedef struct zf_redact_finding {
    int kind;                        /* zf_redact_kind */
    int masked;                      /* 0 if published as is */
    size_t offset, length;           /* bytes in the input */
    size_t out_offset, out_length;   /* bytes in the output */
    size_t char_offset, char_length; /* characters: the same in both */
} zf_redact_finding;

typedef struct zf_redact_result {
    char *text;                  /* the masked text, NUL-terminated */
    size_t len;                  /* bytes */
    zf_redact_finding *findings; /* in text order, not overlapping */
    size_t count;
} zf_redact_result;

#define ZF_REDACT_RESULT_INIT {NULL, 0, NULL, 0}

/* Masks len bytes of text, the value of `field` published to `audience`,
 * under policy (NULL = the default policy). On success *out holds the
 * masked text and the findings; the caller frees them with
 * zf_redact_result_free (also after an error, which leaves *out empty).
 * Errors: ZF_ETOOBIG "payload_too_large" (over ZF_REDACT_MAX_BYTES),
 * ZF_EINVAL "invalid_utf8" (not UTF-8 or a NUL byte), "bad_rule" (see
 * zf_redact_policy_check), "bad_audience". */
int zf_redact_text(zf_redact_result *out, const zf_redact_policy *policy, const char *field,
                   int audience, const char *text, size_t len, zf_err *err);

void zf_redact_result_free(zf_redact_result *r);

/* Chinese name of a kind for the review view ("身份证号码", "手机号码", ...). */
const char *zf_redact_kind_label(int kind);

/* Validators, also for import checks. Inputs are ASCII (normalise first).
 * zf_redact_id_valid: 18 characters with region, birth date (1900-2099) and
 * MOD 11-2 check (X or x), or 15 digits with region and date.
 * zf_redact_credit_code_valid: 18 characters of the GB 32100 alphabet
 * (0-9 and A-Y without I, O, S, V, Z; upper case) with a valid check character.
 * zf_redact_luhn_valid: digits only, Luhn sum divisible by 10.
 * Each returns 1 if valid, else 0. */
int zf_redact_id_valid(const char *s, size_t len);
int zf_redact_credit_code_valid(const char *s, size_t len);
int zf_redact_luhn_valid(const char *s, size_t len);

#endif
