"""Work-injury benefit rules (工伤保险待遇, R§21–§22; 《工伤保险条例》第三十条至第三十九条、第六十四条).
Pure functions; the figures come from dated policy (policy/national/injury.yaml and the region's).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingban.benefits.common.rules import add_months
from jingban.core.money import round_fen

INSURANCE = "injury"
FUND = "injury"

# Award kinds, each paid by the injury fund (common.rules.FUND_OF_KIND).
GRANT = "injury_grant"  # 一次性伤残补助金 (one-off)
ALLOWANCE = "injury_allowance"  # 伤残津贴 (monthly, grades 1–4)
NURSING = "injury_nursing"  # 生活护理费 (monthly)
ENDING = "injury_ending"  # 一次性工伤医疗补助金 on ending employment (one-off, grades 5–10)
DEATH = "injury_death"  # 丧葬补助金 + 一次性工亡补助金 (one-off, on the deceased)
DEPENDANT = "injury_dependant"  # 供养亲属抚恤金 (monthly, on the dependant)
DEVICE = "injury_device"  # 辅助器具配置费用 (one-off)
MEDICAL = "injury_medical"  # 工伤医疗费手工报销 (one-off)
KIND_NAMES = {GRANT: "一次性伤残补助金", ALLOWANCE: "伤残津贴", NURSING: "生活护理费",
              ENDING: "一次性工伤医疗补助金", DEATH: "丧葬补助金及一次性工亡补助金",
              DEPENDANT: "供养亲属抚恤金", DEVICE: "辅助器具配置费用", MEDICAL: "工伤医疗费（手工报销）"}
MONTHLY_KINDS = (ALLOWANCE, NURSING, DEPENDANT)

GRADES = range(1, 11)
FUND_ALLOWANCE_GRADES = range(1, 5)  # 第三十五条: 一至四级 from the fund
EMPLOYER_ALLOWANCE_GRADES = (5, 6)  # 第三十六条: 五、六级 by the employer when no work is arranged
ENDING_GRADES = range(5, 11)  # 第三十六条第二款、第三十七条
NURSING_LEVELS = {1: "生活完全不能自理", 2: "生活大部分不能自理", 3: "生活部分不能自理"}
RECOGNITION_KINDS = {"injury": "认定为工伤（第十四条）", "deemed": "视同工伤（第十五条）"}
RELATIONSHIPS = {"spouse": "配偶", "child": "子女", "parent": "父母", "grandparent": "祖父母、外祖父母",
                 "grandchild": "孙子女、外孙子女", "sibling": "兄弟姐妹"}
MINOR_RELATIONSHIPS = ("child", "grandchild", "sibling")  # 至18周岁 (劳社部令第18号 第三条)

# What ends a dependant's pension besides death (劳动和社会保障部令第18号 第四条): each stops it
# from the month after the event. Imprisonment suspends it (the common reason).
DEPENDANT_STOPS = {"remarriage": "再婚", "adoption": "被他人收养",
                   "age_limit": "年满18周岁且未完全丧失劳动能力"}


def grade_problem(grade: int) -> str | None:
    """伤残等级 is one of the ten grades (《劳动能力鉴定 职工工伤与职业病致残等级》, 第二十二条)."""
    if grade not in GRADES:
        return f"伤残等级应为一级至十级，不能为{grade}"
    return None


def own_wage(bases: list[int], average_wage: int, bounds: dict) -> tuple[int, int, str]:
    """本人工资 (第六十四条): the average monthly contribution wage of the months paid in the
    12 months before the injury (rounded to the fen), floored at 60 % and capped at 300 % of
    the region's average monthly wage. (wage used, the plain average, what applied)."""
    average = round_fen(Decimal(sum(bases)) / len(bases)) if bases else 0
    floor = round_fen(Decimal(average_wage) * Decimal(str(bounds["floor"])))
    cap = round_fen(Decimal(average_wage) * Decimal(str(bounds["cap"])))
    if average < floor:
        return floor, average, "floor"
    if average > cap:
        return cap, average, "cap"
    return average, average, ""


