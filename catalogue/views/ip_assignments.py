"""Legal workspace: record an IP assignment for an artifact (legal and admins only)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from ..forms.ip import IPAssignmentForm
from ..services.ip import ip_assignment_attach_document, ip_assignment_create
from ..services.uploads import check_upload


def ip_assignment_create_view(request):
    """The form; the document is content-checked first, and row and document are saved together."""
    if not request.user.has_perm("catalogue.manage_consent"):
        raise PermissionDenied("Only legal and admins record IP assignments.")
    initial = {k: request.GET[k] for k in ("artifact", "assignor") if request.GET.get(k)}
    form = IPAssignmentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        document, document_type = data.pop("document"), data.pop("document_type")
        try:
            if document is not None:
                check_upload(document, document_type)
            with transaction.atomic():
                assignment = ip_assignment_create(acting_user=request.user, **data)
                if document is not None:
                    ip_assignment_attach_document(
                        acting_user=request.user,
                        assignment=assignment,
                        uploaded_file=document,
                        declared_type=document_type,
                    )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = {"file": "document", "declared_type": "document_type"}.get(field, field)
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(
                request, f"IP assignment {assignment.pk} recorded for '{assignment.artifact.slug}'."
            )
            return redirect("catalogue:artifact_detail", assignment.artifact.slug)
    return render(request, "catalogue/legal/ip_assignment_form.html", {"form": form})
