/* doctpl_review.c — the schema of the 法制审核意见书 (legal review opinion on a
 * major enforcement decision, 行政处罚法 第五十八条; the city plan's items
 * 14–15: the reviewer notes each point of the checklist and gives 同意,
 * 暂不同意 or 不同意, with reasons for the latter two).
 *
 * The review store fills it from the concluded round (store/review_store.c)
 * and finalizes it in the same transaction, so its 文号 (kind 法审) comes
 * from the case department's counter. The conclusion is text, not an enum:
 * the outcome set is the locality's configuration (core/review.h). */
#include "core/doctpl_fields.h"

static const zf_doc_field c_material_cols[] = {
    TXT("name", "材料名称", REQ, 100),
    TXT("note", "材料说明", OPT, 500),
};

static const zf_doc_field c_point_cols[] = {
    TXT("point", "审核事项", REQ, 50),
    TXT("result", "审核结果", REQ, 20),
    TXT("note", "审核说明", OPT, 500),
};

static const char *const sig_roles[] = {"审核人员", "审核机构负责人", NULL};

static const zf_doc_field f_opinion[] = {
    DOCNO,
    TXT("review_organ", "审核机构", REQ, 100),
    TXT("case_no", "案号", OPT, 100),
    TXT("case_title", "案件名称", REQ, 200),
    INT("round", "审核轮次", REQ, 1, 999),
    TXT("decision_proposed", "拟作出的决定", OPT, 100),
    TXT("submitted_by", "送审人", REQ, 64),
    DATE("submitted_on", "送审日期", REQ),
    DATE("received_on", "收案日期", REQ),
    ROWS("materials", "审核材料", REQ, 32, c_material_cols),
    ROWS("checklist", "审核要点", REQ, 16, c_point_cols),
    TXT("conclusion", "审核意见", REQ, 32),
    LTXT("reasons", "理由", OPT, 1024),
    TXT("extension_approver", "延长审核期限批准人", OPT, 64),
    TXT("reviewers", "审核人员", REQ, 200),
    DATE("opinion_date", "出具日期", REQ),
    SIGS("signatures", "签名", sig_roles),
};
static const zf_doc_check c_opinion[] = {
    {ZF_CHK_ORDER, "submitted_on", "received_on", NULL, 0},
    {ZF_CHK_ORDER, "received_on", "opinion_date", NULL, 0},
};

const zf_doctpl zf_doctpl_review_[] = {
    TPL(ZF_DOC_LEGAL_REVIEW_OPINION, "法制审核意见书", "review", "法审", ZF_LAYOUT_FORM, f_opinion,
        c_opinion),
};
const size_t zf_doctpl_review_count_ = NELEM(zf_doctpl_review_);
