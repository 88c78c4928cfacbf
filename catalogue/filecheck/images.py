"""Images: the structure walked to its end marker (nothing may follow), then a full Pillow decode.

Bytes after PNG's IEND, GIF's trailer or JPEG's EOI are ignored by image viewers and read by
other tools: that is how PNG+ZIP, GIF+JAR and PNG+HTML polyglots hide.
"""

import io
import warnings
import zlib

from PIL import Image

from .refusals import Limits, Refused, mismatch

FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _malformed(label: str, why: str) -> Refused:
    return Refused("upload.image_malformed", f"The {label} image is malformed: {why}.")


def inspect_image(data: bytes, kind: str, limits: Limits, *, label: str) -> None:
    end = {"png": _png_end, "jpeg": _jpeg_end, "gif": _gif_end}[kind](data, label)
    if end != len(data):
        raise Refused(
            "upload.trailing_data",
            f"{len(data) - end} bytes follow the end of the {label} image (a second file hidden behind it).",
        )
    _decode(data, kind, limits, label)


def _decode(data: bytes, kind: str, limits: Limits, label: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[FORMATS[kind]]) as image:
                width, height = image.size
                if width * height > limits.max_image_pixels:
                    raise _too_large(width, height, limits)
                frames = getattr(image, "n_frames", 1)
                if frames > limits.max_image_frames:
                    raise Refused(
                        "upload.image_too_large",
                        f"The image has {frames} frames; the limit is {limits.max_image_frames}.",
                    )
                for frame in range(frames):
                    image.seek(frame)
                    image.load()
        except Refused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused(
                "upload.image_too_large", "The image decompresses to too many pixels."
            ) from None
        except Exception as exc:  # any decoder failure on hostile bytes is a refusal, never a 500
            raise _malformed(label, f"it cannot be decoded ({type(exc).__name__})") from None


def _too_large(width: int, height: int, limits: Limits) -> Refused:
    return Refused(
        "upload.image_too_large",
        f"The image is {width}×{height} pixels; the limit is {limits.max_image_pixels:,} pixels.",
    )


def _png_end(data: bytes, label: str) -> int:
    if not data.startswith(PNG_SIGNATURE):
        raise mismatch(label)
    view, pos, size = memoryview(data), len(PNG_SIGNATURE), len(data)
    while True:
        if pos + 12 > size:
            raise _malformed(label, "it ends before its IEND chunk")
        length = int.from_bytes(view[pos : pos + 4], "big")
        chunk_end = pos + 12 + length
        if chunk_end > size:
            raise _malformed(label, "a chunk runs past the end of the file")
        crc = int.from_bytes(view[pos + 8 + length : chunk_end], "big")
        if zlib.crc32(view[pos + 4 : pos + 8 + length]) != crc:
            raise _malformed(label, f"chunk {bytes(view[pos + 4 : pos + 8])!r} fails its CRC")
        chunk_type = bytes(view[pos + 4 : pos + 8])
        pos = chunk_end
        if chunk_type == b"IEND":
            return pos


def _jpeg_end(data: bytes, label: str) -> int:
    if not data.startswith(b"\xff\xd8\xff"):
        raise mismatch(label)
    pos, size = 2, len(data)
    while pos + 1 < size:
        if data[pos] != 0xFF:
            raise _malformed(label, "a segment does not start with a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > size:
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            raise _malformed(label, "a segment has an impossible length")
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos == -1 or pos + 1 >= size:
                    raise _malformed(label, "it ends inside image data, before EOI")
                following = data[pos + 1]
                if following == 0xFF:
                    pos += 1
                elif following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                else:
                    break
    raise _malformed(label, "it ends before its EOI marker")


def _gif_end(data: bytes, label: str) -> int:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise mismatch(label)
    size = len(data)
    if size < 13:
        raise _malformed(label, "it is truncated")
    pos = 13 + _colour_table(data[10])
    while pos < size:
        block = data[pos]
        if block == 0x3B:  # trailer
            return pos + 1
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2, label)
        elif block == 0x2C:  # image descriptor, local colour table, LZW code size, sub-blocks
            if pos + 10 > size:
                break
            pos = _skip_sub_blocks(data, pos + 10 + _colour_table(data[pos + 9]) + 1, label)
        else:
            raise _malformed(label, f"unknown block 0x{block:02x}")
    raise _malformed(label, "it ends before its trailer")


def _colour_table(flags: int) -> int:
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def _skip_sub_blocks(data: bytes, pos: int, label: str) -> int:
    size = len(data)
    while pos < size:
        length = data[pos]
        pos += 1
        if length == 0:
            return pos
        pos += length
    raise _malformed(label, "it ends inside a data block")
