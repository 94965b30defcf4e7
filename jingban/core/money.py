"""Money is integer fen (分). Decimal yuan only at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jingban.core.errors import InvalidInput

FEN_PER_YUAN = 100
# No amount the agency handles comes near a trillion yuan; anything larger is a typing error
# (or "1e30"), refused before it reaches a formula or a BIGINT column.
MAX_YUAN = Decimal(10) ** 12


def parse_yuan(value: str | int | Decimal, field: str) -> int:
    """Exact yuan amount (at most two decimals, not negative) to fen; anything else is refused."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("money.invalid", "金额格式不正确", field) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("money.invalid", "金额必须是非负数", field)
    if amount > MAX_YUAN:
        raise InvalidInput("money.too_large", "金额超出合理范围（不超过一万亿元）", field)
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidInput("money.precision", "金额最多保留两位小数（精确到分）", field)
    return int(fen)


def round_fen(amount: Decimal) -> int:
    """Half-up to the fen; the one rounding step every formula ends with. An amount too large
    to round (beyond the decimal precision) is refused, never a 500."""
    try:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise InvalidInput("money.too_large", "金额超出可计算的范围", "amount") from None


def to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_yuan(fen: int) -> str:
    return f"{to_yuan(fen):,}"
