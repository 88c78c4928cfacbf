from django import forms
from django.contrib import admin

from .models import Artifact, Membership, Metric, Team


class AuditedAdmin(admin.ModelAdmin):
    """Every admin write (forms, inlines, bulk actions) carries the admin as actor (Rule 7); deletes are refused."""

    def changeform_view(self, request, *args, **kwargs):
        from .services.audit import audit_context

        with audit_context(
            actor=request.user, reason=f"admin: {self.model._meta.verbose_name} form"
        ):
            return super().changeform_view(request, *args, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # No hard delete of domain objects from the admin (issue 15): it would take versions,
        # lineage and history with it outside every service and audit event. Archive instead.
        return False

    def changelist_view(self, request, *args, **kwargs):
        from .services.audit import audit_context

        with audit_context(
            actor=request.user, reason=f"admin: {self.model._meta.verbose_name_plural} list action"
        ):
            return super().changelist_view(request, *args, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]


@admin.register(Metric)
class MetricAdmin(AuditedAdmin):
    list_display = ["code", "name", "unit", "direction"]
    search_fields = ["code", "name"]


# --- Artifacts (lifecycle): archived artifacts are read-only here too (Rule 6) -------------


class ArtifactFacts(forms.ModelForm):
    """Rule 3 in the admin: the form refuses what `facts.ensure_facts_kept` refuses."""

    class Meta:
        model = Artifact
        fields = ["customer_derived"]

    def clean(self):
        from .facts import ensure_facts_kept
        from .rules import RuleViolation

        super().clean()

        cleaned = (
            self.cleaned_data
        )  # what Form.clean returns; the stubs type that return as Optional
        if self.instance.pk and "customer_derived" in cleaned:
            try:
                ensure_facts_kept(
                    Artifact.objects.get(pk=self.instance.pk),
                    customer_derived=cleaned["customer_derived"],
                )
            except RuleViolation as exc:
                raise forms.ValidationError([r.message for r in exc.reasons]) from None
        return cleaned


class ArchivedReadOnlyAdmin(AuditedAdmin):
    """Admin guard: no change of an archived artifact (no delete of any); status moves only via services."""

    readonly_fields = [
        "status",
        "retirement_rationale",
        "lessons_learned",
        "superseded_by",
        "sunset_on",
        "retired_at",
        "retired_by",
        "published_at",
        "current_version",
        "current_policy",
        "created_by",
    ]

    def _archived(self, obj) -> bool:
        return obj is not None and obj.status == "archived"

    def has_change_permission(self, request, obj=None):
        return not self._archived(obj) and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from .facts import ensure_facts_kept
        from .rules import ensure_not_archived
        from .services.audit import audit_context, audit_event

        with transaction.atomic(), audit_context(actor=request.user, reason="edited in the admin"):
            if change:
                # Re-read under lock: it may have been archived since the form was opened.
                current = Artifact.objects.select_for_update().get(pk=obj.pk)
                ensure_not_archived(current)
                ensure_facts_kept(current, customer_derived=obj.customer_derived)
            super().save_model(request, obj, form, change)
            audit_event(
                actor=request.user,
                action="artifact.admin_changed" if change else "artifact.admin_created",
                obj=obj,
                reason="edited in the admin",
                changes={"fields": list(form.changed_data)},
            )


def _register_artifact_admin() -> None:
    if admin.site.is_registered(Artifact):
        return

    @admin.register(Artifact)
    class ArtifactAdmin(ArchivedReadOnlyAdmin):
        list_display = ["slug", "title", "kind", "owner_team", "status", "updated_at"]
        list_filter = ["status", "kind", "sensitivity"]
        search_fields = ["slug", "title"]
        list_select_related = ["owner_team"]
        exclude = ["search_vector"]
        form = ArtifactFacts


_register_artifact_admin()
