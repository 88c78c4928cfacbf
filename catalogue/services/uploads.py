"""Uploads: size limit, the declared type parsed for what it must be, a virus scan, hash names.

`check_upload` is the one gate every upload passes (attachments, consent evidence, IP documents,
bulk import files); `read_checked_upload` also keeps the checked bytes and stores them under the
hash name. The checks themselves live in `catalogue.filecheck` (pikepdf, Pillow, zip limits,
text rules); ClamAV scans through clamd when CLAMAV_SOCKET or CLAMAV_HOST is set. A refusal is
an `UploadRefused` (a ValidationError on the file field) with a stable `upload.*` code.
"""

import hashlib
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from .. import filecheck
from ..filecheck import clamav
from ..models import Attachment, Version
from ..rules import Reason, RuleViolation, ensure_not_archived
from .audit import audit_context, audit_event


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    kind: str  # what `filecheck.inspect` parses it as: pdf, png, jpeg, gif, text, json, zip, office
    office_part: str = ""


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", ".pdf", "pdf"),
    "png": FileType("image/png", ".png", "png"),
    "jpeg": FileType("image/jpeg", ".jpg", "jpeg"),
    "gif": FileType("image/gif", ".gif", "gif"),
    "txt": FileType("text/plain", ".txt", "text"),
    "csv": FileType("text/csv", ".csv", "text"),
    "json": FileType("application/json", ".json", "json"),
    "zip": FileType("application/zip", ".zip", "zip"),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        "office",
        "word/",
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
        "office",
        "xl/",
    ),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
        "office",
        "ppt/",
    ),
}
ALIASES = {"jpg": "jpeg", **{t.content_type: key for key, t in ALLOWED_TYPES.items()}}


class UploadRefused(ValidationError):
    """A refused upload: `field` (as the API names it), a stable `code` and the HTTP `status`.

    It is a ValidationError keyed by the field, so forms show it like any field error.
    """

    def __init__(self, code: str, message: str, *, field: str = "file", status: int = 400):
        super().__init__({field: [ValidationError(message, code=code)]})
        self.field, self.code, self.message, self.status = field, code, message, status

    def as_response_body(self) -> dict:
        return {
            self.field: [self.message],
            "reasons": [{"code": self.code, "message": self.message}],
        }


def _refuse(code: str, message: str):
    raise UploadRefused(code, message)


