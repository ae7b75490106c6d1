/* doctpl_penalty.c — schemas of the penalty-procedure and archive documents,
 * after the structure of the 2021 market-regulation template set
 * (市场监督管理行政处罚文书格式范本). Fields are listed in print order.
 *
 * Legal anchors of the checks: at least two officers for investigation and
 * inspection (行政处罚法 第四十二条, 第五十五条); the hearing notice at least
 * seven days before the hearing (第六十四条); 当场处罚 only up to 200 yuan for a
 * citizen and 3000 yuan for an organisation (第五十一条); a 查封 / 扣押 period of
 * at most 30 days (行政强制法 第二十五条, extensions are a separate decision);
 * 先行登记保存 decided within 7 days (行政处罚法 第五十六条). */
#include "core/doctpl_fields.h"

/* ---- shared option lists ---------------------------------------------- */

static const char *const case_sources[] = {"监督检查", "投诉", "举报", "其他部门移送",
                                           "上级机关交办", "下级机关报请", "其他", NULL};
static const char *const genders[] = {"男", "女", NULL};
static const char *const hearing_rights[] = {"告知听证权利", "不适用听证", NULL};
static const char *const open_modes[] = {"公开", "不公开", NULL};
static const char *const coercive_kinds[] = {"查封", "扣押", "冻结存款、汇款",
                                             "其他行政强制措施", NULL};
static const char *const review_results[] = {"同意", "建议修改后同意", "退回补充调查",
                                             "建议不予处罚", "提请集体讨论", NULL};
static const char *const no_penalty_reasons[] = {
    "违法行为轻微并及时改正，没有造成危害后果",
    "初次违法且危害后果轻微并及时改正",
    "当事人有证据足以证明没有主观过错",
    "违法行为在二年内未被发现",
    "不满十四周岁的未成年人有违法行为",
    "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为",
    "违法事实不能成立",
    NULL};
static const char *const onsite_kinds[] = {"警告", "通报批评", "罚款", NULL};
static const char *const pay_modes[] = {"当场收缴", "到指定银行缴纳", "电子支付", NULL};
static const char *const service_modes[] = {"直接送达", "留置送达", "邮寄送达", "委托送达",
                                            "电子送达", "公告送达", NULL};
static const char *const closing_reasons[] = {"行政处罚决定执行完毕", "作出不予行政处罚决定",
                                              "案件终止调查", "移送司法机关",
                                              "法院裁定终结执行", "其他", NULL};
static const char *const retention[] = {"永久", "30年", "10年", NULL};

static const char *const sig_site[] = {"当事人", "执法人员", "记录人", "见证人", NULL};
static const char *const sig_inquiry[] = {"被询问人", "询问人", "记录人", NULL};
static const char *const sig_extract[] = {"证据提供人", "执法人员", NULL};
static const char *const sig_statement[] = {"陈述申辩人", "执法人员", "记录人", NULL};
static const char *const sig_hearing[] = {"当事人", "委托代理人", "案件调查人员", "主持人",
                                          "听证员", "记录员", NULL};
static const char *const sig_onsite[] = {"当事人", "执法人员", NULL};
static const char *const sig_service[] = {"受送达人", "代收人", "送达人", "见证人", NULL};

/* ---- 案件来源登记表 ------------------------------------------------------ */
static const zf_doc_field f_case_source[] = {
    ENUM("source", "案件来源", REQ, case_sources),
    DATE("source_date", "来源时间", REQ),
    TXT("informant_name", "投诉举报人或移送机关", OPT, 100),
    TXT("informant_phone", "联系电话", OPT, 30),
    TXT("informant_address", "联系地址", OPT, 200),
    PARTY("party", "当事人", OPT),
    LTXT("summary", "案源内容", REQ, 4000),
    LTXT("registrar_opinion", "登记人意见", REQ, 1000),
    OFFICERS("officers", "登记人", REQ, 1),
    LTXT("unit_opinion", "承办机构负责人意见", OPT, 1000),
    LTXT("head_opinion", "部门负责人意见", OPT, 1000),
    DATE("register_date", "登记日期", REQ),
};
static const zf_doc_check c_case_source[] = {
    {ZF_CHK_ORDER, "source_date", "register_date", NULL, 0},
};

