"""Server-rendered SVG charts (no script): grouped bars and lines over labelled months, with a
value axis, a legend and a <title> on the chart and on every bar and point, so a screen reader
reads each value. Money is given in fen and labelled in yuan."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 34, 40
TICKS = 4
COLOURS = ("#2f6fb0", "#d9822b", "#3a9a5b", "#8e5ea2")
_ids = itertools.count(1)

Series = Sequence[tuple[str, Sequence[float | None]]]


def yuan_label(fen: float) -> str:
    return f"{fen / 100:,.0f}"


def months_label(months: float) -> str:
    return f"{months:.1f}"


def nice_top(value: float) -> float:
    """The axis top: the smallest 1, 2 or 5 × 10ⁿ not below ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _scale(values: Series, extra: float) -> tuple[float, float]:
    found = [v for _, vs in values for v in vs if v is not None] + [extra, 0]
    low = min(found)
    return (-nice_top(-low) if low < 0 else 0), nice_top(max(found))


class _Frame:
    """The plot area and the axes of one chart."""

    def __init__(self, title: str, labels: Sequence[str], low: float, high: float,
                 label: Callable[[float], str], unit: str):
        self.title, self.labels, self.low, self.high = title, labels, low, high
        self.label, self.unit = label, unit
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.id = f"chart{next(_ids)}"

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (self.high - value) / (self.high - self.low)

    def slot(self, i: int) -> tuple[float, float]:
        """Left edge and width of the i-th label's slot."""
        width = self.plot_w / max(1, len(self.labels))
        return LEFT + i * width, width

    def axes(self) -> list[str]:
        parts = [f'<text class="unit" x="4" y="{TOP - 14}">单位：{escape(self.unit)}</text>']
        for n in range(TICKS + 1):
            value = self.low + (self.high - self.low) * n / TICKS
            y = self.y(value)
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                         f'y2="{y:.1f}" stroke="#ddd"/>')
            parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                         f'{escape(self.label(value))}</text>')
        for i, name in enumerate(self.labels):
            x, width = self.slot(i)
            parts.append(f'<text class="label" x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(name)}</text>')
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" '
                     f'y2="{TOP + self.plot_h}" stroke="#555"/>')
        return parts

    def legend(self, names: Sequence[str]) -> list[str]:
        parts = []
        for i, name in enumerate(names):
            x = LEFT + i * 150
            parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                         f'<text class="legend" x="{x + 14}" y="{HEIGHT - 5}">{escape(name)}</text>')
        return parts

    def svg(self, body: list[str]) -> Markup:
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="{self.id}" font-size="11">'
            f'<title id="{self.id}">{escape(self.title)}</title>' + "".join(body) + "</svg>")

    def value_text(self, value: float) -> str:
        return f"{self.label(value)} {self.unit}"


def bar_chart(title: str, labels: Sequence[str], series: Series, *,
              label: Callable[[float], str] = yuan_label, unit: str = "元") -> Markup:
    """Grouped bars: one group per label, one bar per series (None draws no bar)."""
    frame = _Frame(title, labels, *_scale(series, 0), label, unit)
    body = frame.axes()
    for s, (name, values) in enumerate(series):
        for i, value in enumerate(values):
            if value is None:
                continue
            x, width = frame.slot(i)
            bar_w = width * 0.8 / len(series)
            top, zero = frame.y(max(value, 0)), frame.y(min(value, 0))
            body.append(f'<rect class="bar" x="{x + width * 0.1 + s * bar_w:.1f}" y="{top:.1f}" '
                        f'width="{bar_w:.1f}" height="{max(zero - top, 0.5):.1f}" '
                        f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(labels[i])} '
                        f'{escape(name)}：{escape(frame.value_text(value))}</title></rect>')
    return frame.svg(body + frame.legend([name for name, _ in series]))


def line_chart(title: str, labels: Sequence[str], series: Series, *,
               label: Callable[[float], str] = yuan_label, unit: str = "元",
               threshold: tuple[str, float] | None = None) -> Markup:
    """Lines through each label's value (None leaves a gap), and a dashed threshold line."""
    frame = _Frame(title, labels, *_scale(series, threshold[1] if threshold else 0), label, unit)
    body = frame.axes()
    for s, (name, values) in enumerate(series):
        colour, points, runs = COLOURS[s % len(COLOURS)], [], [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])  # a month without a value breaks the line
                continue
            x, width = frame.slot(i)
            points.append((x + width / 2, frame.y(value), labels[i], value))
            runs[-1].append(points[-1])
        for run in (r for r in runs if len(r) > 1):
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in run)
            body.append(f'<polyline class="line" points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"/>')
        body += [f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                 f'<title>{escape(text)} {escape(name)}：{escape(frame.value_text(value))}</title>'
                 f'</circle>' for x, y, text, value in points]
    if threshold:
        name, value = threshold
        y = frame.y(value)
        body.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                    f'y2="{y:.1f}" stroke="#c0392b" stroke-dasharray="6 4">'
                    f'<title>{escape(name)}：{escape(frame.value_text(value))}</title></line>')
    return frame.svg(body + frame.legend([name for name, _ in series]
                                         + ([threshold[0]] if threshold else [])))
