/* publication_store.h — 事后公开 (issue 7): the publication of enforcement
 * decisions in the 双公示 data-item layout, from queue to withdrawal.
 *
 * Life of a publication (table publications, migration 0011):
 *   pending           a case recorded a decision (zf_publication_on_decision,
 *                     called by zf_case_act in its own transaction); a clock
 *                     (publish_penalty / publish_licensing: 7 working days,
 *                     publish_other: 20) runs from the decision date
 *   published         the publicity officer compared masked and unmasked
 *                     content (保密审查) and confirmed; the clock is finished
 *                     (on time or late), the masked text is indexed for search
 *   withdraw_pending  the decision was revoked: it must come down within 3
 *                     working days (clock withdraw_publication)
 *   withdrawn         taken down; the page shows 已撤下 and the reason
 *   expired           the publication period (max) ended (tick)
 *   repaired          ended early by 信用修复 after the minimum period
 * Content is kept twice: unmasked (content) and as the public sees it
 * (masked, zf_redact_text with ZF_REDACT_PUBLIC), with the findings.
 * Every change writes an audit row + ledger event in the same transaction.
 *
 * Not thread-safe per connection, like zf_db. */
#ifndef ZF_STORE_PUBLICATION_STORE_H
#define ZF_STORE_PUBLICATION_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "core/calendar.h"
#include "store/db.h"
#include "util/err.h"

#define ZF_PUBLICATION_OBJECT "publication" /* object_type of clocks and audit rows */
#define ZF_PUBLICATION_REASON_MAX 500        /* code points */

/* Who acts (audit). name may be NULL. */
typedef struct zf_pub_actor {
    int64_t user_id;
    const char *name;
    const char *ip;
    const char *request_id;
} zf_pub_actor;

/* The publication kind of a case outcome: "penalty" (penalty), "licensing"
 * (granted, denied), "other" (no_penalty, decided, confiscated, demolished,
 * expropriated), or NULL when the outcome publishes nothing. */
const char *zf_publication_kind_of(const char *outcome);
/* "行政处罚" / "行政许可" / "其他执法决定"; NULL for an unknown kind. */
const char *zf_publication_kind_name(const char *kind);

/* Called inside the transaction that records a case's outcome. Queues a
 * publication for a publishing outcome (adopting the case's open publish_*
 * clock, or starting one on the publication), or, for "revoked", sends the
 * case's published publications to withdraw_pending (clock
 * withdraw_publication) and withdraws unpublished ones at once. reason may
 * be NULL. Other outcomes: nothing. */
int zf_publication_on_decision(zf_db *db, const zf_calendar *cal, int64_t case_id,
                               const char *outcome, const char *reason, int64_t now, zf_err *err);

/* Builds masked content and findings for content (an object of string
 * values). person: the party is a natural person, so 行政相对人名称 (XK_XDR_MC) and 执法对象 are masked
 * as a name. *out_masked and *out_findings are new references. */
int zf_publication_mask(json_t **out_masked, json_t **out_findings, const json_t *content,
                        int person, zf_err *err);

/* 保密审查 confirmed: pending → published, clock finished today, search
 * index updated, period [today + min_months, today + max_months].
 * ZF_ENOTFOUND, ZF_ECONFLICT "not_pending". */
int zf_publication_publish(zf_db *db, const zf_calendar *cal, int64_t id, int min_months,
                           int max_months, const zf_pub_actor *who, int64_t now, zf_err *err);

/* Takes a published (or withdraw_pending, or pending) publication down with
 * a required public reason; finishes its withdrawal clock (one is started
 * today when none runs). ZF_EINVAL "reason", ZF_ECONFLICT "not_published". */
int zf_publication_withdraw(zf_db *db, const zf_calendar *cal, int64_t id, const char *reason,
                            const zf_pub_actor *who, int64_t now, zf_err *err);

/* 信用修复: ends a published publication whose minimum period is over.
 * ZF_ECONFLICT "not_published" / "minimum_period_not_over". */
int zf_publication_repair(zf_db *db, int64_t id, const char *reason, const zf_pub_actor *who,
                          int64_t now, zf_err *err);

/* Ends every published publication whose max_end is before today (state
 * expired, removed from search). *out_n (may be NULL) gets the count. */
int zf_publication_expire(int *out_n, zf_db *db, int64_t now, zf_err *err);

/* Inserts a historical record already published (import): content as given
 * (strings), masked here, state published, indexed. title required. */
int zf_publication_insert_published(int64_t *out_id, zf_db *db, int64_t department_id,
                                    const char *kind, const char *title, const json_t *content,
                                    int person, const char *decision_date, const char *max_end,
                                    const zf_pub_actor *who, int64_t now, zf_err *err);

/* Queues a publication that comes from no case (the result of a 双随机 spot
 * check, store/spot_store.h): pending, content (an object of strings)
 * masked as for an organisation (title given, public), decision_date =
 * start, and a clock of rule_code started on start for the publication.
 * Audited as publication_queue. Inside the caller's transaction. */
int zf_publication_queue_record(int64_t *out_id, zf_db *db, const zf_calendar *cal,
                                int64_t department_id, const char *kind, const char *title,
                                const json_t *content, const char *rule_code, zf_date start,
                                int64_t now, zf_err *err);

/* "2026-05-31" + months, the day clamped to the month's end. */
zf_date zf_publication_add_months(zf_date d, int months);

#endif
