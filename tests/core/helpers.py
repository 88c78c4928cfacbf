import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import ReusePolicy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(data: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def with_policy(artifact):
    policy = ReusePolicy.objects.create(artifact=artifact, revision=1, odrl={"@type": "Set"})
    artifact.current_policy = policy
    artifact.save(update_fields=["current_policy"])
    return artifact
