"""Upload samples built in code: one well-formed file of each allowed type, and hostile ones.

Nothing hostile is committed as bytes: each sample is assembled here when a test asks for it.
The bombs are cheap: a deflate stream of zeros is periodic after a full flush, so 1 GiB of
compressed zeros is one 1 KiB block repeated, never compressed (or extracted) in the test.
"""

import io
import struct
import zipfile
import zlib
from functools import cache

import pikepdf
from PIL import Image

GIB = 1 << 30


# --- benign ------------------------------------------------------------------------------


def pdf_bytes(configure=None) -> bytes:
    """A one-page PDF written by pikepdf; `configure(pdf)` may add hostile parts first."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if configure:
        configure(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (8, 8), **save) -> bytes:
    out = io.BytesIO()
    mode = "P" if fmt == "GIF" else "RGB"
    Image.new(mode, size, color=3 if mode == "P" else (200, 30, 60)).save(out, format=fmt, **save)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(**extra: bytes | str) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": "<w:document/>",
            **extra,
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})


def benign_samples() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, declared type): each must be accepted."""
    return {
        "pdf": (pdf_bytes(), "pdf"),
        "pdf_with_goto_open_action": (
            pdf_bytes(
                lambda p: setattr(
                    p.Root,
                    "OpenAction",
                    pikepdf.Dictionary(
                        S=pikepdf.Name.GoTo, D=pikepdf.Array([p.pages[0].obj, pikepdf.Name.Fit])
                    ),
                )
            ),
            "pdf",
        ),
        "pdf_with_web_link": (
            pdf_bytes(
                _link(
                    pikepdf.Dictionary(
                        S=pikepdf.Name.URI, URI=pikepdf.String("https://bank.example/")
                    )
                )
            ),
            "pdf",
        ),
        "png": (image_bytes("PNG"), "png"),
        "jpeg": (image_bytes("JPEG"), "jpeg"),
        "progressive_jpeg": (image_bytes("JPEG", (64, 64), progressive=True), "jpeg"),
        "gif": (image_bytes("GIF"), "gif"),
        "txt": ("Signed on the phone, call ref 991. Café ☕\n".encode(), "txt"),
        "csv": (b"slug,title\nx,A <b>bold</b> title\n", "csv"),
        "json": (b'{"note": "consent given", "items": [1, 2, 3]}', "json"),
        "zip": (zip_bytes({"a.txt": "hello", "dir/b.csv": "a,b\n1,2\n"}), "zip"),
        "zip_with_one_nested_zip": (zip_bytes({"inner.zip": zip_bytes({"a.txt": "hi"})}), "zip"),
        "docx": (docx_bytes(), "docx"),
        "xlsx": (xlsx_bytes(), "xlsx"),
    }


# --- hostile -----------------------------------------------------------------------------


def _js_open_action(pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('pwned')")
    )


def _js_name_tree(pdf) -> None:
    action = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), action]))
    )


def _page_additional_action(pdf) -> None:
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://x.example/"))
    )


def _launch(pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))


def _embedded_file(pdf) -> None:
    spec = pikepdf.AttachedFileSpec(
        pdf, b"MZ not really an exe", mime_type="application/octet-stream"
    )
    pdf.attachments["payload.exe"] = spec


def _xfa(pdf) -> None:
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>")
    )


def _rich_media(pdf) -> None:
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=pikepdf.Array([0, 0, 10, 10])
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))


def _link(action) -> object:
    def configure(pdf) -> None:
        pdf.pages[0].obj.Annots = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array([0, 0, 10, 10]),
                    A=action,
                )
            ]
        )

    return configure


def jar_bytes() -> bytes:
    return zip_bytes(
        {
            "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nMain-Class: Evil\n",
            "Evil.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34",
        }
    )


def png_with_text_chunk(text: bytes) -> bytes:
    png = image_bytes("PNG")
    chunk_type = b"tEXt"
    body = b"Comment\x00" + text
    chunk = (
        struct.pack(">I", len(body))
        + chunk_type
        + body
        + struct.pack(">I", zlib.crc32(chunk_type + body))
    )
    return png[:33] + chunk + png[33:]  # after the 8-byte signature and the 25-byte IHDR chunk


def png_zip_in_chunk() -> bytes:
    """A zip carried inside a private PNG chunk before IEND: no trailing data, still a zip."""
    png = image_bytes("PNG")
    inner = jar_bytes()
    chunk_type = b"zzZz"
    chunk = (
        struct.pack(">I", len(inner))
        + chunk_type
        + inner
        + struct.pack(">I", zlib.crc32(chunk_type + inner))
    )
    return png[:-12] + chunk + png[-12:]


