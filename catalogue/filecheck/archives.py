"""Zip and Office Open XML (docx, xlsx, pptx): limits read from the central directory first.

Member count, total uncompressed size and each member's compression ratio are checked before a
single byte is decompressed, so a bomb is refused from its directory. Only then is every member
read (bounded by those declared sizes) to prove the CRCs, and archives inside are checked the
same way down to `zip_max_depth`. Office files must not carry macros, ActiveX or OLE objects.
"""

import io
import zipfile

from .refusals import Limits, Refused, mismatch

ARCHIVE_NAMES = (
    ".zip",
    ".jar",
    ".war",
    ".ear",
    ".apk",
    ".docx",
    ".xlsx",
    ".pptx",
    ".docm",
    ".xlsm",
    ".odt",
    ".ods",
    ".7z",
    ".rar",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".cab",
    ".iso",
)
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"MSCF",
)
OFFICE_ACTIVE = ("vbaproject.bin", "/activex/", "/embeddings/", "vbadata.xml")
READ_CHUNK = 1024 * 1024


class _Budget:
    def __init__(self, limits: Limits):
        self.members = limits.zip_max_members
        self.bytes = limits.zip_max_total_bytes


def inspect_zip(data: bytes, limits: Limits, *, label: str, office_part: str = "") -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch(label)
    names = _inspect(data, limits, _Budget(limits), depth=0, label=label)
    if office_part:
        lowered = [n.lower() for n in names]
        if "[Content_Types].xml" not in names or not any(n.startswith(office_part) for n in names):
            raise mismatch(label)
        active = next(
            (n for n in lowered if any(marker in "/" + n for marker in OFFICE_ACTIVE)), None
        )
        if active:
            raise Refused(
                "upload.office_active_content",
                f"The document carries macros or embedded objects ({active}).",
            )


def _inspect(data: bytes, limits: Limits, budget: _Budget, *, depth: int, label: str) -> list[str]:
    _refuse_bytes_around(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise Refused("upload.archive_malformed", f"The archive is malformed: {exc}.") from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos, limits, budget)
        for info in infos:
            if info.is_dir():
                continue
            nested = _read_member(archive, info)
            if nested is not None:
                if depth + 1 > limits.zip_max_depth:
                    raise Refused(
                        "upload.archive_nested",
                        f"'{info.filename}' is an archive inside an archive more than {limits.zip_max_depth} deep.",
                    )
                if nested.startswith(b"PK\x03\x04"):
                    _inspect(nested, limits, budget, depth=depth + 1, label=label)
                else:
                    # Formats we cannot open here cannot be checked: refused rather than trusted.
                    raise Refused(
                        "upload.archive_nested",
                        f"'{info.filename}' is a nested archive of a kind that cannot be checked.",
                    )
        return [i.filename for i in infos]


def _refuse_bytes_around(data: bytes) -> None:
    """Nothing before the first member (GIF+JAR puts an image there) and nothing after the end record."""
    end = data.rfind(b"PK\x05\x06")
    if end == -1 or end + 22 > len(data):
        raise Refused("upload.archive_malformed", "The archive is malformed: it has no end record.")
    comment = int.from_bytes(data[end + 20 : end + 22], "little")
    if end + 22 + comment != len(data):
        raise Refused(
            "upload.trailing_data",
            "Bytes follow the end of the archive (a second file hidden behind it).",
        )


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits, budget: _Budget) -> None:
    budget.members -= len(infos)
    if budget.members < 0:
        raise Refused(
            "upload.archive_too_many_members",
            f"The archive has more than {limits.zip_max_members:,} members.",
        )
    declared = sum(i.file_size for i in infos)
    budget.bytes -= declared
    if budget.bytes < 0:
        raise Refused(
            "upload.archive_too_large",
            f"The archive expands to {declared:,} bytes or more; the limit is {limits.zip_max_total_bytes:,} bytes.",
        )
    if infos and min(i.header_offset for i in infos) != 0:
        raise Refused(
            "upload.polyglot",
            "Bytes come before the archive's first member (a second file in front of it).",
        )
    for info in infos:
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or ".." in name.replace("\\", "/").split("/")
            or ":" in name
        ):
            raise Refused(
                "upload.archive_unsafe_name",
                f"The archive member '{name[:100]}' has an unsafe path.",
            )
        if info.flag_bits & 0x1:
            raise Refused(
                "upload.archive_encrypted", f"'{name[:100]}' is encrypted, so it cannot be checked."
            )
        if info.file_size > limits.zip_ratio_floor_bytes and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.zip_max_ratio
        ):
            raise Refused(
                "upload.archive_ratio",
                f"'{name[:100]}' expands {info.file_size // max(info.compress_size, 1):,} times; the limit is {limits.zip_max_ratio}.",
            )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """Read a member to its end (CRC checked by zipfile, output bounded by the declared size).

    Returns the bytes when the member is itself an archive, else None.
    """
    chunks: list[bytes] = []
    nested = info.filename.lower().endswith(ARCHIVE_NAMES)
    try:
        with archive.open(info) as member:
            first = member.read(READ_CHUNK)
            nested = nested or first.startswith(ARCHIVE_MAGIC)
            chunks.append(first)
            while chunk := member.read(READ_CHUNK):
                if nested:
                    chunks.append(chunk)
    except (
        zipfile.BadZipFile,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise Refused(
            "upload.archive_malformed", f"'{info.filename[:100]}' cannot be read: {exc}."
        ) from None
    return b"".join(chunks) if nested else None
