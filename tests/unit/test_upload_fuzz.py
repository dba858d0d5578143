"""Uploads fuzzed: whatever bytes arrive, an upload is either kept as a clean file of an
allowed type or refused with UploadRefused; never another exception, never a file kept that
is not what it claims. Includes decompression bombs dressed as images and zip files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from civic.core.uploads import (
    MAX_IMAGE_BYTES,
    MAX_PDF_BYTES,
    UploadRefused,
    download_name,
    store_image,
    store_pdf,
)
from tests.support import plain_pdf

MAGICS = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"%PDF-1.7\n",
]


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb(side: int) -> bytes:
    """A tiny PNG that claims side x side pixels, all zeros: megabytes when decoded."""
    row = b"\x00" + b"\x00" * side  # filter byte + one byte per pixel (greyscale)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(min(side, 2000)))
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def _zip_as_image() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"0" * 5_000_000)
    return out.getvalue()


def _outcome(store, data: bytes, folder: Path) -> str:  # type: ignore[no-untyped-def]
    try:
        kept = store(io.BytesIO(data), folder)
    except UploadRefused as refused:
        return refused.code
    return f"kept:{kept.stored_name}"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=4096))
def test_any_bytes_are_kept_as_an_image_or_refused(
    tmp_path: Path, magic: bytes, tail: bytes
) -> None:
    result = _outcome(store_image, magic + tail, tmp_path)
    if result.startswith("kept:"):
        with Image.open(tmp_path / result[5:]) as image:  # what is kept decodes as an image
            image.load()
    else:
        assert result in {"not_image", "too_large", "empty"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=4096))
def test_any_bytes_are_kept_as_a_pdf_or_refused(tmp_path: Path, magic: bytes, tail: bytes) -> None:
    result = _outcome(store_pdf, magic + tail, tmp_path)
    if result.startswith("kept:"):
        kept = (tmp_path / result[5:]).read_bytes()
        assert kept.startswith(b"%PDF-")
        assert len(PdfReader(io.BytesIO(kept)).pages) > 0  # what is kept is a PDF that parses
    else:
        assert result in {"not_pdf", "too_large", "empty", "pdf_encrypted", "pdf_active_content"}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=1, max_value=400), flip=st.integers(min_value=0, max_value=399))
def test_a_damaged_real_image_is_refused_or_kept_clean(tmp_path: Path, cut: int, flip: int) -> None:
    data = bytearray(_png(40, 30))
    data[flip % len(data)] ^= 0xFF
    damaged = bytes(data[: max(8, len(data) - cut)])
    result = _outcome(store_image, damaged, tmp_path)
    assert result.startswith("kept:") or result == "not_image"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("png bomb 60000x60000", _png_bomb(60_000)),
        ("png bomb 20000x20000", _png_bomb(20_000)),
        ("zip named as an image", _zip_as_image()),
        (
            "svg with script",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("html", b"<!doctype html><script>alert(1)</script>"),
        ("too large", b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_IMAGE_BYTES),
        ("empty", b""),
    ],
)
def test_hostile_images_are_refused(tmp_path: Path, name: str, data: bytes) -> None:
    with pytest.raises(UploadRefused):
        store_image(io.BytesIO(data), tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing kept


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("zip", _zip_as_image()),
        ("pdf without end", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
        ("html with pdf name", b"<html>%PDF-1.4 %%EOF</html>"),
        ("too large", b"%PDF-1.4\n" + b"0" * MAX_PDF_BYTES + b"\n%%EOF\n"),
    ],
)
def test_hostile_pdfs_are_refused(tmp_path: Path, name: str, data: bytes) -> None:
    with pytest.raises(UploadRefused):
        store_pdf(io.BytesIO(data), tmp_path)
    assert list(tmp_path.iterdir()) == []


def _made(change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(plain_pdf()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _launch(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


@pytest.mark.parametrize(
    ("name", "change", "code"),
    [
        (
            "javascript",
            lambda w: w.add_open_action(JavaScript("app.alert(1);")),
            "pdf_active_content",
        ),
        ("embedded file", lambda w: w.add_attachment("note.txt", b"ciao"), "pdf_active_content"),
        ("launch action", _launch, "pdf_active_content"),
        ("encrypted", lambda w: w.encrypt("segreta"), "pdf_encrypted"),
    ],
)
def test_pdfs_that_act_or_hide_are_refused_by_what_they_contain(
    tmp_path: Path, name: str, change: Callable[[PdfWriter], None], code: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        store_pdf(io.BytesIO(_made(change)), tmp_path)
    assert refused.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_html_behind_a_pdf_header_is_refused_and_a_real_pdf_kept(tmp_path: Path) -> None:
    html = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    with pytest.raises(UploadRefused):
        store_pdf(io.BytesIO(html), tmp_path)
    kept = store_pdf(io.BytesIO(plain_pdf()), tmp_path)
    assert kept.mimetype == "application/pdf"


def test_download_names_are_a_safe_stem_and_the_real_extension() -> None:
    assert download_name("evil.html", "application/pdf") == "evil.pdf"
    assert download_name("../../etc/passwd", "image/png") == "passwd.png"
    assert download_name("", "application/pdf", "documento") == "documento.pdf"
    assert download_name("Preventivo 2025.pdf", "application/pdf") == "Preventivo_2025.pdf"
