"""What every form shares: text cleaned of what cannot be seen, amounts and dates within bounds.

Every form in civic derives from ``Form``: each text field (not passwords) is stripped and loses
control characters and invisible ones (zero-width spaces, direction overrides, byte-order
marks), so a title of six zero-width spaces is empty and refused as empty, and a length counts
what a reader sees. ``Euros`` and ``WithinYears`` bound the values a database column and a
calendar can hold, so an absurd number or date is a message beside its field, never a 500.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation, ValidationError

from .money import MAX_AMOUNT_CENTS, format_eur, parse_eur
from .time import YEARS_AHEAD

_KEPT_CONTROLS = {"\n"}


def clean_text(value: Any) -> Any:
    """Text as a reader sees it: NFC, no control or invisible characters, trimmed."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\t", " "))
    kept = "".join(
        ch
        for ch in text
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return kept.strip()


class Form(FlaskForm):
    """The base of every form: text fields come cleaned (see the module's docstring)."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: UnboundField, options: Any) -> Any:
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                filters = [*unbound_field.kwargs.get("filters", ()), clean_text]
                unbound_field = UnboundField(
                    kind, *unbound_field.args, **{**unbound_field.kwargs, "filters": filters}
                )
            return super().bind_field(form, unbound_field, options)


class Euros:
    """A euro amount written the Italian way ('1.234,50'), within bounds; empty means none."""

    def __init__(self, min_cents: int = 0, max_cents: int = MAX_AMOUNT_CENTS) -> None:
        self.min_cents, self.max_cents = min_cents, max_cents

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        try:
            cents = parse_eur(field.data, "it")
        except ValueError:
            raise ValidationError(str(_l("Write an amount such as 1.234,50."))) from None
        if cents < self.min_cents or cents > self.max_cents:
            if (self.min_cents, self.max_cents) == (0, MAX_AMOUNT_CENTS):
                raise ValidationError(str(_l("Write an amount between zero and one billion euro.")))
            raise ValidationError(
                str(
                    _l(
                        "Write an amount between %(low)s and %(high)s.",
                        low=format_eur(self.min_cents),
                        high=format_eur(self.max_cents),
                    )
                )
            )


class Finite:
    """A number that is a number: NaN and infinities (which a decimal field accepts) stop here,
    before a range check would fail on them."""

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if isinstance(value, Decimal) and not value.is_finite():
            raise StopValidation(str(_l("Write a number.")))
        if isinstance(value, float) and not math.isfinite(value):
            raise StopValidation(str(_l("Write a number.")))


class WithinYears:
    """A date within ``YEARS_AHEAD`` years of today, either way (year 1 or 9999 is a typo)."""

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if value is None:
            return
        this_year = datetime.now().year  # noqa: DTZ005 (a year's bound, not an instant)
        if not this_year - YEARS_AHEAD <= value.year <= this_year + YEARS_AHEAD:
            raise StopValidation(str(_l("Give a date within %(n)d years of today.", n=YEARS_AHEAD)))
