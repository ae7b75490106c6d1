/* decision_sample.h — a realistic three-page 行政处罚决定书 (fictional party,
 * fictional city), shared by test_render.c and bench/render_bench.c. */
#ifndef ZF_TEST_DECISION_SAMPLE_H
#define ZF_TEST_DECISION_SAMPLE_H

#include <jansson.h>

#include "render/content.h"

#define SAMPLE_DOCNO "赣江市监处罚〔2026〕12号"
#define SAMPLE_PARTY "赣江市青云粮油贸易有限公司"

static const zf_render_opts sample_opts = {"赣江市市场监督管理局", "K7Q2-XT8M-4P9A",
                                           "https://zhifa.ganjiang.gov.cn/"};

static json_t *sample_decision(void)
{
    json_t *d = json_object();

    json_object_set_new(d, "doc_no", json_string(SAMPLE_DOCNO));
    json_object_set_new(
        d, "party",
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "法人", "name", SAMPLE_PARTY,
                  "id_type", "统一社会信用代码", "id_no", "91369900MA35K7Q2XT", "address",
                  "赣江市青云区滨江路88号", "legal_rep", "王建国", "phone", "0791-86123456"));
    json_object_set_new(d, "case_cause", json_string("销售标签不符合规定的食品案"));
    json_object_set_new(d, "filing_date", json_string("2026-01-09"));
    json_object_set_new(
        d, "facts",
        json_string(
            "2026年1月8日，本局执法人员对当事人位于赣江市青云区滨江路88号的经营场所进行检查，"
            "发现当事人在店堂内销售的“云岭”牌压榨花生油（5升装，生产日期2025年6月1日）标签未标注"
            "生产许可证编号。经调取当事人进货台账、销售记录及供货商资质材料，查明当事人自2025年9月起"
            "共购进上述花生油240桶，进货单价每桶人民币86元，已按每桶人民币128元的价格销售196桶，"
            "违法所得人民币8,232元。\n"
            "上述事实，有现场笔录、询问笔录、进货台账复印件、销售记录、抽样检验报告、当事人营业执照"
            "复印件及法定代表人身份证明等证据证实。当事人对本局认定的违法事实无异议。"));
    json_object_set_new(
        d, "evidence",
        json_string("1. 现场笔录1份，证明检查时现场发现涉案花生油的情况；\n"
                    "2. 询问笔录2份，证明当事人购进、销售涉案花生油的数量和价格；\n"
                    "3. 进货台账复印件12页，证明涉案花生油的进货来源、数量和单价；\n"
                    "4. 销售记录复印件8页，证明涉案花生油的销售数量和价格；\n"
                    "5. 检验报告1份，证明涉案花生油的标签不符合食品安全国家标准；\n"
                    "6. 营业执照复印件、法定代表人身份证明各1份，证明当事人的主体资格。"));
    json_object_set_new(d, "notice_date", json_string("2026-02-10"));
    json_object_set_new(
        d, "statement",
        json_string("本局于2026年2月10日向当事人送达了《行政处罚告知书》（赣江市监罚告〔2026〕8号），"
                    "告知当事人拟作出行政处罚的内容及事实、理由、依据，并告知其依法享有陈述、申辩和"
                    "要求听证的权利。当事人在法定期限内提出了书面陈述申辩，称其系初次违法且已主动召回"
                    "全部未售出产品。经复核，当事人所述召回情况属实，本局予以采纳，作为从轻处罚的情节"
                    "考虑。当事人未要求听证。"));
    json_object_set_new(d, "violated",
                        json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "law",
                                  "中华人民共和国食品安全法", "article", "第七十一条", "clause",
                                  "第一款", "law", "中华人民共和国食品安全法", "article",
                                  "第五十三条", "clause", "第一款"));
    json_object_set_new(d, "discretion",
                        json_string("当事人主动召回未售出的涉案产品，依据《赣江市市场监督管理"
                                    "行政处罚裁量基准》予以从轻处罚。"));
    json_object_set_new(d, "basis",
                        json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "law",
                                  "中华人民共和国食品安全法", "article", "第一百二十五条", "clause",
                                  "第一款第二项", "law", "中华人民共和国行政处罚法", "article",
                                  "第三十二条", "clause", "第一项"));
    json_object_set_new(d, "penalty",
                        json_string("1. 没收违法所得人民币8,232元；\n2. 罚款人民币50,000元。\n"
                                    "罚没款合计人民币58,232元。"));
    json_object_set_new(d, "fine", json_string("50000.00"));
    json_object_set_new(d, "confiscation", json_string("8232"));
    json_object_set_new(d, "benchmark_min", json_string("50000"));
    json_object_set_new(d, "benchmark_max", json_string("100000"));
    json_object_set_new(
        d, "payment",
        json_string("当事人应当自收到本行政处罚决定书之日起十五日内，将罚没款缴至指定银行或者通过"
                    "电子支付系统缴纳。到期不缴纳罚款的，本局可以每日按罚款数额的百分之三加处罚款。"));
    json_object_set_new(d, "review_organ", json_string("赣江市人民政府"));
    json_object_set_new(d, "court", json_string("赣江市青云区人民法院"));
    json_object_set_new(d, "decision_date", json_string("2026-03-02"));
    return d;
}

#endif
