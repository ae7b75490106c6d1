/* ticks.c — the periodic tasks the server runs about once a second (see
 * zf_tick_fn in api.h), in order. */
#include "api/api.h"

const zf_tick_fn zf_ticks[] = {
    zf_leader_tick, /* issue 9: first, so the others see the lease of this second */
    zf_ledger_tick,
    zf_evidence_tick,
    zf_bundle_tick,
    zf_publication_tick,
    zf_cockpit_tick, /* issue 8 */
    zf_case_tsv_tick, /* issue 9: the case list's keyword index on PostgreSQL */
    NULL,
};
