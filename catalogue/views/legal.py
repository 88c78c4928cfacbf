"""Legal workspace (web): review queue, review page with decision, consents, withdrawal impact,
IP gaps; the artifact page's consent & IP panel; remediation by owners.

Everything here is legal/admin only except the panel (no personal data) and the remediation
form (owner maintainers too). Every page showing personal data or evidence writes an access record.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ..downloads import file_download
from ..eligibility import USE_LABELS, artifact_eligibility
from ..forms.legal import ConsentForm, EvidenceForm
from ..legal_rules import consent_problem, missing_assignors
from ..models import ConsentRecord, Review, WithdrawalImpact
from ..models.choices import (
    ConsentStatus,
    Remediation,
    ReviewDecisionKind,
    ReviewKind,
    ReviewStatus,
)
from ..querysets import visible_artifacts
from ..rules import RuleViolation
from ..selectors.common import visible_artifact
from ..selectors.impacts import inherited_consent_state
from ..selectors.legal import (
    artifact_consents,
    artifact_ip,
    consent_list,
    impacts_for_consent,
    ip_gaps,
    legal_panel_data,
    legal_panel_loads,
    review_queue,
    review_risks,
)
from ..services.consent import (
    consent_attach_evidence,
    consent_create,
    consent_withdraw,
    impact_resolve,
)
from ..services.privacy import can_see_personal_data, record_access
from ..services.reviews import ApprovalContradicted, review_decide
from .common import add_validation_errors, error_text
from .panels import Panel, register

PAGE = 50
RISKS = ("restricted", "model_training", "customer_derived")


def _require_legal(request) -> None:
    if not request.user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("The legal workspace is for legal and admins.")


def _after(request) -> int:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else 0


def legal_queue_view(request):
    """Open reviews oldest first, with age, kind, risk; filter by kind, risk and status."""
    _require_legal(request)
    kind = request.GET.get("kind", "")
    risk = request.GET.get("risk", "")
    status = request.GET.get("status", ReviewStatus.OPEN)
    qs = review_queue(
        kind=kind if kind in ReviewKind.values else "",
        risk=risk if risk in RISKS else "",
        status=status if status in ReviewStatus.values else "",
    )
    after = _after(request)
    if after:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    now = timezone.now()
    items = [
        {"review": r, "age_days": (now - r.created_at).days, "risks": review_risks(r)} for r in rows
    ]
    return render(
        request,
        "catalogue/legal/queue.html",
        {
            "items": items,
            "kind": kind,
            "risk": risk,
            "status": status,
            "kinds": ReviewKind.choices,
            "risks": RISKS,
            "statuses": ReviewStatus.choices,
            "next_after": rows[-1].pk if more and rows else None,
        },
    )


def review_detail_view(request, pk: int):
    """Everything needed to decide, and the decision form (POST)."""
    _require_legal(request)
    review = get_object_or_404(
        Review.objects.select_related(
            "artifact", "artifact__owner_team", "version", "requested_by"
        ),
        pk=pk,
    )
    errors: dict = {}
    status = 200
    override = request.POST.get("override") in ("on", "true", "1")
    offer_override = override
    if request.method == "POST":
        try:
            review_decide(
                acting_user=request.user,
                review=review,
                decision=request.POST.get("decision", ""),
                rationale=request.POST.get("rationale", ""),
                override=override,
                override_rationale=request.POST.get("override_rationale", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
            status = 400
        except ApprovalContradicted as exc:
            errors = {"general": [r.message for r in exc.reasons]}
            offer_override, status = True, 409
        except RuleViolation as exc:
            errors = {"general": [r.message for r in exc.reasons]}
            status = 409
        except PermissionDenied as exc:
            errors = {"general": [str(exc)]}
        else:
            messages.success(request, "Decision recorded.")
            return redirect("catalogue:review_detail", pk=review.pk)
    artifact = review.artifact
    authorships = list(
        artifact.authorships.select_related("contributor", "contributor__user").order_by("id")
    )
    contributors = list({a.contributor_id: a.contributor for a in authorships}.values())
    for contributor in contributors:
        record_access(
            actor=request.user,
            action="contributor.personal_data_viewed",
            obj=contributor,
            detail=f"legal review {review.pk}",
        )
    consents = artifact_consents(artifact)
    now = timezone.now()
    decisions = list(review.decisions.select_related("reviewer"))
    return render(
        request,
        "catalogue/legal/review_detail.html",
        {
            "review": review,
            "artifact": artifact,
            "authorships": authorships,
            "errors": errors,
            "consents": [{"consent": c, "problem": consent_problem(c, now)} for c in consents],
            "assignments": artifact_ip(artifact),
            "missing": missing_assignors([artifact.pk]).get(artifact.pk, []),
            "decisions": decisions,
            "approvals": sum(d.decision == "approve" for d in decisions),
            "risks": review_risks(review),
            "decision_choices": ReviewDecisionKind.choices,
            "rationale": request.POST.get("rationale", ""),
            "decision": request.POST.get("decision", ""),
            "offer_override": offer_override,
            "override": override,
            "override_rationale": request.POST.get("override_rationale", ""),
        },
        status=status,
    )


def consent_list_view(request):
    """All consents; `view=expiring` (next 30 days) or `view=withdrawn` (ended)."""
    _require_legal(request)
    view = request.GET.get("view", "")
    view = view if view in ("expiring", "withdrawn") else ""
    qs = consent_list(view=view)
    after = _after(request)
    if not view:
        qs = qs.order_by("-id")
        if after:
            qs = qs.filter(id__lt=after)
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE and not view
    rows = rows[:PAGE]
    return render(
        request,
        "catalogue/legal/consents.html",
        {
            "consents": rows,
            "view": view,
            "next_after": rows[-1].pk if more else None,
        },
    )


def consent_create_view(request):
    """Record a consent; optional evidence is content-checked before anything is saved."""
    _require_legal(request)
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence, evidence_type = data.pop("evidence"), data.pop("evidence_type")
        try:
            if evidence is not None:
                from ..services.uploads import check_upload

                check_upload(evidence, evidence_type)
            consent = consent_create(acting_user=request.user, **data)
            if evidence is not None:
                consent_attach_evidence(
                    acting_user=request.user,
                    consent=consent,
                    uploaded_file=evidence,
                    declared_type=evidence_type,
                )
        except ValidationError as exc:
            add_validation_errors(form, exc, renamed={"file": "evidence"})
        else:
            messages.success(request, f"Consent {consent.pk} recorded.")
            return redirect("catalogue:consent_detail", pk=consent.pk)
    return render(request, "catalogue/legal/consent_form.html", {"form": form})


def _consent(pk: int) -> ConsentRecord:
    return get_object_or_404(ConsentRecord.objects.select_related("contributor"), pk=pk)


def consent_detail_view(request, pk: int):
    """One consent with its contributor's personal data (audited), coverage and withdrawal."""
    _require_legal(request)
    consent = _consent(pk)
    record_access(
        actor=request.user, action="consent.viewed", obj=consent, detail="legal consent page"
    )
    record_access(
        actor=request.user,
        action="contributor.personal_data_viewed",
        obj=consent.contributor,
        detail=f"consent {consent.pk}",
    )
    artifacts = list(consent.artifacts.select_related("owner_team").order_by("slug"))
    return render(
        request,
        "catalogue/legal/consent_detail.html",
        {
            "consent": consent,
            "artifacts": artifacts,
            "problem": consent_problem(consent),
            "can_withdraw": consent.status == ConsentStatus.GIVEN,
            "evidence_form": EvidenceForm(),
        },
    )


