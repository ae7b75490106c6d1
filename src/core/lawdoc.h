/* lawdoc.h — parser for one law or regulation written as Markdown, the layout
 * of the public LawRefBook collection: a "# title" line, an optional header
 * block of adoption / amendment / promulgation lines closed by
 * "<!-- INFO END -->", chapter and section headings ("## 第一章 总则",
 * "### 第一节 …"), and articles as paragraphs that start with "第X条".
 *
 * Pure computation: no I/O, no clock, no database. Thread-safe.
 *
 * Article numbers: "第X条" with X a Chinese numeral from 一 to 九百九十九 in
 * its canonical written form (十, 十一, 一百零五, 一百一十, 九百九十九).
 * An inserted article "第X条之N" keeps the base number in `no`, N in `sub`
 * and its own label; it sorts right after article X. Because the store keys
 * articles by (law, number), zf_lawdoc_storage_no maps (no, sub) to a unique
 * integer for the database: no itself for ordinary articles, no * 1000 + sub
 * for inserted ones (10 之一 → 10001), which cannot collide with a real
 * article number since numbers stop at 999. */
#ifndef ZF_CORE_LAWDOC_H
#define ZF_CORE_LAWDOC_H

#include <stddef.h>

#include "util/err.h"

/* Largest input accepted, in bytes (the biggest real code is under 1 MiB). */
#define ZF_LAWDOC_MAX_BYTES ((size_t)8 * 1024 * 1024)
/* Most articles accepted in one file. */
#define ZF_LAWDOC_MAX_ARTICLES 4096
/* Longest label "第九百九十九条之九十九", NUL included, with room to spare. */
#define ZF_LAWDOC_LABEL_MAX 64

typedef struct zf_lawdoc_article {
    int no;        /* 1..999 */
    int sub;       /* 0, or N for "第X条之N" (1..99) */
    char *label;   /* "第一百二十条", "第十条之一" */
    char *chapter; /* headings it sits under, outermost first, joined by " / "; "" if none */
    char *text;    /* the article without its label; paragraphs joined by "\n" */
} zf_lawdoc_article;

typedef struct zf_lawdoc {
    char *title;          /* from the "# " line, trimmed */
    char *issuer;         /* body that enacted the current text, "" if not stated */
    char *effective_date; /* "YYYY-MM-DD" or "": see zf_lawdoc_parse */
    zf_lawdoc_article *articles; /* in document order */
    size_t article_count;        /* at least 1 */
} zf_lawdoc;

/* Parses len bytes of text (need not be NUL-terminated). On success *out is
 * a new document the caller frees with zf_lawdoc_free.
 *
 * effective_date is the latest date the text names for its adoption,
 * amendment, promulgation or entry into force: the dates that open the
 * header lines and any "自YYYY年M月D日起施行" in the articles (full-width
 * digits accepted). Comparing it orders two versions of the same law.
 * issuer is taken from the last header line that names one (全国人民代表大会
 * 常务委员会, 全国人民代表大会, "XX令第N号" → XX, 国务院 …).
 *
 * Errors (ZF_EINVAL unless noted; messages in Chinese):
 *   ZF_ETOOBIG  "payload_too_large"  more than ZF_LAWDOC_MAX_BYTES;
 *   "invalid_utf8"   bytes that are not UTF-8, or a NUL byte;
 *   "no_title"       the first non-blank line is not "# title";
 *   "no_articles"    no "第X条" paragraph at all;
 *   "bad_article_no" a marker such as "第十十条 " or "第一千条 ";
 *   "duplicate_article" the same number twice;
 *   "too_many_articles". */
int zf_lawdoc_parse(zf_lawdoc **out, const char *text, size_t len, zf_err *err);

/* Frees a document from zf_lawdoc_parse. Accepts NULL. */
void zf_lawdoc_free(zf_lawdoc *doc);

/* Value of a canonical Chinese numeral of len bytes (一 … 九百九十九; 〇 is
 * read as 零). Returns 0 and sets *out, or ZF_EINVAL for anything else
 * (empty, "一十", "十十", "二百零", 1000 and above). */
int zf_lawdoc_numeral_value(int *out, const char *s, size_t len);

/* Writes the canonical numeral for n (1..999) into out. Returns the byte
 * length written (without the NUL), or ZF_EINVAL if n is out of range or cap
 * is too small. */
int zf_lawdoc_numeral_format(char *out, size_t cap, int n);

/* Writes "第X条" (sub == 0) or "第X条之N" into out (cap >= ZF_LAWDOC_LABEL_MAX
 * always suffices). Returns the byte length or ZF_EINVAL. */
int zf_lawdoc_article_label(char *out, size_t cap, int no, int sub);

/* The integer that identifies an article in the store (see top of file). */
int zf_lawdoc_storage_no(int no, int sub);

/* Checks that len bytes are well-formed UTF-8 without NUL bytes (no
 * overlong forms, no surrogates, nothing above U+10FFFF). Returns 1 if so;
 * otherwise 0 and, if bad_at is not NULL, the offset of the first bad byte. */
int zf_lawdoc_utf8_valid(const char *s, size_t len, size_t *bad_at);

#endif
