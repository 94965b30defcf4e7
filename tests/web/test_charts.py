"""A line chart breaks where a month has no value: it never draws a value nobody measured."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from jingban.web import charts

NS = {"s": "http://www.w3.org/2000/svg"}
LABELS = [f"{m}月" for m in range(1, 13)]


def test_a_gap_inside_the_series_breaks_the_line():
    months = [3.0, 3.0, None, None, None, None, None, None, 10.0, 8.6, 18.6, None]
    root = ET.fromstring(str(charts.line_chart("可支付月数", LABELS, [("可支付月数", months)],
                                               label=charts.months_label, unit="个月")))
    lines = root.findall("s:polyline", NS)
    assert [len(x.get("points").split()) for x in lines] == [2, 3]
    assert len(root.findall("s:circle[@class='point']", NS)) == 5
    lone = ET.fromstring(str(charts.line_chart("t", LABELS[:3], [("x", [1.0, None, 2.0])])))
    assert lone.findall("s:polyline", NS) == [] and len(lone.findall("s:circle", NS)) == 2
