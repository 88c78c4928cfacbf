"""The ClamAV scan through clamd's INSTREAM (the `clamd` package); any doubt fails closed."""

import io

import clamd

from .refusals import Refused, ScanUnavailable


def scan(
    data: bytes, *, socket_path: str = "", host: str = "", port: int = 3310, timeout: float = 30.0
) -> None:
    """Raise Refused("upload.malware") when clamd finds a signature, ScanUnavailable when it cannot say."""
    client = (
        clamd.ClamdUnixSocket(path=socket_path, timeout=timeout)
        if socket_path
        else clamd.ClamdNetworkSocket(host=host, port=port, timeout=timeout)
    )
    try:
        result = client.instream(io.BytesIO(data)) or {}
    except (clamd.ClamdError, OSError) as exc:
        raise ScanUnavailable(
            f"The virus scanner is unavailable ({type(exc).__name__}); the file was not stored."
        ) from None
    status, signature = result.get("stream", ("ERROR", "no verdict"))
    if status == "FOUND":
        raise Refused("upload.malware", f"The virus scanner found {signature} in the file.")
    if status != "OK":
        raise ScanUnavailable(
            f"The virus scanner could not scan the file ({signature}); the file was not stored."
        )


def ping(*, socket_path: str = "", host: str = "", port: int = 3310, timeout: float = 5.0) -> bool:
    client = (
        clamd.ClamdUnixSocket(path=socket_path, timeout=timeout)
        if socket_path
        else clamd.ClamdNetworkSocket(host=host, port=port, timeout=timeout)
    )
    try:
        return client.ping() == "PONG"
    except (clamd.ClamdError, OSError):
        return False
