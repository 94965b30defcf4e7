"""Each review rule (Z-6) with a hand-made claim that triggers it and one that does not."""

import datetime as dt

from jingban.agreements.claims import rules
from jingban.agreements.claims.rules import Claim, Flag, Item, Line, Person

D = dt.date(2026, 10, 5)
PARAMS = rules.Params(readmission_days=15, bed_prefixes=("CW",), idle_days=2)
LIST = {"YP001": Item(2550, daily_limit=3), "CW001": Item(5000, daily_limit=1),
        "ZL001": Item(2000), "FK001": Item(6000, sex_only="2"), "ET001": Item(8000, max_age=14),
        "LN001": Item(9000, min_age=60)}
MAN = Person("M", dt.date(1970, 3, 1))


def prices(_institution, code, _day):
    return LIST.get(code)


def line(i, code, day=D, qty=1, price=None):
    price = LIST[code].unit_price_fen if price is None and code in LIST else (price or 1000)
    return Line(i, code, day, qty, price, qty * price)


def claim(i, *lines, inst=1, person=1, inpatient=False, adm=D, dis=D):
    return Claim(i, inst, person, inpatient, adm, dis, tuple(lines))


def test_not_listed():
    assert rules.not_listed(claim(1, line(1, "XX999", price=4000)), prices) == [
        Flag(1, "not_listed", 4000)]
    assert rules.not_listed(claim(1, line(1, "YP001")), prices) == []


def test_over_price_cuts_the_excess():
    assert rules.over_price(claim(1, line(1, "YP001", qty=2, price=3000)), prices) == [
        Flag(1, "over_price", 900)]
    assert rules.over_price(claim(1, line(1, "YP001", qty=2, price=2550)), prices) == []


def test_repeated_same_item_same_day_same_claim():
    c = claim(1, line(1, "ZL001"), line(2, "ZL001"), line(3, "ZL001", day=D + dt.timedelta(1)))
    assert rules.repeated(c) == [Flag(2, "repeated", 2000)]
    assert rules.repeated(claim(1, line(1, "ZL001"), line(2, "YP001"))) == []


def test_split_charge_over_two_claims_at_one_institution():
    first, second = claim(1, line(1, "YP001", qty=2)), claim(2, line(2, "YP001"))
    assert rules.split_charge([second, first]) == [Flag(2, "split_charge", 2550)]
    elsewhere = claim(2, line(2, "YP001"), inst=2)
    assert rules.split_charge([first, elsewhere]) == []


def test_over_quantity_cuts_the_excess_quantity():
    assert rules.over_quantity(claim(1, line(1, "YP001", qty=5)), prices) == [
        Flag(1, "over_quantity", 2 * 2550)]
    assert rules.over_quantity(claim(1, line(1, "YP001", qty=3)), prices) == []


def test_bed_blocking_days_with_only_the_bed():
    days = [D + dt.timedelta(i) for i in range(4)]
    stay = claim(1, line(1, "CW001", days[0]), line(2, "ZL001", days[0]),
                 line(3, "CW001", days[1]), line(4, "CW001", days[2]), line(5, "CW001", days[3]),
                 line(6, "ZL001", days[3]), inpatient=True, adm=days[0], dis=days[3])
    assert sorted(f.line_id for f in rules.bed_blocking(stay, PARAMS)) == [3, 4]
    treated = claim(1, line(1, "CW001", days[0]), line(2, "ZL001", days[0]),
                    line(3, "CW001", days[1]), line(4, "ZL001", days[2]), inpatient=True)
    assert rules.bed_blocking(treated, PARAMS) == []  # one idle day is below the threshold


def test_card_profile_sex_and_age():
    assert rules.card_profile(claim(1, line(1, "FK001")), prices, MAN) == [
        Flag(1, "card_profile", 6000)]
    assert rules.card_profile(claim(1, line(1, "ET001"), line(2, "LN001")), prices, MAN) == [
        Flag(1, "card_profile", 8000), Flag(2, "card_profile", 9000)]
    woman_child = Person("F", dt.date(2016, 10, 6))  # 9 on D
    assert rules.card_profile(claim(1, line(1, "FK001"), line(2, "ET001")), prices,
                              woman_child) == []


def test_simultaneous_admissions_at_two_institutions():
    a = claim(1, line(1, "CW001", D + dt.timedelta(3)), inpatient=True, adm=D,
              dis=D + dt.timedelta(5))
    b = claim(2, line(2, "CW001", D + dt.timedelta(2)), inst=2, inpatient=True,
              adm=D + dt.timedelta(2), dis=D + dt.timedelta(4))
    assert sorted(f.line_id for f in rules.simultaneous([a, b])) == [1, 2]
    transfer = claim(2, line(2, "CW001", D + dt.timedelta(5)), inst=2, inpatient=True,
                     adm=D + dt.timedelta(5), dis=D + dt.timedelta(8))  # 转院 on discharge day
    assert rules.simultaneous([a, transfer]) == []


def test_after_death():
    dead = Person("M", dt.date(1940, 1, 5), death_date=D - dt.timedelta(1))
    assert rules.after_death(claim(1, line(1, "ZL001")), dead) == [Flag(1, "after_death", 2000)]
    assert rules.after_death(claim(1, line(1, "ZL001", D - dt.timedelta(1))), dead) == []
    assert rules.after_death(claim(1, line(1, "ZL001")), MAN) == []


def test_readmission_within_the_window():
    first = claim(1, line(1, "CW001"), inpatient=True, adm=D, dis=D + dt.timedelta(3))
    again = claim(2, line(2, "CW001", D + dt.timedelta(18)), inpatient=True,
                  adm=D + dt.timedelta(18), dis=D + dt.timedelta(20))
    assert rules.readmission([first, again], PARAMS) == [Flag(2, "readmission", 0)]
    later = claim(2, line(2, "CW001", D + dt.timedelta(19)), inpatient=True,
                  adm=D + dt.timedelta(19), dis=D + dt.timedelta(20))
    assert rules.readmission([first, later], PARAMS) == []  # 16 days after the discharge


def test_upload_checks_and_decisions():
    assert rules.amount_problem(1, 100, 100, 10**8, 10**4) is None
    assert "负数" in rules.amount_problem(1, -100, -100, 10**8, 10**4)
    assert "上限" in rules.amount_problem(1, 10**9, 10**9, 10**8, 10**4)
    assert "不符" in rules.amount_problem(2, 100, 100, 10**8, 10**4)
    assert rules.dates_problem(D, D, D, 202610) is None
    assert rules.dates_problem(D, D, D, 202611)
    assert rules.decision_problem("cut", 0, 100, "超标") and rules.decision_problem("refuse", None, 100, "")
    assert rules.decision_problem("cut", 50, 100, "超标准收费") is None
    assert rules.accepted_amount("cut", 30, 100) == 70 and rules.accepted_amount("refuse", None, 100) == 0
