"""PDF: opened by pikepdf (qpdf) without repair, then every object searched for active content.

Refused: JavaScript (/JS, /JavaScript actions and name tree), actions run on open or on events
(/OpenAction other than going to a page, /AA), /Launch and other actions that reach outside the
document, embedded files (/EmbeddedFile, /EmbeddedFiles, /EF, file attachments), /RichMedia
(Flash, video) and XFA forms; also encrypted PDFs (they cannot be inspected) and anything qpdf
cannot read as it stands, or bytes after the final %%EOF.
"""

import io

import pikepdf

from .refusals import Limits, Refused, mismatch

ACTIONS = {  # /S of an action dictionary
    "/JavaScript": "upload.pdf_javascript",
    "/Launch": "upload.pdf_action",
    "/ImportData": "upload.pdf_action",
    "/SubmitForm": "upload.pdf_action",
    "/Rendition": "upload.pdf_action",
    "/GoToE": "upload.pdf_embedded_file",
    "/RichMediaExecute": "upload.pdf_rich_media",
}
KEYS = {
    "/JS": "upload.pdf_javascript",
    "/JavaScript": "upload.pdf_javascript",
    "/AA": "upload.pdf_action",
    "/EmbeddedFiles": "upload.pdf_embedded_file",
    "/EF": "upload.pdf_embedded_file",
    "/RichMediaContent": "upload.pdf_rich_media",
    "/RichMediaSettings": "upload.pdf_rich_media",
    "/XFA": "upload.pdf_xfa",
}
TYPES = {  # /Type or /Subtype
    "/EmbeddedFile": "upload.pdf_embedded_file",
    "/FileAttachment": "upload.pdf_embedded_file",
    "/RichMedia": "upload.pdf_rich_media",
}
MESSAGES = {
    "upload.pdf_javascript": "The PDF contains JavaScript.",
    "upload.pdf_action": "The PDF runs an action when it is opened or used ({what}).",
    "upload.pdf_embedded_file": "The PDF carries an embedded file.",
    "upload.pdf_rich_media": "The PDF contains rich media (Flash or video).",
    "upload.pdf_xfa": "The PDF contains an XFA form.",
}
# After the last %%EOF only end-of-line padding may follow.
PADDING = b"\r\n\t \x00"


def _refuse(code: str, what: str) -> Refused:
    return Refused(code, MESSAGES[code].format(what=what.lstrip("/")))


def inspect_pdf(data: bytes, limits: Limits, *, label: str) -> None:
    if not data.startswith(b"%PDF-"):
        raise mismatch(label)
    end = data.rfind(b"%%EOF")
    if end == -1:
        raise Refused("upload.pdf_malformed", "The PDF is malformed: it has no %%EOF marker.")
    if data[end + 5 :].strip(PADDING):
        raise Refused(
            "upload.trailing_data",
            f"{len(data[end + 5 :].strip(PADDING))} bytes follow the end of the PDF (a second file hidden behind it).",
        )
    try:
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise Refused(
            "upload.pdf_encrypted", "The PDF is password-protected, so it cannot be checked."
        ) from None
    except Exception as exc:  # qpdf refuses hostile or damaged structure in many ways; never a 500
        raise Refused("upload.pdf_malformed", f"The PDF is malformed: {str(exc)[:200]}") from None
    with pdf:
        if pdf.is_encrypted:
            raise Refused("upload.pdf_encrypted", "The PDF is encrypted, so it cannot be checked.")
        try:
            _inspect_objects(pdf, limits)
        except Refused:
            raise
        except Exception as exc:  # an object qpdf can only read lazily may still be broken
            raise Refused(
                "upload.pdf_malformed", f"The PDF is malformed: {str(exc)[:200]}"
            ) from None


def _inspect_objects(pdf: pikepdf.Pdf, limits: Limits) -> None:
    root = pdf.Root
    opening = root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary) and str(opening.get("/S", "")) != "/GoTo":
        raise _refuse(ACTIONS.get(str(opening.get("/S", "")), "upload.pdf_action"), "on open")
    for obj in pdf.objects:
        _walk(obj, 0, limits)


def _walk(obj, depth: int, limits: Limits) -> None:
    # Indirect objects are each visited from `pdf.objects`; here only what is nested inline.
    if depth > limits.pdf_max_depth:
        raise Refused("upload.pdf_malformed", "The PDF is malformed: objects nest too deeply.")
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if _is_direct_container(item):
                _walk(item, depth + 1, limits)
    elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in obj.keys():
            if key in KEYS:
                raise _refuse(KEYS[key], key)
        action = str(obj.get("/S", ""))
        if action in ACTIONS:
            raise _refuse(ACTIONS[action], action)
        for kind in (str(obj.get("/Type", "")), str(obj.get("/Subtype", ""))):
            if kind in TYPES:
                raise _refuse(TYPES[kind], kind)
        for _, value in obj.items():
            if _is_direct_container(value):
                _walk(value, depth + 1, limits)


def _is_direct_container(value) -> bool:
    # Scalars arrive as Python values (pikepdf's implicit conversion); they hold nothing.
    return isinstance(value, pikepdf.Array | pikepdf.Dictionary) and not value.is_indirect
