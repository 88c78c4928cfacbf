"""The authorisation matrix: every route of the URL conf x every role x object, with the expected status.

The one table of who may see and do what (test_matrix.py and test_no_leaks.py read it). Objects are
those of the security World (tests/security/conftest.py), named by `World.ids()` keys:

- `secret`, `lesson`: restricted artifacts of team `cards` (the lesson is archived);
- `parent`, `child`: internal artifacts of team `retail`; other objects hang off one of these.

Roles (fixtures), and what they are to those objects:

| role               | fixture    | to `secret` (cards, restricted) | to `parent` (retail)         |
|--------------------|------------|---------------------------------|------------------------------|
| `anonymous`        | -          | -                               | -                            |
| `viewer`           | victor     | outsider                        | outsider                     |
| `owner_member`     | cara       | member of the owner team        | member of another team       |
| `other_team`       | alice      | maintainer of another team      | maintainer of the owner team |
| `owner_maintainer` | bob        | maintainer of the owner team    | maintainer of another team   |
| `legal`            | legal1     | legal                           | legal                        |
| `admin`            | admin_user | admin                           | admin                        |

A Probe fills path parameters by name, adds a query string, and gives the GET status per role (a Row).
`write` names the roles that may get a 2xx/3xx to an unsafe method (POST, PUT, PATCH, DELETE with an
empty body); everyone else must get a 4xx. Anonymous: 401 on the API, a redirect to the login page on
the web, except the PUBLIC routes. A route missing here fails the suite with its name: a new route is
covered only once someone decides who may see it.
"""

from dataclasses import dataclass, field

ROLES = ("viewer", "owner_member", "other_team", "owner_maintainer", "legal", "admin")
FIXTURES = {
    "anonymous": None,
    "viewer": "victor",
    "owner_member": "cara",
    "other_team": "alice",
    "owner_maintainer": "bob",
    "legal": "legal1",
    "admin": "admin_user",
}
OUTSIDERS = ("viewer", "other_team")  # test_no_leaks walks every query variant as these two
PUBLIC = {
    "healthz": 200,
    "accounts/login/": 200,
    "api/v1/auth/token/": 405,
}  # the token endpoint is POST-only
ANONYMOUS_API, ANONYMOUS_WEB = 401, 302  # the web's 302 must lead to the login page


@dataclass(frozen=True)
class Row:
    """The GET status of each role, in ROLES order."""

    statuses: tuple

    def __getitem__(self, role: str) -> int:
        return self.statuses[ROLES.index(role)]


def R(*statuses) -> Row:  # noqa: N802 - a table-building shorthand
    assert len(statuses) == len(ROLES)
    return Row(tuple(statuses))


#              viewer owner_member other_team owner_maintainer legal admin
ALL = R(200, 200, 200, 200, 200, 200)
POST_ONLY = R(405, 405, 405, 405, 405, 405)  # GET says nothing of the object
NONE_FOUND = R(404, 404, 404, 404, 404, 404)  # no such file / policy in the World
RESTRICTED = R(404, 200, 404, 200, 200, 200)  # rule 8: owner team, legal, admin
LEGAL = R(403, 403, 403, 403, 200, 200)
LEGAL_POST = R(403, 403, 403, 403, 405, 405)
LEGAL_FILE = R(403, 403, 403, 403, 404, 404)  # legal's, but no file in the World
WRITERS = R(403, 200, 200, 200, 403, 200)  # contributors and admins
OWN_JOB = R(404, 404, 404, 200, 404, 200)  # bob started the job
# Team work: the owner team edits (a member may), its maintainers decide; legal reads, never edits.
EDIT_SECRET = R(404, 200, 404, 200, 403, 200)
EDIT_RETAIL = R(403, 403, 200, 403, 403, 200)
EDIT_ARCHIVED = R(404, 302, 404, 302, 403, 302)  # archived: read-only, sent back
MAINTAIN_SECRET = R(404, 403, 404, 200, 403, 200)
RESTORE_SECRET = R(404, 403, 404, 403, 403, 200)  # restore is admin-only
RESTORE_RETAIL = R(403, 403, 403, 403, 403, 200)
PACK_RETAIL = R(403, 403, 200, 403, 200, 200)  # audit pack: maintainers, legal

