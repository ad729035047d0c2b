"""`/notices/`: a user's in-app notices (decisions on their requests, findings for their units,
lifecycle and price news of their units' models), newest first; reading marks them read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.models import Notice

PAGE_SIZE = 25


def notice_list(request: HttpRequest) -> HttpResponse:
    """The user's notices, a page at a time; the unread ones marked as such (two queries)."""
    notices = Notice.objects.filter(recipient_id=request.user.pk)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notices.html", {"page": page})


@require_POST
def notices_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice (`notice`) or all of the user's notices read, then go back, or on to the
    notice's page (`next`, a path on this site)."""
    unread = Notice.objects.filter(recipient_id=request.user.pk, read_at__isnull=True)
    one = request.POST.get("notice", "")
    if one:
        unread = unread.filter(pk=int(one) if one.isdigit() and len(one) < 19 else 0)
    marked = unread.update(read_at=timezone.now())
    if not one:
        messages.success(request, f"{marked} notice{'s' if marked != 1 else ''} marked read.")
    onward = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(onward, {request.get_host()}, request.is_secure()):
        return redirect(onward)
    return redirect("core:notices")
