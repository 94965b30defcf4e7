"""The SVG charts: one bar per value, one point per value, gaps for None, the threshold line,
axis labels in yuan, an accessible title on the chart and on each bar and point."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from jingban.web import charts

NS = {"s": "http://www.w3.org/2000/svg"}
LABELS = [f"{m}月" for m in range(1, 13)]


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_bar_chart_has_a_bar_per_value_with_titles():
    income = [100_00 * m for m in range(1, 13)]
    expense = [50_00 * m for m in range(1, 12)] + [None]
    root = _parse(charts.bar_chart("收入与支出", LABELS, [("收入", income), ("支出", expense)]))
    bars = root.findall("s:rect[@class='bar']", NS)
    assert len(bars) == 12 + 11
    assert root.find("s:title", NS).text == "收入与支出" and root.get("role") == "img"
    assert bars[0].find("s:title", NS).text == "1月 收入：100 元"
    ticks = [t.text for t in root.findall("s:text[@class='tick']", NS)]
    assert ticks[0] == "0" and ticks[-1] == "2,000"  # the top of 1,200.00 yuan rounded up
    assert [t.text for t in root.findall("s:text[@class='label']", NS)] == LABELS
    assert root.find("s:text[@class='unit']", NS).text == "单位：元"


def test_line_chart_points_gaps_and_threshold():
    months = [None, None, 4.0, 3.5, 2.5, 2.0] + [3.0] * 6
    root = _parse(charts.line_chart("可支付月数", LABELS, [("可支付月数", months)],
                                    label=charts.months_label, unit="个月",
                                    threshold=("储备要求", 3)))
    points = root.findall("s:circle[@class='point']", NS)
    assert len(points) == 10 and points[0].find("s:title", NS).text == "3月 可支付月数：4.0 个月"
    assert len(root.findall("s:polyline", NS)) == 1
    line = root.find("s:line[@class='threshold']", NS)
    assert line.find("s:title", NS).text == "储备要求：3.0 个月"
    # the threshold sits at 3 on an axis up to 5: three fifths of the way up the plot area
    top, height = charts.TOP, charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert abs(float(line.get("y1")) - (top + height * 2 / 5)) < 0.1


def test_negative_values_and_escaping():
    root = _parse(charts.bar_chart("<余额>", ["a&b"], [("余额", [-12_345_00])]))
    assert root.find("s:title", NS).text == "<余额>"
    bar = root.find("s:rect[@class='bar']", NS)
    assert float(bar.get("height")) > 0 and "-12,345 元" in bar.find("s:title", NS).text
    assert [t.text for t in root.findall("s:text[@class='tick']", NS)][0] == "-20,000"


def test_nice_top():
    assert [charts.nice_top(v) for v in (0, 1, 3, 7, 120_000, 100)] == [1, 1, 5, 10, 200_000, 100]