# Who may get a 2xx/3xx to an unsafe method with an empty body (it is refused as invalid otherwise).
NOBODY: frozenset = frozenset()
ANYONE = frozenset(ROLES)
LEGAL_WRITE = {"legal", "admin"}
RECORDERS = ANYONE - {"viewer"}  # contributors, legal and admins record contributors
# PATCH of an artifact: its owner team's members (a plain member may edit) and admins. The lesson is
# archived, read-only: nobody's PATCH is accepted (the archive answers 409).
EDITORS = {
    "secret": {"owner_member", "owner_maintainer", "admin"},
    "lesson": set(),
    "parent": {"other_team", "admin"},
    "child": {"other_team", "admin"},
}


@dataclass(frozen=True)
class Probe:
    fill: dict = field(default_factory=dict)  # path parameter -> World.ids() key
    query: str = ""
    get: Row = ALL
    write: frozenset = NOBODY


def P(query: str = "", get: Row = ALL, write=NOBODY, **fill) -> Probe:  # noqa: N802
    return Probe(fill=fill, query=query, get=get, write=frozenset(write))


AT = "at=2999-01-01T00:00:00Z"
ARTIFACT_QUERIES = (
    "",
    "?q=Zanzibar",
    "?q=secret-cards-model",
    "?tag=zanzibar-tag",
    "?owner_team=cards",
    "?sensitivity=restricted",
    "?kind=ai_model",
    "?customer_derived=true",
    "?status=archived",
)


def per_artifact(
    secret: Row,
    visible: Row = ALL,
    *,
    lesson: Row | None = None,
    param="slug",
    query="",
    write=NOBODY,
    **fill,
) -> tuple:
    """The restricted `secret` and `lesson`, and the visible retail `parent` and `child`."""
    rows = {"secret": secret, "lesson": lesson or secret, "parent": visible, "child": visible}
    return tuple(P(query, row, write, **{param: key}, **fill) for key, row in rows.items())


def lists(*queries, get: Row = ALL, write=NOBODY) -> tuple:
    return tuple(P(q, get, write) for q in queries)


