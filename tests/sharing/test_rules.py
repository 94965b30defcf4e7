"""Reading feed files: each record keeps its exact text and line; bad files are refused whole."""

from __future__ import annotations

import pytest

from jingban.core.errors import InvalidInput
from jingban.sharing import rules


def test_csv_with_bom_crlf_and_quoted_newline():
    text = ("\ufeffevent_id,action,uscc,address\r\n"
            "E-1,setup,X1,\"杭州市\r\n西湖区\"\r\n"
            "\r\n"
            "E-2,change,X2,  \r\n")
    header, items = rules.parse("employer", text.encode())
    assert header == "event_id,action,uscc,address"
    assert [(i.line, i.raw) for i in items] == [
        (2, 'E-1,setup,X1,"杭州市\r\n西湖区"'), (5, "E-2,change,X2,  ")]
    assert items[0].data["address"] == "杭州市\r\n西湖区"
    assert items[1].data == {"event_id": "E-2", "action": "change", "uscc": "X2"}
    assert items[0].key == "E-1"


def test_csv_row_longer_than_header_is_a_record_problem():
    _, items = rules.parse("employer", b"action,uscc\nsetup,X,extra\n")
    assert items[0].data is None and "列数" in items[0].problem


def test_json_items_keep_their_text_and_line():
    text = '[\n  {"event": "birth", "citizen_id": "1"},\n\n  {"event": "death",\n "x": 1} ]\n'
    header, items = rules.parse("population", text.encode())
    assert header == ""
    assert [(i.line, i.raw) for i in items] == [
        (2, '{"event": "birth", "citizen_id": "1"}'), (4, '{"event": "death",\n "x": 1}')]


def test_key_without_event_id_is_sm3_of_the_record_whatever_the_format():
    _, from_csv = rules.parse("employer", b"action,uscc,name\nchange,X,\n")
    _, from_json = rules.parse("employer", b'[{"uscc": "X", "action": "change", "name": ""}]')
    assert from_csv[0].key == from_json[0].key
    assert len(from_csv[0].key) == 64


@pytest.mark.parametrize("content", [
    b"", b"  \n", b"[]", b"[1, 2", b"[1] 2", b'{"a": 1}', b"action,uscc\n",
    b"uscc\nX\n", b"action,uscc,action\nsetup,X,Y\n", "action,uscc\n设立,X\n".encode("gbk"),
])
def test_unreadable_files(content):
    with pytest.raises(InvalidInput) as caught:
        rules.parse("employer", content)
    assert caught.value.field == "file"


def test_unknown_kind_and_size_limit(monkeypatch):
    with pytest.raises(InvalidInput) as caught:
        rules.parse("tax", b"[]")
    assert caught.value.field == "kind"
    monkeypatch.setattr(rules, "MAX_FILE_BYTES", 10)
    with pytest.raises(InvalidInput, match="MB"):
        rules.parse("employer", b"action,uscc\nsetup,X\n")
