"""A second file inside the first: the signatures other readers look for, where they look.

Each check is written so that random bytes in compressed data (image or PDF streams) do not
trip it: a zip end record must open as a real archive, a zip local header must have plausible
fields, and the other signatures are 5+ bytes long.
"""

import io
import re
import zipfile

from .refusals import Refused

ZIP_LOCAL = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
# Readers that find these at any offset (or near the start) open the file as their own format.
SIGNATURES = {
    b"%PDF-": "a PDF",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"Rar!\x1a\x07": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
}
MARKUP = re.compile(
    rb"<\s*(script|html|svg|iframe|object|embed)\b|javascript:|vbscript:", re.IGNORECASE
)
ZIP_METHODS = {0, 1, 6, 8, 9, 12, 14, 93, 95, 98, 99}


def _polyglot(what: str) -> Refused:
    return Refused("upload.polyglot", f"The file also contains {what}: upload one file at a time.")


def refuse_second_file(data: bytes, *, own: str) -> None:
    """Refuse a zip (a JAR, a docx) or another known format hidden anywhere after offset 0."""
    if _opens_as_zip(data) or any(
        _plausible_local_header(data, m.start()) for m in re.finditer(re.escape(ZIP_LOCAL), data)
    ):
        raise _polyglot("a zip archive")
    for signature, what in SIGNATURES.items():
        # A PDF's own header is at 0; a PDF may quote "%PDF-" in its text.
        if own == "pdf" and signature == b"%PDF-":
            continue
        if data.find(signature, 1) != -1:
            raise _polyglot(what)


def refuse_markup(data: bytes) -> None:
    """HTML or script in a binary file is how an image becomes a page in a sniffing browser."""
    if MARKUP.search(data):
        raise Refused("upload.active_content", "The file contains HTML or script.")


def _opens_as_zip(data: bytes) -> bool:
    # Zip readers (and Java for JARs) look for the end record in the last 64 KiB.
    if ZIP_END not in data[-(65535 + 22) :] and b"PK\x06\x06" not in data:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        return False


def _plausible_local_header(data: bytes, offset: int) -> bool:
    header = data[offset : offset + 30]
    if offset == 0 or len(header) < 30:
        return False
    version = int.from_bytes(header[4:6], "little")
    method = int.from_bytes(header[8:10], "little")
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    if (
        version > 63
        or method not in ZIP_METHODS
        or not 0 < name_length <= 1024
        or extra_length > 8192
    ):
        return False
    name = data[offset + 30 : offset + 30 + name_length]
    return len(name) == name_length and all(32 <= b < 127 or b >= 128 for b in name)
