/* doccodes.h — the code naming each unified enforcement document template
 * (统一文书格式文本). One constant per template, shared by the workflow
 * rules (which documents a stage requires), the document schemas
 * (core/doctpl.h), the renderers and the store. Codes are stable
 * snake_case ASCII: they are stored in the database and appear in the API. */
#ifndef ZF_CORE_DOCCODES_H
#define ZF_CORE_DOCCODES_H

/* 行政处罚 (penalty procedure) */
#define ZF_DOC_CASE_SOURCE "case_source"                   /* 案件来源登记表 */
#define ZF_DOC_FILING_APPROVAL "filing_approval"           /* 立案审批表 */
#define ZF_DOC_SITE_RECORD "site_record"                   /* 现场笔录 */
#define ZF_DOC_INQUIRY_RECORD "inquiry_record"             /* 询问笔录 */
#define ZF_DOC_EVIDENCE_EXTRACT "evidence_extract"         /* 证据提取单 */
#define ZF_DOC_PRESERVATION_NOTICE "preservation_notice"   /* 先行登记保存证据通知书 */
#define ZF_DOC_COERCIVE_DECISION "coercive_decision"       /* 实施行政强制措施决定书 */
#define ZF_DOC_INVESTIGATION_REPORT "investigation_report" /* 案件调查终结报告 */
#define ZF_DOC_CASE_REVIEW "case_review"                   /* 案件审核表 */
#define ZF_DOC_PENALTY_NOTICE "penalty_notice"             /* 行政处罚告知书 */
#define ZF_DOC_STATEMENT_RECORD "statement_record"         /* 陈述申辩笔录 */
#define ZF_DOC_HEARING_NOTICE "hearing_notice"             /* 听证通知书 */
#define ZF_DOC_HEARING_RECORD "hearing_record"             /* 听证笔录 */
#define ZF_DOC_PENALTY_DECISION "penalty_decision"         /* 行政处罚决定书 */
#define ZF_DOC_NO_PENALTY_DECISION "no_penalty_decision"   /* 不予行政处罚决定书 */
#define ZF_DOC_ONSITE_PENALTY "onsite_penalty"             /* 当场行政处罚决定书 */
#define ZF_DOC_SERVICE_RECEIPT "service_receipt"           /* 送达回证 */
#define ZF_DOC_CLOSING_APPROVAL "closing_approval"         /* 结案审批表 */
#define ZF_DOC_FILE_COVER "file_cover"                     /* 卷宗封面 */
#define ZF_DOC_FILE_INDEX "file_index"                     /* 卷内文件目录 */
#define ZF_DOC_FILE_NOTES "file_notes"                     /* 卷内备考表 */

/* 行政许可 (licensing) */
#define ZF_DOC_LICENSE_ACCEPT "license_accept"             /* 受理通知书 */
#define ZF_DOC_LICENSE_REJECT "license_reject"             /* 不予受理通知书 */
#define ZF_DOC_LICENSE_SUPPLEMENT "license_supplement"     /* 补正材料通知书 */
#define ZF_DOC_LICENSE_GRANT "license_grant"               /* 准予行政许可决定书 */
#define ZF_DOC_LICENSE_DENY "license_deny"                 /* 不予行政许可决定书 */

/* ---- needed by the procedures of core/workflow.h, not in the 2021 set ------
 * Until a template exists, a department attaches such a document as an
 * uploaded file (a scan) under its code, so the workflow can check for it. */
#define ZF_DOC_TRANSFER_LETTER "transfer_letter"             /* 案件移送函 */
#define ZF_DOC_CRIME_TRANSFER "crime_transfer"               /* 涉嫌犯罪案件移送书 */
#define ZF_DOC_LEGAL_REVIEW_OPINION "legal_review_opinion"   /* 法制审核意见书 (issue 6) */
#define ZF_DOC_COERCIVE_EXTENSION "coercive_extension"       /* 延长行政强制措施期限通知书 */
#define ZF_DOC_COERCIVE_RELEASE "coercive_release"           /* 解除行政强制措施决定书 */
#define ZF_DOC_FREEZE_NOTICE "freeze_notice"                 /* 协助冻结通知书 (to the bank) */
#define ZF_DOC_LICENSE_REVOKE "license_revoke"               /* 撤销行政许可决定书 */
#define ZF_DOC_LICENSE_CANCEL "license_cancel"               /* 注销行政许可决定书 */
#define ZF_DOC_RECTIFY_ORDER "rectify_order"                 /* 责令改正通知书 */
#define ZF_DOC_ENFORCE_REMINDER "enforce_reminder"           /* 催告书 */
#define ZF_DOC_ENFORCE_DECISION "enforce_decision"           /* 行政强制执行决定书 */
#define ZF_DOC_DEMOLITION_NOTICE "demolition_notice"         /* 限期拆除公告 */
#define ZF_DOC_EXPROPRIATION_NOTICE "expropriation_notice"   /* 征收公告 */
#define ZF_DOC_COMPENSATION_PLAN "compensation_plan"         /* 征收补偿方案 */
#define ZF_DOC_EXPROPRIATION_DECISION "expropriation_decision" /* 征收决定书 */
#define ZF_DOC_COMPENSATION_AGREEMENT "compensation_agreement" /* 补偿协议 */

#endif
