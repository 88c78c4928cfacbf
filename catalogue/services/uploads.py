"""Uploads: size limit, content sniffed against the declared type, server-generated names.

`check_upload` is the one gate every upload passes; `read_checked_upload` also keeps the checked
bytes and stores them under the hash name (attachments, consent evidence, IP documents).
"""

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from ..models import Attachment, Version
from ..rules import Reason, RuleViolation, ensure_not_archived
from .audit import audit_context, audit_event


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    kind: str  # "magic": puremagic must report content_type; "text"; "zip"; "office"
    office_part: str = ""


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", ".pdf", "magic"),
    "png": FileType("image/png", ".png", "magic"),
    "jpeg": FileType("image/jpeg", ".jpg", "magic"),
    "txt": FileType("text/plain", ".txt", "text"),
    "csv": FileType("text/csv", ".csv", "text"),
    "json": FileType("application/json", ".json", "text"),
    "zip": FileType("application/zip", ".zip", "zip"),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "office", "word/"),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "office", "xl/"),
    "pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "office", "ppt/"),
}
ALIASES = {"jpg": "jpeg", **{t.content_type: key for key, t in ALLOWED_TYPES.items()}}
# Active content a browser might run (scripts in SVG/HTML) is refused even inside "text".
ACTIVE_MIME_MARKERS = ("svg", "html", "xml", "javascript")


def _refuse(message: str):
    raise ValidationError({"file": [message]})


def _read(uploaded_file) -> bytes:
    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        _refuse(f"The file is larger than {limit // (1024 * 1024)} MB.")
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks, total = [], 0
    for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
        total += len(chunk)
        if total > limit:
            _refuse(f"The file is larger than {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        _refuse("The file is empty.")
    return data


def _sniffed_mimes(data: bytes) -> set[str]:
    try:
        return {m.mime_type for m in puremagic.magic_string(data)}
    except puremagic.PureError:
        return set()


def _content_matches(data: bytes, ftype: FileType) -> bool:
    mimes = _sniffed_mimes(data)
    if ftype.kind == "magic":
        return ftype.content_type in mimes
    if ftype.kind == "text":
        if b"\x00" in data or any(marker in m for m in mimes for marker in ACTIVE_MIME_MARKERS):
            return False
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        if ftype.extension == ".json":
            try:
                json.loads(text)
            except ValueError:
                return False
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return False
    if ftype.kind == "office":
        return "[Content_Types].xml" in names and any(n.startswith(ftype.office_part) for n in names)
    return True


def check_upload(uploaded_file, declared_type: str) -> tuple[str, str, str, int]:
    """Validate an upload; returns (content_type, extension, sha256, size) or raises ValidationError."""
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
    ftype = ALLOWED_TYPES.get(key)
    if ftype is None:
        raise ValidationError({"declared_type": [f"Allowed types: {', '.join(ALLOWED_TYPES)}."]})
    data = _read(uploaded_file)
    if not _content_matches(data, ftype):
        _refuse(f"The file's content is not {key.upper()} as declared.")
    return (ftype.content_type, ftype.extension, hashlib.sha256(data).hexdigest(), len(data)), data


def attachment_add(*, acting_user, version: Version, uploaded_file, declared_type: str, is_evidence: bool = False, reason: str = "") -> Attachment:
    """Attach a content-checked file to an unpublished version of one of the user's teams' artifacts."""
    artifact = version.artifact
    if not acting_user.has_perm("catalogue.change_artifact", artifact):
        raise PermissionDenied("You may attach files only to your teams' artifacts.")
    ensure_not_archived(artifact)
    if version.published_at is not None:
        raise RuleViolation(
            "Published versions cannot change.",
            [Reason("version.published_immutable", f"Version {version.version} is published; add a new version.")],
        )
    upload = read_checked_upload(uploaded_file, declared_type)
    original_name = os.path.basename(getattr(uploaded_file, "name", "") or "")[:255] or f"upload{upload.extension}"
    with transaction.atomic(), audit_context(actor=acting_user, reason=reason or "file attached"):
        attachment = Attachment(
            version=version, original_name=original_name, content_type=upload.content_type,
            extension=upload.extension, size=upload.size, sha256=upload.sha256, is_evidence=is_evidence,
            uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        # The storage name comes from the hash (attachment_path); the original name is metadata only.
        upload.save_to(attachment.file)
        attachment.save()
        audit_event(
            actor=acting_user, action="attachment.added", obj=attachment, artifact=artifact, reason=reason,
            changes={"file": [None, original_name], "sha256": [None, upload.sha256], "version": [None, version.version]},
        )
    return attachment
