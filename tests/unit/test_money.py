import pytest

from civic.core.money import format_eur, parse_eur


@pytest.mark.parametrize(
    ("cents", "italian", "english"),
    [
        (0, "€ 0,00", "€0.00"),
        (5, "€ 0,05", "€0.05"),
        (123450, "€ 1.234,50", "€1,234.50"),
        (3000000, "€ 30.000,00", "€30,000.00"),
        (100000000, "€ 1.000.000,00", "€1,000,000.00"),
        (-2550, "-€ 25,50", "-€25.50"),
    ],
)
def test_amounts_are_written_the_italian_way(cents: int, italian: str, english: str) -> None:
    assert format_eur(cents, "it") == italian
    assert format_eur(cents, "en") == english


def test_format_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_eur(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "locale", "cents"),
    [
        ("1.234,50", "it", 123450),
        ("€ 1.234,5", "it", 123450),
        ("30000", "it", 3000000),
        ("0,99", "it", 99),
        ("1,234.50", "en", 123450),
        ("12.5", "en", 1250),
    ],
)
def test_amounts_parse_to_integer_cents(text: str, locale: str, cents: int) -> None:
    assert parse_eur(text, locale) == cents


@pytest.mark.parametrize("text", ["", "abc", "1,234,5", "1.2.3,4", "-5", "1,999", "12,345"])
def test_malformed_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_eur(text, "it")
