"""Hostile-file checks: a file must be exactly one well-formed thing of its declared type.

Plain Python (no Django): `inspect(data, kind, limits)` parses the bytes with the format's own
reader (pikepdf, Pillow, zipfile, json) and raises `Refused(code, message)` for anything that is
malformed, carries active content, or is also a second file (a polyglot). `clamav.scan` is the
virus scan that follows. `catalogue.services.uploads` is the one caller; codes are stable.
"""

from dataclasses import dataclass


class Refused(Exception):
    """The file is not accepted; `code` is stable (`upload.*`), `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ScanUnavailable(Refused):
    """The virus scanner could not give a verdict: the upload fails closed (never stored)."""

    def __init__(self, message: str):
        super().__init__("upload.scan_unavailable", message)


@dataclass(frozen=True)
class Limits:
    max_image_pixels: int = 50_000_000
    max_image_frames: int = 500
    zip_max_members: int = 1_000
    zip_max_total_bytes: int = 100 * 1024 * 1024
    zip_max_ratio: int = 100
    zip_ratio_floor_bytes: int = 1024 * 1024  # smaller members may compress better than the ratio
    zip_max_depth: int = 1  # archives inside archives: one level, checked with the same limits
    pdf_max_depth: int = 64


def inspect(data: bytes, kind: str, limits: Limits, *, label: str, office_part: str = "") -> None:
    """Parse `data` as `kind` (pdf, png, jpeg, gif, text, json, zip, office) or raise Refused.

    `label` names the declared type in messages ("PDF", "PNG", ...).
    """
    from . import archives, images, pdf, polyglot, text

    if kind == "pdf":
        pdf.inspect_pdf(data, limits, label=label)
        polyglot.refuse_second_file(data, own=kind)
    elif kind in images.FORMATS:
        images.inspect_image(data, kind, limits, label=label)
        polyglot.refuse_second_file(data, own=kind)
        polyglot.refuse_markup(data)
    elif kind in ("text", "json"):
        text.inspect_text(data, as_json=kind == "json", label=label)
        polyglot.refuse_second_file(data, own=kind)
    elif kind in ("zip", "office"):
        archives.inspect_zip(data, limits, label=label, office_part=office_part)
    else:
        raise ValueError(f"unknown kind {kind!r}")


def mismatch(label: str) -> Refused:
    return Refused("upload.type_mismatch", f"The file's content is not {label} as declared.")
