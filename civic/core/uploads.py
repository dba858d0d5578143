"""Uploaded files: type checked by content, size-limited, stored outside static/, served by views.

Images are decoded and saved again, which drops metadata such as the GPS position in EXIF.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from .refusals import Refused

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}


class UploadRefused(Refused, ValueError):
    """The file is not of the allowed type or is too large; ``code`` names the reason."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    mimetype: str
    size_bytes: int


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused("too_large")
    if not data:
        raise UploadRefused("empty")
    return data


def store_pdf(stream: IO[bytes], folder: Path) -> StoredFile:
    """Keep a PDF if its bytes say it is one."""
    data = _read_limited(stream, MAX_PDF_BYTES)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise UploadRefused("not_pdf")
    name = secrets.token_hex(16) + ".pdf"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return StoredFile(name, "application/pdf", len(data))


def store_image(stream: IO[bytes], folder: Path) -> StoredFile:
    """Keep a JPEG, PNG or WebP image, re-encoded without its metadata."""
    data = _read_limited(stream, MAX_IMAGE_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format or ""
            if image_format not in IMAGE_FORMATS:
                raise UploadRefused("not_image")
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise UploadRefused("too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            clean = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format=image_format)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise UploadRefused("not_image") from None
    mimetype, suffix = IMAGE_FORMATS[image_format]
    name = secrets.token_hex(16) + suffix
    folder.mkdir(parents=True, exist_ok=True)
    payload = out.getvalue()
    (folder / name).write_bytes(payload)
    return StoredFile(name, mimetype, len(payload))


def stored_path(folder: Path, stored_name: str) -> Path:
    """The file's path, refusing names that would leave the folder."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return folder / stored_name
