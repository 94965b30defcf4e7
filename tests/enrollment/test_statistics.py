"""The statistics are GROUP BY queries (E§27–§31): every table and the headline figures against
counts made by hand over eight known entries, each cell's drill-down listing exactly the people
it counts, and the Excel export (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.core import clock
from jingban.enrollment import rules, service
from jingban.enrollment.models import RegistryEntry, RegistryFlag
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN


def born(years: int, days: int = 0) -> dt.date:
    """Born ``years`` years before today (minus ``days`` more days)."""
    return rules.years_before(clock.today(), years) - dt.timedelta(days=days)


PEOPLE = [  # name, sex, age (years, days), region, employment, here, elsewhere, reason, status
    ("甲", "M", (10, 0), REGION, "", "medical_resident", "", "", "confirmed"),
    ("乙", "F", (16, 0), REGION, "employed", "pension_enterprise;medical_employee;injury;unemployment",
     "", "", "confirmed"),
    ("丙", "M", (29, 300), REGION, "employed", "pension_enterprise;medical_employee", "", "",
     "investigate"),
    ("丁", "F", (44, 0), "330102", "flexible", "", "pension_enterprise", "", "confirmed"),
    ("戊", "M", (59, 364), REGION, "employed", "pension_enterprise", "pension_enterprise", "",
     "confirmed"),
    ("己", "F", (60, 0), REGION, "", "", "", "unwilling", "investigate"),
    ("庚", "M", (35, 0), "330102", "unemployed", "", "", "", "investigate"),
    ("辛", "", None, REGION, "", "", "", "cannot_afford", "investigate"),
]


@pytest.fixture
def entries(db):
    rows = {}
    for n, (name, sex, age, region, work, here, elsewhere, reason, status) in enumerate(PEOPLE):
        rows[name] = RegistryEntry(anchor=f"t:{n}", name=name, sex=sex,
                                   birth_date=born(*age) if age else None, household_region=region,
                                   employment_status=work, insured_here=here,
                                   insured_elsewhere=elsewhere, not_enrolled_reason=reason,
                                   status=status)
        db.add(rows[name])
    db.add(RegistryEntry(anchor="retired:x", name="退", status="retired", household_region=REGION))
    db.flush()
    db.add(RegistryFlag(entry_id=rows["丙"].id, kind="partial", reason="未参工伤、失业"))
    db.commit()
    return rows


def table(found: dict, dimension: str) -> dict[str, tuple[int, int, int]]:
    return {r["value"]: (r["persons"], r["enrolled"], r["investigate"])
            for r in found["tables"][dimension]}


def test_every_table_against_hand_counts(db, entries):
    found = service.statistics(db, ADMIN)
    assert found["summary"] == {"persons": 8, "enrolled": 5, "coverage": 62.5, "confirmed": 4,
                                "registration_rate": 50.0, "investigate": 4}
    assert table(found, "household_region") == {REGION: (6, 4, 3), "330102": (2, 1, 1)}
    assert table(found, "sex") == {"M": (4, 3, 2), "F": (3, 2, 1), "": (1, 0, 1)}
    assert table(found, "age_band") == {"0–15岁": (1, 1, 0), "16–29岁": (2, 2, 1),
                                        "30–44岁": (2, 1, 1), "45–59岁": (1, 1, 0),
                                        "60岁及以上": (1, 0, 1), "未知": (1, 0, 1)}
    assert table(found, "employment_status") == {"employed": (3, 3, 1), "flexible": (1, 1, 0),
                                                 "unemployed": (1, 0, 1), "": (3, 1, 2)}
    assert table(found, "where") == {"here": (3, 3, 1), "elsewhere": (1, 1, 0), "both": (1, 1, 0),
                                     "none": (3, 0, 3)}
    assert table(found, "not_enrolled_reason") == {"unwilling": (1, 0, 1), "unknown": (1, 0, 1),
                                                   "cannot_afford": (1, 0, 1)}
    assert table(found, "insurance") == {"pension_enterprise": (4, 4, 1), "medical_employee": (2, 2, 1),
                                         "medical_resident": (1, 1, 0), "injury": (1, 1, 0),
                                         "unemployment": (1, 1, 0), "none": (3, 0, 3)}
    assert found["tables"]["where"][0]["label"] == "仅本地参保"
    assert service.statistics(db, ADMIN, "330102")["summary"]["persons"] == 2


def test_each_cell_drills_down_to_the_people_it_counts(db, entries):
    found = service.statistics(db, ADMIN)
    for dimension, rows in found["tables"].items():
        for row in rows:
            people = service.entries(db, ADMIN, dimension=dimension, value=row["value"])
            assert len(people) == row["persons"], (dimension, row["value"])
            assert sum(p["status"] == "investigate" for p in people) == row["investigate"]
    names = lambda **f: [p["name"] for p in service.entries(db, ADMIN, **f)]  # noqa: E731
    assert names(dimension="age_band", value="16–29岁") == ["乙", "丙"]
    assert names(dimension="insurance", value="unemployment") == ["乙"]
    assert names(dimension="insurance", value="none") == ["己", "庚", "辛"]
    assert names(dimension="where", value="both") == ["戊"]
    assert names(dimension="not_enrolled_reason", value="unknown") == ["庚"]
    assert names(flag="partial") == ["丙"]
    assert names(enrolled=False) == ["己", "庚", "辛"]


def test_the_excel_exports(db, entries):
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(service.statistics_xlsx(db, ADMIN))).active
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows(min_row=2)]
    assert ("险种", "未参保", 3, 0, 0.0, 3, 8) in rows
    assert ("险种", "工伤保险", 1, 1, 12.5, 0, 8) in rows  # over the 8 residents (finding 9)
    assert ("性别", "女", 3, 2, 66.7, 1, 3) in rows
    listed = load_workbook(BytesIO(service.entries_xlsx(db, ADMIN, dimension="sex", value="F"))).active
    assert [r[1].value for r in listed.iter_rows(min_row=2)] == ["乙", "丁", "己"]