@cache
def _deflated(byte: int, mib: int) -> tuple[bytes, int]:
    """(raw deflate of `mib` MiB of `byte`, its CRC-32) without compressing them all."""
    chunk = bytes([byte]) * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    steady = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(chunk) + compressor.flush()
    # zlib.crc32 of 1 GiB of zeros / of spaces, precomputed: computing them costs a second.
    crc = {(0, 1024): 0x5B64C2B0, (0x20, 1024): 0x9AC47FA6}.get((byte, mib))
    if crc is None:
        crc = zlib.crc32(chunk * mib)
    return first + steady * (mib - 2) + last, crc


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, stored bytes, method, uncompressed size, crc) without zipfile recompressing."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, method, size, crc in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded + data)
        central.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(
        struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def zip_bomb() -> bytes:
    """1 GiB of zeros in one member, about 1 MiB on the wire."""
    data, crc = _deflated(0, 1024)
    return raw_zip([("zeros.bin", data, zipfile.ZIP_DEFLATED, GIB, crc)])


def docx_bomb() -> bytes:
    """A docx whose document part expands to 1 GiB of spaces."""
    data, crc = _deflated(0x20, 1024)
    types = b"<Types/>"
    return raw_zip(
        [
            ("[Content_Types].xml", types, zipfile.ZIP_STORED, len(types), zlib.crc32(types)),
            ("word/document.xml", data, zipfile.ZIP_DEFLATED, GIB, crc),
        ]
    )


def ratio_bomb() -> bytes:
    """Within the total size limit but 1000:1 in one member."""
    data, crc = _deflated(0, 32)
    return raw_zip([("zeros.bin", data, zipfile.ZIP_DEFLATED, 32 << 20, crc)])


def hostile_samples() -> dict[str, tuple[bytes, str, str]]:
    """name -> (bytes, declared type, the refusal code expected)."""
    png, gif = image_bytes("PNG"), image_bytes("GIF")
    return {
        "pdf_javascript_open_action": (pdf_bytes(_js_open_action), "pdf", "upload.pdf_javascript"),
        "pdf_javascript_in_link_annotation": (
            pdf_bytes(
                _link(
                    pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
                )
            ),
            "pdf",
            "upload.pdf_javascript",
        ),
        "pdf_javascript_name_tree": (pdf_bytes(_js_name_tree), "pdf", "upload.pdf_javascript"),
        "pdf_additional_action": (pdf_bytes(_page_additional_action), "pdf", "upload.pdf_action"),
        "pdf_launch": (pdf_bytes(_launch), "pdf", "upload.pdf_action"),
        "pdf_embedded_file": (pdf_bytes(_embedded_file), "pdf", "upload.pdf_embedded_file"),
        "pdf_xfa": (pdf_bytes(_xfa), "pdf", "upload.pdf_xfa"),
        "pdf_rich_media": (pdf_bytes(_rich_media), "pdf", "upload.pdf_rich_media"),
        "pdf_unparseable": (
            b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n",
            "pdf",
            "upload.pdf_malformed",
        ),
        "pdf_plus_zip": (pdf_bytes() + jar_bytes(), "pdf", "upload.trailing_data"),
        "png_plus_zip": (png + zip_bytes({"payload.txt": "x"}), "png", "upload.trailing_data"),
        "png_zip_inside_chunk": (png_zip_in_chunk(), "png", "upload.polyglot"),
        "gif_plus_jar": (gif + jar_bytes(), "gif", "upload.trailing_data"),
        "gif_plus_jar_declared_zip": (gif + jar_bytes(), "zip", "upload.type_mismatch"),
        "png_header_then_html": (
            png[:33] + b"<html><body><script>alert(document.domain)</script></body></html>",
            "png",
            "upload.image_malformed",
        ),
        "png_then_html": (
            png + b"<html><script>alert(1)</script></html>",
            "png",
            "upload.trailing_data",
        ),
        "png_script_in_text_chunk": (
            png_with_text_chunk(b"<script>alert(1)</script>"),
            "png",
            "upload.active_content",
        ),
        "jpeg_plus_zip": (
            image_bytes("JPEG") + zip_bytes({"a.txt": "x"}),
            "jpeg",
            "upload.trailing_data",
        ),
        "json_with_script": (
            b'{"note": "<script>alert(1)</script>"}',
            "json",
            "upload.active_content",
        ),
        "csv_with_javascript_url": (
            b"slug,uri\nx,java\tscript:alert(1)\n",
            "csv",
            "upload.active_content",
        ),
        "txt_html_page": (
            b"<!doctype html><HTML><body>hi</body></HTML>",
            "txt",
            "upload.active_content",
        ),
        "txt_with_zip_bytes": (
            b"notes " + zip_bytes({"a.txt": "x"}),
            "txt",
            "upload.text_encoding",
        ),
        "txt_with_control_bytes": (b"notes \x1b[31m red", "txt", "upload.text_binary"),
        "txt_with_pdf_inside": (
            b"notes\n%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
            "txt",
            "upload.polyglot",
        ),
        "json_nested_deep": (b"[" * 100_000 + b"]" * 100_000, "json", "upload.type_mismatch"),
        "zip_bomb": (zip_bomb(), "zip", "upload.archive_too_large"),
        "docx_bomb": (docx_bomb(), "docx", "upload.archive_too_large"),
        "zip_ratio_bomb": (ratio_bomb(), "zip", "upload.archive_ratio"),
        "zip_nested_too_deep": (
            zip_bytes({"a.zip": zip_bytes({"b.zip": zip_bytes({"c.txt": "x"})})}),
            "zip",
            "upload.archive_nested",
        ),
        "zip_path_traversal": (
            zip_bytes({"../../etc/cron.d/x": "x"}),
            "zip",
            "upload.archive_unsafe_name",
        ),
        "zip_plus_trailing_html": (
            zip_bytes({"a.txt": "x"}) + b"<html>",
            "zip",
            "upload.trailing_data",
        ),
        "docx_with_macros": (
            docx_bytes(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}),
            "docx",
            "upload.office_active_content",
        ),
    }
