"""Django's ModelBackend minus the permissions django-rules owns."""

import rules
from django.contrib.auth.backends import ModelBackend


class CatalogueModelBackend(ModelBackend):
    """Model permissions for the admin site; the rule-based ones (catalogue.view_artifact, ...) only from rules.

    Those are never granted as model permissions, and asking ModelBackend after a rule said no
    costs two queries (user and group permissions) on every artifact page.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj=obj)
