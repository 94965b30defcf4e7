"""Department files that are awkward but readable (E§21): a name too long or with the next
rows in it is a listed broken row, records of a JSON file on one line are all kept, a GBK
file is read, a malformed ID says so (findings 10–14 of rev14; SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban.enrollment import service
from jingban.enrollment.models import SourceRecord
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid

ONE, TWO = cid(dt.date(1980, 1, 1), 11), cid(dt.date(1980, 1, 2), 13)


def upload(db, content: bytes):
    found = service.receive_file(db, ADMIN, source="police", filename="p.csv", content=content)
    return found, service.get_file(db, ADMIN, found.id)[1]


def test_an_overlong_name_and_an_unclosed_quote_are_listed_the_next_row_kept(db):
    """Finding 12: the line with the unclosed quote is the broken row; the row after it is
    read on its own (E§21: the rest of the file is processed)."""
    text = (f"citizen_id,name,household_region,phone\n{ONE},{'周' * 100},{REGION},13900000001\n"
            f'{TWO},"吴霞,{REGION},139\n{ONE},周杰,{REGION},13900000001\n')
    found, bad = upload(db, text.encode())
    assert (found.total, found.accepted, found.rejected) == (3, 1, 2)
    assert [(b.line, b.error_code, b.error_field) for b in bad] == [
        (2, "registry.name_length", "name"), (3, "registry.row", None)]
    assert "64" in bad[0].error_message and "引号未闭合" in bad[1].error_message
    assert bad[1].raw == f'{TWO},"吴霞,{REGION},139'


def test_quotes_that_pair_up_are_read(db):
    """A quoted cell with a comma or a doubled quote is one cell; a quote closed late on the
    line but stray text after it is still a broken row, not the end of the file."""
    text = (f'citizen_id,name,household_region,residence\n{ONE},周杰,{REGION},"文三路1号,3幢"\n'
            f'{TWO},"吴霞"x,{REGION},\n'
            f'"{cid(dt.date(1980, 1, 3), 15)}",郑好,{REGION},"某""小区"""\n')
    found, bad = upload(db, text.encode())
    assert (found.total, found.accepted, found.rejected) == (3, 2, 1)
    assert [(b.line, b.error_code) for b in bad] == [(3, "registry.row")]
    residences = sorted(db.execute(select(SourceRecord.residence).where(
        SourceRecord.file_id == found.id, SourceRecord.status == "accepted")).scalars())
    assert residences == ['文三路1号,3幢', '某"小区"']


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
