/* workflow.c — the procedures as tables, and the one checker that reads them.
 * See workflow.h. The tables come first (one block per procedure, each row
 * with the article it rests on); the code after them knows no procedure. */
#include "core/workflow.h"

#include <stdio.h>
#include <string.h>

#include "core/doccodes.h"

#define OFF ZF_WF_ROLE_OFFICER
#define REV ZF_WF_ROLE_REVIEWER
#define HEAD ZF_WF_ROLE_HEAD

#define CF "《行政处罚法》"
#define XK "《行政许可法》"
#define QZ "《行政强制法》"
#define TD "《土地管理法》"
#define PLAN "实施方案（三项制度）"

/* flags a return to an early stage clears: the review, the notice and the
 * party's answers must all be done again, because the facts may change */
#define REDO (ZF_WF_REVIEW_PASSED | ZF_WF_NOTIFIED | ZF_WF_HEARING_REQUESTED | ZF_WF_RIGHTS_WAIVED)

/* ---- clock rules ----------------------------------------------------------- */

static const zf_wf_clock_rule clock_rules[] = {
    {"penalty_decision_90d", "行政处罚决定期限", ZF_WF_CALENDAR_DAYS, 90, 0, true,
     CF "第六十条：自立案之日起九十日内作出行政处罚决定；法律、法规、规章另有规定的，从其规定"},
    {"penalty_preservation_7d", "先行登记保存处理期限", ZF_WF_WORKDAYS, 7, 0, false,
     CF "第五十六条：先行登记保存的，应当在七日内及时作出处理决定；第八十五条：七日指工作日"},
    {"penalty_statement_5d", "陈述申辩、听证申请期限", ZF_WF_WORKDAYS, 5, 0, false,
     CF "第六十四条第一项：当事人要求听证的，应当在行政机关告知后五日内提出；第八十五条"},
    {"penalty_service_7d", "行政处罚决定书送达期限", ZF_WF_WORKDAYS, 7, 0, false,
     CF "第六十一条：当事人不在场的，应当在七日内送达；第八十五条"},
    {"license_supplement_5d", "一次告知补正期限", ZF_WF_WORKDAYS, 5, 0, false,
     XK "第三十二条第一款第四项：当场或者在五日内一次告知需要补正的全部内容；第八十二条"},
    {"license_decision_20d", "行政许可决定期限", ZF_WF_WORKDAYS, 20, 10, true,
     XK "第四十二条：自受理之日起二十日内作出决定，经负责人批准可延长十日；第四十五条：听证、检验、"
        "鉴定等时间不计算在内；第八十二条：以工作日计算"},
    {"license_service_10d", "许可证件颁发送达期限", ZF_WF_WORKDAYS, 10, 0, false,
     XK "第四十四条：自作出准予决定之日起十日内颁发、送达行政许可证件；第八十二条"},
    {"coercion_seizure_30d", "查封扣押期限", ZF_WF_CALENDAR_DAYS, 30, 30, true,
     QZ "第二十五条：查封、扣押的期限不得超过三十日，经负责人批准可延长不超过三十日；检测、检验、"
        "检疫或者技术鉴定的期间不计入"},
    {"coercion_freeze_30d", "冻结期限", ZF_WF_CALENDAR_DAYS, 30, 30, false,
     QZ "第三十二条：自冻结之日起三十日内作出处理决定或者解除冻结，经负责人批准可延长不超过三十日"},
    {"coercion_freeze_notice_3d", "冻结决定书交付期限", ZF_WF_WORKDAYS, 3, 0, false,
     QZ "第三十一条：在三日内向当事人交付冻结决定书；第六十九条：十日以内的期限指工作日"},
};

/* ---- document names (for messages) ------------------------------------------ */

static const struct {
    const char *code, *name;
} doc_names[] = {
    {ZF_DOC_CASE_SOURCE, "案件来源登记表"},
    {ZF_DOC_FILING_APPROVAL, "立案审批表"},
    {ZF_DOC_SITE_RECORD, "现场笔录"},
    {ZF_DOC_INQUIRY_RECORD, "询问笔录"},
    {ZF_DOC_EVIDENCE_EXTRACT, "证据提取单"},
    {ZF_DOC_PRESERVATION_NOTICE, "先行登记保存证据通知书"},
    {ZF_DOC_COERCIVE_DECISION, "实施行政强制措施决定书"},
    {ZF_DOC_INVESTIGATION_REPORT, "案件调查终结报告"},
    {ZF_DOC_CASE_REVIEW, "案件审核表"},
    {ZF_DOC_PENALTY_NOTICE, "行政处罚告知书"},
    {ZF_DOC_STATEMENT_RECORD, "陈述申辩笔录"},
    {ZF_DOC_HEARING_NOTICE, "听证通知书"},
    {ZF_DOC_HEARING_RECORD, "听证笔录"},
    {ZF_DOC_PENALTY_DECISION, "行政处罚决定书"},
    {ZF_DOC_NO_PENALTY_DECISION, "不予行政处罚决定书"},
    {ZF_DOC_ONSITE_PENALTY, "当场行政处罚决定书"},
    {ZF_DOC_SERVICE_RECEIPT, "送达回证"},
    {ZF_DOC_CLOSING_APPROVAL, "结案审批表"},
    {ZF_DOC_FILE_COVER, "卷宗封面"},
    {ZF_DOC_FILE_INDEX, "卷内文件目录"},
    {ZF_DOC_FILE_NOTES, "卷内备考表"},
    {ZF_DOC_LICENSE_ACCEPT, "受理通知书"},
    {ZF_DOC_LICENSE_REJECT, "不予受理通知书"},
    {ZF_DOC_LICENSE_SUPPLEMENT, "补正材料通知书"},
    {ZF_DOC_LICENSE_GRANT, "准予行政许可决定书"},
    {ZF_DOC_LICENSE_DENY, "不予行政许可决定书"},
    {ZF_DOC_TRANSFER_LETTER, "案件移送函"},
    {ZF_DOC_CRIME_TRANSFER, "涉嫌犯罪案件移送书"},
    {ZF_DOC_LEGAL_REVIEW_OPINION, "法制审核意见书"},
    {ZF_DOC_COERCIVE_EXTENSION, "延长行政强制措施期限通知书"},
    {ZF_DOC_COERCIVE_RELEASE, "解除行政强制措施决定书"},
    {ZF_DOC_FREEZE_NOTICE, "协助冻结通知书"},
    {ZF_DOC_LICENSE_REVOKE, "撤销行政许可决定书"},
    {ZF_DOC_LICENSE_CANCEL, "注销行政许可决定书"},
    {ZF_DOC_RECTIFY_ORDER, "责令改正通知书"},
    {ZF_DOC_ENFORCE_REMINDER, "催告书"},
    {ZF_DOC_ENFORCE_DECISION, "行政强制执行决定书"},
    {ZF_DOC_DEMOLITION_NOTICE, "限期拆除公告"},
    {ZF_DOC_EXPROPRIATION_NOTICE, "征收公告"},
    {ZF_DOC_COMPENSATION_PLAN, "征收补偿方案"},
    {ZF_DOC_EXPROPRIATION_DECISION, "征收决定书"},
    {ZF_DOC_COMPENSATION_AGREEMENT, "补偿协议"},
};

#define ARCHIVE_ACTION(from_stage)                                                         \
    {.code = "archive", .name = "归档", .kind = ZF_WF_ADVANCE, .from = {from_stage},      \
     .to = "archived", .roles = OFF | HEAD,                                               \
     .docs = {ZF_DOC_FILE_COVER, ZF_DOC_FILE_INDEX, ZF_DOC_FILE_NOTES},                    \
     .basis = CF "第四十七条：全过程记录，归档保存；" PLAN "第8条：严格记录归档"}

/* ---- 行政处罚 普通程序 ---------------------------------------------------------- */

