"""The in-app inbox: a user's notifications, newest first, with unread count and mark-read."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..models import Notification

PAGE = 50


def inbox_view(request):
    """Keyset-paginated (`before` = id) so a long history never counts or offsets."""
    qs = (
        Notification.objects.filter(recipient=request.user)
        .select_related("artifact")
        .order_by("-id")
    )
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(id__lt=int(before))
    rows = list(qs[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(
        request,
        "catalogue/inbox.html",
        {
            "notifications": rows,
            "unread": unread,
            "only_unread": request.GET.get("unread") == "1",
            "next_before": rows[-1].pk if more else None,
        },
    )


@require_POST
def inbox_mark_read_view(request, pk: int):
    # Reading one's own notification is not a domain change: no audit event, no service.
    Notification.objects.filter(pk=pk, recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if request.htmx:
        note = (
            Notification.objects.filter(pk=pk, recipient=request.user)
            .select_related("artifact")
            .first()
        )
        return render(request, "catalogue/partials/inbox_item.html", {"note": note})
    return redirect(request.POST.get("next") or "catalogue:inbox")


@require_POST
def inbox_mark_all_read_view(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("catalogue:inbox")