def _read(uploaded_file) -> bytes:
    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        _refuse("upload.too_large", f"The file is larger than {limit // (1024 * 1024)} MB.")
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks, total = [], 0
    for chunk in (
        uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]
    ):
        total += len(chunk)
        if total > limit:
            _refuse("upload.too_large", f"The file is larger than {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        _refuse("upload.empty", "The file is empty.")
    return data


def limits() -> filecheck.Limits:
    return filecheck.Limits(**settings.UPLOAD_LIMITS)


def scanner_configured() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def scan(data: bytes) -> None:
    """ClamAV over the bytes; without a configured daemon, skipped unless UPLOAD_SCAN_REQUIRED."""
    if not scanner_configured():
        if settings.UPLOAD_SCAN_REQUIRED:
            raise UploadRefused(
                "upload.scan_unavailable",
                "No virus scanner is configured; uploads are refused.",
                status=503,
            )
        return
    try:
        clamav.scan(
            data,
            socket_path=settings.CLAMAV_SOCKET,
            host=settings.CLAMAV_HOST,
            port=settings.CLAMAV_PORT,
            timeout=settings.CLAMAV_TIMEOUT,
        )
    except filecheck.ScanUnavailable as exc:
        raise UploadRefused(exc.code, exc.message, status=503) from None
    except filecheck.Refused as exc:
        raise UploadRefused(exc.code, exc.message) from None


def inspect_bytes(data: bytes, declared_type: str) -> FileType:
    """The content checks and the scan for bytes already in memory (bulk files, the upload gate)."""
    key = ALIASES.get((declared_type or "").strip().lower(), (declared_type or "").strip().lower())
    ftype = ALLOWED_TYPES.get(key)
    if ftype is None:
        raise UploadRefused(
            "upload.type_not_allowed",
            f"Allowed types: {', '.join(ALLOWED_TYPES)}.",
            field="declared_type",
        )
    try:
        filecheck.inspect(
            data, ftype.kind, limits(), label=key.upper(), office_part=ftype.office_part
        )
    except filecheck.Refused as exc:
        raise UploadRefused(exc.code, exc.message) from None
    scan(data)
    return ftype


def check_import_file(data: bytes, *, filename: str) -> None:
    """The upload gate for a bulk import file (CSV or JSON, as `bulk.formats.parse` reads it).

    Raises FileProblem naming the file and the refusal's code, the bulk endpoints' error shape.
    """
    from ..bulk.formats import FileProblem, RowError, detect_format

    try:
        inspect_bytes(data, "json" if detect_format(data, filename) == "json" else "csv")
    except UploadRefused as exc:
        raise FileProblem([RowError(None, "file", str(exc.message), code=exc.code or "")]) from None


def check_upload(uploaded_file, declared_type: str) -> tuple[str, str, str, int]:
    """Validate an upload; returns (content_type, extension, sha256, size) or raises UploadRefused."""
    return _check(uploaded_file, declared_type)[0]


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    sha256: str
    size: int
    data: bytes

    def save_to(self, field_file) -> None:
        """Store under the server-generated name (content hash); the client's name is never used."""
        field_file.save(f"{self.sha256}{self.extension}", ContentFile(self.data), save=False)


def read_checked_upload(uploaded_file, declared_type: str) -> CheckedUpload:
    """`check_upload`, keeping the checked bytes for storing (attachments, evidence, documents)."""
    (content_type, extension, sha256, size), data = _check(uploaded_file, declared_type)
    return CheckedUpload(content_type, extension, sha256, size, data)


def _check(uploaded_file, declared_type: str) -> tuple[tuple[str, str, str, int], bytes]:
    key = ALIASES.get((declared_type or "").strip().lower(), (declared_type or "").strip().lower())
    if key not in ALLOWED_TYPES:
        raise UploadRefused(
            "upload.type_not_allowed",
            f"Allowed types: {', '.join(ALLOWED_TYPES)}.",
            field="declared_type",
        )
    data = _read(uploaded_file)
    ftype = inspect_bytes(data, key)
    return (ftype.content_type, ftype.extension, hashlib.sha256(data).hexdigest(), len(data)), data


def attachment_add(
    *,
    acting_user,
    version: Version,
    uploaded_file,
    declared_type: str,
    is_evidence: bool = False,
    reason: str = "",
) -> Attachment:
    """Attach a content-checked file to an unpublished version of one of the user's teams' artifacts."""
    artifact = version.artifact
    if not acting_user.has_perm("catalogue.change_artifact", artifact):
        raise PermissionDenied("You may attach files only to your teams' artifacts.")
    ensure_not_archived(artifact)
    if version.published_at is not None:
        raise RuleViolation(
            "Published versions cannot change.",
            [
                Reason(
                    "version.published_immutable",
                    f"Version {version.version} is published; add a new version.",
                )
            ],
        )
    upload = read_checked_upload(uploaded_file, declared_type)
    original_name = (
        os.path.basename(getattr(uploaded_file, "name", "") or "")[:255]
        or f"upload{upload.extension}"
    )
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "file attached"):
        attachment = Attachment(
            version=version,
            original_name=original_name,
            content_type=upload.content_type,
            extension=upload.extension,
            size=upload.size,
            sha256=upload.sha256,
            is_evidence=is_evidence,
            uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        # The storage name comes from the hash (attachment_path); the original name is metadata only.
        upload.save_to(attachment.file)
        attachment.save()
        audit_event(
            actor=acting_user,
            action="attachment.added",
            obj=attachment,
            artifact=artifact,
            reason=reason,
            changes={
                "file": [None, original_name],
                "sha256": [None, upload.sha256],
                "version": [None, version.version],
            },
        )
    return attachment
