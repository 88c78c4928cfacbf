from django.urls import NoReverseMatch, reverse

from .permissions import is_admin, is_contributor, is_legal

# (label, url name, who sees it: "all", "writers" (contributors, admins) or "legal" (legal,
# admins)). Sections whose views are not installed are skipped.
NAV_SECTIONS = [
    ("Catalogue", "catalogue:artifact_list", "all"),
    ("Best practice", "catalogue:library", "all"),
    ("Lessons", "catalogue:lessons", "all"),
    ("Reuses", "catalogue:reuse_list", "all"),
    ("Value", "catalogue:value_summary", "all"),
    ("Import", "catalogue:bulk_import", "writers"),
    ("Legal", "catalogue:legal_queue", "legal"),
    ("Audit", "catalogue:audit_events", "legal"),
    ("Inbox", "catalogue:inbox", "all"),
]


def _sections(audiences: set[str]) -> list[dict]:
    sections = []
    for label, name, audience in NAV_SECTIONS:
        if audience not in audiences:
            continue
        try:
            sections.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return sections


UNREAD_CAP = 100  # the badge says "99+" beyond this, so the count never scans a huge inbox


class UnreadCount:
    """The user's unread notifications for the nav badge (loaded with the user by the session
    backend; otherwise counted once, only if a template shows it, on the `inbox` index)."""

    def __init__(self, user):
        self.user, self.value = user, None

    def __call__(self) -> str:
        if self.value is None:
            from .models import Notification

            # Usually loaded with the user (auth_backends.with_roles); counted here otherwise.
            count = getattr(self.user, "loaded_unread", None)
            if count is None:
                count = (
                    Notification.objects.filter(recipient=self.user, read_at__isnull=True)
                    .order_by()[:UNREAD_CAP]
                    .count()
                )
            self.value = "" if count == 0 else ("99+" if count >= UNREAD_CAP else str(count))
        return self.value


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_is_legal": False, "nav_is_admin": False, "nav_unread": ""}
    privileged = is_legal(user) or is_admin(user)
    audiences = {"all"}
    if privileged:
        audiences.add("legal")
    if is_admin(user) or is_contributor(user):
        audiences.add("writers")
    return {
        "nav_sections": _sections(audiences),
        "nav_is_legal": privileged,
        "nav_is_admin": is_admin(user),
        "nav_unread": UnreadCount(user),
    }
