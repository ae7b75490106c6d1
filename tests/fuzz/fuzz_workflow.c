/* fuzz_workflow.c — random action sequences through the procedure tables.
 *
 * Input: byte 0 picks the procedure; then pairs (op, arg):
 *   op % 8 == 0..2  take the (arg % n)-th action open now (as the console would)
 *   op % 8 == 3     try any action of the procedure by index, with a target
 *                   stage from op >> 3 (退回) and a reason unless op & 0x80
 *   op % 8 == 4     toggle an outside fact: 重大, 审核同意, 法定期限届满
 *   op % 8 == 5     actor roles (arg & 7) and officers (arg >> 4 & 3)
 *   op % 8 == 6     evidence kinds (arg & 7), party (arg >> 3 & 3), fine
 *   op % 8 == 7     how many of the documents exist (a prefix of the list)
 * Invariants: the stage is always one of the procedure's; a refused action
 * changes nothing and says why; an archived case stays archived and refuses
 * everything; a suspended case only resumes; every success honours the gates
 * (review, two officers, mandatory video, documents, 简易程序 limits); the
 * options list agrees with the checker; finished clocks were open. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/doccodes.h"
#include "core/workflow.h"

static const char *const docs[] = {
    ZF_DOC_CASE_SOURCE, ZF_DOC_FILING_APPROVAL, ZF_DOC_SITE_RECORD, ZF_DOC_INQUIRY_RECORD,
    ZF_DOC_EVIDENCE_EXTRACT, ZF_DOC_PRESERVATION_NOTICE, ZF_DOC_COERCIVE_DECISION,
    ZF_DOC_INVESTIGATION_REPORT, ZF_DOC_CASE_REVIEW, ZF_DOC_PENALTY_NOTICE,
    ZF_DOC_STATEMENT_RECORD, ZF_DOC_HEARING_NOTICE, ZF_DOC_HEARING_RECORD,
    ZF_DOC_PENALTY_DECISION, ZF_DOC_NO_PENALTY_DECISION, ZF_DOC_ONSITE_PENALTY,
    ZF_DOC_SERVICE_RECEIPT, ZF_DOC_CLOSING_APPROVAL, ZF_DOC_FILE_COVER, ZF_DOC_FILE_INDEX,
    ZF_DOC_FILE_NOTES, ZF_DOC_LICENSE_ACCEPT, ZF_DOC_LICENSE_REJECT, ZF_DOC_LICENSE_SUPPLEMENT,
    ZF_DOC_LICENSE_GRANT, ZF_DOC_LICENSE_DENY, ZF_DOC_TRANSFER_LETTER, ZF_DOC_CRIME_TRANSFER,
    ZF_DOC_LEGAL_REVIEW_OPINION, ZF_DOC_COERCIVE_EXTENSION, ZF_DOC_COERCIVE_RELEASE,
    ZF_DOC_FREEZE_NOTICE, ZF_DOC_LICENSE_REVOKE, ZF_DOC_LICENSE_CANCEL, ZF_DOC_RECTIFY_ORDER,
    ZF_DOC_ENFORCE_REMINDER, ZF_DOC_ENFORCE_DECISION, ZF_DOC_DEMOLITION_NOTICE,
    ZF_DOC_EXPROPRIATION_NOTICE, ZF_DOC_COMPENSATION_PLAN, ZF_DOC_EXPROPRIATION_DECISION,
    ZF_DOC_COMPENSATION_AGREEMENT,
};
#define N_DOCS (sizeof docs / sizeof docs[0])
#define MAX_CLOCKS 32

static const char *clocks[MAX_CLOCKS];
static size_t n_clocks;

static int has(const char *const *list, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return 1;
    return 0;
}

static const zf_wf_action *nth_action(const zf_wf_procedure *p, size_t i)
{
    size_t nshared;
    const zf_wf_action *shared = zf_workflow_shared_actions(&nshared);

    return i < p->n_actions ? &p->actions[i] : &shared[i - p->n_actions];
}

/* Checks one request and every invariant around it; applies it on success. */
static void try(zf_wf_state *st, const zf_wf_procedure *p, const zf_wf_request *req)
{
    zf_wf_outcome o;
    zf_err err = ZF_ERR_INIT;
    const zf_wf_stage *before = zf_workflow_stage(p, st->stage);
    unsigned flags = st->flags;
    int rc = zf_workflow_check(&o, st, req, &err);

    if (!before)
        abort();
    if (rc != 0) {
        if (rc != err.rc || !err.code[0] || !err.message[0] || o.action || o.stage)
            abort();
        if (strcmp(st->stage, before->code) != 0 || st->flags != flags)
            abort();
        return;
    }
    /* success */
    const zf_wf_action *a = o.action;
    if (!a || (before->traits & ZF_WF_ST_ARCHIVED))
        abort();
    if ((flags & ZF_WF_SUSPENDED) && a->kind != ZF_WF_RESUME)
        abort();
    if ((flags & ZF_WF_TRANSFERRED) && strcmp(o.stage, "archived") != 0)
        abort();
    if (!zf_workflow_stage(p, o.stage))
        abort();
    if (a->kind == ZF_WF_RECORD && strcmp(o.stage, before->code) != 0)
        abort();
    if (a->review_gate && (flags & ZF_WF_MAJOR) && !(flags & ZF_WF_REVIEW_PASSED))
        abort();
    if (a->two_officers && st->officers < 2)
        abort();
    if (o.recording == ZF_WF_REC_MANDATORY && !(st->evidence & ZF_WF_EV_VIDEO))
        abort();
    if (!(st->roles & a->roles))
        abort();
    if (!(a->docs_waived_by & flags))
        for (size_t i = 0; i < ZF_WF_MAX_DOCS && a->docs[i]; i++)
            if (!has(st->documents, st->n_documents, a->docs[i]))
                abort();
    if (a->summary_limit) {
        int64_t limit = st->summary_limit_fen > 0        ? st->summary_limit_fen
                        : st->party == ZF_WF_PARTY_ORG ? 300000
                                                         : 20000;
        if (st->fine_fen < 0 || st->fine_fen > limit)
            abort();
    }
    for (size_t i = 0; i < o.n_finish; i++)
        if (!has(clocks, n_clocks, o.finish[i]))
            abort();
    for (size_t i = 0; i < o.n_pause; i++)
        if (!has(clocks, n_clocks, o.pause[i]))
            abort();

    /* apply: clocks, then stage and flags */
    for (size_t i = 0; i < o.n_finish; i++)
        for (size_t j = 0; j < n_clocks; j++)
            if (strcmp(clocks[j], o.finish[i]) == 0) {
                clocks[j] = clocks[--n_clocks];
                break;
            }
    for (size_t i = 0; i < o.n_start; i++)
        if (n_clocks < MAX_CLOCKS && !has(clocks, n_clocks, o.start[i]))
            clocks[n_clocks++] = o.start[i];
    st->n_open_clocks = n_clocks;
    zf_workflow_apply(st, &o);
    if (!zf_workflow_stage(p, st->stage))
        abort();
    if (a->kind == ZF_WF_SUSPEND && !(st->flags & ZF_WF_SUSPENDED))
        abort();
    if (a->kind == ZF_WF_RESUME && (st->flags & ZF_WF_SUSPENDED))
        abort();
}

