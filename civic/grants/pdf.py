"""PDF documents of grants: the submission receipt and the published ranking (fpdf2).

The PDF core fonts cover Latin-1 only, so amounts are written "EUR 1.234,50" here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF

from ..core.time import to_rome


def _eur(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return "EUR " + f"{whole:,}".replace(",", ".") + f",{rest:02d}"


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _document(title: str, city: str) -> FPDF:
    from fpdf import FPDF  # fpdf and its font tools load with the first PDF, not at start-up

    pdf = FPDF(format="A4")
    pdf.set_title(_latin(title))
    pdf.set_author(_latin(city))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _latin(city), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    return pdf


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(60, 8, _latin(label))
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 8, _latin(value), new_x="LMARGIN", new_y="NEXT")


def receipt_pdf(application: Any, call: Any, applicant: Any) -> bytes:
    """The timestamped receipt of a submission, with its protocol number."""
    from flask import current_app

    pdf = _document("Ricevuta di presentazione della domanda", current_app.config["CITY_NAME"])
    submitted = to_rome(application.submitted_at)
    _row(pdf, "Protocollo", application.protocol_number or "")
    _row(pdf, "Data e ora", submitted.strftime("%d/%m/%Y %H:%M:%S (ora italiana)"))
    _row(pdf, "Bando", call.title_it)
    _row(pdf, "Progetto", application.title)
    name = application.organisation_name or application.group_name or applicant.display_name
    _row(pdf, "Proponente", name)
    _row(pdf, "Contributo richiesto", _eur(application.total_cents))
    _row(pdf, "Cofinanziamento", _eur(application.cofunding_cents))
    pdf.ln(6)
    pdf.multi_cell(
        0,
        6,
        _latin(
            "La domanda è stata ricevuta entro i termini e non può più essere modificata, "
            "salvo richiesta di integrazione da parte degli uffici."
        ),
    )
    return bytes(pdf.output())


def ranking_pdf(call: Any, kind: str, rows: list[dict[str, Any]], city: str) -> bytes:
    """The published ranking: position, protocol, project, score, amount, outcome."""
    title = (
        f"Graduatoria {'provvisoria' if kind == 'provisional' else 'definitiva'}: {call.title_it}"
    )
    pdf = _document(title, city)
    pdf.set_font("Helvetica", "B", 9)
    widths = (10, 34, 80, 18, 28, 20)
    for width, head in zip(
        widths, ("N.", "Protocollo", "Progetto", "Punti", "Importo", "Esito"), strict=True
    ):
        pdf.cell(width, 7, head, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    outcomes = {"funded": "Finanziato", "reserve": "Riserva", "below": "Sotto soglia"}
    for row in rows:
        cells = (
            str(row.get("position") or ""),
            row["protocol"],
            row["title"][:48],
            row["score"],
            _eur(int(row["requested_cents"])),
            outcomes.get(row["outcome"], row["outcome"]),
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _latin(text), border=1)
        pdf.ln()
    return bytes(pdf.output())
