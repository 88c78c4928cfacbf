"""What every file check shares: the refusal, the scan failure, the limits (plain Python)."""

from dataclasses import dataclass


class Refused(Exception):
    """The file is not accepted; `code` is stable (`upload.*`), `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ScanUnavailable(Refused):
    """The virus scanner could not give a verdict: the upload fails closed (never stored)."""

    def __init__(self, message: str):
        super().__init__("upload.scan_unavailable", message)


@dataclass(frozen=True)
class Limits:
    max_image_pixels: int = 50_000_000
    max_image_frames: int = 500
    zip_max_members: int = 1_000
    zip_max_total_bytes: int = 100 * 1024 * 1024
    zip_max_ratio: int = 100
    zip_ratio_floor_bytes: int = 1024 * 1024  # smaller members may compress better than the ratio
    zip_max_depth: int = 1  # archives inside archives: one level, checked with the same limits
    pdf_max_depth: int = 64


def mismatch(label: str) -> Refused:
    return Refused("upload.type_mismatch", f"The file's content is not {label} as declared.")
