/* demo.h — the demo city behind `zhifa init --demo`.
 *
 * A fictional prefecture-level city (赣江市, addresses and postcodes in the
 * style of 南昌) with nine law-enforcement departments, their internal units,
 * 85 officers, about a hundred enforcement matters whose legal bases cite
 * real articles of real laws (the articles are loaded into the 法律法规库),
 * discretion benchmarks for some penalty matters, and the demo logins.
 *
 * Demo logins, all with password DEMO_PASSWORD and settings demo_mode = '1'
 * (the login code skips the second factor in demo mode):
 *   admin       admin       市司法局 (信息中心: the 司法局 runs the city's
 *                           enforcement supervision platform, so its operator
 *                           sits there)
 *   officer1    officer     市市场监督管理局, linked to an officer record
 *   officer2    officer     市市场监督管理局, linked to an officer record
 *   reviewer1   reviewer    市市场监督管理局 (法规科), linked to a legally
 *                           qualified officer record
 *   head1       head        市市场监督管理局
 *   publicity1  publicity   市市场监督管理局
 *   supervisor1 supervisor  市司法局
 *   auditor1    auditor     市司法局
 *
 * Officer records are dated relative to `now`: three certificates have
 * expired, two officers are suspended and one is revoked, so features that
 * flag such cases have something to show. Everything else is deterministic. */
#ifndef ZF_CMD_DEMO_H
#define ZF_CMD_DEMO_H

#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

#define DEMO_PASSWORD "demo-password-2026"

/* Fills db (open and migrated, with no departments, users or laws yet) with
 * the demo city in one transaction, all or nothing. now (Unix seconds) dates
 * the rows and anchors the certificate validity ranges.
 * Returns 0; ZF_ECONFLICT (code "conflict") if the database already holds
 * departments, users or laws; or another ZF_E* code with err filled, in
 * which case nothing was written. Takes ~0.1 s (one Argon2id hash, reused
 * for every demo user). */
int zf_demo_create(zf_db *db, int64_t now, zf_err *err);

#endif
