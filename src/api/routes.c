/* routes.c — every route table the server serves, in match order. */
#include "api/api.h"

const zf_route *const zf_route_tables[] = {
    zf_auth_routes,
    zf_user_routes,
    zf_library_routes,
    zf_misc_routes,
    zf_calendar_routes,
    zf_evidence_routes,
    zf_case_routes,
    zf_review_routes, /* issue 6: legal review */
    zf_publication_routes, /* issue 7: 事后公开 */
    zf_bundle_routes,
    zf_evaluation_routes,
    zf_supervision_routes,
    zf_portal_routes,
    zf_ledger_routes,
    zf_portal_ledger_routes,
    zf_publicity_before_routes,
    zf_portal_before_routes,
    zf_search_routes,
    zf_portal_search_routes,
    zf_portal_publication_routes, /* issue 7: /publications, feeds */
    zf_document_routes,
    zf_portal_verify_routes,
    zf_annual_routes,        /* issue 7: annual report */
    zf_portal_annual_routes, /* issue 7: /annual-reports */
    zf_cockpit_routes, /* issue 8: cockpit, early warning */
    zf_filing_routes,  /* issue 8: tracker, filings */
    zf_bulletin_routes, /* issue 8: weekly bulletin */
    zf_spotcheck_routes,        /* issue 7: 双随机、一公开 */
    zf_portal_spotcheck_routes, /* issue 7: /spotchecks */
    zf_complaint_routes,         /* issue 8: 投诉举报 */
    zf_portal_complaint_routes,  /* issue 8: /complaints */
    zf_access_review_routes,     /* issue 8: 调阅监督 */
    NULL,
};
