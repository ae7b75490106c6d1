/* doctpl_license.c — schemas of the licensing notices and decisions
 * (行政许可法 第三十二条: 受理, 不予受理, 一次性告知补正; 第三十八条: 准予 /
 * 不予行政许可决定, the latter with reasons and the right to review or sue).
 * The applicant is a party block. */
#include "core/doctpl_fields.h"

static const zf_doc_field f_accept[] = {
    DOCNO,
    PARTY("applicant", "申请人", REQ),
    TXT("item", "申请事项", REQ, 200),
    DATE("apply_date", "申请日期", REQ),
    DATE("accept_date", "受理日期", REQ),
    INT("time_limit_days", "办理时限（工作日）", REQ, 1, 60),
    LTXT("notes", "其他告知事项", OPT, 2000),
    TXT("contact", "联系人", OPT, 50),
    TXT("contact_phone", "联系电话", OPT, 30),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_accept[] = {
    {ZF_CHK_ORDER, "apply_date", "accept_date", NULL, 0},
    {ZF_CHK_ORDER, "accept_date", "issue_date", NULL, 0},
};

static const zf_doc_field f_reject[] = {
    DOCNO,
    PARTY("applicant", "申请人", REQ),
    TXT("item", "申请事项", REQ, 200),
    DATE("apply_date", "申请日期", REQ),
    LTXT("reason", "不予受理的理由", REQ, 4000),
    LAWS("law_refs", "法律依据", REQ),
    TXT("redirect", "应当向其申请的行政机关", OPT, 200),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_reject[] = {
    {ZF_CHK_ORDER, "apply_date", "issue_date", NULL, 0},
};

static const zf_doc_field c_material_cols[] = {
    TXT("name", "材料名称", REQ, 200),
    TXT("requirement", "补正要求", REQ, 500),
};
static const zf_doc_field f_supplement[] = {
    DOCNO,
    PARTY("applicant", "申请人", REQ),
    TXT("item", "申请事项", REQ, 200),
    DATE("apply_date", "申请日期", REQ),
    ROWS("materials", "需要补正的全部内容", REQ, 100, c_material_cols),
    INT("deadline_days", "补正期限（日）", OPT, 1, 90),
    TXT("contact", "联系人", OPT, 50),
    TXT("contact_phone", "联系电话", OPT, 30),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_supplement[] = {
    {ZF_CHK_ORDER, "apply_date", "issue_date", NULL, 0},
};

static const zf_doc_field f_grant[] = {
    DOCNO,
    PARTY("applicant", "申请人", REQ),
    TXT("item", "申请事项", REQ, 200),
    DATE("apply_date", "申请日期", REQ),
    DATE("accept_date", "受理日期", REQ),
    LTXT("content", "准予许可的内容", REQ, 8000),
    TXT("license_no", "许可证件编号", OPT, 100),
    DATE("valid_from", "有效期起始日", OPT),
    DATE("valid_to", "有效期届满日", OPT),
    LAWS("law_refs", "法律依据", REQ),
    DATE("decision_date", "决定日期", REQ),
};
static const zf_doc_check c_grant[] = {
    {ZF_CHK_ORDER, "apply_date", "accept_date", NULL, 0},
    {ZF_CHK_ORDER, "accept_date", "decision_date", NULL, 0},
    {ZF_CHK_BEFORE, "valid_from", "valid_to", NULL, 0},
};

static const zf_doc_field f_deny[] = {
    DOCNO,
    PARTY("applicant", "申请人", REQ),
    TXT("item", "申请事项", REQ, 200),
    DATE("apply_date", "申请日期", REQ),
    DATE("accept_date", "受理日期", OPT),
    LTXT("reason", "不予许可的理由", REQ, 8000),
    LAWS("law_refs", "法律依据", REQ),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DATE("decision_date", "决定日期", REQ),
};
static const zf_doc_check c_deny[] = {
    {ZF_CHK_ORDER, "apply_date", "accept_date", NULL, 0},
    {ZF_CHK_ORDER, "accept_date", "decision_date", NULL, 0},
    {ZF_CHK_ORDER, "apply_date", "decision_date", NULL, 0},
};

const zf_doctpl zf_doctpl_license_[] = {
    TPL(ZF_DOC_LICENSE_ACCEPT, "受理通知书", "license", "许受", ZF_LAYOUT_LETTER, f_accept, c_accept),
    TPL(ZF_DOC_LICENSE_REJECT, "不予受理通知书", "license", "许不受", ZF_LAYOUT_LETTER, f_reject, c_reject),
    TPL(ZF_DOC_LICENSE_SUPPLEMENT, "补正材料通知书", "license", "许补", ZF_LAYOUT_LETTER, f_supplement, c_supplement),
    TPL(ZF_DOC_LICENSE_GRANT, "准予行政许可决定书", "license", "许准", ZF_LAYOUT_LETTER, f_grant, c_grant),
    TPL(ZF_DOC_LICENSE_DENY, "不予行政许可决定书", "license", "许不准", ZF_LAYOUT_LETTER, f_deny, c_deny),
};
const size_t zf_doctpl_license_count_ = NELEM(zf_doctpl_license_);
