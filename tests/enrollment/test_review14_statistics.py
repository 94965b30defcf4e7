"""rev14 review of issue 14, part 6: the statistics (E§27–§31) over a registry built by the
real pipeline (registrations, a police file, the higher-level registry's list), against
counts made by hand — with people whose 16th and 60th birthdays are today and people one
day short of them; each cell's drill-down lists exactly the counted persons; the Excel
matches the page."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import openpyxl

from jingban.core import clock
from jingban.enrollment import batch, rules, service
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file, employer, person
from tests.web.helpers import sign_in

FULL = ("pension_enterprise", "medical_employee", "injury", "unemployment")


def born(years: int, days: int = 0) -> dt.date:
    """``years`` years before today, ``days`` later (someone who turns ``years`` in ``days`` days)."""
    return rules.years_before(clock.today(), years) + dt.timedelta(days=days)


def build(db, settings) -> dict[str, str]:
    """Eight people (odd sequence = man):
    王甲 M turns 16 today, resident pension+medical here;         16–29
    王乙 F turns 16 tomorrow, police only, no reason;            0–15, 未参保
    王丙 M turns 60 today, employed with all four;               60+
    王丁 F turns 60 tomorrow, police only, 330102, 不愿参保;      45–59
    王戊 M 30 today, employed, pension+medical only;            30–44, 未参全
    王己 F 45 tomorrow, resident pension here, enterprise elsewhere; 30–44, 本地和异地
    王庚 M 35, police + insured elsewhere only;                 30–44, 仅异地
    王辛 F 20, police only, no reason;                          16–29, 未参保"""
    unit = employer(db)
    a = born(16)
    person(db, "王甲", cid(a, 11), a, insurances=("pension_resident", "medical_resident"))
    c, e = born(60), born(30)
    person(db, "王丙", cid(c, 13), c, insurances=FULL, unit=unit)
    person(db, "王戊", cid(e, 15), e, insurances=FULL[:2], unit=unit)
    f = born(45, 1)
    fid = cid(f, 16)
    person(db, "王己", fid, f, insurances=("pension_resident", "medical_resident"))
    db.commit()
    b, d, g, h = born(16, 1), born(60, 1), born(35), born(20)
    contact = {"phone": "13900000000", "residence": "西湖区"}
    service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file([
        {"citizen_id": cid(b, 12), "name": "王乙", "household_region": REGION, **contact},
        {"citizen_id": cid(d, 14), "name": "王丁", "household_region": "330102",
         "not_enrolled_reason": "不愿参保", **contact},
        {"citizen_id": cid(g, 17), "name": "王庚", "household_region": REGION, **contact},
        {"citizen_id": cid(h, 18), "name": "王辛", "household_region": REGION, **contact}]))
    service.receive_file(db, ADMIN, source="elsewhere", filename="e.csv", content=csv_file([
        {"citizen_id": fid, "name": "王己", "insurances": "pension_enterprise", "insured_region": "310101"},
        {"citizen_id": cid(g, 17), "name": "王庚", "insurances": "pension_enterprise;medical_employee",
         "insured_region": "310101"}]))
    batch.run(db, ADMIN, settings)


def table(found, dimension) -> dict[str, tuple[int, int, int]]:
    return {r["value"]: (r["persons"], r["enrolled"], r["investigate"]) for r in found["tables"][dimension]}


def test_statistics_against_hand_counts(db, settings):
    build(db, settings)
    found = service.statistics(db, ADMIN)
    # enrolled: 甲 丙 戊 己 庚 = 5 of 8; 需调查: 乙 戊 辛 = 3; confirmed 5 → 62.5 %
    assert found["summary"] == {"persons": 8, "enrolled": 5, "coverage": 62.5, "confirmed": 5,
                                "registration_rate": 62.5, "investigate": 3}
    assert table(found, "age_band") == {"0–15岁": (1, 0, 1), "16–29岁": (2, 1, 1),
                                        "30–44岁": (3, 3, 1), "45–59岁": (1, 0, 0),
                                        "60岁及以上": (1, 1, 0)}
    assert table(found, "sex") == {"M": (4, 4, 1), "F": (4, 1, 2)}
    assert table(found, "household_region") == {REGION: (7, 5, 3), "330102": (1, 0, 0)}
    assert table(found, "employment_status") == {"employed": (2, 2, 1), "": (6, 3, 2)}
    assert table(found, "where") == {"here": (3, 3, 1), "both": (1, 1, 0), "elsewhere": (1, 1, 0),
                                     "none": (3, 0, 2)}
    assert table(found, "not_enrolled_reason") == {"unknown": (2, 0, 2), "unwilling": (1, 0, 0)}
    # holders here or elsewhere: enterprise pension 丙 戊 己(异地) 庚(异地)
    assert table(found, "insurance") == {
        "pension_enterprise": (4, 4, 1), "medical_employee": (3, 3, 1), "pension_resident": (2, 2, 0),
        "medical_resident": (2, 2, 0), "injury": (1, 1, 0), "unemployment": (1, 1, 0),
        "none": (3, 0, 2)}
    for dimension, rows in found["tables"].items():  # the drill-down lists exactly the counted
        for row in rows:
            people = service.entries(db, ADMIN, dimension=dimension, value=row["value"])
            assert len(people) == row["persons"], (dimension, row["value"])
            assert sum(p["status"] == "investigate" for p in people) == row["investigate"]
    names = lambda **f: sorted(p["name"] for p in service.entries(db, ADMIN, **f))  # noqa: E731
    assert names(dimension="age_band", value="16–29岁") == ["王甲", "王辛"]
    assert names(dimension="age_band", value="60岁及以上") == ["王丙"]
    assert names(dimension="age_band", value="0–15岁") == ["王乙"]
    assert names(dimension="where", value="elsewhere") == ["王庚"]
    assert names(dimension="not_enrolled_reason", value="unwilling") == ["王丁"]
    assert names(flag="not_enrolled") == ["王乙", "王辛"]
    # 王乙 (15 until tomorrow) has no 已满16周岁, 王辛 (20) has
    reasons = sorted(f.reason for e in service.entries(db, ADMIN, flag="not_enrolled")
                     for f in service.open_flags(db, e["id"]))
    assert reasons == ["未在本地或异地参加任何社会保险", "未在本地或异地参加任何社会保险（已满16周岁）"]


def test_coverage_by_insurance_is_over_the_population(db, settings):
    build(db, settings)
    rows = {r["value"]: r for r in service.statistics(db, ADMIN)["tables"]["insurance"]}
    assert rows["injury"]["coverage"] == 12.5  # 1 of the 8 residents
    # the hand counts of build(): holders here or elsewhere over the 8 registry persons
    assert {k: (r["enrolled"], r["base"], r["coverage"]) for k, r in rows.items()} == {
        "pension_enterprise": (4, 8, 50.0), "medical_employee": (3, 8, 37.5),
        "pension_resident": (2, 8, 25.0), "medical_resident": (2, 8, 25.0),
        "injury": (1, 8, 12.5), "unemployment": (1, 8, 12.5), "none": (0, 8, 0.0)}
    other = {r["value"]: r for r in service.statistics(db, ADMIN)["tables"]["sex"]}
    assert (other["F"]["base"], other["F"]["coverage"]) == (4, 25.0)  # a group: its own persons
    # within one division the base is that division's residents: 王丁 alone in 330102
    there = {r["value"]: r for r in service.statistics(db, ADMIN, "330102")["tables"]["insurance"]}
    assert {k: (r["persons"], r["base"], r["coverage"]) for k, r in there.items()} == {"none": (1, 1, 0.0)}


def test_the_page_shows_coverage_by_insurance_over_the_residents(client, sessions, settings, make_user):
    with sessions() as db:
        build(db, settings)
    make_user("stat15", "data_admin")
    sign_in(client, "stat15")
    page = client.get("/enrollment").text
    section = page[page.index('id="by-insurance"'):]
    section = section[:section.index("</section>")]
    rows = {r[0]: r for r in cells(section)}
    assert rows["工伤保险"][1:4] == ["1", "1", "12.5%"]
    assert "登记人数（8人" in section and "登记人数" in section[section.index('class="chart"'):]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/enrollment/statistics.xlsx").content)).active
    injury = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "工伤保险"]
    assert injury == [("险种", "工伤保险", 1, 1, 12.5, 0, 8)]


def cells(text: str) -> list[list[str]]:
    """The dimension tables of the page as rows of cell texts."""
    rows = re.findall(r"<tr><td>(.*?)</tr>", text, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td>(.*?)</td>", "<td>" + r, re.S)] for r in rows]


def test_the_excel_matches_the_page(client, sessions, settings, make_user):
    with sessions() as db:
        build(db, settings)
    make_user("stat14", "data_admin")
    sign_in(client, "stat14")
    page = client.get("/enrollment").text
    shown = [r for r in cells(page) if len(r) == 5]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/enrollment/statistics.xlsx").content)).active
    listed = [[row[1], row[2], row[3], float(row[4]), row[5]]
              for row in sheet.iter_rows(min_row=2, values_only=True)]
    # 2 regions + 5 age bands + 2 sexes + 2 employment + 4 where + 2 reasons + 7 insurance rows
    assert len(listed) == len(shown) == 24
    for mine, theirs in zip(shown, listed, strict=True):
        assert [mine[0], int(mine[1]), int(mine[2]), float(mine[3].rstrip("%")), int(mine[4])] == theirs
    drill = client.get("/enrollment/entries", params={"dimension": "age_band", "value": "60岁及以上"})
    assert "王丙" in drill.text and "王丁" not in drill.text
    people = openpyxl.load_workbook(io.BytesIO(client.get(
        "/enrollment/entries.xlsx", params={"dimension": "age_band", "value": "16–29岁"}).content)).active
    assert sorted(r[1] for r in people.iter_rows(min_row=2, values_only=True)) == ["王甲", "王辛"]


def test_a_household_region_is_labelled_by_its_name():
    from jingban.enrollment import rules
    assert rules.value_label("household_region", "330106") == "浙江省西湖区（330106）"
    assert rules.value_label("household_region", "999999") == "999999"
    assert rules.value_label("household_region", "") == "未登记"
