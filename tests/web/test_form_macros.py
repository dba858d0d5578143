"""The form macros: required only where a field is required (browsers enforce the attribute)."""

from __future__ import annotations

from flask import Flask, render_template_string

from civic.grants.forms import DeclarationForm, ReportForm


def test_optional_fields_are_not_marked_required(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"):
        optional, required = DeclarationForm(), ReportForm()
        html = render_template_string(
            '{% from "_macros/forms.html" import input %}{{ input(a.reason) }}|{{ input(b.body) }}',
            a=optional,
            b=required,
        )
    optional_html, required_html = html.split("|")
    assert "required" not in optional_html
    assert "required" in required_html
