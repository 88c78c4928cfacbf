"""Hostile-file checks: a file must be exactly one well-formed thing of its declared type.

Plain Python (no Django): `inspect(data, kind, limits)` parses the bytes with the format's own
reader (pikepdf, Pillow, zipfile, json) and raises `Refused(code, message)` for anything that is
malformed, carries active content, or is also a second file (a polyglot). `clamav.scan` is the
virus scan that follows. `catalogue.services.uploads` is the one caller; codes are stable.
"""

from . import archives, images, pdf, polyglot, text
from .refusals import Limits, Refused, ScanUnavailable, mismatch

__all__ = ["Limits", "Refused", "ScanUnavailable", "inspect", "mismatch"]


def inspect(data: bytes, kind: str, limits: Limits, *, label: str, office_part: str = "") -> None:
    """Parse `data` as `kind` (pdf, png, jpeg, gif, text, json, zip, office) or raise Refused.

    `label` names the declared type in messages ("PDF", "PNG", ...).
    """
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
