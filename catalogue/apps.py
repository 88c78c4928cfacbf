from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects Celery origin hooks
        from .legal_gates import install as install_legal_gates

        install_legal_gates()  # legal publish gates (Rule 1) and the review-opening submit hook
