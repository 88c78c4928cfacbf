from django.apps import AppConfig
from django.db.models.signals import post_migrate


def grant_app_role(sender, using, **kwargs) -> None:
    """After every migrate, the application role gets DML on new tables and loses UPDATE/DELETE on
    new audit tables (config/dbroles.py); nothing to do where that role does not exist."""
    from django.db import connections

    from config.dbroles import APP_ROLE, grant_app_privileges, role_exists

    with connections[using].cursor() as wrapper:
        if role_exists(wrapper.cursor, APP_ROLE):
            grant_app_privileges(wrapper.cursor, app=APP_ROLE)


class CatalogueConfig(AppConfig):
    name = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401 - connects Celery origin hooks
            tasks,  # noqa: F401 - registers the tasks services queue by name (queueing)
        )
        from .legal_gates import install as install_legal_gates
        from .services.reviews import install_hooks as install_review_hooks

        install_legal_gates()  # legal publish gates (Rule 1)
        install_review_hooks()  # a submit or a new version opens its consent_ip review
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="catalogue.grant_app_role")
