"""Credit rules (R§45; D§43): the dishonest acts the agency records, with their basis."""

from __future__ import annotations

SUBJECT_KINDS = {"person": "个人", "employer": "用人单位", "institution": "社会保险服务机构",
                 "staff": "服务机构工作人员"}


def _basis(item: str, also: str = "") -> str:
    return f"《社会保险经办条例》第四十五条{also}；征求意见稿第四十三条第（{item}）项"


# act code -> (name, legal basis). D§43 lists the acts; R§45 makes recording them a duty.
CREDIT_ACTS = {
    "refuse_enrollment": ("未按照规定参加社会保险且拒不改正", _basis("一")),
    "fraud": ("以欺诈、伪造证明材料等手段骗取社会保险基金支出或待遇", _basis("二")),
    "overpayment_refused": ("多领社会保险待遇且拒不改正", _basis("三", "、第四十六条")),
    "overpayment_agreement_breach": ("签订还款协议后未履约", _basis("三", "、第四十六条")),
    "data_leak": ("泄露用人单位和个人信息", _basis("四")),
    "agreement_breach": ("违反社会保险服务协议且拒不改正", _basis("五")),
    "card_forgery": ("伪造、变造、买卖或盗用社会保障卡、医保电子凭证", _basis("六")),
}

# Steps of a subject's credit history besides the recorded acts (R§45; seed 002).
HISTORY_STEPS = {
    "proposed": "拟列入严重失信主体名单", "noticed": "事先告知（陈述申辩权利）",
    "statement": "当事人陈述申辩", "decision_case": "提交列入审批",
    "listed": "列入严重失信主体名单并公示", "objection": "提出异议",
    "objection_upheld": "异议成立，撤销列入", "repair_applied": "申请信用修复",
    "repaired": "信用修复，移出名单", "removed": "名单期满，移出名单",
    "dropped": "不予列入（终止）",
}
