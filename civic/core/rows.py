"""Structured editors: a list typed as rows of fields (budget lines, criteria, partners,
instalments) instead of a free-text syntax such as ``what | amount``.

Each editor is a ``FieldList`` of small row forms. A row left wholly empty is ignored, so the
page can always offer one blank row to fill. Rows are added and removed with buttons that
work without JavaScript: the form comes back with one row more or less and everything typed
kept, nothing saved (``edit_rows``). static/js/rows.js does the same in the page when scripts
run. The buttons carry ``name="rows"``; the form's own submit button stays the default one
(templates/_macros/forms.html puts a copy of it first), so Enter in a field never removes a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import request
from wtforms import Field, FieldList, FormField

from .forms import Form

ROWS_BUTTON = "rows"
MAX_ROWS = 50


class RowForm(Form):
    """One row of a structured editor; a wholly empty row is skipped, not refused."""

    class Meta:
        csrf = False  # the page's form carries the token

    def blank(self) -> bool:
        return all(not (field.data or "").strip() for field in self if isinstance(field.data, str))

    def validate(self, extra_validators: Any = None) -> bool:
        if self.blank():
            return True
        return bool(super().validate(extra_validators))


def rows_of(row_form: type[RowForm], label: Any, min_rows: int = 1) -> Any:
    """An editor field of ``row_form`` rows (at least ``min_rows`` shown, at most MAX_ROWS)."""
    return FieldList(FormField(row_form), label=label, min_entries=min_rows, max_entries=MAX_ROWS)


def filled(field: FieldList) -> Iterator[dict[str, Any]]:
    """The rows that hold something, as dicts of their fields' data, in the order shown."""
    for entry in field.entries:
        if not entry.form.blank():
            yield {name: sub.data for name, sub in entry.form._fields.items()}


def fill(field: FieldList, rows: list[dict[str, Any]], spare: int = 1) -> None:
    """Show ``rows`` in the editor, then ``spare`` blank rows to type into."""
    while field.entries:
        field.pop_entry()
    for row in rows:
        field.append_entry(row)
    for _ in range(spare if len(rows) < MAX_ROWS else 0):
        field.append_entry()


def edit_rows(form: Any) -> bool:
    """Apply an "add a row" or "remove this row" button. True when one was pressed: the page
    is shown again as typed, with the row added or removed, and nothing is saved."""
    verb, _sep, target = str(request.form.get(ROWS_BUTTON, "")).partition(":")
    if verb not in ("add", "remove"):
        return False
    for field in form:
        if not isinstance(field, FieldList):
            continue
        if verb == "add" and field.name == target and len(field.entries) < MAX_ROWS:
            field.append_entry()
        elif verb == "remove" and target.startswith(field.name + "-"):
            field.entries = [entry for entry in field.entries if entry.name != target]
            if len(field.entries) < field.min_entries:
                field.append_entry()
    return True


def first_error(field: Field) -> tuple[str, list[str]]:
    """For the error summary: the id of an editor's first refused field and its messages."""
    for entry in field:
        for sub in entry.form:
            if sub.errors:
                return sub.id, list(sub.errors)
    return field.id, [str(error) for error in field.errors if isinstance(error, str)]
