"""A trustee's share on paper: the 33 words numbered, and a QR code of them (fpdf2, segno)."""

from __future__ import annotations

import io

import segno


def share_qr_svg(share: str) -> str:
    """The share as an inline SVG QR code, for the page it is shown on once."""
    buffer = io.BytesIO()
    segno.make(share, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def share_pdf(share: str, *, city: str, call_title: str, trustee: str, fingerprint: str) -> bytes:
    """One page to print and keep in an envelope; the file is made in memory and never stored."""
    from fpdf import FPDF  # loaded with the first share printed, not at start-up

    pdf = FPDF(format="A4")
    pdf.set_title("Quota di garante / Trustee share")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _latin(city), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(
        0,
        7,
        _latin(f"Urna sigillata / Sealed ballot box: {call_title}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 7, _latin(f"Garante / Trustee: {trustee}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        7,
        f"Impronta della chiave / Key fingerprint: {fingerprint}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Courier", "", 12)
    for n, word in enumerate(share.split(), start=1):
        pdf.cell(60, 8, f"{n:2d}. {word}", new_x="RIGHT" if n % 3 else "LMARGIN",
                 new_y="TOP" if n % 3 else "NEXT")  # fmt: skip
    pdf.ln(4)
    image = io.BytesIO()
    segno.make(share, error="m").save(image, kind="png", scale=4, border=2)
    image.seek(0)
    pdf.image(image, w=60)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        6,
        "Conservate questo foglio in una busta chiusa. Vi servira allo scrutinio, e a nessun "
        "altro momento: nessuno del Comune ve lo chiedera altrove. / Keep this sheet in a sealed "
        "envelope. You need it at the count and at no other time: no one from the city will ask "
        "you for it anywhere else.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")
