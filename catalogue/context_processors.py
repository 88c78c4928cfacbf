from django.urls import NoReverseMatch, reverse

from .permissions import is_admin, is_legal

# (label, url name, legal/admin only). Sections whose views are not installed are skipped.
NAV_SECTIONS = [
    ("Catalogue", "catalogue:artifact_list", False),
    ("Best practice", "catalogue:library", False),
    ("Lessons", "catalogue:lessons", False),
    ("Reuses", "catalogue:reuse_list", False),
    ("Legal", "catalogue:legal_queue", True),
    ("Audit", "catalogue:audit_events", True),
    ("Inbox", "catalogue:inbox", False),
]


def _sections(privileged: bool) -> list[dict]:
    sections = []
    for label, name, restricted in NAV_SECTIONS:
        if restricted and not privileged:
            continue
        try:
            sections.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return sections


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_is_legal": False, "nav_is_admin": False}
    privileged = is_legal(user) or is_admin(user)
    return {
        "nav_sections": _sections(privileged),
        "nav_is_legal": privileged,
        "nav_is_admin": is_admin(user),
    }