/* ---- 立案审批表 ---------------------------------------------------------- */
static const zf_doc_field f_filing[] = {
    TXT("case_cause", "案由", REQ, 200),
    ENUM("source", "案件来源", REQ, case_sources),
    DATE("source_date", "来源时间", OPT),
    PARTY("party", "当事人", REQ),
    LTXT("summary", "简要案情及立案依据", REQ, 4000),
    LAWS("law_refs", "立案依据", OPT),
    OFFICERS("officers", "承办人", REQ, 2),
    LTXT("handler_opinion", "承办人意见", REQ, 1000),
    LTXT("unit_opinion", "承办机构负责人意见", OPT, 1000),
    LTXT("head_opinion", "部门负责人意见", OPT, 1000),
    DATE("filing_date", "立案日期", REQ),
};
static const zf_doc_check c_filing[] = {
    {ZF_CHK_ORDER, "source_date", "filing_date", NULL, 0},
};

/* ---- 现场笔录 ------------------------------------------------------------ */
static const zf_doc_field f_site[] = {
    DTIME("start_time", "检查开始时间", REQ),
    DTIME("end_time", "检查结束时间", REQ),
    TXT("place", "检查地点", REQ, 200),
    PARTY("party", "当事人", REQ),
    OFFICERS("officers", "执法人员", REQ, 2),
    TXT("recorder", "记录人", REQ, 50),
    TXT("present", "在场人员", OPT, 200),
    LTXT("notice", "出示证件及告知情况", REQ, 1000),
    LTXT("findings", "现场情况", REQ, 8000),
    SIGS("signatures", "签名", sig_site),
};
static const zf_doc_check c_site[] = {
    {ZF_CHK_BEFORE, "start_time", "end_time", NULL, 0},
};

/* ---- 询问笔录 ------------------------------------------------------------ */
static const zf_doc_field f_inquiry[] = {
    DTIME("start_time", "询问开始时间", REQ),
    DTIME("end_time", "询问结束时间", REQ),
    TXT("place", "询问地点", REQ, 200),
    OFFICERS("officers", "询问人", REQ, 2),
    TXT("recorder", "记录人", REQ, 50),
    TXT("interviewee", "被询问人", REQ, 50),
    ENUM("gender", "性别", OPT, genders),
    TXT("id_no", "身份证件号码", OPT, 30),
    TXT("work_unit", "工作单位", OPT, 100),
    TXT("position", "职务", OPT, 50),
    TXT("relation", "与当事人关系", OPT, 50),
    TXT("phone", "联系电话", OPT, 30),
    TXT("address", "住址", OPT, 200),
    PARTY("party", "当事人", OPT),
    LTXT("notice", "告知事项", REQ, 1000),
    LTXT("transcript", "询问内容", REQ, 20000),
    SIGS("signatures", "签名", sig_inquiry),
};
static const zf_doc_check c_inquiry[] = {
    {ZF_CHK_BEFORE, "start_time", "end_time", NULL, 0},
};

/* ---- 证据提取单 ---------------------------------------------------------- */
static const zf_doc_field f_extract[] = {
    PARTY("party", "当事人", REQ),
    TXT("evidence_name", "证据名称", REQ, 200),
    TXT("evidence_source", "证据来源", REQ, 200),
    TXT("method", "提取方式", OPT, 100),
    INT("quantity", "数量（页、件）", OPT, 1, 100000),
    LTXT("description", "证据内容", REQ, 4000),
    DTIME("extract_time", "提取时间", REQ),
    TXT("place", "提取地点", REQ, 200),
    OFFICERS("officers", "执法人员", REQ, 2),
    SIGS("signatures", "签名", sig_extract),
};

