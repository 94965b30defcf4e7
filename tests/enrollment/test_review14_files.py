"""rev14 review of issue 14, part 7: bad input — a source file with broken rows (the rest
processed, the bad rows listed with a Chinese message, a code and the field), files that
cannot be read refused whole, unknown division codes; nothing half-written (row counts
before and after)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.core.errors import InvalidInput
from jingban.enrollment import service
from jingban.enrollment.models import SourceFile, SourceRecord
from tests.conftest import REGION, error_of
from tests.enrollment.helpers import ADMIN

HEAD = "citizen_id,name,sex,birth_date,household_region,residence_region,phone\n"
BORN = dt.date(1980, 1, 2)


def number(seq: int) -> str:
    from tests.enrollment.helpers import cid

    return cid(BORN, seq)


def counts(db) -> tuple[int, int]:
    return (db.execute(select(func.count()).select_from(SourceFile)).scalar_one(),
            db.execute(select(func.count()).select_from(SourceRecord)).scalar_one())


def receive(db, text: str, encoding: str = "utf-8"):
    return service.receive_file(db, ADMIN, source="police", filename="公安.csv",
                                content=text.encode(encoding))


BROKEN = HEAD + "".join([
    f"{number(201)},周杰,男,1980-01-02,{REGION},,13900000201\n",  # 2 good
    f"{number(203)},吴霞,X,1980-01-02,{REGION},,13900000203\n",  # 3 sex X
    f"{number(205)},郑好,,1980-13-45,{REGION},,\n",  # 4 no such day
    f"{number(207)},冯一,,,999999,,\n",  # 5 unknown household division
    f"{number(209)},冯二,,,{REGION},999999001001,\n",  # 6 unknown residence division
    f"{number(211)},冯三,,,{REGION},33010600,\n",  # 7 8 digits
    f",,,,{REGION},,\n",  # 8 no name
    f"{number(213)},冯四,,,{REGION},,139,extra\n",  # 9 more cells than the header
    "\n",  # blank: skipped
    f"{number(215)},冯五,女,,{REGION},{REGION}001002,0571-88881234\n",  # 11 good
])


def test_broken_rows_are_listed_and_the_rest_processed(db):
    upload = receive(db, BROKEN)
    found, bad = service.get_file(db, ADMIN, upload.id)
    assert (found.total, found.accepted, found.rejected) == (9, 2, 7)
    listed = [(r.line, r.error_code, r.error_field) for r in bad]
    assert listed == [(3, "registry.sex", "sex"), (4, "registry.date", "birth_date"),
                      (5, "region.unknown", "household_region"),
                      (6, "region.unknown", "residence_region"),
                      (7, "region.format", "residence_region"), (8, "registry.name", "name"),
                      (9, "registry.row", None)]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.error_message) for r in bad)
    assert bad[0].raw == f"{number(203)},吴霞,X,1980-01-02,{REGION},,13900000203"  # as received
    good = db.execute(select(SourceRecord).where(SourceRecord.file_id == upload.id,
                                                 SourceRecord.status == "accepted")
                      .order_by(SourceRecord.line)).scalars().all()
    assert [(r.line, r.name, r.phone) for r in good] == [(2, "周杰", "13900000201"),
                                                          (11, "冯五", "057188881234")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件为空"), (HEAD.encode(), "没有数据记录"),
    ("colour,name\n红,周杰\n".encode(), "无法识别的列：colour"),
    (b"citizen_id,phone\n1,2\n", "缺少必需的列：name"),
    (f"{HEAD}{number(201)},周\x00杰,,,{REGION},,\n".encode(), "空字符"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "文件"),
])
def test_an_unreadable_file_is_refused_whole_and_nothing_written(db, content, message):
    before = counts(db)
    with pytest.raises(InvalidInput) as refused:
        service.receive_file(db, ADMIN, source="police", filename="x.csv", content=content)
    assert (refused.value.code, refused.value.field) == ("registry.file", "file")
    assert message in refused.value.message
    db.rollback()
    assert counts(db) == before


def test_an_unknown_source_is_refused(db):
    with pytest.raises(InvalidInput) as refused:
        service.receive_file(db, ADMIN, source="weather", filename="x.csv", content=BROKEN.encode())
    assert (refused.value.code, refused.value.field) == ("registry.source", "source")
    assert "公安户籍" in refused.value.message
    db.rollback()
    assert counts(db) == (0, 0)


def test_over_http_the_broken_rows_come_back_and_a_bad_division_is_422(client, login):
    admin, planner = login("data_admin"), login("grassroots")
    reply = client.post("/api/v1/enrollment/files", data={"source": "police"}, headers=admin,
                        files={"file": ("police.csv", BROKEN.encode(), "text/csv")})
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["accepted"], body["rejected"]) == (2, 7)
    assert [r["field"] for r in body["rejected_rows"]][:3] == ["sex", "birth_date", "household_region"]
    for division, code in (("999999001002", "survey.division_unknown"), ("33010", "survey.division"),
                           ("abcdef", "survey.division")):
        refused = client.post("/api/v1/enrollment/surveys", json={"division": division}, headers=planner)
        assert refused.status_code == 422
        assert (error_of(refused)["code"], error_of(refused)["field"]) == (code, "division")
    lists = client.get("/api/v1/enrollment/surveys", headers=planner)
    assert lists.status_code == 200 and lists.json() == []  # nothing half-made
    gbk = client.post("/api/v1/enrollment/files", data={"source": "civil"}, headers=admin,
                      files={"file": ("civil.csv", BROKEN.encode("gbk"), "text/csv")})
    assert gbk.status_code in (201, 422)  # read (finding 13) or refused whole — never a 500


def test_an_overlong_name_is_a_broken_row(db):
    upload = receive(db, HEAD + f"{number(201)},{'周' * 100},,,{REGION},,\n"
                     f"{number(203)},吴霞,,,{REGION},,\n")
    found, bad = service.get_file(db, ADMIN, upload.id)
    assert (found.accepted, [r.error_field for r in bad]) == (1, ["name"])


def test_a_json_file_on_one_line(db):
    content = (f'[{{"citizen_id": "{number(201)}", "name": "周杰"}}, '
               f'{{"citizen_id": "{number(203)}", "name": "吴霞"}}]').encode()
    upload = service.receive_file(db, ADMIN, source="police", filename="p.json", content=content)
    assert upload.accepted == 2


def test_an_unclosed_quote_is_listed_not_swallowed(db):
    upload = receive(db, HEAD + f'{number(201)},"周杰,,,{REGION},,\n{number(203)},吴霞,,,{REGION},,\n')
    names = db.execute(select(SourceRecord.name).where(SourceRecord.file_id == upload.id,
                                                       SourceRecord.status == "accepted")).scalars().all()
    assert "吴霞" in names and all("," not in n for n in names)


def test_a_gbk_file_is_read(db):
    upload = receive(db, BROKEN, "gbk")
    assert (upload.accepted, upload.rejected) == (2, 7)