API = {
    "api/v1/": lists(""),
    "api/v1/auth/token/": lists(
        "", get=POST_ONLY, write=ANYONE | {"anonymous"}
    ),  # answers a token to good credentials
    "api/v1/schema/": lists(""),
    "api/v1/artifacts/resemblance/": lists("", get=POST_ONLY, write=ANYONE),  # a read by POST
    "api/v1/artifacts/import/": lists("", get=POST_ONLY),
    "api/v1/artifacts/export/": lists(
        "",
        "?format=json",
        "?format=csv&q=Zanzibar",
        "?format=json&owner_team=cards",
        "?format=json&tag=zanzibar-tag",
    ),
    "api/v1/artifacts/<slug:slug>/prov/": per_artifact(RESTRICTED),
    "api/v1/jobs/<int:pk>/": (P("", OWN_JOB, pk="job"),),
    "api/v1/jobs/<int:pk>/download/": (P("", NONE_FOUND, pk="job"),),
    "api/v1/artifacts/<slug:slug>/deprecate/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/artifacts/<slug:slug>/archive/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/artifacts/<slug:slug>/restore/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/artifacts/<slug:slug>/policy/": per_artifact(
        NONE_FOUND, NONE_FOUND
    ),  # the World sets no policy
    "api/v1/artifacts/<slug:slug>/rights-check/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/artifacts/<slug:slug>/versions/": per_artifact(RESTRICTED),
    "api/v1/artifacts/<slug:slug>/lineage/": per_artifact(RESTRICTED),
    "api/v1/artifacts/<slug:slug>/correct-facts/": per_artifact(
        POST_ONLY, POST_ONLY
    ),  # legal's; needs a reason
    "api/v1/artifacts/<slug:slug>/submit/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/artifacts/<slug:slug>/publish/": per_artifact(POST_ONLY, POST_ONLY),
    "api/v1/outcomes/export.csv": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/artifacts/<slug:slug>/performance/": per_artifact(RESTRICTED),
    "api/v1/library/": lists("", "?metric=conversion_lift", "?kind=ai_model"),
    "api/v1/value/": lists(""),
    "api/v1/contributors/<int:pk>/credit/": (P("", pk="octavia"), P("", pk="barnaby")),
    "api/v1/teams/<slug:slug>/credit/": (P("", slug="cards"), P("", slug="retail")),
    "api/v1/audit-events/": lists("", "?object=secret-cards-model", get=LEGAL),
    "api/v1/artifacts/<slug:slug>/history/": per_artifact(RESTRICTED),
    "api/v1/artifacts/<slug:slug>/as-of/": per_artifact(RESTRICTED, query="?" + AT),
    "api/v1/artifacts/<slug:slug>/audit-pack/": per_artifact(RESTRICTED, PACK_RETAIL),
    "api/v1/contributors/<int:pk>/erase/": (P("", LEGAL_POST, pk="octavia"),),
    "api/v1/^teams/$": lists(""),
    "api/v1/^teams/(?P<slug>)/$": (P("", slug="cards"),),
    "api/v1/^contributors/$": lists("", "?q=Octavia", "?q=Pemberton", "?kind=customer"),
    "api/v1/^contributors/(?P<pk>)/$": (
        P("", pk="octavia", write=RECORDERS),
        P("", pk="barnaby", write=RECORDERS),
    ),
    "api/v1/^artifacts/$": lists(*ARTIFACT_QUERIES, "?reusable_by=cards"),
    "api/v1/^artifacts/(?P<slug>)/$": tuple(  # PATCH: the owner team's members and admins
        P("", RESTRICTED if key in ("secret", "lesson") else ALL, EDITORS[key], slug=key)
        for key in ("secret", "lesson", "parent", "child")
    ),
    "api/v1/^reuses/$": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/^metrics/$": lists(""),
    "api/v1/^metrics/(?P<code>)/$": (P("", code="metric", write={"admin"}),),
    "api/v1/^outcomes/$": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "api/v1/^outcomes/(?P<pk>)/$": (P("", RESTRICTED, pk="outcome"), P("", pk="visible_outcome")),
    "api/v1/^consents/$": lists("", get=LEGAL),
    "api/v1/^consents/(?P<pk>)/$": (
        P("", LEGAL, LEGAL_WRITE, pk="consent"),
        P("", LEGAL, LEGAL_WRITE, pk="visible_consent"),
    ),
    "api/v1/^consents/(?P<pk>)/end/$": (P("", LEGAL_POST, pk="consent"),),
    "api/v1/^consents/(?P<pk>)/evidence/$": (
        P("", LEGAL_FILE, pk="consent"),
        P("", LEGAL_FILE, pk="visible_consent"),
    ),
    "api/v1/^consents/(?P<pk>)/receipt/$": (
        P("", LEGAL, pk="consent"),
        P("", LEGAL, pk="visible_consent"),
    ),
    "api/v1/^consents/(?P<pk>)/withdraw/$": (P("", LEGAL_POST, pk="consent"),),
    "api/v1/^consents/(?P<pk>)/impact-reuses/$": (P("", LEGAL, pk="consent"),),
    "api/v1/^ip-assignments/$": lists("", get=LEGAL),
    "api/v1/^ip-assignments/(?P<pk>)/$": (P("", LEGAL, LEGAL_WRITE, pk="ip"),),
    "api/v1/^ip-assignments/(?P<pk>)/document/$": (P("", LEGAL_FILE, pk="ip"),),
    "api/v1/^reviews/$": lists("", "?artifact=secret-cards-model"),
    "api/v1/^reviews/(?P<pk>)/$": (P("", RESTRICTED, pk="review"),),
    "api/v1/^reviews/(?P<pk>)/decide/$": (P("", POST_ONLY, pk="review"),),
    "api/v1/^withdrawal-impacts/$": lists("", "?artifact=secret-cards-model", "?consent={consent}"),
    "api/v1/^withdrawal-impacts/(?P<pk>)/$": (P("", RESTRICTED, pk="impact"),),
    "api/v1/^withdrawal-impacts/(?P<pk>)/remediate/$": (P("", POST_ONLY, pk="impact"),),
}