/* ---- 先行登记保存证据通知书 --------------------------------------------- */
static const zf_doc_field c_goods_cols[] = {
    TXT("name", "物品名称", REQ, 100),
    TXT("spec", "规格型号", OPT, 100),
    TXT("quantity", "数量", REQ, 50),
    TXT("note", "备注", OPT, 200),
};
static const zf_doc_field f_preserve[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    TXT("suspicion", "涉嫌违法行为", REQ, 300),
    LAWS("law_refs", "法律依据", REQ),
    DATE("start_date", "保存期限起始日", REQ),
    DATE("end_date", "保存期限届满日", REQ),
    TXT("storage_place", "保存地点", REQ, 200),
    ROWS("goods", "先行登记保存物品清单", REQ, 200, c_goods_cols),
    TXT("contact", "联系人", OPT, 50),
    TXT("contact_phone", "联系电话", OPT, 30),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_preserve[] = {
    {ZF_CHK_ORDER, "start_date", "end_date", NULL, 0},
    {ZF_CHK_SPAN_DAYS, "start_date", "end_date", NULL, 7},
    {ZF_CHK_ORDER, "issue_date", "start_date", NULL, 0},
};

/* ---- 实施行政强制措施决定书 --------------------------------------------- */
static const zf_doc_field f_coercive[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    LTXT("facts", "违法嫌疑事实", REQ, 4000),
    LAWS("law_refs", "法律依据", REQ),
    ENUM("measure", "强制措施种类", REQ, coercive_kinds),
    DATE("start_date", "强制措施起始日", REQ),
    DATE("end_date", "强制措施届满日", REQ),
    TXT("place", "查封扣押场所", OPT, 200),
    ROWS("goods", "场所、设施或者财物清单", REQ, 200, c_goods_cols),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DATE("decision_date", "决定日期", REQ),
};
static const zf_doc_check c_coercive[] = {
    {ZF_CHK_ORDER, "start_date", "end_date", NULL, 0},
    {ZF_CHK_SPAN_DAYS, "start_date", "end_date", NULL, 30},
    {ZF_CHK_ORDER, "decision_date", "start_date", NULL, 0},
};

/* ---- 案件调查终结报告 ---------------------------------------------------- */
static const zf_doc_field f_report[] = {
    TXT("case_cause", "案由", REQ, 200),
    PARTY("party", "当事人", REQ),
    DATE("filing_date", "立案日期", REQ),
    LTXT("process", "调查经过", REQ, 4000),
    LTXT("facts", "违法事实及证据", REQ, 20000),
    LTXT("circumstances", "从重、从轻、减轻情节", OPT, 4000),
    LAWS("violated", "违反的法律规定", REQ),
    LAWS("basis", "处罚依据", REQ),
    LTXT("proposal", "处理意见", REQ, 4000),
    MONEY("fine", "拟罚款金额（元）", OPT),
    MONEY("confiscation", "拟没收违法所得（元）", OPT),
    MONEY("benchmark_min", "裁量基准下限（元）", DATA),
    MONEY("benchmark_max", "裁量基准上限（元）", DATA),
    OFFICERS("officers", "承办人", REQ, 2),
    DATE("report_date", "报告日期", REQ),
};
static const zf_doc_check c_report[] = {
    {ZF_CHK_ORDER, "filing_date", "report_date", NULL, 0},
    {ZF_CHK_MONEY_RANGE, "fine", "benchmark_min", "benchmark_max", 0},
};

/* ---- 案件审核表 ---------------------------------------------------------- */
static const zf_doc_field f_review[] = {
    TXT("case_cause", "案由", REQ, 200),
    PARTY("party", "当事人", REQ),
    TXT("handling_unit", "承办机构", REQ, 100),
    OFFICERS("officers", "承办人", REQ, 2),
    LTXT("summary", "案件基本情况", REQ, 8000),
    LTXT("proposal", "承办机构处理意见", REQ, 4000),
    LTXT("opinion", "审核意见", REQ, 4000),
    ENUM("result", "审核结论", REQ, review_results),
    TXT("reviewer", "审核人", REQ, 50),
    DATE("submit_date", "送审日期", REQ),
    DATE("review_date", "审核日期", REQ),
};
static const zf_doc_check c_review[] = {
    {ZF_CHK_ORDER, "submit_date", "review_date", NULL, 0},
};

/* ---- 行政处罚告知书 ------------------------------------------------------ */
static const zf_doc_field f_notice[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    LTXT("facts", "违法事实", REQ, 20000),
    LTXT("evidence", "证据", REQ, 8000),
    LAWS("violated", "违反的法律规定", REQ),
    LAWS("basis", "处罚依据", REQ),
    LTXT("penalty", "拟作出的行政处罚", REQ, 2000),
    MONEY("fine", "拟罚款金额（元）", DATA),
    MONEY("confiscation", "拟没收违法所得（元）", DATA),
    MONEY("benchmark_min", "裁量基准下限（元）", DATA),
    MONEY("benchmark_max", "裁量基准上限（元）", DATA),
    INT("statement_days", "陈述申辩期限（日）", REQ, 1, 30),
    ENUM("hearing_right", "听证权利", REQ, hearing_rights),
    TXT("contact", "联系人", OPT, 50),
    TXT("contact_phone", "联系电话", OPT, 30),
    TXT("contact_address", "联系地址", OPT, 200),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_notice[] = {
    {ZF_CHK_MONEY_RANGE, "fine", "benchmark_min", "benchmark_max", 0},
};

/* ---- 陈述申辩笔录 -------------------------------------------------------- */
static const zf_doc_field f_statement[] = {
    DTIME("start_time", "开始时间", REQ),
    DTIME("end_time", "结束时间", REQ),
    TXT("place", "地点", REQ, 200),
    PARTY("party", "当事人", REQ),
    TXT("speaker", "陈述申辩人", REQ, 50),
    TXT("agent", "委托代理人", OPT, 50),
    OFFICERS("officers", "执法人员", REQ, 2),
    TXT("recorder", "记录人", REQ, 50),
    LTXT("content", "陈述申辩内容", REQ, 20000),
    SIGS("signatures", "签名", sig_statement),
};
static const zf_doc_check c_statement[] = {
    {ZF_CHK_BEFORE, "start_time", "end_time", NULL, 0},
};

/* ---- 听证通知书 ---------------------------------------------------------- */
static const zf_doc_field f_hearing_notice[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    TXT("case_cause", "案由", REQ, 200),
    DATE("request_date", "听证申请日期", OPT),
    DTIME("hearing_time", "听证时间", REQ),
    TXT("hearing_place", "听证地点", REQ, 200),
    TXT("host", "听证主持人", REQ, 50),
    TXT("panelists", "听证员", OPT, 200),
    TXT("clerk", "记录员", REQ, 50),
    ENUM("open", "是否公开", REQ, open_modes),
    TXT("contact", "联系人", OPT, 50),
    TXT("contact_phone", "联系电话", OPT, 30),
    DATE("issue_date", "发文日期", REQ),
};
static const zf_doc_check c_hearing_notice[] = {
    {ZF_CHK_ORDER, "request_date", "issue_date", NULL, 0},
    {ZF_CHK_DAYS_BEFORE, "issue_date", "hearing_time", NULL, 7},
};

/* ---- 听证笔录 ------------------------------------------------------------ */
static const zf_doc_field f_hearing_record[] = {
    TXT("case_cause", "案由", REQ, 200),
    DTIME("start_time", "听证开始时间", REQ),
    DTIME("end_time", "听证结束时间", REQ),
    TXT("place", "听证地点", REQ, 200),
    ENUM("open", "是否公开", REQ, open_modes),
    TXT("host", "听证主持人", REQ, 50),
    TXT("panelists", "听证员", OPT, 200),
    TXT("clerk", "记录员", REQ, 50),
    PARTY("party", "当事人", REQ),
    TXT("agent", "委托代理人", OPT, 100),
    OFFICERS("officers", "案件调查人员", REQ, 2),
    LTXT("transcript", "听证记录", REQ, 40000),
    SIGS("signatures", "签名", sig_hearing),
};
static const zf_doc_check c_hearing_record[] = {
    {ZF_CHK_BEFORE, "start_time", "end_time", NULL, 0},
};

/* ---- 行政处罚决定书 ------------------------------------------------------ */
static const zf_doc_field f_decision[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    TXT("case_cause", "案由", REQ, 200),
    DATE("filing_date", "立案日期", OPT),
    LTXT("facts", "违法事实", REQ, 40000),
    LTXT("evidence", "相关证据", REQ, 20000),
    DATE("notice_date", "告知日期", OPT),
    LTXT("statement", "陈述申辩及采纳情况", OPT, 8000),
    LAWS("violated", "违反的法律规定", REQ),
    LTXT("discretion", "裁量理由", OPT, 8000),
    LAWS("basis", "处罚依据", REQ),
    LTXT("penalty", "处罚内容", REQ, 4000),
    MONEY("fine", "罚款金额（元）", DATA),
    MONEY("confiscation", "没收违法所得（元）", DATA),
    MONEY("benchmark_min", "裁量基准下限（元）", DATA),
    MONEY("benchmark_max", "裁量基准上限（元）", DATA),
    LTXT("payment", "履行方式和期限", REQ, 2000),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DATE("decision_date", "决定日期", REQ),
};
static const zf_doc_check c_decision[] = {
    {ZF_CHK_ORDER, "filing_date", "notice_date", NULL, 0},
    {ZF_CHK_ORDER, "notice_date", "decision_date", NULL, 0},
    {ZF_CHK_ORDER, "filing_date", "decision_date", NULL, 0},
    {ZF_CHK_MONEY_RANGE, "fine", "benchmark_min", "benchmark_max", 0},
};

/* ---- 不予行政处罚决定书 -------------------------------------------------- */
static const zf_doc_field f_no_penalty[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    TXT("case_cause", "案由", REQ, 200),
    LTXT("facts", "调查认定的事实", REQ, 20000),
    LTXT("evidence", "相关证据", OPT, 8000),
    ENUM("reason", "不予处罚的理由", REQ, no_penalty_reasons),
    LAWS("basis", "法律依据", REQ),
    LTXT("education", "批评教育及责令改正情况", OPT, 2000),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DATE("decision_date", "决定日期", REQ),
};

/* ---- 当场行政处罚决定书 -------------------------------------------------- */
static const zf_doc_field f_onsite[] = {
    DOCNO,
    PARTY("party", "当事人", REQ),
    DTIME("act_time", "违法行为时间", REQ),
    TXT("act_place", "违法行为地点", REQ, 200),
    LTXT("facts", "违法事实", REQ, 2000),
    LAWS("violated", "违反的法律规定", REQ),
    LAWS("basis", "处罚依据", REQ),
    ENUM("penalty_kind", "处罚种类", REQ, onsite_kinds),
    MONEY("fine", "罚款金额（元）", OPT),
    ENUM("pay_mode", "罚款缴纳方式", OPT, pay_modes),
    OFFICERS("officers", "执法人员", REQ, 2),
    TXT("review_organ", "行政复议机关", REQ, 100),
    TXT("court", "人民法院", REQ, 100),
    DTIME("decision_time", "决定时间", REQ),
    SIGS("signatures", "签名", sig_onsite),
};
static const zf_doc_check c_onsite[] = {
    {ZF_CHK_ORDER, "act_time", "decision_time", NULL, 0},
    {ZF_CHK_ONSITE_LIMIT, "fine", "party", NULL, 0},
};

/* ---- 送达回证 ------------------------------------------------------------ */
static const zf_doc_field f_service[] = {
    TXT("document", "送达文书名称及文号", REQ, 300),
    TXT("recipient", "受送达人", REQ, 100),
    TXT("place", "送达地点", REQ, 200),
    ENUM("mode", "送达方式", REQ, service_modes),
    DTIME("served_at", "送达时间", REQ),
    OFFICERS("officers", "送达人", REQ, 1),
    TXT("receiver", "收件人", OPT, 50),
    TXT("proxy_reason", "代收理由", OPT, 200),
    TXT("witness", "见证人", OPT, 50),
    LTXT("remarks", "备注", OPT, 1000),
    SIGS("signatures", "签名", sig_service),
};

/* ---- 结案审批表 ---------------------------------------------------------- */
static const zf_doc_field f_closing[] = {
    TXT("case_cause", "案由", REQ, 200),
    PARTY("party", "当事人", REQ),
    TXT("decision_no", "处理决定文号", OPT, 100),
    LTXT("decision", "处理决定", REQ, 2000),
    LTXT("execution", "执行情况", REQ, 4000),
    ENUM("reason", "结案理由", REQ, closing_reasons),
    OFFICERS("officers", "承办人", REQ, 2),
    LTXT("handler_opinion", "承办人意见", REQ, 1000),
    LTXT("unit_opinion", "承办机构负责人意见", OPT, 1000),
    LTXT("head_opinion", "部门负责人意见", OPT, 1000),
    DATE("filing_date", "立案日期", OPT),
    DATE("decision_date", "决定日期", OPT),
    DATE("closing_date", "结案日期", REQ),
};
static const zf_doc_check c_closing[] = {
    {ZF_CHK_ORDER, "filing_date", "decision_date", NULL, 0},
    {ZF_CHK_ORDER, "decision_date", "closing_date", NULL, 0},
    {ZF_CHK_ORDER, "filing_date", "closing_date", NULL, 0},
};

/* ---- 卷宗封面 ------------------------------------------------------------ */
static const zf_doc_field f_cover[] = {
    TXT("authority", "机关名称", REQ, 100),
    TXT("case_name", "案件名称", REQ, 300),
    TXT("case_no", "案件编号", OPT, 100),
    TXT("decision_no", "处理决定文号", OPT, 100),
    TXT("party_name", "当事人", REQ, 200),
    TXT("result", "处理结果", OPT, 300),
    DATE("filing_date", "立案日期", REQ),
    DATE("closing_date", "结案日期", REQ),
    DATE("archive_date", "归档日期", OPT),
    ENUM("retention", "保管期限", REQ, retention),
    INT("volumes", "本案共几卷", OPT, 1, 999),
    INT("volume_no", "本卷为第几卷", OPT, 1, 999),
    INT("items", "卷内文件件数", OPT, 0, 99999),
    INT("pages", "卷内页数", OPT, 0, 999999),
    TXT("fonds_no", "全宗号", OPT, 30),
    TXT("catalog_no", "目录号", OPT, 30),
    TXT("file_no", "案卷号", OPT, 30),
};
static const zf_doc_check c_cover[] = {
    {ZF_CHK_ORDER, "filing_date", "closing_date", NULL, 0},
    {ZF_CHK_ORDER, "closing_date", "archive_date", NULL, 0},
};

/* ---- 卷内文件目录 -------------------------------------------------------- */
static const zf_doc_field c_index_cols[] = {
    TXT("doc_no", "文号", OPT, 100),
    TXT("author", "责任者", OPT, 100),
    TXT("title", "题名", REQ, 200),
    DATE("date", "日期", OPT),
    TXT("pages", "页号", REQ, 20),
    TXT("note", "备注", OPT, 100),
};
static const zf_doc_field f_index[] = {
    TXT("case_name", "案件名称", REQ, 300),
    TXT("case_no", "案件编号", OPT, 100),
    ROWS("entries", "卷内文件", REQ, 500, c_index_cols),
};

/* ---- 卷内备考表 ---------------------------------------------------------- */
static const zf_doc_field f_notes[] = {
    TXT("case_name", "案件名称", OPT, 300),
    LTXT("remarks", "本卷情况说明", OPT, 4000),
    INT("items", "文件件数", REQ, 0, 99999),
    INT("pages", "页数", REQ, 0, 999999),
    TXT("compiler", "立卷人", REQ, 50),
    TXT("checker", "检查人", REQ, 50),
    DATE("compile_date", "立卷日期", REQ),
};

const zf_doctpl zf_doctpl_penalty_[] = {
    TPL(ZF_DOC_CASE_SOURCE, "案件来源登记表", "penalty", NULL, ZF_LAYOUT_FORM, f_case_source, c_case_source),
    TPL(ZF_DOC_FILING_APPROVAL, "立案审批表", "penalty", NULL, ZF_LAYOUT_FORM, f_filing, c_filing),
    TPL(ZF_DOC_SITE_RECORD, "现场笔录", "penalty", NULL, ZF_LAYOUT_FORM, f_site, c_site),
    TPL(ZF_DOC_INQUIRY_RECORD, "询问笔录", "penalty", NULL, ZF_LAYOUT_FORM, f_inquiry, c_inquiry),
    TPL0(ZF_DOC_EVIDENCE_EXTRACT, "证据提取单", "penalty", NULL, ZF_LAYOUT_FORM, f_extract),
    TPL(ZF_DOC_PRESERVATION_NOTICE, "先行登记保存证据通知书", "penalty", "先登", ZF_LAYOUT_LETTER, f_preserve, c_preserve),
    TPL(ZF_DOC_COERCIVE_DECISION, "实施行政强制措施决定书", "penalty", "强制", ZF_LAYOUT_LETTER, f_coercive, c_coercive),
    TPL(ZF_DOC_INVESTIGATION_REPORT, "案件调查终结报告", "penalty", NULL, ZF_LAYOUT_FORM, f_report, c_report),
    TPL(ZF_DOC_CASE_REVIEW, "案件审核表", "penalty", NULL, ZF_LAYOUT_FORM, f_review, c_review),
    TPL(ZF_DOC_PENALTY_NOTICE, "行政处罚告知书", "penalty", "罚告", ZF_LAYOUT_LETTER, f_notice, c_notice),
    TPL(ZF_DOC_STATEMENT_RECORD, "陈述申辩笔录", "penalty", NULL, ZF_LAYOUT_FORM, f_statement, c_statement),
    TPL(ZF_DOC_HEARING_NOTICE, "听证通知书", "penalty", "听通", ZF_LAYOUT_LETTER, f_hearing_notice, c_hearing_notice),
    TPL(ZF_DOC_HEARING_RECORD, "听证笔录", "penalty", NULL, ZF_LAYOUT_FORM, f_hearing_record, c_hearing_record),
    TPL(ZF_DOC_PENALTY_DECISION, "行政处罚决定书", "penalty", "处罚", ZF_LAYOUT_LETTER, f_decision, c_decision),
    TPL0(ZF_DOC_NO_PENALTY_DECISION, "不予行政处罚决定书", "penalty", "不罚", ZF_LAYOUT_LETTER, f_no_penalty),
    TPL(ZF_DOC_ONSITE_PENALTY, "当场行政处罚决定书", "penalty", "当罚", ZF_LAYOUT_LETTER, f_onsite, c_onsite),
    TPL0(ZF_DOC_SERVICE_RECEIPT, "送达回证", "penalty", NULL, ZF_LAYOUT_FORM, f_service),
    TPL(ZF_DOC_CLOSING_APPROVAL, "结案审批表", "penalty", NULL, ZF_LAYOUT_FORM, f_closing, c_closing),
    TPL(ZF_DOC_FILE_COVER, "卷宗封面", "archive", NULL, ZF_LAYOUT_FORM, f_cover, c_cover),
    TPL0(ZF_DOC_FILE_INDEX, "卷内文件目录", "archive", NULL, ZF_LAYOUT_FORM, f_index),
    TPL0(ZF_DOC_FILE_NOTES, "卷内备考表", "archive", NULL, ZF_LAYOUT_FORM, f_notes),
};
const size_t zf_doctpl_penalty_count_ = NELEM(zf_doctpl_penalty_);
