"""Contributor reads; personal data only for legal and admins, and every showing is audited."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import Contributor
from ..models.choices import ContributorKind


def shows_personal_data(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "catalogue.view_personal_data"
    )


def contributor_list(*, user, params=None) -> QuerySet[Contributor]:
    """All contributors (pseudonymous rows are not restricted), optionally filtered by `kind` or `q`."""
    queryset = Contributor.objects.select_related("user").order_by("id")
    params = params or {}
    kind = params.get("kind")
    if kind in ContributorKind.values:
        queryset = queryset.filter(kind=kind)
    q = (params.get("q") or "").strip()
    if q:
        # Searching by legal name would reveal personal data; only those who may see it may use it.
        match = Q(pseudonym__icontains=q) | Q(organisation__icontains=q) | Q(external_ref__iexact=q)
        if shows_personal_data(user):
            match |= Q(legal_name__icontains=q) | Q(email__iexact=q)
        queryset = queryset.filter(match)
    return queryset


def contributor_get(*, user, pk) -> Contributor:
    if not str(pk).isdigit():  # `contributors/null,null/` is no contributor, not a server error
        raise Http404("No such contributor.")
    contributor = Contributor.objects.select_related("user").filter(pk=pk).first()
    if contributor is None:
        raise Http404("No such contributor.")
    return contributor


def record_personal_data_view(*, user, contributors) -> None:
    """One audit row per showing (a page or a response) listing the contributors whose data was shown."""
    from ..services.audit import audit_context, audit_event

    shown = [c for c in contributors if c.legal_name or c.email]
    if not shown or not shows_personal_data(user):
        return
    with transaction.atomic(), audit_context(actor=user, reason="personal data viewed"):
        audit_event(
            actor=user,
            action="contributor.personal_data_viewed",
            obj=shown[0],
            changes={"contributor_ids": [None, [c.pk for c in shown]]},
        )
