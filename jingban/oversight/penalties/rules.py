"""Penalty rules (罚则): the legal range of each fine, the check of a chosen amount, and the
deadline for paying recovered money and fines in (Z-13(1)). Pure functions; the multiples,
bounds and periods are dated policy (policy/national/oversight_inspections.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from jingban.core.money import format_yuan

# kind -> (name, basis)
KINDS = {
    "fraud": ("以欺诈、伪造证明材料或者其他手段骗取社会保险基金支出",
              "《社会保险经办条例》第五十五条（责令退回，处骗取金额2倍以上5倍以下的罚款）"),
    "obstruction": ("社会保险服务机构拒绝监督检查或者谎报、瞒报有关情况，拒不改正",
                    "《社会保险经办条例》第五十七条（拒不改正的，处1万元以上5万元以下的罚款）"),
}
# R§57 names the service institutions (社会保险服务机构) only.
SUBJECTS_OF = {"fraud": {"employer", "person", "institution"}, "obstruction": {"institution"}}

STATUSES = {"proposed": "已提出处罚建议", "deciding": "处罚决定审核中", "decided": "已作出处罚决定"}

# Z-13(1): where each kind of money collected goes.
PARTS = {"recovered": "追回的社会保险基金（缴入社会保险基金收入专户）",
         "fine": "罚款（缴入财政罚没收入户）"}
BASIS_DEPOSIT = "郑人社〔2016〕27号第十三部分第（一）项（十个工作日内足额缴入）"


@dataclass(frozen=True)
class Range:
    """罚款幅度 in fen, both ends included."""

    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{format_yuan(self.low)}元至{format_yuan(self.high)}元"


def fraud_range(amount_fen: int, multiple: dict) -> Range:
    """R§55: 2 to 5 times the amount obtained by fraud (the multiples from policy)."""
    return Range(amount_fen * int(multiple["min"]), amount_fen * int(multiple["max"]))


def obstruction_range(bounds: dict) -> Range:
    """R§57: 10 000 to 50 000 yuan (the bounds from policy, in fen)."""
    return Range(int(bounds["min"]), int(bounds["max"]))


def fine_problem(fine_fen: int, legal: Range) -> str | None:
    """Why a chosen fine may not be imposed, or None: it must lie inside the legal range."""
    if not legal.low <= fine_fen <= legal.high:
        return f"罚款金额{format_yuan(fine_fen)}元超出法定幅度（{legal.label}）"
    return None


def subject_problem(kind: str, subject_kind: str) -> str | None:
    if subject_kind not in SUBJECTS_OF[kind]:
        return f"“{KINDS[kind][0]}”的罚则只适用于社会保险服务机构（《社会保险经办条例》第五十七条）"
    return None


def fund_problem(kind: str, fund: str | None) -> str | None:
    """R§55 orders the money back into the fund it was drawn from: a fraud names that fund; an
    obstruction fine (R§57) takes nothing from a fund."""
    if kind == "fraud" and not fund:
        return ("骗取社会保险基金支出的，须写明被骗取的险种基金"
                "（追回款缴入该基金收入户，郑人社〔2016〕27号第十三部分第（一）项）")
    if kind == "obstruction" and fund:
        return "拒绝、阻碍监督检查的罚款不涉及基金，请勿填写险种基金"
    return None


def owed(kind: str, amount_fen: int, fine_fen: int) -> dict[str, int]:
    """What the decision makes payable: the amount obtained back (R§55 责令退回) and the fine."""
    return {"recovered": amount_fen if kind == "fraud" else 0, "fine": fine_fen}