WEB = {
    "healthz": lists(""),
    "accounts/login/": lists(
        "", write=ANYONE | {"anonymous"}
    ),  # an empty login form is re-shown (200)
    "accounts/logout/": lists("", get=POST_ONLY, write=ANYONE),
    "api/docs/": lists(""),
    "api/redoc/": lists(""),
    "": lists(""),
    "import/": lists("", get=WRITERS),
    "import/template.<str:fmt>": (P("", fmt="csv"), P("", fmt="json")),
    "export/": lists("", "?format=csv&q=Zanzibar", "?format=json&owner_team=cards", "?format=json"),
    "jobs/<int:pk>/": (P("", OWN_JOB, pk="job"),),
    "jobs/<int:pk>/download/": (P("", NONE_FOUND, pk="job"),),
    "artifacts/": lists(*ARTIFACT_QUERIES),
    "artifacts/new/": lists("", get=WRITERS),
    "artifacts/new/validate/": lists("", get=POST_ONLY),
    "lookup/contributors/": lists("?q=Octavia", "?q=Pemberton", "?q=Barnaby", "?q=customer"),
    "lookup/artifacts/": lists("?q=Zanzibar", "?q=secret", "?q=Visible"),
    "attachments/<int:pk>/download/": (P("", RESTRICTED, pk="attachment"),),
    "audit/": lists("", get=LEGAL),
    "artifacts/<slug:slug>/history/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/as-of/": per_artifact(RESTRICTED, query="?" + AT),
    "artifacts/<slug:slug>/audit-pack/": per_artifact(RESTRICTED, PACK_RETAIL),
    "artifacts/<slug:slug>/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/edit/": per_artifact(EDIT_SECRET, EDIT_RETAIL, lesson=EDIT_ARCHIVED),
    "artifacts/<slug:slug>/edit/validate/": per_artifact(POST_ONLY, POST_ONLY),
    "artifacts/<slug:slug>/versions/new/": per_artifact(
        EDIT_SECRET, EDIT_RETAIL, lesson=EDIT_ARCHIVED
    ),
    "artifacts/<slug:slug>/submit/": per_artifact(POST_ONLY, POST_ONLY),
    "artifacts/<slug:slug>/publish/": per_artifact(POST_ONLY, POST_ONLY),
    "lessons/": lists("", "?q=Zanzibar", "?team=cards", "?kind=ai_model"),
    "artifacts/new/resemblance/": lists(
        "?title=Zanzibar+restricted+scoring+model", "?title=Zanzibar+retired+lesson"
    ),
    "artifacts/<slug:slug>/deprecate/": per_artifact(MAINTAIN_SECRET, EDIT_RETAIL),
    "artifacts/<slug:slug>/archive/": per_artifact(MAINTAIN_SECRET, EDIT_RETAIL),
    "artifacts/<slug:slug>/restore/": per_artifact(RESTORE_SECRET, RESTORE_RETAIL),
    "artifacts/<slug:slug>/watch/": per_artifact(POST_ONLY, POST_ONLY),
    "notifications/digest/": lists("", get=POST_ONLY),
    "artifacts/<slug:slug>/policy/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/rights-check/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/eligibility/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/reuse/": per_artifact(RESTRICTED),
    "reuses/": lists("", "?artifact=secret-cards-model", "?team=cards"),
    "artifacts/<slug:slug>/performance/": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/performance/adoption.svg": per_artifact(RESTRICTED),
    "artifacts/<slug:slug>/performance/<slug:metric>.svg": per_artifact(
        RESTRICTED, metric="metric"
    ),
    "reuses/<int:pk>/outcome/": (
        P("", EDIT_SECRET, pk="reuse"),
        P("", EDIT_RETAIL, pk="visible_reuse"),
    ),
    "library/": lists("", "?metric=conversion_lift", "?kind=ai_model"),
    "library/<slug:metric>.svg": (P("", metric="metric"),),
    "contributors/<int:pk>/credit/": (P("", pk="octavia"), P("", pk="barnaby")),
    "teams/<slug:slug>/credit/": (P("", slug="cards"), P("", slug="retail")),
    "value/": lists(""),
    "legal/": lists("", get=LEGAL),
    "legal/reviews/<int:pk>/": (P("", LEGAL, pk="review"),),
    "legal/consents/": lists("", get=LEGAL),
    "legal/consents/new/": lists("", get=LEGAL),
    "legal/consents/<int:pk>/": (P("", LEGAL, pk="consent"), P("", LEGAL, pk="visible_consent")),
    "legal/consents/<int:pk>/evidence/upload/": (P("", POST_ONLY, pk="consent"),),
    "legal/consents/<int:pk>/withdraw/": (P("", POST_ONLY, pk="consent"),),
    "legal/consents/<int:pk>/impact/": (P("", LEGAL, pk="consent"),),
    "legal/consents/<int:pk>/evidence/": (P("", LEGAL_FILE, pk="consent"),),
    "legal/ip-gaps/": lists("", get=LEGAL),
    "legal/ip-assignments/new/": lists("", get=LEGAL),
    "consent-impacts/<int:pk>/": (
        P("", RESTRICTED, pk="impact"),
    ),  # the owner team is told what a withdrawal hits
    "inbox/": lists("", "?unread=1"),
    "inbox/<int:pk>/read/": (P("", POST_ONLY, pk="notification"),),
    "inbox/read-all/": lists("", get=POST_ONLY),
}

ROUTES = API | WEB
# Not part of the product's own surface: static files and Django's admin are left to Django.
UNCLASSIFIED_ALLOWED = ("admin/",)