static const zf_wf_stage pg_stages[] = {
    {"source", "案源登记", ZF_WF_ST_TRANSFER | ZF_WF_ST_JUDICIAL, 0},
    {"investigation", "调查取证",
     ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_TO | ZF_WF_ST_TRANSFER | ZF_WF_ST_JUDICIAL, REDO},
    {"investigation_end", "调查终结",
     ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_RETURN_TO | ZF_WF_ST_TRANSFER |
         ZF_WF_ST_JUDICIAL,
     REDO},
    {"case_review", "案件审核",
     ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_RETURN_TO | ZF_WF_ST_TRANSFER |
         ZF_WF_ST_JUDICIAL,
     REDO},
    {"legal_review", "法制审核", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"notify", "告知", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"statement", "陈述申辩", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"hearing", "听证", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"decision", "决定", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"service", "送达", 0, 0},
    {"execution", "执行", 0, 0},
    {"closed", "结案", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action pg_actions[] = {
    {.code = "file_case", .name = "立案", .kind = ZF_WF_ADVANCE, .from = {"source"},
     .to = "investigation", .roles = HEAD,
     .docs = {ZF_DOC_CASE_SOURCE, ZF_DOC_FILING_APPROVAL},
     .starts = {"penalty_decision_90d"},
     .basis = CF "第五十四条第二款：符合立案标准的，应当及时立案；第六十条：自立案之日起九十日"},
    {.code = "not_file", .name = "不予立案", .kind = ZF_WF_ADVANCE, .from = {"source"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_CASE_SOURCE}, .needs_reason = true,
     .outcome = "not_filed", .basis = CF "第五十四条：不符合立案标准的，不予立案"},
    {.code = "inspect_site", .name = "现场检查", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED,
     .basis = CF "第四十二条：执法人员不得少于两人；第五十五条：检查应当制作笔录；" PLAN
                 "第7条：现场执法、调查取证应根据实际情况音像记录"},
    {.code = "inquire", .name = "询问", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_INQUIRY_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED,
     .basis = CF "第四十二条、第五十五条：询问应当制作笔录"},
    {.code = "sample", .name = "抽样取证", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_EVIDENCE_EXTRACT}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED, .basis = CF "第五十六条：可以采取抽样取证的方法"},
    {.code = "preserve", .name = "先行登记保存", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_PRESERVATION_NOTICE}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED, .starts = {"penalty_preservation_7d"},
     .basis = CF "第五十六条：经行政机关负责人批准，可以先行登记保存，并应当在七日内及时作出处理决定"},
    {.code = "preserve_handle", .name = "先行登记保存处理决定", .kind = ZF_WF_RECORD,
     .from = {"investigation"}, .roles = OFF | HEAD, .finishes = {"penalty_preservation_7d"},
     .basis = CF "第五十六条"},
    {.code = "coerce", .name = "实施查封、扣押", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_COERCIVE_DECISION, ZF_DOC_SITE_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_MANDATORY, .starts = {"coercion_seizure_30d"},
     .basis = QZ "第十八条、第二十四条；" PLAN "第7条：查封扣押财产等现场执法活动推行全程音像记录"},
    {.code = "coerce_extend", .name = "延长查封、扣押期限", .kind = ZF_WF_RECORD,
     .from = {"investigation"}, .roles = HEAD, .docs = {ZF_DOC_COERCIVE_EXTENSION},
     .extends = {"coercion_seizure_30d"}, .basis = QZ "第二十五条"},
    {.code = "coerce_release", .name = "解除查封、扣押", .kind = ZF_WF_RECORD,
     .from = {"investigation"}, .roles = HEAD, .docs = {ZF_DOC_COERCIVE_RELEASE},
     .finishes = {"coercion_seizure_30d"}, .basis = QZ "第二十七条、第二十八条"},
    {.code = "conclude", .name = "调查终结", .kind = ZF_WF_ADVANCE, .from = {"investigation"},
     .to = "investigation_end", .roles = OFF, .basis = CF "第五十七条：调查终结"},
    {.code = "submit_review", .name = "提交案件审核", .kind = ZF_WF_ADVANCE,
     .from = {"investigation_end"}, .to = "case_review", .roles = OFF,
     .docs = {ZF_DOC_INVESTIGATION_REPORT},
     .basis = CF "第五十七条：调查终结，行政机关负责人应当对调查结果进行审查"},
    {.code = "case_review_pass", .name = "案件审核通过", .kind = ZF_WF_ADVANCE,
     .from = {"case_review"}, .to = "notify", .alt_flag = ZF_WF_MAJOR, .alt_to = "legal_review",
     .roles = REV | HEAD, .docs = {ZF_DOC_CASE_REVIEW},
     .basis = CF "第五十八条：重大执法决定作出前应当进行法制审核（重大案件转入法制审核）"},
    {.code = "legal_review_pass", .name = "法制审核同意", .kind = ZF_WF_ADVANCE,
     .from = {"legal_review"}, .to = "notify", .alt_flag = ZF_WF_NOTIFIED, .alt_to = "decision",
     .roles = REV, .docs = {ZF_DOC_LEGAL_REVIEW_OPINION},
     .need_flags = ZF_WF_MAJOR | ZF_WF_REVIEW_PASSED,
     .basis = CF "第五十八条；" PLAN "第14条：法制审核流程"},
    {.code = "submit_legal_review", .name = "送法制审核", .kind = ZF_WF_ADVANCE,
     .from = {"statement", "hearing", "decision"}, .to = "legal_review", .roles = OFF | HEAD,
     .need_flags = ZF_WF_MAJOR, .forbid_flags = ZF_WF_REVIEW_PASSED,
     .basis = CF "第五十八条第一款第二项：经过听证程序的重大案件应当法制审核"},
    {.code = "notify", .name = "告知拟作出的行政处罚", .kind = ZF_WF_ADVANCE, .from = {"notify"},
     .to = "statement", .roles = OFF, .docs = {ZF_DOC_PENALTY_NOTICE},
     .set_flags = ZF_WF_NOTIFIED, .starts = {"penalty_statement_5d"},
     .basis = CF "第四十四条：告知拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证的权利；"
                 "第六十三条"},
    {.code = "record_statement", .name = "听取陈述、申辩", .kind = ZF_WF_RECORD,
     .from = {"statement"}, .roles = OFF, .docs = {ZF_DOC_STATEMENT_RECORD},
     .basis = CF "第四十五条：必须充分听取当事人的意见，进行复核"},
    {.code = "request_hearing", .name = "当事人要求听证", .kind = ZF_WF_RECORD,
     .from = {"statement"}, .roles = OFF, .forbid_flags = ZF_WF_HEARING_REQUESTED,
     .set_flags = ZF_WF_HEARING_REQUESTED, .finishes = {"penalty_statement_5d"},
     .basis = CF "第六十三条、第六十四条第一项：告知后五日内提出"},
    {.code = "waive_rights", .name = "当事人放弃陈述、申辩", .kind = ZF_WF_RECORD,
     .from = {"statement"}, .roles = OFF, .forbid_flags = ZF_WF_HEARING_REQUESTED,
     .set_flags = ZF_WF_RIGHTS_WAIVED, .finishes = {"penalty_statement_5d"},
     .basis = CF "第六十二条：当事人明确放弃陈述或者申辩权利的除外"},
    {.code = "statement_done", .name = "陈述申辩完毕", .kind = ZF_WF_ADVANCE, .from = {"statement"},
     .to = "decision", .roles = OFF, .docs = {ZF_DOC_STATEMENT_RECORD},
     .docs_waived_by = ZF_WF_RIGHTS_WAIVED, .forbid_flags = ZF_WF_HEARING_REQUESTED,
     .finishes = {"penalty_statement_5d"},
     .basis = CF "第四十五条、第六十二条：未听取陈述、申辩的，不得作出行政处罚决定"},
    {.code = "convene_hearing", .name = "组织听证", .kind = ZF_WF_ADVANCE, .from = {"statement"},
     .to = "hearing", .roles = OFF | HEAD, .docs = {ZF_DOC_HEARING_NOTICE},
     .need_flags = ZF_WF_HEARING_REQUESTED,
     .basis = CF "第六十四条第二项：举行听证的七日前通知当事人"},
    {.code = "hold_hearing", .name = "举行听证", .kind = ZF_WF_RECORD, .from = {"hearing"},
     .roles = OFF | HEAD, .docs = {ZF_DOC_HEARING_RECORD}, .recording = ZF_WF_REC_RECOMMENDED,
     .basis = CF "第六十四条第八项：听证应当制作笔录；" PLAN "第7条：举行听证应根据实际情况音像记录"},
    {.code = "hearing_done", .name = "听证结束", .kind = ZF_WF_ADVANCE, .from = {"hearing"},
     .to = "decision", .roles = OFF | HEAD, .docs = {ZF_DOC_HEARING_RECORD},
     .basis = CF "第六十五条：听证结束后，根据听证笔录作出决定"},
    {.code = "decide_penalty", .name = "作出行政处罚决定", .kind = ZF_WF_ADVANCE,
     .from = {"decision"}, .to = "service", .roles = HEAD, .docs = {ZF_DOC_PENALTY_DECISION},
     .need_flags = ZF_WF_NOTIFIED, .review_gate = true, .finishes = {"penalty_decision_90d"},
     .starts = {"penalty_service_7d", "publish_penalty"}, .outcome = "penalty",
     .basis = CF "第五十七条、第五十八条（未经法制审核或审核未通过不得作出决定）、第五十九条、第六十二条"},
    {.code = "decide_no_penalty", .name = "作出不予行政处罚决定", .kind = ZF_WF_ADVANCE,
     .from = {"decision"}, .to = "service", .roles = HEAD, .docs = {ZF_DOC_NO_PENALTY_DECISION},
     .review_gate = true, .finishes = {"penalty_decision_90d"}, .starts = {"penalty_service_7d"},
     .outcome = "no_penalty", .basis = CF "第五十七条第一款第二项、第三项；第五十八条"},
    {.code = "serve", .name = "送达决定书", .kind = ZF_WF_ADVANCE, .from = {"service"},
     .to = "execution", .roles = OFF, .docs = {ZF_DOC_SERVICE_RECEIPT},
     .recording = ZF_WF_REC_RECOMMENDED, .finishes = {"penalty_service_7d"},
     .basis = CF "第六十一条；" PLAN "第7条：留置送达和公告送达应根据实际情况音像记录"},
    {.code = "close_case", .name = "结案", .kind = ZF_WF_ADVANCE, .from = {"execution"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_CLOSING_APPROVAL},
     .basis = CF "第六十六条至第七十三条（执行）；第四十七条：对执行进行全过程记录"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政处罚 简易程序 --------------------------------------------------------- */

static const zf_wf_stage ps_stages[] = {
    {"on_spot", "当场处罚", ZF_WF_ST_JUDICIAL, 0},
    {"service", "送达", 0, 0},
    {"execution", "执行", 0, 0},
    {"closed", "结案", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action ps_actions[] = {
    {.code = "decide_on_spot", .name = "当场作出行政处罚决定", .kind = ZF_WF_ADVANCE,
     .from = {"on_spot"}, .to = "service", .roles = OFF, .docs = {ZF_DOC_ONSITE_PENALTY},
     .two_officers = true, .recording = ZF_WF_REC_RECOMMENDED, .summary_limit = true,
     .starts = {"publish_penalty"}, .outcome = "penalty",
     .basis = CF "第五十一条：对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告的，"
                 "可以当场作出决定；第四十二条；第五十二条"},
    {.code = "serve_on_spot", .name = "当场交付决定书", .kind = ZF_WF_ADVANCE, .from = {"service"},
     .to = "execution", .roles = OFF, .docs = {ZF_DOC_ONSITE_PENALTY},
     .basis = CF "第五十二条第一款：当场交付当事人；拒绝签收的，在决定书上注明"},
    {.code = "report_filing", .name = "执行完毕并报所属机关备案", .kind = ZF_WF_ADVANCE,
     .from = {"execution"}, .to = "closed", .roles = OFF | HEAD,
     .basis = CF "第五十二条第三款：当场作出的决定应当报所属行政机关备案；第五十三条、第六十八条"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政许可 (and 变更, 延续: the same steps, 行政许可法 第四十九条、第五十条、第五十一条) */

static const zf_wf_stage lic_stages[] = {
    {"apply", "申请", 0, 0},
    {"supplement", "补正", 0, 0},
    {"review", "审查", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_TO, 0},
    {"decision", "决定", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM, 0},
    {"service", "送达", 0, 0},
    {"closed", "办结", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action lic_actions[] = {
    {.code = "accept", .name = "受理", .kind = ZF_WF_ADVANCE, .from = {"apply", "supplement"},
     .to = "review", .roles = OFF, .docs = {ZF_DOC_LICENSE_ACCEPT},
     .finishes = {"license_supplement_5d"}, .starts = {"license_decision_20d"},
     .basis = XK "第三十二条第一款第五项、第二款：受理应当出具加盖印章和注明日期的书面凭证；第四十二条"},
    {.code = "reject", .name = "不予受理", .kind = ZF_WF_ADVANCE, .from = {"apply", "supplement"},
     .to = "closed", .roles = OFF, .docs = {ZF_DOC_LICENSE_REJECT},
     .finishes = {"license_supplement_5d"}, .outcome = "not_accepted",
     .basis = XK "第三十二条第一款第一项、第二项"},
    {.code = "request_supplement", .name = "一次性告知补正", .kind = ZF_WF_ADVANCE,
     .from = {"apply"}, .to = "supplement", .roles = OFF, .docs = {ZF_DOC_LICENSE_SUPPLEMENT},
     .finishes = {"license_supplement_5d"},
     .basis = XK "第三十二条第一款第四项：当场或者在五日内一次告知需要补正的全部内容"},
    {.code = "verify", .name = "实地核查", .kind = ZF_WF_RECORD, .from = {"review"}, .roles = OFF,
     .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true, .recording = ZF_WF_REC_RECOMMENDED,
     .basis = XK "第三十四条第三款：指派两名以上工作人员进行核查"},
    {.code = "hold_hearing", .name = "举行听证", .kind = ZF_WF_RECORD, .from = {"review"},
     .roles = OFF | HEAD, .docs = {ZF_DOC_HEARING_RECORD}, .recording = ZF_WF_REC_RECOMMENDED,
     .basis = XK "第四十六条至第四十八条"},
    {.code = "extend_deadline", .name = "延长决定期限", .kind = ZF_WF_RECORD,
     .from = {"review", "decision"}, .roles = HEAD, .extends = {"license_decision_20d"},
     .basis = XK "第四十二条：经本行政机关负责人批准，可以延长十日"},
    {.code = "review_done", .name = "审查完毕", .kind = ZF_WF_ADVANCE, .from = {"review"},
     .to = "decision", .roles = OFF, .basis = XK "第三十四条、第三十七条"},
    {.code = "grant", .name = "准予许可", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "service", .roles = HEAD, .docs = {ZF_DOC_LICENSE_GRANT}, .review_gate = true,
     .finishes = {"license_decision_20d"}, .starts = {"license_service_10d", "publish_licensing"},
     .outcome = "granted", .basis = XK "第三十八条第一款、第四十条、第四十二条"},
    {.code = "deny", .name = "不予许可", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "service", .roles = HEAD, .docs = {ZF_DOC_LICENSE_DENY}, .review_gate = true,
     .finishes = {"license_decision_20d"}, .outcome = "denied",
     .basis = XK "第三十八条第二款：不予许可的，应当说明理由，并告知申请复议或诉讼的权利"},
    {.code = "serve", .name = "送达", .kind = ZF_WF_ADVANCE, .from = {"service"}, .to = "closed",
     .roles = OFF, .docs = {ZF_DOC_SERVICE_RECEIPT}, .finishes = {"license_service_10d"},
     .basis = XK "第四十四条：十日内颁发、送达行政许可证件"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 撤销行政许可 (第六十九条) ---------------------------------------------------- */

static const zf_wf_stage rev_stages[] = {
    {"initiate", "启动", 0, 0},
    {"investigation", "调查核实", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_TO | ZF_WF_ST_JUDICIAL, 0},
    {"decision", "决定", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_JUDICIAL, 0},
    {"service", "送达", 0, 0},
    {"closed", "办结", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action rev_actions[] = {
    {.code = "start_investigation", .name = "立案核查", .kind = ZF_WF_ADVANCE,
     .from = {"initiate"}, .to = "investigation", .roles = HEAD,
     .basis = XK "第六十九条：根据利害关系人的请求或者依据职权"},
    {.code = "verify", .name = "调查核实", .kind = ZF_WF_RECORD, .from = {"investigation"},
     .roles = OFF, .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED, .basis = XK "第三十四条第三款（参照）"},
    {.code = "record_statement", .name = "听取陈述、申辩", .kind = ZF_WF_RECORD,
     .from = {"investigation"}, .roles = OFF, .docs = {ZF_DOC_STATEMENT_RECORD},
     .basis = XK "第七条：公民、法人或者其他组织享有陈述权、申辩权"},
    {.code = "investigation_done", .name = "调查完毕", .kind = ZF_WF_ADVANCE,
     .from = {"investigation"}, .to = "decision", .roles = OFF, .basis = XK "第六十九条"},
    {.code = "revoke", .name = "撤销许可", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "service", .roles = HEAD, .docs = {ZF_DOC_LICENSE_REVOKE}, .review_gate = true,
     .starts = {"withdraw_publication"}, .outcome = "revoked",
     .basis = XK "第六十九条；" PLAN "第5条：决定被撤销的，3个工作日内撤下原公示信息"},
    {.code = "not_revoke", .name = "不予撤销", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "closed", .roles = HEAD, .needs_reason = true, .outcome = "not_revoked",
     .basis = XK "第六十九条第三款：可能对公共利益造成重大损害的，不予撤销"},
    {.code = "serve", .name = "送达", .kind = ZF_WF_ADVANCE, .from = {"service"}, .to = "closed",
     .roles = OFF, .docs = {ZF_DOC_SERVICE_RECEIPT}, .basis = XK "第六十九条"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 注销行政许可 (第七十条) ------------------------------------------------------ */

static const zf_wf_stage can_stages[] = {
    {"initiate", "核实注销情形", 0, 0},
    {"decision", "决定", ZF_WF_ST_RETURN_FROM, 0},
    {"service", "送达", 0, 0},
    {"closed", "办结", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action can_actions[] = {
    {.code = "verify_grounds", .name = "注销情形核实完毕", .kind = ZF_WF_ADVANCE,
     .from = {"initiate"}, .to = "decision", .roles = OFF,
     .basis = XK "第七十条：有效期届满未延续、主体终止、许可被撤销等情形"},
    {.code = "cancel", .name = "注销许可", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "service", .roles = HEAD, .docs = {ZF_DOC_LICENSE_CANCEL}, .review_gate = true,
     .outcome = "cancelled", .basis = XK "第七十条：应当依法办理有关行政许可的注销手续"},
    {.code = "serve", .name = "送达", .kind = ZF_WF_ADVANCE, .from = {"service"}, .to = "closed",
     .roles = OFF, .docs = {ZF_DOC_SERVICE_RECEIPT}, .basis = XK "第七十条"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政强制措施: 查封、扣押 ------------------------------------------------------ */

static const zf_wf_stage seize_stages[] = {
    {"approval", "审批", 0, 0},
    {"implement", "实施", 0, 0},
    {"deliver", "送达决定书", 0, 0},
    {"in_effect", "期限内处理", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_JUDICIAL, 0},
    {"closed", "结案", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action seize_actions[] = {
    {.code = "approve", .name = "批准实施", .kind = ZF_WF_ADVANCE, .from = {"approval"},
     .to = "implement", .roles = HEAD,
     .basis = QZ "第十八条第一项：实施前须向行政机关负责人报告并经批准"},
    {.code = "not_approve", .name = "不予批准", .kind = ZF_WF_ADVANCE, .from = {"approval"},
     .to = "closed", .roles = HEAD, .needs_reason = true, .outcome = "not_approved",
     .basis = QZ "第十六条第二款：情节显著轻微或者没有明显社会危害的，可以不采取"},
    {.code = "implement", .name = "实施查封、扣押", .kind = ZF_WF_ADVANCE, .from = {"implement"},
     .to = "deliver", .roles = OFF, .docs = {ZF_DOC_SITE_RECORD, ZF_DOC_COERCIVE_DECISION},
     .two_officers = true, .recording = ZF_WF_REC_MANDATORY, .starts = {"coercion_seizure_30d"},
     .basis = QZ "第十八条（两名以上执法人员、现场笔录）、第二十四条；" PLAN
                 "第7条：查封扣押财产推行全程音像记录"},
    {.code = "deliver", .name = "交付决定书和清单", .kind = ZF_WF_ADVANCE, .from = {"deliver"},
     .to = "in_effect", .roles = OFF, .docs = {ZF_DOC_SERVICE_RECEIPT},
     .basis = QZ "第二十四条第一款：制作并当场交付查封、扣押决定书和清单"},
    {.code = "extend", .name = "延长查封、扣押期限", .kind = ZF_WF_RECORD, .from = {"in_effect"},
     .roles = HEAD, .docs = {ZF_DOC_COERCIVE_EXTENSION}, .extends = {"coercion_seizure_30d"},
     .basis = QZ "第二十五条：情况复杂的，经负责人批准可以延长，延长不得超过三十日，并书面告知"},
    {.code = "release", .name = "解除查封、扣押", .kind = ZF_WF_ADVANCE, .from = {"in_effect"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_COERCIVE_RELEASE},
     .finishes = {"coercion_seizure_30d"}, .outcome = "released",
     .basis = QZ "第二十七条、第二十八条"},
    {.code = "confiscate", .name = "依法没收或销毁", .kind = ZF_WF_ADVANCE, .from = {"in_effect"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_PENALTY_DECISION}, .review_gate = true,
     .finishes = {"coercion_seizure_30d"}, .outcome = "confiscated",
     .basis = QZ "第二十七条：对违法事实清楚，依法应当没收的非法财物予以没收"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政强制措施: 冻结 ------------------------------------------------------------ */

static const zf_wf_action freeze_actions[] = {
    {.code = "approve", .name = "批准实施", .kind = ZF_WF_ADVANCE, .from = {"approval"},
     .to = "implement", .roles = HEAD, .basis = QZ "第三十条（第十八条第一项）"},
    {.code = "not_approve", .name = "不予批准", .kind = ZF_WF_ADVANCE, .from = {"approval"},
     .to = "closed", .roles = HEAD, .needs_reason = true, .outcome = "not_approved",
     .basis = QZ "第十六条第二款"},
    {.code = "implement", .name = "实施冻结", .kind = ZF_WF_ADVANCE, .from = {"implement"},
     .to = "deliver", .roles = OFF, .docs = {ZF_DOC_FREEZE_NOTICE, ZF_DOC_SITE_RECORD},
     .two_officers = true, .recording = ZF_WF_REC_RECOMMENDED,
     .starts = {"coercion_freeze_30d", "coercion_freeze_notice_3d"},
     .basis = QZ "第三十条：履行第十八条第一、二、三、七项程序，并向金融机构交付冻结通知书"},
    {.code = "deliver", .name = "交付冻结决定书", .kind = ZF_WF_ADVANCE, .from = {"deliver"},
     .to = "in_effect", .roles = OFF, .docs = {ZF_DOC_COERCIVE_DECISION, ZF_DOC_SERVICE_RECEIPT},
     .finishes = {"coercion_freeze_notice_3d"},
     .basis = QZ "第三十一条：三日内向当事人交付冻结决定书"},
    {.code = "extend", .name = "延长冻结期限", .kind = ZF_WF_RECORD, .from = {"in_effect"},
     .roles = HEAD, .docs = {ZF_DOC_COERCIVE_EXTENSION}, .extends = {"coercion_freeze_30d"},
     .basis = QZ "第三十二条"},
    {.code = "release", .name = "解除冻结", .kind = ZF_WF_ADVANCE, .from = {"in_effect"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_COERCIVE_RELEASE},
     .finishes = {"coercion_freeze_30d"}, .outcome = "released", .basis = QZ "第三十三条"},
    {.code = "decide", .name = "作出处理决定", .kind = ZF_WF_ADVANCE, .from = {"in_effect"},
     .to = "closed", .roles = HEAD, .docs = {ZF_DOC_PENALTY_DECISION}, .review_gate = true,
     .finishes = {"coercion_freeze_30d"}, .outcome = "decided", .basis = QZ "第三十二条"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政强制执行: 强制拆除 (第三十五条至第四十四条) ------------------------------------ */

static const zf_wf_stage demo_stages[] = {
    {"remind", "催告", 0, 0},
    {"statement", "陈述申辩", ZF_WF_ST_RETURN_TO, ZF_WF_RIGHTS_WAIVED},
    {"decision", "强制执行决定", ZF_WF_ST_RETURN_FROM | ZF_WF_ST_SUSPENDABLE, 0},
    {"announce", "公告", ZF_WF_ST_SUSPENDABLE, 0},
    {"execute", "实施", ZF_WF_ST_SUSPENDABLE, 0},
    {"closed", "结案", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action demo_actions[] = {
    {.code = "remind", .name = "送达催告书", .kind = ZF_WF_ADVANCE, .from = {"remind"},
     .to = "statement", .roles = OFF, .docs = {ZF_DOC_ENFORCE_REMINDER, ZF_DOC_SERVICE_RECEIPT},
     .basis = QZ "第三十五条：作出强制执行决定前，应当事先书面催告；第三十八条"},
    {.code = "record_statement", .name = "听取陈述、申辩", .kind = ZF_WF_RECORD,
     .from = {"statement"}, .roles = OFF, .docs = {ZF_DOC_STATEMENT_RECORD},
     .basis = QZ "第三十六条：应当充分听取当事人的意见，进行记录、复核"},
    {.code = "waive_rights", .name = "当事人放弃陈述、申辩", .kind = ZF_WF_RECORD,
     .from = {"statement"}, .roles = OFF, .set_flags = ZF_WF_RIGHTS_WAIVED, .basis = QZ "第三十六条"},
    {.code = "statement_done", .name = "陈述申辩完毕", .kind = ZF_WF_ADVANCE, .from = {"statement"},
     .to = "decision", .roles = OFF, .docs = {ZF_DOC_STATEMENT_RECORD},
     .docs_waived_by = ZF_WF_RIGHTS_WAIVED, .basis = QZ "第三十六条"},
    {.code = "decide_enforcement", .name = "作出强制执行决定", .kind = ZF_WF_ADVANCE,
     .from = {"decision"}, .to = "announce", .roles = HEAD, .docs = {ZF_DOC_ENFORCE_DECISION},
     .need_flags = ZF_WF_WAIT_OVER, .review_gate = true, .starts = {"publish_other"},
     .basis = QZ "第三十七条：经催告，当事人逾期仍不履行且无正当理由的，可以作出强制执行决定"},
    {.code = "announce", .name = "公告限期自行拆除", .kind = ZF_WF_ADVANCE, .from = {"announce"},
     .to = "execute", .roles = OFF | HEAD, .docs = {ZF_DOC_DEMOLITION_NOTICE},
     .basis = QZ "第四十四条：应当由行政机关予以公告，限期当事人自行拆除"},
    {.code = "demolish", .name = "实施强制拆除", .kind = ZF_WF_ADVANCE, .from = {"execute"},
     .to = "closed", .roles = OFF, .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_MANDATORY, .need_flags = ZF_WF_WAIT_OVER, .outcome = "demolished",
     .basis = QZ "第四十四条：法定期限内不申请复议或者提起诉讼，又不拆除的，可以依法强制拆除；"
                 "第四十三条：不得在夜间或者法定节假日实施；" PLAN "第7条：强制拆除推行全程音像记录"},
    {.code = "terminate", .name = "终结执行", .kind = ZF_WF_ADVANCE,
     .from = {"decision", "announce", "execute"}, .to = "closed", .roles = HEAD,
     .needs_reason = true, .outcome = "terminated", .basis = QZ "第四十条"},
    ARCHIVE_ACTION("closed"),
};

/* ---- 行政检查 and 双随机抽查 ------------------------------------------------------------ */

static const zf_wf_stage insp_stages[] = {
    {"prepare", "检查准备", 0, 0},
    {"inspect", "检查", 0, 0},
    {"result", "检查结果", 0, 0},
    {"handle", "处理", ZF_WF_ST_TRANSFER | ZF_WF_ST_JUDICIAL, 0},
    {"publicize", "公示", 0, 0},
    {"closed", "办结", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_stage spot_stages[] = {
    {"draw", "随机抽取", 0, 0},
    {"inspect", "检查", 0, 0},
    {"result", "检查结果", 0, 0},
    {"handle", "处理", ZF_WF_ST_TRANSFER | ZF_WF_ST_JUDICIAL, 0},
    {"publicize", "公示", 0, 0},
    {"closed", "办结", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

#define INSPECTION_COMMON_ACTIONS                                                            \
    {.code = "inspect", .name = "实施检查", .kind = ZF_WF_ADVANCE, .from = {"inspect"},        \
     .to = "result", .roles = OFF, .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true,        \
     .recording = ZF_WF_REC_RECOMMENDED,                                                      \
     .basis = CF "第四十二条、第五十五条：出示执法证件，检查应当制作笔录；" PLAN                   \
                 "第7条：现场执法应根据实际情况音像记录"},                                          \
    {.code = "result_problem", .name = "发现问题", .kind = ZF_WF_ADVANCE, .from = {"result"},  \
     .to = "handle", .roles = OFF | HEAD, .outcome = "problem",                                \
     .basis = PLAN "第5条（2）：对抽查有问题的，依法作出处理后公示"},                                \
    {.code = "rectify", .name = "责令改正", .kind = ZF_WF_ADVANCE, .from = {"handle"},          \
     .to = "publicize", .roles = OFF | HEAD, .docs = {ZF_DOC_RECTIFY_ORDER},                  \
     .basis = CF "第二十八条第一款：应当责令当事人改正或者限期改正违法行为"},                           \
    {.code = "refer_case", .name = "转立案查处", .kind = ZF_WF_ADVANCE, .from = {"handle"},      \
     .to = "publicize", .roles = OFF | HEAD, .docs = {ZF_DOC_CASE_SOURCE},                    \
     .basis = CF "第五十四条：发现依法应当给予行政处罚的行为的，应当调查并及时立案"},                   \
    ARCHIVE_ACTION("closed")

static const zf_wf_action insp_actions[] = {
    {.code = "dispatch", .name = "确定检查对象和人员", .kind = ZF_WF_ADVANCE, .from = {"prepare"},
     .to = "inspect", .roles = OFF | HEAD, .basis = CF "第五十四条：必要时依法进行检查"},
    {.code = "result_normal", .name = "未发现问题", .kind = ZF_WF_ADVANCE, .from = {"result"},
     .to = "publicize", .roles = OFF | HEAD, .outcome = "normal",
     .basis = PLAN "第5条（2）：其他行政执法检查结果依法向社会公开"},
    {.code = "publish", .name = "公示检查结果", .kind = ZF_WF_ADVANCE, .from = {"publicize"},
     .to = "closed", .roles = OFF | HEAD, .basis = PLAN "第5条（2）"},
    INSPECTION_COMMON_ACTIONS,
};

static const zf_wf_action spot_actions[] = {
    {.code = "draw", .name = "随机抽取检查对象和执法人员", .kind = ZF_WF_ADVANCE, .from = {"draw"},
     .to = "inspect", .roles = OFF | HEAD,
     .basis = PLAN "第3条：公开随机抽查事项清单（抽查依据、主体、内容、方式、比例、频次）"},
    {.code = "result_normal", .name = "抽查结果正常", .kind = ZF_WF_ADVANCE, .from = {"result"},
     .to = "publicize", .roles = OFF | HEAD, .starts = {"publish_spot_check"}, .outcome = "normal",
     .basis = PLAN "第5条（2）：抽查结果正常的，自抽查结束之日起20个工作日内向社会公示"},
    {.code = "publish", .name = "公示抽查结果", .kind = ZF_WF_ADVANCE, .from = {"publicize"},
     .to = "closed", .roles = OFF | HEAD, .finishes = {"publish_spot_check"},
     .basis = PLAN "第5条（2）"},
    INSPECTION_COMMON_ACTIONS,
};

/* ---- 行政征收征用 (a generic flow after 土地管理法 第四十七条、第四十八条) ------------------- */

static const zf_wf_stage exp_stages[] = {
    {"initiate", "立项", 0, 0},
    {"survey", "调查登记", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_TO, 0},
    {"plan", "方案与听证", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM | ZF_WF_ST_RETURN_TO, 0},
    {"decision", "决定", ZF_WF_ST_SUSPENDABLE | ZF_WF_ST_RETURN_FROM, 0},
    {"compensation", "补偿", ZF_WF_ST_SUSPENDABLE, 0},
    {"execution", "执行", ZF_WF_ST_SUSPENDABLE, 0},
    {"closed", "结案", ZF_WF_ST_CLOSED, 0},
    {"archived", "归档", ZF_WF_ST_ARCHIVED, 0},
};

static const zf_wf_action exp_actions[] = {
    {.code = "announce", .name = "立项并发布征收公告", .kind = ZF_WF_ADVANCE, .from = {"initiate"},
     .to = "survey", .roles = HEAD, .docs = {ZF_DOC_EXPROPRIATION_NOTICE},
     .basis = TD "第四十七条第二款：公告至少三十日，听取意见"},
    {.code = "survey", .name = "现状调查", .kind = ZF_WF_RECORD, .from = {"survey"}, .roles = OFF,
     .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true, .recording = ZF_WF_REC_RECOMMENDED,
     .basis = TD "第四十七条第二款：开展拟征收土地现状调查"},
    {.code = "survey_done", .name = "调查登记完毕", .kind = ZF_WF_ADVANCE, .from = {"survey"},
     .to = "plan", .roles = OFF, .need_flags = ZF_WF_WAIT_OVER,
     .basis = TD "第四十七条第二款、第四款：公告期满，在公告规定期限内办理补偿登记"},
    {.code = "hold_hearing", .name = "举行听证", .kind = ZF_WF_RECORD, .from = {"plan"},
     .roles = OFF | HEAD, .docs = {ZF_DOC_HEARING_RECORD}, .recording = ZF_WF_REC_RECOMMENDED,
     .basis = TD "第四十七条第三款：多数人认为方案不符合规定的，应当组织召开听证会"},
    {.code = "plan_done", .name = "确定补偿方案", .kind = ZF_WF_ADVANCE, .from = {"plan"},
     .to = "decision", .roles = HEAD, .docs = {ZF_DOC_COMPENSATION_PLAN},
     .basis = TD "第四十七条第三款：根据听证会情况修改方案"},
    {.code = "decide", .name = "作出征收决定", .kind = ZF_WF_ADVANCE, .from = {"decision"},
     .to = "compensation", .roles = HEAD, .docs = {ZF_DOC_EXPROPRIATION_DECISION},
     .review_gate = true, .starts = {"publish_other"}, .outcome = "expropriated",
     .basis = TD "第四十七条第一款；" PLAN "第12条（4）：征收征用属于重大执法决定"},
    {.code = "compensate", .name = "补偿安置到位", .kind = ZF_WF_ADVANCE, .from = {"compensation"},
     .to = "execution", .roles = OFF | HEAD, .docs = {ZF_DOC_COMPENSATION_AGREEMENT},
     .basis = TD "第四十八条：依法及时足额支付补偿费用"},
    {.code = "take_over", .name = "交付执行", .kind = ZF_WF_ADVANCE, .from = {"execution"},
     .to = "closed", .roles = OFF, .docs = {ZF_DOC_SITE_RECORD}, .two_officers = true,
     .recording = ZF_WF_REC_RECOMMENDED, .basis = TD "第四十七条第一款：组织实施"},
    ARCHIVE_ACTION("closed"),
};

/* ---- the shared actions ------------------------------------------------------------- */

static const zf_wf_action shared_actions[] = {
    {.code = "return", .name = "退回", .kind = ZF_WF_RETURN, .roles = REV | HEAD,
     .needs_reason = true,
     .basis = CF "第五十七条（负责人审查调查结果）；" PLAN "第14条：审核后退回承办机构补充、修改"},
    {.code = "suspend", .name = "中止", .kind = ZF_WF_SUSPEND, .roles = HEAD, .needs_reason = true,
     .set_flags = ZF_WF_SUSPENDED,
     .basis = CF "第六十条（法律、法规、规章另有规定的从其规定）；" XK "第四十五条；" QZ
                 "第二十五条第三款、第三十九条"},
    {.code = "resume", .name = "恢复", .kind = ZF_WF_RESUME, .roles = HEAD,
     .clear_flags = ZF_WF_SUSPENDED, .basis = QZ "第三十九条第二款：中止的情形消失后，应当恢复"},
    {.code = "transfer", .name = "移送其他机关", .kind = ZF_WF_TRANSFER, .roles = HEAD,
     .docs = {ZF_DOC_TRANSFER_LETTER}, .needs_reason = true, .set_flags = ZF_WF_TRANSFERRED,
     .outcome = "transferred", .basis = CF "第二十二条至第二十五条（管辖）"},
    {.code = "transfer_judicial", .name = "移送司法机关", .kind = ZF_WF_TRANSFER, .roles = HEAD,
     .docs = {ZF_DOC_CRIME_TRANSFER}, .needs_reason = true, .set_flags = ZF_WF_TRANSFERRED,
     .outcome = "transferred_judicial",
     .basis = CF "第二十七条、第五十七条第一款第四项；《行政执法机关移送涉嫌犯罪案件的规定》第五条、"
                 "第六条；" QZ "第二十一条"},
};

/* ---- the procedures ------------------------------------------------------------------- */

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const zf_wf_procedure procedures[] = {
    {"penalty_general", "行政处罚（普通程序）", "penalty", pg_stages, N(pg_stages), pg_actions,
     N(pg_actions), {NULL}, CF "第五章第三节、第四节"},
    {"penalty_summary", "行政处罚（简易程序）", "penalty", ps_stages, N(ps_stages), ps_actions,
     N(ps_actions), {NULL}, CF "第五章第二节"},
    {"license", "行政许可", "license", lic_stages, N(lic_stages), lic_actions, N(lic_actions),
     {"license_supplement_5d"}, XK "第四章第一节至第三节"},
    {"license_change", "行政许可变更", "license", lic_stages, N(lic_stages), lic_actions,
     N(lic_actions), {"license_supplement_5d"}, XK "第四十九条"},
    {"license_renewal", "行政许可延续", "license", lic_stages, N(lic_stages), lic_actions,
     N(lic_actions), {"license_supplement_5d"},
     XK "第五十条：有效期届满前作出是否准予延续的决定；逾期未作决定的，视为准予延续"},
    {"license_revocation", "撤销行政许可", "license", rev_stages, N(rev_stages), rev_actions,
     N(rev_actions), {NULL}, XK "第六十九条"},
    {"license_cancellation", "注销行政许可", "license", can_stages, N(can_stages), can_actions,
     N(can_actions), {NULL}, XK "第七十条"},
    {"coercion_seizure", "行政强制措施（查封、扣押）", "coercion", seize_stages, N(seize_stages),
     seize_actions, N(seize_actions), {NULL}, QZ "第三章第一节、第二节"},
    {"coercion_freeze", "行政强制措施（冻结）", "coercion", seize_stages, N(seize_stages),
     freeze_actions, N(freeze_actions), {NULL}, QZ "第三章第一节、第三节"},
    {"coercion_demolition", "行政强制执行（强制拆除）", "coercion", demo_stages, N(demo_stages),
     demo_actions, N(demo_actions), {NULL}, QZ "第四章第一节、第四十四条"},
    {"inspection", "行政检查", "inspection", insp_stages, N(insp_stages), insp_actions,
     N(insp_actions), {NULL}, CF "第五十四条、第五十五条"},
    {"spot_check", "双随机抽查", "inspection", spot_stages, N(spot_stages), spot_actions,
     N(spot_actions), {NULL}, PLAN "第3条、第5条（双随机、一公开）"},
    {"expropriation", "行政征收征用", "expropriation", exp_stages, N(exp_stages), exp_actions,
     N(exp_actions), {NULL}, TD "第四十七条、第四十八条"},
};

/* ================================================================================ */
/* look-ups                                                                          */

const zf_wf_clock_rule *zf_workflow_clock_rules(size_t *out_n)
{
    *out_n = N(clock_rules);
    return clock_rules;
}

const zf_wf_clock_rule *zf_workflow_clock_rule(const char *code)
{
    for (size_t i = 0; code && i < N(clock_rules); i++)
        if (strcmp(clock_rules[i].code, code) == 0)
            return &clock_rules[i];
    return NULL;
}

/* Copies src into a fixed field, failing rather than truncating. */
static int copy_field(char *dst, size_t cap, const char *src, const char *field, zf_err *err)
{
    size_t n = strlen(src);

    if (n >= cap)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", field, "规则字段过长");
    memcpy(dst, src, n + 1);
    return 0;
}

int zf_workflow_deadline_rule(zf_deadline_rule *out, const zf_wf_clock_rule *r, zf_err *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (!r)
        return zf_err_set(err, ZF_EINVAL, "validation_failed", "code", "未知的期限规则");
    if (r->unit != ZF_WF_WORKDAYS && r->unit != ZF_WF_CALENDAR_DAYS)
        return zf_err_set(err, ZF_EINVAL, "unsupported_unit", "unit", "期限规则“%s”的计算单位未知",
                          r->name);
    if ((rc = copy_field(out->code, sizeof out->code, r->code, "code", err)) < 0 ||
        (rc = copy_field(out->name, sizeof out->name, r->name, "name", err)) < 0 ||
        (rc = copy_field(out->basis, sizeof out->basis, r->basis, "basis", err)) < 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    if (r->unit == ZF_WF_CALENDAR_DAYS) {
        out->kind = ZF_RULE_CALENDAR_DAYS;
        out->days = r->count;
    } else {
        out->kind = ZF_RULE_WORKDAYS;
        out->workdays = r->count;
    }
    out->extension_workdays = r->extension;
    out->pausable = r->pausable;
    return 0;
}

const zf_wf_procedure *zf_workflow_procedures(size_t *out_n)
{
    *out_n = N(procedures);
    return procedures;
}

const zf_wf_procedure *zf_workflow_procedure(const char *code)
{
    for (size_t i = 0; code && i < N(procedures); i++)
        if (strcmp(procedures[i].code, code) == 0)
            return &procedures[i];
    return NULL;
}

const zf_wf_stage *zf_workflow_stage(const zf_wf_procedure *p, const char *code)
{
    for (size_t i = 0; p && code && i < p->n_stages; i++)
        if (strcmp(p->stages[i].code, code) == 0)
            return &p->stages[i];
    return NULL;
}

const zf_wf_action *zf_workflow_shared_actions(size_t *out_n)
{
    *out_n = N(shared_actions);
    return shared_actions;
}

const zf_wf_action *zf_workflow_action(const zf_wf_procedure *p, const char *code)
{
    if (!p || !code)
        return NULL;
    for (size_t i = 0; i < p->n_actions; i++)
        if (strcmp(p->actions[i].code, code) == 0)
            return &p->actions[i];
    for (size_t i = 0; i < N(shared_actions); i++)
        if (strcmp(shared_actions[i].code, code) == 0)
            return &shared_actions[i];
    return NULL;
}

const char *zf_workflow_doc_name(const char *code)
{
    for (size_t i = 0; code && i < N(doc_names); i++)
        if (strcmp(doc_names[i].code, code) == 0)
            return doc_names[i].name;
    return code;
}

/* ================================================================================ */
/* checking                                                                          */

static size_t stage_index(const zf_wf_procedure *p, const zf_wf_stage *s)
{
    return (size_t)(s - p->stages);
}

static const zf_wf_stage *closed_stage(const zf_wf_procedure *p)
{
    for (size_t i = 0; i < p->n_stages; i++)
        if (p->stages[i].traits & ZF_WF_ST_CLOSED)
            return &p->stages[i];
    return NULL;
}

static bool in_list(const char *const *list, size_t n, const char *code)
{
    for (size_t i = 0; list && i < n; i++)
        if (list[i] && strcmp(list[i], code) == 0)
            return true;
    return false;
}

static bool has_doc(const zf_wf_state *st, const char *code)
{
    return in_list(st->documents, st->n_documents, code);
}

static bool clock_open(const zf_wf_state *st, const char *code)
{
    return in_list(st->open_clocks, st->n_open_clocks, code);
}

/* Whether a clock code may be paused: the workflow's own rules, then the
 * deadline defaults. An unknown code is not paused (the deadline engine
 * would refuse to pause a rule it does not know to be pausable). */
static bool clock_pausable(const char *code)
{
    const zf_wf_clock_rule *r = zf_workflow_clock_rule(code);
    const zf_deadline_rule *d;
    size_t n;

    if (r)
        return r->pausable;
    d = zf_deadline_rule_find(zf_deadline_default_rules(&n), n, code);
    return d && d->pausable;
}

/* A valid 退回 target from the current stage: earlier, marked RETURN_TO. */
static bool valid_return_target(const zf_wf_procedure *p, const zf_wf_stage *cur,
                                const zf_wf_stage *t)
{
    return t && (t->traits & ZF_WF_ST_RETURN_TO) && stage_index(p, t) < stage_index(p, cur);
}

static const zf_wf_stage *first_return_target(const zf_wf_procedure *p, const zf_wf_stage *cur)
{
    for (size_t i = 0; i < p->n_stages; i++)
        if (valid_return_target(p, cur, &p->stages[i]))
            return &p->stages[i];
    return NULL;
}

/* Whether action a is open in stage s (before looking at flags, roles …). */
static bool open_in_stage(const zf_wf_procedure *p, const zf_wf_stage *s, const zf_wf_action *a)
{
    switch (a->kind) {
    case ZF_WF_RETURN:
        return (s->traits & ZF_WF_ST_RETURN_FROM) && first_return_target(p, s) != NULL;
    case ZF_WF_SUSPEND:
    case ZF_WF_RESUME:
        return (s->traits & ZF_WF_ST_SUSPENDABLE) != 0;
    case ZF_WF_TRANSFER:
        return (s->traits & (strcmp(a->code, "transfer") == 0 ? ZF_WF_ST_TRANSFER
                                                                : ZF_WF_ST_JUDICIAL)) != 0;
    default:
        for (size_t i = 0; i < ZF_WF_MAX_FROM && a->from[i]; i++)
            if (strcmp(a->from[i], s->code) == 0)
                return true;
        return false;
    }
}

static const char *need_message(unsigned flag)
{
    switch (flag) {
    case ZF_WF_MAJOR: return "本案不属于重大执法决定，无需法制审核";
    case ZF_WF_REVIEW_PASSED: return "法制审核尚未同意";
    case ZF_WF_HEARING_REQUESTED: return "当事人未要求听证";
    case ZF_WF_NOTIFIED:
        return "尚未告知当事人拟作出的行政处罚内容及事实、理由、依据和依法享有的陈述、申辩、"
               "要求听证等权利，不得作出行政处罚决定（行政处罚法第四十四条、第六十二条）";
    case ZF_WF_RIGHTS_WAIVED: return "当事人未放弃陈述、申辩权利";
    case ZF_WF_WAIT_OVER:
        return "法定期限尚未届满（如催告期限、公告期限、申请行政复议或者提起行政诉讼的期限）";
    default: return "案件状态不满足办理条件";
    }
}

static const char *forbid_message(unsigned flag)
{
    switch (flag) {
    case ZF_WF_HEARING_REQUESTED:
        return "当事人已要求听证，应当组织听证（行政处罚法第六十三条）";
    case ZF_WF_REVIEW_PASSED: return "法制审核已经同意，无需再次送审";
    case ZF_WF_NOTIFIED: return "已经告知当事人";
    case ZF_WF_RIGHTS_WAIVED: return "当事人已放弃陈述、申辩权利";
    default: return "案件状态不满足办理条件";
    }
}

static void role_names(char *buf, size_t cap, unsigned roles)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{OFF, "执法人员"}, {REV, "法制审核人员"}, {HEAD, "行政机关负责人"}};
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < N(names); i++) {
        if (!(roles & names[i].bit))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s", used ? "或" : "", names[i].name);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static bool recording_mandatory(const zf_wf_state *st, const zf_wf_action *a)
{
    return a->recording == ZF_WF_REC_MANDATORY ||
           in_list(st->mandatory_recording, st->n_mandatory_recording, a->code);
}

/* Appends code to list[*n] unless full or already there. */
static void add_code(const char **list, size_t *n, size_t cap, const char *code)
{
    if (*n >= cap || in_list(list, *n, code))
        return;
    list[(*n)++] = code;
}

#define MAX_REASON_LEN 2000

/* The whole check. When probing (options), reason and target are taken as
 * given. */
static int check(zf_wf_outcome *out, const zf_wf_state *st, const zf_wf_request *req, bool probe,
                 zf_err *err)
{
    const zf_wf_procedure *p;
    const zf_wf_stage *s, *target = NULL;
    const zf_wf_action *a;
    zf_wf_outcome o;
    char buf[400];

    memset(&o, 0, sizeof o);
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !req)
        return zf_err_set(err, ZF_EINVAL, "invalid_input", NULL, "缺少案件状态或操作");
    if (!(p = zf_workflow_procedure(st->procedure)))
        return zf_err_set(err, ZF_EINVAL, "unknown_procedure", "procedure", "未知的执法程序");
    if (!(s = zf_workflow_stage(p, st->stage)))
        return zf_err_set(err, ZF_EINVAL, "unknown_stage", "stage", "“%s”中没有该阶段", p->name);
    if (s->traits & ZF_WF_ST_ARCHIVED)
        return zf_err_set(err, ZF_ECONFLICT, "case_archived", NULL, "案件已归档，不可修改");
    if (!(a = zf_workflow_action(p, req->action)))
        return zf_err_set(err, ZF_EINVAL, "unknown_action", "action", "“%s”中没有该操作", p->name);
    if ((st->flags & ZF_WF_TRANSFERRED) && !(a->to && strcmp(a->to, "archived") == 0))
        return zf_err_set(err, ZF_ECONFLICT, "case_transferred", NULL,
                          "案件已移送，本机关办理程序已终结，只能归档");
    if ((st->flags & ZF_WF_SUSPENDED) && a->kind != ZF_WF_RESUME)
        return zf_err_set(err, ZF_ECONFLICT, "case_suspended", NULL,
                          "案件已中止，恢复后方可办理“%s”", a->name);
    if (a->kind == ZF_WF_RESUME && !(st->flags & ZF_WF_SUSPENDED))
        return zf_err_set(err, ZF_ECONFLICT, "not_suspended", NULL, "案件未中止，无需恢复");
    if (!open_in_stage(p, s, a)) {
        if (s->traits & ZF_WF_ST_CLOSED)
            return zf_err_set(err, ZF_ECONFLICT, "illegal_transition", "action",
                              "案件已在“%s”阶段，不能办理“%s”，只能归档", s->name, a->name);
        return zf_err_set(err, ZF_ECONFLICT, "illegal_transition", "action",
                          "当前阶段“%s”不能办理“%s”", s->name, a->name);
    }
    for (unsigned bit = 1; bit; bit <<= 1) {
        if ((a->need_flags & bit) && !(st->flags & bit))
            return zf_err_set(err, ZF_ECONFLICT, "condition_unmet", NULL, "不能办理“%s”：%s",
                              a->name, need_message(bit));
        if ((a->forbid_flags & bit) && (st->flags & bit))
            return zf_err_set(err, ZF_ECONFLICT, "condition_unmet", NULL, "不能办理“%s”：%s",
                              a->name, forbid_message(bit));
    }
    if (a->summary_limit) {
        int64_t limit;
        const char *who;

        if (st->party != ZF_WF_PARTY_PERSON && st->party != ZF_WF_PARTY_ORG &&
            st->party != ZF_WF_PARTY_INDIVIDUAL)
            return zf_err_set(err, ZF_EINVAL, "invalid_party", "party",
                              "须注明当事人是公民还是法人或者其他组织");
        if (st->fine_fen < 0 || st->summary_limit_fen < 0)
            return zf_err_set(err, ZF_EINVAL, "invalid_fine", "fine", "罚款数额不能为负数");
        who = st->party == ZF_WF_PARTY_ORG ? "法人或者其他组织" : "公民";
        limit = st->summary_limit_fen > 0 ? st->summary_limit_fen
                : st->party == ZF_WF_PARTY_ORG ? 300000 : 20000;
        if (st->fine_fen > limit)
            return zf_err_set(err, ZF_EINVAL, "summary_limit_exceeded", "fine",
                              "当场处罚对%s的罚款不得超过%lld.%02lld元（本案%lld.%02lld元），"
                              "应当适用普通程序（行政处罚法第五十一条）",
                              who, (long long)(limit / 100), (long long)(limit % 100),
                              (long long)(st->fine_fen / 100), (long long)(st->fine_fen % 100));
    }
    if (!(st->roles & a->roles)) {
        role_names(buf, sizeof buf, a->roles);
        return zf_err_set(err, ZF_EPERM, "role_not_allowed", NULL, "“%s”须由%s办理", a->name, buf);
    }
    if (a->review_gate && (st->flags & ZF_WF_MAJOR) && !(st->flags & ZF_WF_REVIEW_PASSED))
        return zf_err_set(err, ZF_ECONFLICT, "review_required", NULL,
                          "本案属于重大执法决定，未经法制审核或者审核未通过，不得作出决定"
                          "（行政处罚法第五十八条）");
    if (a->two_officers && st->officers < 2)
        return zf_err_set(err, ZF_ECONFLICT, "two_officers_required", "officers",
                          "“%s”需两名以上执法人员（当前%d人）", a->name,
                          st->officers < 0 ? 0 : st->officers);
    if (!(a->docs_waived_by & st->flags)) {
        const char *first = NULL;
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ZF_WF_MAX_DOCS && a->docs[i]; i++) {
            if (has_doc(st, a->docs[i]))
                continue;
            if (!first)
                first = a->docs[i];
            int n = snprintf(buf + used, sizeof buf - used, "%s%s", used ? "、" : "",
                             zf_workflow_doc_name(a->docs[i]));
            if (n > 0 && (size_t)n < sizeof buf - used)
                used += (size_t)n;
        }
        if (first)
            return zf_err_set(err, ZF_ECONFLICT, "document_missing", first, "“%s”缺少文书：%s",
                              a->name, buf);
    }
    o.recording = recording_mandatory(st, a) ? ZF_WF_REC_MANDATORY : a->recording;
    if (o.recording == ZF_WF_REC_MANDATORY && !(st->evidence & ZF_WF_EV_VIDEO)) {
        /* an interrupted recording is accepted only when the interruption
         * was recorded with its reason before the step */
        if (!in_list(st->interrupted, st->n_interrupted, a->code))
            return zf_err_set(err, ZF_ECONFLICT, "recording_required", "evidence",
                              "“%s”须有全过程音像记录（录像），尚未上传；录像中断的，"
                              "须先登记中断情况及原因", a->name);
        o.recording_interrupted = true;
    }
    o.recording_warning = o.recording == ZF_WF_REC_RECOMMENDED &&
                          !(st->evidence & (ZF_WF_EV_VIDEO | ZF_WF_EV_AUDIO | ZF_WF_EV_PHOTO));
    if (a->needs_reason && !probe) {
        if (blank(req->reason))
            return zf_err_set(err, ZF_EINVAL, "reason_required", "reason", "“%s”须填写理由",
                              a->name);
        if (strnlen(req->reason, MAX_REASON_LEN + 1) > MAX_REASON_LEN)
            return zf_err_set(err, ZF_EINVAL, "reason_too_long", "reason", "理由过长");
    }
    if (a->kind == ZF_WF_RETURN) {
        target = probe ? first_return_target(p, s) : zf_workflow_stage(p, req->target);
        if (!valid_return_target(p, s, target)) {
            size_t used = 0;
            buf[0] = '\0';
            for (size_t i = 0; i < stage_index(p, s); i++) {
                if (!(p->stages[i].traits & ZF_WF_ST_RETURN_TO))
                    continue;
                int n = snprintf(buf + used, sizeof buf - used, "%s“%s”", used ? "、" : "",
                                 p->stages[i].name);
                if (n > 0 && (size_t)n < sizeof buf - used)
                    used += (size_t)n;
            }
            return zf_err_set(err, ZF_EINVAL, "invalid_target", "target",
                              "只能退回到本阶段之前的%s阶段", buf);
        }
    }

    /* allowed: work out what it does */
    o.action = a;
    o.outcome = a->outcome;
    o.set_flags = a->set_flags;
    o.clear_flags = a->clear_flags;
    switch (a->kind) {
    case ZF_WF_ADVANCE:
        o.stage = (a->alt_flag && (st->flags & a->alt_flag) == a->alt_flag) ? a->alt_to : a->to;
        break;
    case ZF_WF_RETURN:
        o.stage = target->code;
        o.clear_flags |= target->clears;
        break;
    case ZF_WF_TRANSFER:
        o.stage = closed_stage(p)->code;
        for (size_t i = 0; i < st->n_open_clocks; i++)
            if (st->open_clocks[i])
                add_code(o.finish, &o.n_finish, ZF_WF_MAX_OPEN, st->open_clocks[i]);
        break;
    case ZF_WF_SUSPEND:
    case ZF_WF_RESUME:
        o.stage = s->code;
        for (size_t i = 0; i < st->n_open_clocks; i++)
            if (st->open_clocks[i] && clock_pausable(st->open_clocks[i])) {
                if (a->kind == ZF_WF_SUSPEND)
                    add_code(o.pause, &o.n_pause, ZF_WF_MAX_OPEN, st->open_clocks[i]);
                else
                    add_code(o.resume, &o.n_resume, ZF_WF_MAX_OPEN, st->open_clocks[i]);
            }
        break;
    default:
        o.stage = s->code;
        break;
    }
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS && a->finishes[i]; i++)
        if (clock_open(st, a->finishes[i]))
            add_code(o.finish, &o.n_finish, ZF_WF_MAX_OPEN, a->finishes[i]);
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS && a->extends[i]; i++)
        if (clock_open(st, a->extends[i]))
            add_code(o.extend, &o.n_extend, ZF_WF_MAX_CLOCKS, a->extends[i]);
    for (size_t i = 0; i < ZF_WF_MAX_CLOCKS && a->starts[i]; i++)
        add_code(o.start, &o.n_start, ZF_WF_MAX_CLOCKS, a->starts[i]);
    if (out)
        *out = o;
    zf_err_clear(err);
    return 0;
}

int zf_workflow_check(zf_wf_outcome *out, const zf_wf_state *st, const zf_wf_request *req,
                      zf_err *err)
{
    return check(out, st, req, false, err);
}

int zf_workflow_options(zf_wf_option *out, size_t cap, size_t *out_n, const zf_wf_state *st,
                        zf_err *err)
{
    const zf_wf_procedure *p;
    const zf_wf_stage *s;
    size_t n = 0, nshared;
    const zf_wf_action *shared = zf_workflow_shared_actions(&nshared);

    *out_n = 0;
    if (!st || !(p = zf_workflow_procedure(st->procedure)))
        return zf_err_set(err, ZF_EINVAL, "unknown_procedure", "procedure", "未知的执法程序");
    if (!(s = zf_workflow_stage(p, st->stage)))
        return zf_err_set(err, ZF_EINVAL, "unknown_stage", "stage", "“%s”中没有该阶段", p->name);
    if (s->traits & ZF_WF_ST_ARCHIVED)
        return 0;
    for (size_t i = 0; i < p->n_actions + nshared; i++) {
        const zf_wf_action *a = i < p->n_actions ? &p->actions[i] : &shared[i - p->n_actions];
        zf_wf_request req = {a->code, NULL, "待填写"};
        zf_err e = ZF_ERR_INIT;
        bool suspended = (st->flags & ZF_WF_SUSPENDED) != 0;

        /* while suspended only 恢复 is offered; otherwise 恢复 is not */
        if (suspended != (a->kind == ZF_WF_RESUME))
            continue;
        /* one row per code: a procedure lists an action once per table */
        if (!open_in_stage(p, s, a))
            continue;
        if (n < cap) {
            out[n].action = a;
            out[n].rc = check(NULL, st, &req, true, &e);
            snprintf(out[n].code, sizeof out[n].code, "%s", out[n].rc ? e.code : "");
            snprintf(out[n].reason, sizeof out[n].reason, "%s", out[n].rc ? e.message : "");
        }
        n++;
    }
    *out_n = n;
    zf_err_clear(err);
    return 0;
}

void zf_workflow_apply(zf_wf_state *st, const zf_wf_outcome *o)
{
    if (!o->stage)
        return;
    if (!st->stage || strcmp(st->stage, o->stage) != 0)
        st->flags &= ~(unsigned)ZF_WF_WAIT_OVER;
    st->stage = o->stage;
    st->flags = (st->flags | o->set_flags) & ~o->clear_flags;
}

void zf_workflow_return_targets(const zf_wf_stage **out, size_t cap, size_t *out_n,
                                const zf_wf_state *st)
{
    const zf_wf_procedure *p = st ? zf_workflow_procedure(st->procedure) : NULL;
    const zf_wf_stage *s = zf_workflow_stage(p, st ? st->stage : NULL);
    size_t n = 0;

    if (s && (s->traits & ZF_WF_ST_RETURN_FROM))
        for (size_t i = 0; i < p->n_stages; i++)
            if (valid_return_target(p, s, &p->stages[i])) {
                if (n < cap)
                    out[n] = &p->stages[i];
                n++;
            }
    *out_n = n;
}