@require_POST
def consent_evidence_upload_view(request, pk: int):
    _require_legal(request)
    consent = _consent(pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            consent_attach_evidence(
                acting_user=request.user,
                consent=consent,
                uploaded_file=form.cleaned_data["evidence"],
                declared_type=form.cleaned_data["evidence_type"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "Evidence attached.")
    else:
        messages.error(request, "Choose a file and its type.")
    return redirect("catalogue:consent_detail", pk=consent.pk)


@require_POST
def consent_withdraw_view(request, pk: int):
    _require_legal(request)
    consent = _consent(pk)
    try:
        consent_withdraw(
            acting_user=request.user, consent=consent, reason=request.POST.get("reason", "")
        )
    except (ValidationError, RuleViolation) as exc:
        messages.error(request, error_text(exc))
        return redirect("catalogue:consent_detail", pk=consent.pk)
    messages.success(request, "Consent withdrawn: uses relying on it are denied from now on.")
    return redirect("catalogue:consent_impact", pk=consent.pk)


def consent_impact_view(request, pk: int):
    """The withdrawal/expiry impact report: artifacts, via, live reuses, owners, remediation."""
    _require_legal(request)
    consent = _consent(pk)
    impacts = list(impacts_for_consent(consent))
    return render(
        request,
        "catalogue/legal/impact.html",
        {
            "consent": consent,
            "impacts": impacts,
            "live_reuses": sum(i.live_reuses for i in impacts),
            "open_count": sum(i.remediation == Remediation.OPEN for i in impacts),
        },
    )


def consent_evidence_view(request, pk: int):
    _require_legal(request)
    consent = _consent(pk)
    if not consent.evidence:
        raise Http404("No evidence on file.")
    record_access(
        actor=request.user, action="consent.evidence_downloaded", obj=consent, detail="web download"
    )
    return file_download(
        consent.evidence,
        filename=f"consent-{consent.pk}-evidence",
        content_type=consent.evidence_content_type,
    )


def ip_gaps_view(request):
    """Customer-derived artifacts missing a signed assignment/licence from a non-employee author."""
    _require_legal(request)
    after = request.GET.get("after", "")
    qs = ip_gaps()
    if after:
        qs = qs.filter(slug__gt=after)
    artifacts = list(qs[: PAGE + 1])
    more = len(artifacts) > PAGE
    artifacts = artifacts[:PAGE]
    missing = missing_assignors([a.pk for a in artifacts])
    return render(
        request,
        "catalogue/legal/ip_gaps.html",
        {
            "rows": [{"artifact": a, "missing": missing.get(a.pk, [])} for a in artifacts],
            "next_after": artifacts[-1].slug if more else None,
        },
    )


def impact_remediate_view(request, pk: int):
    """An owner maintainer (or legal) records the remediation of one affected artifact."""
    impact = get_object_or_404(
        WithdrawalImpact.objects.select_related(
            "artifact", "artifact__owner_team", "consent", "via", "resolved_by"
        ),
        pk=pk,
    )
    if not visible_artifacts(request.user).filter(pk=impact.artifact_id).exists():
        raise Http404("No such impact.")
    user = request.user
    if not (
        user.has_perm("catalogue.maintain_artifact", impact.artifact)
        or user.has_perm("catalogue.manage_consent")
        or user.has_perm("catalogue.change_artifact", impact.artifact)
    ):
        raise PermissionDenied("Only the owner team, legal and admins see remediation.")
    errors: dict = {}
    if request.method == "POST":
        try:
            resolved = impact_resolve(
                acting_user=user,
                impact=impact,
                remediation=request.POST.get("remediation", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied as exc:
            errors = {"general": [str(exc)]}
        else:
            ended = len(resolved.ended_reuse_ids)
            messages.success(
                request,
                f"Remediation recorded; {ended} live reuse{'s' if ended != 1 else ''} ended."
                if ended
                else "Remediation recorded.",
            )
            return redirect("catalogue:impact_remediate", pk=impact.pk)
    return render(
        request,
        "catalogue/legal/remediate.html",
        {
            "impact": impact,
            "errors": errors,
            "choices": [c for c in Remediation.choices if c[0] != Remediation.OPEN],
            "can_resolve": user.has_perm("catalogue.maintain_artifact", impact.artifact)
            or user.has_perm("catalogue.manage_consent"),
        },
    )


def legal_panel(request, artifact):
    """Artifact page: consent & IP state, training-data eligibility, open reviews (no personal data)."""
    data = legal_panel_data(artifact)
    consents, reviews, open_impacts = data.consents, data.reviews, data.open_impacts
    now = timezone.now()
    # Withdrawals reaching the artifact through lineage, whether or not an impact row is open.
    inherited = inherited_consent_state(artifact, user=request.user, at=now)
    if not (
        consents
        or reviews
        or open_impacts
        or inherited
        or data.missing_ip
        or artifact.customer_derived
        or artifact.sensitivity == "restricted"
    ):
        return None
    ended = [c for c in consents if consent_problem(c, now)]
    return {
        "artifact": artifact,
        "consent_count": len(consents),
        "consents_ended": len(ended),
        "consent_rows": [{"consent": c, "problem": consent_problem(c, now)} for c in consents],
        "missing_ip": data.missing_ip,
        "open_reviews": [r for r in reviews if r.status == ReviewStatus.OPEN],
        "latest_reviews": reviews[:5],
        "open_impacts": open_impacts,
        "inherited": inherited,
        "can_remediate": request.user.has_perm("catalogue.change_artifact", artifact)
        or request.user.has_perm("catalogue.manage_consent"),
        "is_legal": can_see_personal_data(request.user),
    }


@require_GET
def eligibility_view(request, slug):
    """Training-data eligibility of one artifact, from the rights check (loaded after the page).

    Its own request: a dozen rights-check questions would break the page's query budget.
    """
    artifact = visible_artifact(request.user, slug, "owner_team", "current_policy", "superseded_by")
    states = artifact_eligibility(artifact)
    context = {"artifact": artifact, "eligibility": [(USE_LABELS[k], v) for k, v in states.items()]}
    template = (
        "catalogue/legal/eligibility.html"
        if request.htmx
        else "catalogue/legal/eligibility_page.html"
    )
    return render(request, template, context)


register(
    Panel(
        key="legal",
        template="catalogue/legal/panel.html",
        context=legal_panel,
        order=40,
        loads=legal_panel_loads,
    )
)