/* The options must agree with the checker. */
static void check_options(const zf_wf_state *st, const zf_wf_procedure *p, zf_wf_option *opts,
                          size_t *out_n)
{
    zf_err err = ZF_ERR_INIT;
    const zf_wf_stage *s = zf_workflow_stage(p, st->stage);

    if (zf_workflow_options(opts, ZF_WF_MAX_OPTIONS, out_n, st, &err) != 0)
        abort();
    if (*out_n > ZF_WF_MAX_OPTIONS)
        abort();
    if ((s->traits & ZF_WF_ST_ARCHIVED) && *out_n != 0)
        abort();
    for (size_t i = 0; i < *out_n; i++) {
        const zf_wf_stage *targets[16];
        size_t nt = 0;
        zf_wf_request req = {opts[i].action->code, NULL, "理由"};
        int rc;

        if (opts[i].action->kind == ZF_WF_RETURN) {
            zf_workflow_return_targets(targets, 16, &nt, st);
            if (nt == 0)
                abort();
            req.target = targets[0]->code;
        }
        rc = zf_workflow_check(NULL, st, &req, &err);
        if ((rc == 0) != (opts[i].rc == 0))
            abort();
        if (rc != 0 && strcmp(err.code, opts[i].code) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t np, i;
    const zf_wf_procedure *procs = zf_workflow_procedures(&np), *p;
    zf_wf_state st = ZF_WF_STATE_INIT;
    zf_wf_option opts[ZF_WF_MAX_OPTIONS];
    size_t nopt, nshared;
    int archived = 0;

    if (size < 1)
        return 0;
    zf_workflow_shared_actions(&nshared);
    p = &procs[data[0] % np];
    n_clocks = 0;
    for (i = 0; i < ZF_WF_MAX_CLOCKS && p->starts[i]; i++)
        clocks[n_clocks++] = p->starts[i];
    st.procedure = p->code;
    st.stage = p->stages[0].code;
    st.documents = docs;
    st.n_documents = N_DOCS;
    st.evidence = ZF_WF_EV_VIDEO;
    st.officers = 2;
    st.roles = ZF_WF_ROLE_OFFICER | ZF_WF_ROLE_REVIEWER | ZF_WF_ROLE_HEAD;
    st.party = ZF_WF_PARTY_PERSON;
    st.open_clocks = clocks;
    st.n_open_clocks = n_clocks;

    for (i = 1; i + 1 < size && i < 4096; i += 2) {
        uint8_t op = data[i], arg = data[i + 1];
        zf_wf_request req = {NULL, NULL, "理由"};

        check_options(&st, p, opts, &nopt);
        switch (op % 8) {
        case 0:
        case 1:
        case 2:
            if (nopt == 0)
                break;
            req.action = opts[arg % nopt].action->code;
            if (opts[arg % nopt].action->kind == ZF_WF_RETURN) {
                const zf_wf_stage *targets[16];
                size_t nt = 0;
                zf_workflow_return_targets(targets, 16, &nt, &st);
                req.target = nt ? targets[(op >> 3) % nt]->code : NULL;
            }
            try(&st, p, &req);
            break;
        case 3:
            req.action = nth_action(p, arg % (p->n_actions + nshared))->code;
            req.target = p->stages[(op >> 3) % p->n_stages].code;
            if (op & 0x80)
                req.reason = NULL;
            try(&st, p, &req);
            break;
        case 4: {
            static const unsigned facts[] = {ZF_WF_MAJOR, ZF_WF_REVIEW_PASSED, ZF_WF_WAIT_OVER};
            st.flags ^= facts[arg % 3];
            break;
        }
        case 5:
            st.roles = arg & 7;
            st.officers = (arg >> 4) & 3;
            break;
        case 6:
            st.evidence = arg & 7;
            st.party = (zf_wf_party)((arg >> 3) & 3);
            st.fine_fen = (int64_t)(arg >> 5) * 10000 - 5000;
            break;
        case 7:
            st.n_documents = arg % (N_DOCS + 1);
            break;
        }
        /* archived stays archived */
        if (archived && strcmp(st.stage, "archived") != 0)
            abort();
        archived = strcmp(st.stage, "archived") == 0;
    }
    return 0;
}
