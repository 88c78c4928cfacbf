"""Web routes of the catalogue; each sub-domain adds its own module of views."""

from django.urls import path

from .views import artifacts, catalogue, home
from .views import audit as audit_views
from .views import bulk as bulk_views
from .views import inbox as inbox_views
from .views import ip_assignments as ip_assignment_views
from .views import legal as legal_views
from .views import performance as performance_views
from .views import retirement as retirement_views
from .views import rights as rights_views
from .views import watching as watching_views

app_name = "catalogue"

urlpatterns = [
    path("", home.home, name="home"),
    # bulk files: import, export, jobs, templates
    path("import/", bulk_views.bulk_import_view, name="bulk_import"),
    path("import/template.<str:fmt>", bulk_views.bulk_template_view, name="bulk_template"),
    path("export/", bulk_views.bulk_export_view, name="bulk_export"),
    path("jobs/<int:pk>/", bulk_views.bulk_job_view, name="bulk_job"),
    path("jobs/<int:pk>/download/", bulk_views.bulk_job_download_view, name="bulk_job_download"),
    # core catalogue (web)
    path("artifacts/", catalogue.artifact_list_view, name="artifact_list"),
    path("artifacts/new/", artifacts.artifact_create_view, name="artifact_create"),
    path("artifacts/new/validate/", artifacts.artifact_validate_view, name="artifact_validate"),
    path("lookup/contributors/", artifacts.contributor_lookup_view, name="contributor_lookup"),
    path("lookup/artifacts/", artifacts.artifact_lookup_view, name="artifact_lookup"),
    path(
        "attachments/<int:pk>/download/",
        artifacts.attachment_download_view,
        name="attachment_download",
    ),
    # audit: timeline, history, as-of, audit pack
    path("audit/", audit_views.audit_events_view, name="audit_events"),
    path(
        "artifacts/<slug:slug>/history/", audit_views.artifact_history_view, name="artifact_history"
    ),
    path("artifacts/<slug:slug>/as-of/", audit_views.artifact_as_of_view, name="artifact_as_of"),
    path(
        "artifacts/<slug:slug>/audit-pack/",
        audit_views.artifact_audit_pack_view,
        name="artifact_audit_pack",
    ),
    path("artifacts/<slug:slug>/", artifacts.artifact_detail_view, name="artifact_detail"),
    path("artifacts/<slug:slug>/edit/", artifacts.artifact_edit_view, name="artifact_edit"),
    path(
        "artifacts/<slug:slug>/edit/validate/",
        artifacts.artifact_validate_view,
        name="artifact_edit_validate",
    ),
    path(
        "artifacts/<slug:slug>/versions/new/", artifacts.version_create_view, name="version_create"
    ),
    path("artifacts/<slug:slug>/submit/", artifacts.artifact_submit_view, name="artifact_submit"),
    path(
        "artifacts/<slug:slug>/publish/", artifacts.artifact_publish_view, name="artifact_publish"
    ),
    # lifecycle: retirement, lessons library, resemblance, watching
    path("lessons/", retirement_views.lessons_view, name="lessons"),
    path(
        "artifacts/new/resemblance/",
        retirement_views.resemblance_check_view,
        name="resemblance_check",
    ),
    path(
        "artifacts/<slug:slug>/deprecate/",
        retirement_views.artifact_deprecate_view,
        name="artifact_deprecate",
    ),
    path(
        "artifacts/<slug:slug>/archive/",
        retirement_views.artifact_archive_view,
        name="artifact_archive",
    ),
    path(
        "artifacts/<slug:slug>/restore/",
        retirement_views.artifact_restore_view,
        name="artifact_restore",
    ),
    path("artifacts/<slug:slug>/watch/", watching_views.artifact_watch_view, name="artifact_watch"),
    path(
        "notifications/digest/", watching_views.digest_preference_view, name="notification_digest"
    ),
    # rights: reuse policy, rights check, reuse registration
    path("artifacts/<slug:slug>/policy/", rights_views.policy_edit_view, name="policy_edit"),
    path(
        "artifacts/<slug:slug>/rights-check/", rights_views.rights_check_view, name="rights_check"
    ),
    path(
        "artifacts/<slug:slug>/eligibility/",
        legal_views.eligibility_view,
        name="artifact_eligibility",
    ),
    path("artifacts/<slug:slug>/reuse/", rights_views.reuse_create_view, name="reuse_create"),
    path("reuses/", rights_views.reuse_list_view, name="reuse_list"),
    # reuse outcomes and performance: charts, outcome form, library, credit, value
    path(
        "artifacts/<slug:slug>/performance/",
        performance_views.artifact_performance_view,
        name="artifact_performance",
    ),
    path(
        "artifacts/<slug:slug>/performance/adoption.svg",
        performance_views.adoption_chart_view,
        name="adoption_chart",
    ),
    path(
        "artifacts/<slug:slug>/performance/<slug:metric>.svg",
        performance_views.outcome_chart_view,
        name="performance_chart",
    ),
    path("reuses/<int:pk>/outcome/", performance_views.outcome_create_view, name="outcome_create"),
    path("library/", performance_views.library_view, name="library"),
    path("library/<slug:metric>.svg", performance_views.library_chart_view, name="library_chart"),
    path(
        "contributors/<int:pk>/credit/",
        performance_views.contributor_credit_view,
        name="contributor_credit",
    ),
    path("teams/<slug:slug>/credit/", performance_views.team_credit_view, name="team_credit"),
    path("value/", performance_views.value_summary_view, name="value_summary"),
    # legal workspace, remediation and the inbox
    path("legal/", legal_views.legal_queue_view, name="legal_queue"),
    path("legal/reviews/<int:pk>/", legal_views.review_detail_view, name="review_detail"),
    path("legal/consents/", legal_views.consent_list_view, name="consent_list"),
    path("legal/consents/new/", legal_views.consent_create_view, name="consent_create"),
    path("legal/consents/<int:pk>/", legal_views.consent_detail_view, name="consent_detail"),
    path(
        "legal/consents/<int:pk>/evidence/upload/",
        legal_views.consent_evidence_upload_view,
        name="consent_evidence_upload",
    ),
    path(
        "legal/consents/<int:pk>/withdraw/",
        legal_views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("legal/consents/<int:pk>/impact/", legal_views.consent_impact_view, name="consent_impact"),
    path(
        "legal/consents/<int:pk>/evidence/",
        legal_views.consent_evidence_view,
        name="consent_evidence",
    ),
    path("legal/ip-gaps/", legal_views.ip_gaps_view, name="ip_gaps"),
    path(
        "legal/ip-assignments/new/",
        ip_assignment_views.ip_assignment_create_view,
        name="ip_assignment_create",
    ),
    path("consent-impacts/<int:pk>/", legal_views.impact_remediate_view, name="impact_remediate"),
    path("inbox/", inbox_views.inbox_view, name="inbox"),
    path("inbox/<int:pk>/read/", inbox_views.inbox_mark_read_view, name="inbox_read"),
    path("inbox/read-all/", inbox_views.inbox_mark_all_read_view, name="inbox_read_all"),
]
