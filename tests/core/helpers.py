import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import ReusePolicy
from tests.upload_samples import image_bytes, pdf_bytes

# Well-formed files: the upload checks parse them (a signature followed by zeros is refused).
PNG = image_bytes("PNG")
PDF = pdf_bytes()


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
