"""Every route of the URL conf, classified for an outsider (a viewer or another team's contributor).

A Probe fills path parameters with objects of the world (tests/security/conftest.py) by name and
says which status an outsider must get; `expect=None` means "whatever the role allows, never 5xx"
(visible objects whose answer depends on the user's team). Routes missing here fail the suite:
a new route is covered only once someone decides what an outsider may see through it.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Probe:
    fill: dict = field(default_factory=dict)  # path parameter -> World.ids() key
    query: str = ""
    expect: frozenset | None = None


def P(query: str = "", expect=None, **fill) -> Probe:  # noqa: N802 - a table-building shorthand
    return Probe(fill=fill, query=query, expect=None if expect is None else frozenset(expect))


OK, DENY, GONE, WRONG_METHOD, BAD = {200}, {403}, {404}, {405}, {400}
# A POST-only route answers GET the same for every object, so it cannot reveal one.
POST_ONLY = WRONG_METHOD
# Role-gated POST-only routes: the role check may come before the method check (DRF).
POST_ONLY_GATED = {403, 405}
AT = "at=2999-01-01T00:00:00Z"

ARTIFACT_QUERIES = (
    "", "?q=Zanzibar", "?q=secret-cards-model", "?tag=zanzibar-tag", "?owner_team=cards",
    "?sensitivity=restricted", "?kind=ai_model", "?customer_derived=true", "?status=archived",
)


def secret_and_visible(expect_secret, *, param="slug", query="", visible=("parent", "child")) -> tuple:
    """The restricted artifact answers `expect_secret`; its visible parent and child never 5xx."""
    probes = [P(query, expect_secret, **{param: "secret"}), P(query, expect_secret, **{param: "lesson"})]
    probes += [P(query, **{param: key}) for key in visible]
    return tuple(probes)


def lists(*queries, expect=OK) -> tuple:
    return tuple(P(q, expect) for q in queries)


API = {
    "api/v1/": lists(""),
    "api/v1/auth/token/": lists("", expect=WRONG_METHOD),
    "api/v1/schema/": lists(""),
    "api/v1/artifacts/resemblance/": lists("", expect=WRONG_METHOD),
    "api/v1/artifacts/import/": lists("", expect=POST_ONLY_GATED),
    "api/v1/artifacts/export/": lists("", "?format=json", "?format=csv&q=Zanzibar", "?format=json&owner_team=cards",
                                      "?format=json&tag=zanzibar-tag"),
    "api/v1/artifacts/<slug:slug>/prov/": secret_and_visible(GONE),
    "api/v1/jobs/<int:pk>/": (P("", GONE, pk="job"),),
    "api/v1/jobs/<int:pk>/download/": (P("", GONE, pk="job"),),
    "api/v1/artifacts/<slug:slug>/deprecate/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/archive/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/restore/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/policy/": secret_and_visible(GONE),
    "api/v1/artifacts/<slug:slug>/rights-check/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/correct-facts/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/versions/": secret_and_visible(GONE),
    "api/v1/artifacts/<slug:slug>/lineage/": secret_and_visible(GONE),
    "api/v1/artifacts/<slug:slug>/submit/": secret_and_visible(POST_ONLY),
    "api/v1/artifacts/<slug:slug>/publish/": secret_and_visible(POST_ONLY),
    "api/v1/outcomes/export.csv": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/artifacts/<slug:slug>/performance/": secret_and_visible(GONE),
    "api/v1/library/": lists("", "?metric=conversion_lift", "?kind=ai_model"),
    "api/v1/value/": lists(""),
    "api/v1/contributors/<int:pk>/credit/": (P("", pk="octavia"), P("", pk="barnaby")),
    "api/v1/teams/<slug:slug>/credit/": (P("", OK, slug="cards"), P("", OK, slug="retail")),
    "api/v1/audit-events/": lists("", "?object=secret-cards-model", expect=DENY),
    "api/v1/artifacts/<slug:slug>/history/": secret_and_visible(GONE),
    "api/v1/artifacts/<slug:slug>/as-of/": secret_and_visible(GONE, query="?" + AT),
    "api/v1/artifacts/<slug:slug>/audit-pack/": secret_and_visible(GONE),
    "api/v1/contributors/<int:pk>/erase/": (P("", POST_ONLY_GATED, pk="octavia"),),
    "api/v1/^teams/$": lists(""),
    "api/v1/^teams/(?P<slug>[^/.]+)/$": (P("", OK, slug="cards"),),
    "api/v1/^contributors/$": lists("", "?q=Octavia", "?q=Pemberton", "?kind=customer"),
    "api/v1/^contributors/(?P<pk>[0-9]+)/$": (P("", pk="octavia"), P("", pk="barnaby")),
    "api/v1/^artifacts/$": lists(*ARTIFACT_QUERIES, "?reusable_by=cards"),
    "api/v1/^artifacts/(?P<slug>[^/.]+)/$": secret_and_visible(GONE),
    "api/v1/^reuses/$": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/^metrics/$": lists(""),
    "api/v1/^metrics/(?P<code>[^/.]+)/$": (P("", OK, code="metric"),),
    "api/v1/^outcomes/$": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/^outcomes/(?P<pk>[0-9]+)/$": (P("", GONE, pk="outcome"), P("", OK, pk="visible_outcome")),
    "api/v1/^consents/$": lists("", expect=DENY),
    "api/v1/^consents/(?P<pk>[0-9]+)/$": (P("", DENY, pk="consent"), P("", DENY, pk="visible_consent")),
    "api/v1/^consents/(?P<pk>[0-9]+)/end/$": (P("", DENY, pk="consent"),),
    "api/v1/^consents/(?P<pk>[0-9]+)/evidence/$": (P("", DENY, pk="consent"), P("", DENY, pk="visible_consent")),
    "api/v1/^consents/(?P<pk>[0-9]+)/receipt/$": (P("", DENY, pk="consent"), P("", DENY, pk="visible_consent")),
    "api/v1/^consents/(?P<pk>[0-9]+)/withdraw/$": (P("", DENY, pk="consent"),),
    "api/v1/^consents/(?P<pk>[0-9]+)/impact-reuses/$": (P("", DENY, pk="consent"),),
    "api/v1/^ip-assignments/$": lists("", expect=DENY),
    "api/v1/^ip-assignments/(?P<pk>[0-9]+)/$": (P("", DENY, pk="ip"),),
    "api/v1/^ip-assignments/(?P<pk>[0-9]+)/document/$": (P("", DENY, pk="ip"),),
    "api/v1/^reviews/$": lists("", "?artifact=secret-cards-model"),
    "api/v1/^reviews/(?P<pk>[0-9]+)/$": (P("", GONE, pk="review"),),
    "api/v1/^reviews/(?P<pk>[0-9]+)/decide/$": (P("", {403, 404, 405}, pk="review"),),
    "api/v1/^withdrawal-impacts/$": lists("", "?artifact=secret-cards-model", "?consent={consent}"),
    "api/v1/^withdrawal-impacts/(?P<pk>[0-9]+)/$": (P("", {403, 404}, pk="impact"),),
    "api/v1/^withdrawal-impacts/(?P<pk>[0-9]+)/remediate/$": (P("", {403, 404, 405}, pk="impact"),),
}

WEB = {
    "healthz": lists(""),
    "accounts/login/": lists(""),
    "accounts/logout/": lists("", expect=WRONG_METHOD),
    "api/docs/": lists(""),
    "api/redoc/": lists(""),
    "": lists(""),
    "import/": lists("", expect={200, 403}),
    "import/template.<str:fmt>": (P("", OK, fmt="csv"), P("", OK, fmt="json")),
    "export/": lists("", "?format=csv&q=Zanzibar", "?format=json&owner_team=cards", "?format=json"),
    "jobs/<int:pk>/": (P("", GONE, pk="job"),),
    "jobs/<int:pk>/download/": (P("", GONE, pk="job"),),
    "artifacts/": lists(*ARTIFACT_QUERIES),
    "artifacts/new/": lists("", expect={200, 403}),
    "artifacts/new/validate/": lists("", expect=WRONG_METHOD),
    "lookup/contributors/": lists("?q=Octavia", "?q=Pemberton", "?q=Barnaby", "?q=customer"),
    "lookup/artifacts/": lists("?q=Zanzibar", "?q=secret", "?q=Visible"),
    "attachments/<int:pk>/download/": (P("", GONE, pk="attachment"),),
    "audit/": lists("", expect=DENY),
    "artifacts/<slug:slug>/history/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/as-of/": secret_and_visible(GONE, query="?" + AT),
    "artifacts/<slug:slug>/audit-pack/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/edit/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/edit/validate/": secret_and_visible(POST_ONLY),
    "artifacts/<slug:slug>/versions/new/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/submit/": secret_and_visible(POST_ONLY),
    "artifacts/<slug:slug>/publish/": secret_and_visible(POST_ONLY),
    "lessons/": lists("", "?q=Zanzibar", "?team=cards", "?kind=ai_model"),
    "artifacts/new/resemblance/": lists("?title=Zanzibar+restricted+scoring+model", "?title=Zanzibar+retired+lesson"),
    "artifacts/<slug:slug>/deprecate/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/archive/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/restore/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/watch/": secret_and_visible(POST_ONLY),
    "notifications/digest/": lists("", expect=WRONG_METHOD),
    "artifacts/<slug:slug>/policy/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/rights-check/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/eligibility/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/reuse/": secret_and_visible(GONE),
    "reuses/": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "artifacts/<slug:slug>/performance/": secret_and_visible(GONE),
    "artifacts/<slug:slug>/performance/adoption.svg": secret_and_visible(GONE),
    "artifacts/<slug:slug>/performance/<slug:metric>.svg": tuple(
        P("", expect, slug=slug, metric="metric")
        for slug, expect in (("secret", GONE), ("lesson", GONE), ("parent", OK), ("child", OK))
    ),
    "reuses/<int:pk>/outcome/": (P("", GONE, pk="reuse"), P("", pk="visible_reuse")),
    "library/": lists("", "?metric=conversion_lift", "?kind=ai_model"),
    "library/<slug:metric>.svg": (P("", OK, metric="metric"),),
    "contributors/<int:pk>/credit/": (P("", pk="octavia"), P("", pk="barnaby")),
    "teams/<slug:slug>/credit/": (P("", OK, slug="cards"), P("", OK, slug="retail")),
    "value/": lists(""),
    "legal/": lists("", expect=DENY),
    "legal/reviews/<int:pk>/": (P("", DENY, pk="review"),),
    "legal/consents/": lists("", expect=DENY),
    "legal/consents/new/": lists("", expect=DENY),
    "legal/consents/<int:pk>/": (P("", DENY, pk="consent"), P("", DENY, pk="visible_consent")),
    "legal/consents/<int:pk>/evidence/upload/": (P("", POST_ONLY_GATED, pk="consent"),),
    "legal/consents/<int:pk>/withdraw/": (P("", POST_ONLY_GATED, pk="consent"),),
    "legal/consents/<int:pk>/impact/": (P("", DENY, pk="consent"),),
    "legal/consents/<int:pk>/evidence/": (P("", DENY, pk="consent"),),
    "legal/ip-gaps/": lists("", expect=DENY),
    "legal/ip-assignments/new/": lists("", expect=DENY),
    "consent-impacts/<int:pk>/": (P("", {403, 404}, pk="impact"),),
    "inbox/": lists("", "?unread=1"),
    "inbox/<int:pk>/read/": (P("", POST_ONLY, pk="notification"),),
    "inbox/read-all/": lists("", expect=POST_ONLY),
}

ROUTES = API | WEB
# Not part of the product's own surface: static files and Django's admin are left to Django.
UNCLASSIFIED_ALLOWED = ("admin/",)
