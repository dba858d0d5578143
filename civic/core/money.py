"""Money as integer cents of euro, formatted the Italian way."""

from __future__ import annotations

import re

# The most any amount may be, anywhere: € 1 billion (money columns are 64-bit integers of cents,
# so their sums cannot overflow either).
MAX_AMOUNT_CENTS = 100_000_000_000

_PLAIN = re.compile(r"^\d+$")
_IT = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+(,\d{1,2})?$")
_EN = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$")


def _group(whole: int, sep: str) -> str:
    text = str(whole)
    groups: list[str] = []
    while len(text) > 3:
        groups.insert(0, text[-3:])
        text = text[:-3]
    groups.insert(0, text)
    return sep.join(groups)


def format_eur(cents: int, locale: str = "it") -> str:
    """123450 -> '€ 1.234,50' in Italian, '€1,234.50' in English."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("amounts are integer cents")
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    if locale.startswith("en"):
        return f"{sign}€{_group(whole, ',')}.{rest:02d}"
    return f"{sign}€ {_group(whole, '.')},{rest:02d}"


def amount_text(cents: int) -> str:
    """123450 -> '1.234,50': an amount as a form field shows it for editing (no sign)."""
    return format_eur(cents, "it").removeprefix("€ ")


def parse_eur(text: str, locale: str = "it") -> int:
    """'1.234,50' (or '1,234.50' in English, '€' and spaces allowed) -> 123450 cents.

    Raises ValueError for anything that is not a non-negative amount with at most two decimals.
    """
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if not cleaned:
        raise ValueError("empty amount")
    pattern, thousands, decimal = (_EN, ",", ".") if locale.startswith("en") else (_IT, ".", ",")
    if not (_PLAIN.match(cleaned) or pattern.match(cleaned)):
        raise ValueError(f"not an amount: {text!r}")
    cleaned = cleaned.replace(thousands, "")
    whole, _, fraction = cleaned.partition(decimal)
    return int(whole) * 100 + int((fraction + "00")[:2])
