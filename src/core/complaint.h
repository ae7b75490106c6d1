/* complaint.h — the rules of 投诉举报 (issue 8) that need no database:
 * tracking numbers and query codes, and the life cycle of a complaint.
 *
 * A tracking number is "TS-YYYY-XXXXXXXX-C": the year of receipt, eight
 * random symbols of Crockford's base-32 alphabet (0-9 A-Z without I L O U,
 * 40 bits: numbers cannot be enumerated) and one check symbol of the same
 * alphabet (ISO/IEC 7064 hybrid system MOD 33,32 over the year and the
 * random part), which catches every single mistyped symbol and nearly every
 * swap of neighbours before the database is asked. The query code (查询码)
 * is eight more random symbols, shown once to the complainant, stored only
 * as a hash; the number alone never shows the reply.
 *
 * Both parsers accept what people type: lower case, spaces and dashes
 * anywhere, and Crockford's look-alikes (O → 0, I and L → 1).
 *
 * Pure functions, no I/O; randomness is passed in. Thread-safe. */
#ifndef ZF_CORE_COMPLAINT_H
#define ZF_CORE_COMPLAINT_H

#include <stddef.h>
#include <stdint.h>

#define ZF_COMPLAINT_NO_LEN 18   /* "TS-2026-7KQ3M9XD-R" */
#define ZF_COMPLAINT_CODE_LEN 8  /* "4F7K2M9Q" */
#define ZF_COMPLAINT_RANDOM 8    /* random bytes each of the two takes */

/* Writes the tracking number of a complaint received in year (2000..2999)
 * from 8 random bytes (only 5 bits of each are used). Returns 0, or -1 for a
 * year out of range. */
int zf_complaint_no_make(char out[ZF_COMPLAINT_NO_LEN + 1], int year,
                         const uint8_t random[ZF_COMPLAINT_RANDOM]);

/* Normalises a typed tracking number into its canonical form. Returns 0, or
 * -1 when it is not one (wrong shape, unknown symbol, wrong check symbol). */
int zf_complaint_no_parse(char out[ZF_COMPLAINT_NO_LEN + 1], const char *s, size_t len);

/* Writes a query code from 8 random bytes. */
void zf_complaint_code_make(char out[ZF_COMPLAINT_CODE_LEN + 1], const uint8_t random[ZF_COMPLAINT_RANDOM]);

/* Normalises a typed query code. Returns 0, or -1 when it is not one. */
int zf_complaint_code_parse(char out[ZF_COMPLAINT_CODE_LEN + 1], const char *s, size_t len);

/* ---- life cycle ----------------------------------------------------------
 *
 *   submitted --accept--> accepted --assign--> investigating --reply--> replied --close--> closed
 *   submitted --reject--> rejected (不予受理, with the reason the complainant sees)
 *   assign again while investigating hands the complaint to another handler;
 *   reply is also allowed straight from accepted; note (an internal
 *   investigation note) in accepted, investigating and replied. */

typedef enum zf_complaint_actor {
    ZF_COMPLAINT_BY_HANDLER = 1, /* the assigned handler */
    ZF_COMPLAINT_BY_HEAD = 2,    /* the department's head, or the Justice Bureau */
} zf_complaint_actor;

typedef struct zf_complaint_action {
    const char *code;      /* "accept" */
    const char *name;      /* "受理" */
    unsigned actors;       /* ZF_COMPLAINT_BY_* that may take it */
    int needs_note;        /* a note (reason, reply text) is required */
    int is_public;         /* the complainant sees it on the tracking page */
    int finishes_clock;    /* the handling deadline is met by it */
} zf_complaint_action;

/* The action with this code, or NULL. */
const zf_complaint_action *zf_complaint_action_find(const char *code);

/* The status after action taken in status, or NULL when the action is not
 * allowed in that status. Both are codes ("submitted", "accept"). */
const char *zf_complaint_next_status(const char *status, const char *action);

/* Chinese name of a status code, or the code itself when unknown. */
const char *zf_complaint_status_name(const char *status);

/* Whether a status code is one of the six. */
int zf_complaint_status_valid(const char *status);

#endif
