"""Department files that are awkward but readable (E§21): a name too long or with the next
rows in it is a listed broken row, records of a JSON file on one line are all kept, a GBK
file is read, a malformed ID says so (findings 10–14 of rev14; SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from jingban.enrollment import service
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid

ONE, TWO = cid(dt.date(1980, 1, 1), 11), cid(dt.date(1980, 1, 2), 13)


def upload(db, content: bytes):
    found = service.receive_file(db, ADMIN, source="police", filename="p.csv", content=content)
    return found, service.get_file(db, ADMIN, found.id)[1]


def test_an_overlong_name_and_a_swallowed_row_are_listed(db):
    text = (f"citizen_id,name,household_region,phone\n{ONE},{'周' * 100},{REGION},13900000001\n"
            f'{TWO},"吴霞,{REGION},139\n{ONE},周杰,{REGION},13900000001\n')
    found, bad = upload(db, text.encode())
    assert (found.total, found.accepted, found.rejected) == (2, 0, 2)
    assert [(b.error_code, b.error_field) for b in bad] == [("registry.name_length", "name"),
                                                             ("registry.name_chars", "name")]
    assert "64" in bad[0].error_message


def test_a_json_file_on_one_line_keeps_every_record(db):
    content = f'[{{"citizen_id": "{ONE}", "name": "周杰"}}, {{"citizen_id": "{TWO}", "name": "吴霞"}}]'
    found, bad = upload(db, content.encode())
    assert (found.accepted, found.rejected, bad) == (2, 0, [])


def test_a_gbk_file_is_read(db):
    found, _ = upload(db, f"citizen_id,name,household_region\n{ONE},周杰,{REGION}\n".encode("gbk"))
    assert found.accepted == 1


def test_a_malformed_id_says_so(db):
    found, bad = upload(db, f"citizen_id,name\n{'1' * 36},周杰\n".encode())
    assert found.rejected == 1 and (bad[0].error_code, bad[0].error_field) == ("id.format", "citizen_id")
