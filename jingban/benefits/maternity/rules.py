"""Maternity allowance rules (生育津贴, R§20; 《社会保险法》第五十四条、第五十六条;
《女职工劳动保护特别规定》第七条). Pure functions; the figures come from dated policy."""

from __future__ import annotations

from decimal import Decimal

from jingban.core.money import round_fen

KIND = "maternity"  # the award kind (fund: maternity)
INSURANCE = "maternity"
MAX_BABIES = 9


def leave_days(table: dict, difficult: bool, babies: int, regional_extension: int) -> int:
    """产假天数: 98 base, +15 for a difficult birth, +15 for each baby beyond the first
    (第七条), plus the days the regional regulation adds (省条例延长生育假)."""
    extra_babies = max(babies - 1, 0)
    return (int(table["base"]) + (int(table["difficult"]) if difficult else 0)
            + int(table["per_extra_baby"]) * extra_babies + regional_extension)


def regional_extension(value: int | dict, birth_order: int) -> int:
    """The regional extension for the ``birth_order``-th child (省条例延长生育假): one number for
    every birth, or {order: days} where a higher order takes the highest order listed."""
    if not isinstance(value, dict):
        return int(value)
    listed = sorted(int(k) for k in value)
    order = max([k for k in listed if k <= birth_order] or listed[:1])
    return int(value[order] if order in value else value[str(order)])


def average_wage(bases_fen: int, person_months: int) -> int:
    """用人单位上年度职工月平均工资: the contribution wages of the employer's staff last year over
    their person-months, half-up to the fen (0 without staff months)."""
    if person_months <= 0:
        return 0
    return round_fen(Decimal(bases_fen) / person_months)


def allowance(average_fen: int, days: int, divisor: int) -> int:
    """生育津贴 = monthly average wage / 30 × days of leave (《社会保险法》第五十六条), rounded
    half-up to the fen once, at the end."""
    return round_fen(Decimal(average_fen) * days / divisor)