def disability_grant(wage: int, grade: int, months: dict) -> int:
    """一次性伤残补助金 = 本人工资 × the grade's months (第三十五条至第三十七条)."""
    return wage * int(months[grade])


def allowance(wage: int, grade: int, shares: dict) -> int:
    """伤残津贴 = 本人工资 × the grade's share (第三十五条 1–4级; 第三十六条 5–6级)."""
    return round_fen(Decimal(wage) * Decimal(str(shares[grade])))


def nursing(average_wage: int, level: int, shares: dict) -> int:
    """生活护理费 = 统筹地区上年度职工月平均工资 × the level's share (第三十四条)."""
    return round_fen(Decimal(average_wage) * Decimal(str(shares[level])))


def ending_grants(wage: int, grade: int, table: dict) -> tuple[int, int]:
    """(一次性工伤医疗补助金, 一次性伤残就业补助金) on ending employment, grades 5–10
    (第三十六条第二款、第三十七条第二项; the months are the region's)."""
    return wage * int(table["medical"][grade]), wage * int(table["employment"][grade])


def funeral_grant(average_wage: int, months: int) -> int:
    """丧葬补助金 = 6 × 统筹地区上年度职工月平均工资 (第三十九条第一款第一项)."""
    return average_wage * months


def death_grant(yearly_income: int, multiple: int) -> int:
    """一次性工亡补助金 = 20 × 上一年度全国城镇居民人均可支配收入 (第三十九条第一款第三项)."""
    return yearly_income * multiple


def dependant_share(relationship: str, orphan_or_alone: bool, shares: dict) -> Decimal:
    """配偶40%，其他亲属30%，孤寡老人或者孤儿+10% (第三十九条第一款第二项)."""
    share = Decimal(str(shares["spouse" if relationship == "spouse" else "other"]))
    return share + (Decimal(str(shares["orphan_or_alone"])) if orphan_or_alone else 0)


def dependant_pensions(wage: int, dependants: list[tuple[str, bool]], shares: dict) -> tuple[list[int], bool]:
    """Each dependant's monthly pension (relationship, orphan or lone elderly) and whether the
    total was capped: the sum may not exceed the deceased's wage (第三十九条第一款第二项); over
    it, each is reduced in proportion, the fen below cut off, so the sum never exceeds it."""
    plain = [round_fen(Decimal(wage) * dependant_share(r, alone, shares)) for r, alone in dependants]
    total = sum(plain)
    if total <= wage:
        return plain, False
    return [amount * wage // total for amount in plain], True


def month_of_age(birth: dt.date, age: int) -> int:
    """The month (YYYYMM) a person born on ``birth`` turns ``age``."""
    return (birth.year + age) * 100 + birth.month


def age_limit_day(birth: dt.date, age: int) -> dt.date:
    """The birthday on which ``age`` is reached (29 February → 28 February)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return birth.replace(year=birth.year + age, day=28)


def review_from(concluded: dt.date) -> dt.date:
    """复查鉴定 may be applied for from one year after the conclusion (第二十八条)."""
    return age_limit_day(concluded, 1)


def allowance_floor(amount: int, minimum_wage: int) -> tuple[int, int]:
    """伤残津贴 (grades 1–4) below the local minimum wage: the fund tops it up to it (第三十五条
    第一款第（二）项). (amount paid, top-up)."""
    top_up = max(minimum_wage - amount, 0)
    return amount + top_up, top_up


def grant_difference(new: int, granted: int) -> int:
    """一次性伤残补助金 after a re-appraisal raised the grade: the new grant less what was
    granted, never negative (what was paid is not taken back)."""
    return max(new - granted, 0)


def leave_end_limit(injured: dt.date, months: int) -> dt.date:
    """The last day of ``months`` months counted from the injury day (停工留薪期, 第三十三条)."""
    year, month = add_months(injured.year, injured.month, months)
    following = dt.date(*add_months(year, month, 1), 1)
    day = min(injured.day, (following - dt.timedelta(days=1)).day)
    return dt.date(year, month, day) - dt.timedelta(days=1)


def device_payment(price: int, limit: int) -> int:
    """辅助器具: paid as charged up to the catalogue's limit (第三十二条)."""
    return min(price, limit)
