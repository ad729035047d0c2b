"""The in-app notice list (issue 28): what is e-mailed is also on the recipient's list, the bell
counts the unread ones in the bar's own query, and reading marks them read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import RequestStatus
from catalog.services.approvals import approval_request_approve
from core.models import Notice
from core.notify import notify
from tests.catalog.test_services_approvals import ask
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def _bar(html: str) -> str:
    return html[html.index('aria-label="Main"') : html.index("</nav>")]


def test_a_decision_puts_a_notice_on_the_requesters_list_linking_the_request(
    approver, member, unit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # one transaction's notices
        request = ask(member, AIModelFactory(name="Codestral"), unit)
        approval_request_approve(request=request, approver=approver, comment="Fine")
    notice = Notice.objects.get(recipient=member)
    assert "Codestral" in notice.subject and RequestStatus.APPROVED in notice.subject
    assert notice.url == f"/requests/{request.pk}/" and notice.read_at is None


def test_the_bell_counts_unread_notices_without_a_query_of_its_own(client, member, unit):
    Notice.objects.bulk_create(
        [Notice(recipient=member, subject=f"News {n}") for n in range(3)]
        + [Notice(recipient=member, subject="Old news", read_at="2026-01-01T00:00Z")]
    )
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accounts/profile/").content.decode()
    assert 'Notices <span class="count" data-unread-count>3</span>' in _bar(html)
    assert not [q for q in queries if "core_notice" in q["sql"] and "auth_group" not in q["sql"]]


def test_no_count_shows_when_everything_is_read(client, member, unit):
    client.force_login(member)
    assert "data-unread-count" not in _bar(client.get("/accounts/profile/").content.decode())


def test_the_notices_page_lists_only_mine_and_marks_one_or_all_read(
    client, member, manager, unit, django_assert_max_num_queries
):
    mine = Notice.objects.create(recipient=member, subject="Your request was approved", url="/")
    Notice.objects.create(recipient=member, subject="A finding for Marketing")
    Notice.objects.create(recipient=manager, subject="Frank's own notice")
    client.force_login(member)
    with django_assert_max_num_queries(8):
        page = client.get("/notices/").content.decode()
    assert "Your request was approved" in page and "Frank&#x27;s own notice" not in page
    assert "Mark all as read" in page

    client.post("/notices/read/", {"notice": str(mine.pk), "next": "/notices/"})
    assert Notice.objects.get(pk=mine.pk).read_at is not None
    assert Notice.objects.filter(recipient=member, read_at__isnull=True).count() == 1
    client.post("/notices/read/", {"notice": "99999999999999999999"})  # junk: nothing, no 500
    client.post("/notices/read/")
    assert not Notice.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert Notice.objects.get(recipient=manager).read_at is None  # someone else's stays


def test_notify_records_one_notice_per_user_after_commit(
    member, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[member, manager, member], subject="Hello", body="b", url="/x/")
    assert sorted(Notice.objects.values_list("recipient__username", flat=True)) == sorted(
        [member.username, manager.username]
    )


def test_a_transaction_that_tells_many_people_writes_their_notices_in_one_insert(
    member, manager, approver, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            for user in (member, manager, approver):
                notify(recipients=[user], subject=f"For {user.username}", body="")
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "core_notice"')]
    assert len(inserts) == 1 and Notice.objects.count() == 3
