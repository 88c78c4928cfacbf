"""Serving stored files: always a download, never sniffed, never a page that can run script.

Whatever a stored file turns out to be, a browser saves it (`attachment`), trusts only the
declared type (`nosniff`) and, if it renders it anyway, renders it in a sandbox with nothing
allowed (`sandbox; default-src 'none'`). Every view that serves a stored file uses this.
"""

from django.http import FileResponse, HttpResponseBase

DOWNLOAD_CSP = "sandbox; default-src 'none'"


def harden_download(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def file_download(field_file, *, filename: str, content_type: str | None = None) -> FileResponse:
    """A stored file as an attachment with the download headers."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    harden_download(response)
    return response
