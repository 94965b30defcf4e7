"""Contracted institutions for the demo region (issue 13's "Done when"): a hospital, a clinic
and a pharmacy, each taken through the cases (application, on-site review, signing) with a
price list of the usual items (甲/乙/丙, daily limits, sex- and age-specific items). The lead
calls ``seed`` from ``jingban demo``; it is idempotent (an institution already there is kept).
The prices are demo values, marked as such in the item names' source (not a published list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.agreements.institutions import prices
from jingban.agreements.institutions.models import Institution
from jingban.cases import service as cases
from jingban.core import agency, clock, ids
from jingban.core.actor import Actor

MANAGER = Actor("demo-agreements", frozenset({"agreement_manager"}), True, "counter")
R1 = Actor("demo-reviewer-1", frozenset({"reviewer_1"}), True, "counter")
R2 = Actor("demo-reviewer-2", frozenset({"reviewer_2"}), True, "counter")
# (USCC department + kind, organisation code, name, kind, level, departments)
INSTITUTIONS = (
    ("12", "JBAGR0001", "演示市第一人民医院", "medical", "三级甲等",
     [("NK", "内科"), ("WK", "外科"), ("FK", "妇产科"), ("ZY", "住院部")]),
    ("52", "JBAGR0002", "演示社区卫生服务中心", "medical", "一级", [("QK", "全科"), ("KF", "康复科")]),
    ("91", "JBAGR0003", "演示大药房连锁有限公司", "pharmacy", "", [("YF", "药房")]),
)
# demo price list (演示价格，非公布目录): code, name, unit, yuan, category, self-pay %, daily limit,
# sex, min age, max age
PRICES = (
    ("110200001", "普通门诊诊查费", "次", "10.00", "甲", "0", "1", "", "", ""),
    ("120100001", "床位费（普通病房）", "日", "45.00", "甲", "0", "1", "", "", ""),
    ("250102001", "血常规检查", "次", "20.00", "甲", "0", "2", "", "", ""),
    ("220301001", "彩色多普勒超声检查", "次", "180.00", "乙", "10", "1", "", "", ""),
    ("250403001", "前列腺特异性抗原测定", "项", "60.00", "乙", "10", "1", "1", "40", ""),
    ("311201001", "产前检查", "次", "50.00", "甲", "0", "1", "2", "16", "55"),
    ("XA01", "阿莫西林胶囊0.25g", "粒", "0.35", "甲", "0", "12", "", "", ""),
    ("XB02", "阿托伐他汀钙片20mg", "片", "2.80", "乙", "10", "2", "", "", ""),
    ("XC03", "维生素C泡腾片", "片", "1.50", "丙", "100", "", "", "", ""),
    ("310902001", "儿童生长发育评估", "次", "40.00", "乙", "10", "1", "", "", "14"),
)


@dataclass(frozen=True)
class Seeded:
    institutions: list[int]
    created: int


def price_file(on: dt.date) -> bytes:
    lines = ["项目编码,项目名称,单位,单价,类别,自付比例,每日限量,限性别,最小年龄,最大年龄,生效日期,失效日期"]
    lines += [",".join((*row, f"{on.year}-01-01", "")) for row in PRICES]
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed(db: Session, starts_on: dt.date | None = None) -> Seeded:
    """Three contracted institutions with their price lists (kept when already there)."""
    today = clock.today()
    start = starts_on or today.replace(month=1, day=1)
    region = agency.region(db)
    made, created = [], 0
    for prefix, org, name, kind, level, depts in INSTITUTIONS:
        code = ids.make_uscc(prefix[0], prefix[1], region, org)
        inst = db.scalar(select(Institution).where(Institution.uscc == code))
        if inst is None:
            inst = _contract(db, code, name, kind, level, depts, start)
            created += 1
        prices.import_prices(db, MANAGER, inst.id, "demo-prices.csv", price_file(start))
        made.append(inst.id)
    return Seeded(made, created)


def _contract(db: Session, code: str, name: str, kind: str, level: str, depts, start: dt.date):
    today = clock.today()
    applied = cases.submit(db, MANAGER, "AGR-APPLY", {
        "uscc": code, "name": name, "kind": kind, "level": level, "address": f"演示市{name}路1号",
        "licence_no": f"PDY{code[-6:]}", "licence_valid_to": f"{today.year + 5}-12-31",
        "departments": [{"code": c, "name": n} for c, n in depts]})
    inst_id = int(applied.subject.split(":")[1])
    review = cases.submit(db, MANAGER, "AGR-REVIEW", {
        "institution_id": inst_id, "evaluated_on": today.isoformat(), "result": "pass",
        "note": "演示：现场评估科室设置、医保管理制度、信息系统接口，符合定点条件"})
    cases.decide(db, R1, review.id, 1, "approve", "同意")
    sign = cases.submit(db, MANAGER, "AGR-SIGN", {
        "institution_id": inst_id, "kind": "medical", "starts_on": start.isoformat(),
        "ends_on": dt.date(start.year + 2, 12, 31).isoformat(),
        "terms": {"scope": "门诊、住院" if kind == "medical" else "药品零售", "settlement": "按月结算",
                  "source": "演示协议条款"}})
    cases.decide(db, R1, sign.id, 1, "approve", "同意")
    cases.decide(db, R2, sign.id, 2, "approve", "同意")
    return db.get(Institution, inst_id)


@dataclass(frozen=True)
class Region:
    """What ``seed_region`` left in the demo region (``jingban demo``)."""

    institutions: int
    period: int
    claims: int
    flagged: int
    settlements: list
    breach_id: int | None


def last_period(today: dt.date) -> int:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year * 100 + last.month


def seed_region(db: Session) -> Region:
    """The demo's service institutions: three contracted through the cases, two hospitals with
    last month's claims uploaded (planted violations of every rule), reviewed, decided and
    settled (booked to the fund), a late upload of the first hospital flagged and waiting for
    the reviewer and its supplementary settlement, and a breach notice waiting for the clinic's
    statement."""
    from jingban.agreements.breaches import service as breaches
    from jingban.agreements.breaches.models import BreachMeasure
    from jingban.agreements.breaches.schemas import NoticeIn
    from jingban.agreements.claims import demo as claims_demo
    from jingban.agreements.claims.models import Claim, ClaimFlag

    contracted = seed(db)
    period = last_period(clock.today())
    claimed = claims_demo.seed(db, period=period)
    settled = claims_demo.settle(db, period, claimed.institutions)
    claims_demo.seed_late(db, period, claimed.institutions[0], claimed.persons,  # claims13
                          agency.region(db))  # claims13
    clinic = contracted.institutions[1]
    breach = db.scalar(select(BreachMeasure.id).where(BreachMeasure.institution_id == clinic))
    if breach is None:
        breach = breaches.serve_notice(db, MANAGER, NoticeIn(
            institution_id=clinic, measure="urge",
            facts="演示：年度考核发现门诊处方未按规定上传，医保管理制度执行不到位")).id
    count = db.scalar(select(func.count()).select_from(Claim).where(Claim.period == period))
    flagged = db.scalar(select(func.count(func.distinct(ClaimFlag.line_id))))
    return Region(len(contracted.institutions) + len(claimed.institutions), period, count, flagged,
                  settled, breach)
