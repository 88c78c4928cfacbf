"""Text, CSV and JSON: UTF-8, no binary control bytes, JSON that parses, no HTML or script."""

import codecs
import json
import re

from .refusals import Refused, mismatch

# C0 controls other than tab, line feed, form feed and carriage return mean "not text".
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Browsers drop tabs and newlines inside a URL scheme, so "java\tscript:" is still a script URL.
ACTIVE = re.compile(
    r"<\s*(script|html|svg|iframe|object|embed)\b|javascript:|vbscript:|data:text/html",
    re.IGNORECASE,
)


def inspect_text(data: bytes, *, as_json: bool, label: str) -> None:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            "upload.text_encoding", f"The file is not UTF-8 text (byte offset {exc.start})."
        ) from None
    control = CONTROL.search(text)
    if control:
        raise Refused(
            "upload.text_binary",
            f"The file contains a binary control character (U+{ord(control.group()):04X}) at character {control.start()}: it is not {label} text.",
        )
    if ACTIVE.search(re.sub(r"[\t\r\n\f]", "", text)):
        raise Refused(
            "upload.active_content",
            "The file contains HTML or script (for example <script or javascript:).",
        )
    if as_json:
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            raise mismatch(label) from None
