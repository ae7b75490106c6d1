/* complaint.c — see complaint.h. */
#include "core/complaint.h"

#include <stdio.h>
#include <string.h>

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The value (0..31) of a typed symbol, folding case and look-alikes; -1 if
 * the byte is not one. */
static int symbol_value(unsigned char ch)
{
    const char *p;

    if (ch >= 'a' && ch <= 'z')
        ch = (unsigned char)(ch - 'a' + 'A');
    if (ch == 'O')
        ch = '0';
    else if (ch == 'I' || ch == 'L')
        ch = '1';
    if (!ch || !(p = strchr(ALPHABET, ch)))
        return -1;
    return (int)(p - ALPHABET);
}

/* ISO/IEC 7064 hybrid system MOD 33,32: the check value for vals[0..n). */
static int check_value(const int *vals, size_t n)
{
    int p = 32, s;
    size_t i;

    for (i = 0; i < n; i++) {
        s = (p + vals[i]) % 32;
        if (s == 0)
            s = 32;
        p = (2 * s) % 33;
    }
    return (33 - p) % 32;
}

int zf_complaint_no_make(char out[ZF_COMPLAINT_NO_LEN + 1], int year,
                         const uint8_t random[ZF_COMPLAINT_RANDOM])
{
    int vals[12];
    size_t i;

    if (year < 2000 || year > 2999)
        return -1;
    snprintf(out, ZF_COMPLAINT_NO_LEN + 1, "TS-%04d-", year);
    for (i = 0; i < 4; i++)
        vals[i] = out[3 + i] - '0';
    for (i = 0; i < ZF_COMPLAINT_RANDOM; i++) {
        vals[4 + i] = random[i] & 31;
        out[8 + i] = ALPHABET[vals[4 + i]];
    }
    out[16] = '-';
    out[17] = ALPHABET[check_value(vals, 12)];
    out[18] = '\0';
    return 0;
}

/* The symbols of s with blanks and dashes dropped, into vals (at most cap).
 * Returns how many, or -1 for a byte that is no symbol or too many. */
static int symbols(int *vals, size_t cap, const char *s, size_t len)
{
    size_t i, n = 0;
    int v;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == ' ' || ch == '-' || ch == '\t')
            continue;
        if ((v = symbol_value(ch)) < 0 || n == cap)
            return -1;
        vals[n++] = v;
    }
    return (int)n;
}

int zf_complaint_no_parse(char out[ZF_COMPLAINT_NO_LEN + 1], const char *s, size_t len)
{
    int vals[15];
    size_t i;

    /* "TS" first: T and S are symbols too, so they are read with the rest
     * and checked by value */
    if (symbols(vals, 15, s, len) != 15 || vals[0] != symbol_value('T') || vals[1] != symbol_value('S'))
        return -1;
    for (i = 2; i < 6; i++)
        if (vals[i] > 9)
            return -1;
    if (vals[2] != 2 || check_value(vals + 2, 12) != vals[14])
        return -1;
    /* the year's digits as characters (0..9, checked above; a format
     * string would leave the compiler guessing at their width) */
    memcpy(out, "TS-", 3);
    for (i = 0; i < 4; i++)
        out[3 + i] = (char)('0' + vals[2 + i]);
    out[7] = '-';
    for (i = 0; i < 8; i++)
        out[8 + i] = ALPHABET[vals[6 + i]];
    out[16] = '-';
    out[17] = ALPHABET[vals[14]];
    out[18] = '\0';
    return 0;
}

void zf_complaint_code_make(char out[ZF_COMPLAINT_CODE_LEN + 1], const uint8_t random[ZF_COMPLAINT_RANDOM])
{
    size_t i;

    for (i = 0; i < ZF_COMPLAINT_CODE_LEN; i++)
        out[i] = ALPHABET[random[i] & 31];
    out[ZF_COMPLAINT_CODE_LEN] = '\0';
}

int zf_complaint_code_parse(char out[ZF_COMPLAINT_CODE_LEN + 1], const char *s, size_t len)
{
    int vals[ZF_COMPLAINT_CODE_LEN];
    size_t i;

    if (symbols(vals, ZF_COMPLAINT_CODE_LEN, s, len) != ZF_COMPLAINT_CODE_LEN)
        return -1;
    for (i = 0; i < ZF_COMPLAINT_CODE_LEN; i++)
        out[i] = ALPHABET[vals[i]];
    out[ZF_COMPLAINT_CODE_LEN] = '\0';
    return 0;
}

/* ---- life cycle ---- */

#define H ZF_COMPLAINT_BY_HANDLER
#define B ZF_COMPLAINT_BY_HEAD

static const zf_complaint_action ACTIONS[] = {
    {"accept", "受理", B, 0, 1, 0},
    {"reject", "不予受理", B, 1, 1, 1},
    {"assign", "指定承办人", B, 0, 0, 0},
    {"note", "调查记录", H | B, 1, 0, 0},
    {"reply", "答复", H | B, 1, 1, 1},
    {"close", "办结", B, 0, 1, 0},
};

static const struct {
    const char *from, *action, *to;
} TRANSITIONS[] = {
    {"submitted", "accept", "accepted"},
    {"submitted", "reject", "rejected"},
    {"accepted", "assign", "investigating"},
    {"investigating", "assign", "investigating"},
    {"accepted", "note", "accepted"},
    {"investigating", "note", "investigating"},
    {"replied", "note", "replied"},
    {"accepted", "reply", "replied"},
    {"investigating", "reply", "replied"},
    {"replied", "close", "closed"},
};

static const struct {
    const char *code, *name;
} STATUSES[] = {
    {"submitted", "待受理"}, {"accepted", "已受理"}, {"investigating", "调查处理中"},
    {"replied", "已答复"},   {"closed", "已办结"},   {"rejected", "不予受理"},
};

const zf_complaint_action *zf_complaint_action_find(const char *code)
{
    size_t i;

    for (i = 0; code && i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        if (strcmp(ACTIONS[i].code, code) == 0)
            return &ACTIONS[i];
    return NULL;
}

const char *zf_complaint_next_status(const char *status, const char *action)
{
    size_t i;

    for (i = 0; status && action && i < sizeof TRANSITIONS / sizeof TRANSITIONS[0]; i++)
        if (strcmp(TRANSITIONS[i].from, status) == 0 && strcmp(TRANSITIONS[i].action, action) == 0)
            return TRANSITIONS[i].to;
    return NULL;
}

const char *zf_complaint_status_name(const char *status)
{
    size_t i;

    for (i = 0; status && i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        if (strcmp(STATUSES[i].code, status) == 0)
            return STATUSES[i].name;
    return status ? status : "";
}

int zf_complaint_status_valid(const char *status)
{
    size_t i;

    for (i = 0; status && i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        if (strcmp(STATUSES[i].code, status) == 0)
            return 1;
    return 0;
}
