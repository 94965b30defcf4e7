"""The planted month: the set-based review flags every rule and gives the same flags as the pure
rules; the upload keeps the text, lists bad rows and processes a file once (SQLite and PG)."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jingban.agreements.claims import demo, rules, service
from jingban.agreements.claims.models import Claim, ClaimFlag, ClaimLine, ClaimUpload
from jingban.agreements.institutions import service as institutions
from jingban.core.errors import InvalidInput
from jingban.registration.models import Person

PERIOD = 202610


def pure_flags(db, period):
    """The pure rules over the same stored month (and the persons' other claims)."""
    def facts(c):
        lines = db.execute(select(ClaimLine).where(ClaimLine.claim_id == c.id)).scalars()
        return rules.Claim(c.id, c.institution_id, c.person_id, c.inpatient, c.admission_on,
                           c.discharge_on, tuple(rules.Line(x.id, x.code, x.service_on, x.quantity,
                                                            x.unit_price_fen, x.amount_fen)
                                                 for x in lines))
    month = [facts(c) for c in db.execute(select(Claim).where(Claim.period == period)).scalars()]
    other = [facts(c) for c in db.execute(select(Claim).where(Claim.period != period)).scalars()]
    persons = {p.id: rules.Person(p.sex, p.birth_date, p.death_date)
               for p in db.execute(select(Person)).scalars()}

    def prices(inst, code, day):
        item = institutions.price_list(db, inst, day).get(code)
        return item and rules.Item(item.unit_price_fen, item.daily_limit, item.sex_only,
                                   item.min_age, item.max_age)
    return rules.review(month, persons, prices, service.review_params(db, dt.date(2026, 11, 24)),
                        history=other)


def stored_flags(db):
    return {rules.Flag(f.line_id, f.rule, f.cut_fen) for f in db.execute(select(ClaimFlag)).scalars()}


def flagged_claims(db, rule):
    return set(db.execute(select(Claim.claim_no).join(ClaimLine, ClaimLine.claim_id == Claim.id)
                          .join(ClaimFlag, ClaimFlag.line_id == ClaimLine.id)
                          .where(ClaimFlag.rule == rule)).scalars())


def test_every_rule_hits_its_planted_claim_and_set_based_equals_pure(db):
    seeded = demo.seed(db, period=PERIOD)
    assert set(json.loads(db.get(service.ClaimReviewRun, seeded.run_id).hits)) == set(rules.RULES)
    expected = {"not_listed": {"A-NOTLISTED"}, "over_price": {"A-OVERPRICE"},
                "repeated": {"A-REPEAT"}, "split_charge": {"A-SPLIT-2"}, "over_quantity": {"A-QTY"},
                "bed_blocking": {"A-BED"}, "card_profile": {"A-SEX", "A-AGE"},
                "card_simultaneous": {"A-STAY-1", "B-SIMUL"}, "after_death": {"A-DEAD"},
                "readmission": {"A-READMIT"}}
    for rule, claims in expected.items():
        assert flagged_claims(db, rule) == claims, rule
    clean = {"A-CLEAN-1", "A-CLEAN-2", "B-CLEAN-1", "B-CLEAN-2", "A-SELFPAY"}
    assert not clean & set().union(*(flagged_claims(db, r) for r in rules.RULES))
    assert stored_flags(db) == pure_flags(db, PERIOD)


def test_rerun_adds_nothing_and_a_file_is_processed_once(db):
    seeded = demo.seed(db, period=PERIOD)
    before = db.scalar(select(func.count()).select_from(ClaimFlag))
    run = service.run_review(db, demo.REVIEWER, PERIOD)
    assert sum(json.loads(run.hits).values()) == 0
    assert db.scalar(select(func.count()).select_from(ClaimFlag)) == before
    again = demo.seed(db, period=PERIOD)
    assert again.uploads == seeded.uploads
    assert db.scalar(select(func.count()).select_from(ClaimUpload)) == 2


def test_bad_rows_are_listed_and_the_rest_processed(db):
    seeded = demo.seed(db, period=PERIOD)
    a = seeded.institutions[0]
    p = seeded.persons["plain"]
    ok = demo._row("C-OK", p, "outpatient", dt.date(2026, 10, 20), dt.date(2026, 10, 20), "ZL001",
                   dt.date(2026, 10, 20), 1, 2000)
    rows = [demo.HEADER.encode(), ok.encode("gbk"),
            demo._row("A-CLEAN-1", p, "outpatient", dt.date(2026, 10, 20), dt.date(2026, 10, 20),
                      "ZL001", dt.date(2026, 10, 20), 1, 2000).encode(),  # stored already
            demo._row("C-NOBODY", p, "outpatient", dt.date(2026, 10, 20), dt.date(2026, 10, 20),
                      "ZL001", dt.date(2026, 10, 20), 1, 2000).replace(p.ssn, "330106199001011234").encode(),
            b"C-NEG," + p.ssn.encode() + b",medical_employee,outpatient,2026-10-20,2026-10-20,J18.9,"
                                         b"ZL001,2026-10-20,1,-20.00,-20.00",
            demo._row("C-HUGE", p, "outpatient", dt.date(2026, 10, 20), dt.date(2026, 10, 20), "ZL001",
                      dt.date(2026, 10, 20), 1, 200000000).encode(),
            b"C-GBK," + p.ssn.encode() + ",medical_employee,outpatient,2026-10-20,2026-10-20,"
            "腹痛,ZL001,2026-10-20,1,20.00,20.00".encode("gbk")[:-12] + b"\xff\xfe" + b",20.00",
            demo._row("C-DUP", p, "outpatient", dt.date(2026, 10, 21), dt.date(2026, 10, 21), "ZL001",
                      dt.date(2026, 10, 21), 1, 2000).encode(),
            demo._row("C-DUP", p, "outpatient", dt.date(2026, 10, 22), dt.date(2026, 10, 22), "ZL001",
                      dt.date(2026, 10, 22), 1, 2000).encode()]
    up = service.upload_claims(db, demo.UPLOADER, a.id, PERIOD, "late.csv", b"\n".join(rows))
    problems = {p["claim_no"]: p["message"] for p in service.problems_of(up)}
    assert up.encoding == "gbk" and up.claims == 1 and "\\xff" in up.raw
    assert "已上传过" in problems["A-CLEAN-1"] and "未登记参保" in problems["C-NOBODY"]
    assert "负数" in problems["C-NEG"] and "上限" in problems["C-HUGE"]
    assert "编码错误" in problems["第7行"] and "不一致" in problems["C-DUP"]
    stored = db.execute(select(Claim).where(Claim.claim_no == "C-OK")).scalar()
    assert stored.raw == ok and stored.total_fen == 2000


def test_no_agreement_on_the_service_day_and_a_broken_file(db):
    seeded = demo.seed(db, period=PERIOD)
    a, p = seeded.institutions[0], seeded.persons["plain"]
    old = demo._row("C-OLD", p, "outpatient", dt.date(2024, 6, 3), dt.date(2024, 6, 3), "ZL001",
                    dt.date(2024, 6, 3), 1, 2000)
    up = service.upload_claims(db, demo.UPLOADER, a.id, 202406, "old.csv",
                               f"{demo.HEADER}\n{old}".encode())
    assert up.claims == 0 and "没有有效的服务协议" in service.problems_of(up)[0]["message"]
    with pytest.raises(InvalidInput) as caught:
        service.upload_claims(db, demo.UPLOADER, a.id, PERIOD, "x.csv", b"claim_no,ssn\nA,B")
    assert caught.value.field == "file"
    count = db.scalar(select(func.count()).select_from(ClaimUpload))
    assert count == 3  # the refused file wrote nothing


def test_same_flags_with_price_changes_and_the_month_before(db):
    """Set-based equals pure when the price list changes inside the month (a dearer version from
    the 5th, a two-day version that ends) and the persons have claims the month before."""
    from sqlalchemy import delete

    from jingban.agreements.institutions.models import PriceItem

    seeded = demo.seed(db, period=PERIOD)
    a, twice, woman = seeded.institutions[0], seeded.persons["twice"], seeded.persons["woman"]
    db.add_all([
        PriceItem(institution_id=a.id, code="YP001", name="头孢呋辛酯片", unit_price_fen=2000,
                  category="甲", self_pay_bp=0, daily_limit=1, valid_from=dt.date(2026, 10, 5)),
        PriceItem(institution_id=a.id, code="YP001", name="头孢呋辛酯片", unit_price_fen=9000,
                  category="甲", self_pay_bp=0, daily_limit=9, valid_from=dt.date(2026, 10, 6),
                  valid_to=dt.date(2026, 10, 7))])
    db.commit()
    sept = [demo._row("S-STAY", twice, "inpatient", dt.date(2026, 9, 20), dt.date(2026, 9, 28),
                      "CW001", dt.date(2026, 9, 20 + i), 1, 5000) for i in range(8)]
    sept.append(demo._row("S-VISIT", woman, "outpatient", dt.date(2026, 9, 30), dt.date(2026, 9, 30),
                          "YP001", dt.date(2026, 9, 30), 2, 2550))
    service.upload_claims(db, demo.UPLOADER, a.id, 202609, "sept.csv",
                          "\n".join((demo.HEADER, *sept)).encode())
    db.execute(delete(ClaimFlag))
    db.commit()
    service.run_review(db, demo.REVIEWER, PERIOD)
    stored = stored_flags(db)
    assert stored == pure_flags(db, PERIOD)
    assert "A-STAY-1" in flagged_claims(db, "readmission")  # three days after S-STAY
    # 10-04 the first version; 10-06 and 10-07 the two-day version (limit 9, dearer)
    assert "A-OVERPRICE" in flagged_claims(db, "over_price")
    assert "A-QTY" not in flagged_claims(db, "over_quantity")


def test_codes_longer_than_their_columns_are_listed_not_cut_short(db):
    seeded = demo.seed(db, period=PERIOD)
    a, p = seeded.institutions[0], seeded.persons["plain"]
    day = dt.date(2026, 10, 20)
    long_no = "C-" + "9" * 40  # 42 characters: the column holds 40
    rows = [demo.HEADER.encode(),
            demo._row(long_no, p, "outpatient", day, day, "ZL001", day, 1, 2000).encode(),
            demo._row("C-LONGCODE", p, "outpatient", day, day, "ZL" + "1" * 40, day, 1, 2000).encode(),
            demo._row("C-FINE", p, "outpatient", day, day, "ZL001", day, 1, 2000).encode()]
    up = service.upload_claims(db, demo.UPLOADER, a.id, PERIOD, "long.csv", b"\n".join(rows))
    problems = {p["claim_no"]: p["message"] for p in service.problems_of(up)}
    assert up.claims == 1 and "结算单号超过40个字符" in problems[long_no[:40]]
    assert "项目编码超过40个字符" in problems["C-LONGCODE"]
    assert db.execute(select(Claim).where(Claim.claim_no == "C-LONGCODE")).scalar() is None
