"""Who hears about what: approvers of new requests, requesters of decisions, managers of expiry.

Email goes to Django's outbox; the webhook goes over real HTTP to a receiver on loopback.
"""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APPROVERS_GROUP
from catalog.choices import DataClassification
from catalog.models import Adoption, LifecycleNotice
from catalog.services.approvals import (
    adoption_renew,
    adoption_revoke,
    adoptions_notify_expiring,
    approval_request_approve,
    approval_request_create,
    approval_request_reject,
)
from catalog.services.notices import models_notify_lifecycle
from catalog.tasks.approvals import expire_adoptions
from catalog.tasks.notifications import notify_lifecycle
from core.choices import JobKind
from core.models import JobRun
from core.tasks import deliver_webhook
from modelshelf.celery import app as celery_app
from tests.catalog.api_support import adopt
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


class WebhookReceiver(ThreadingHTTPServer):
    """A Slack-compatible incoming webhook on 127.0.0.1 that records what it was sent."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.received: list[dict] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        self.server.received.append(json.loads(self.rfile.read(length)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(request, settings) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(status=getattr(request, "param", 200))
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_WEBHOOK_URL = receiver.url
    yield receiver
    receiver.shutdown()
    receiver.server_close()


@pytest.fixture
def model(db):
    return AIModelFactory(
        name="Gemini Flash", slug="gemini-flash", input_price_per_mtok=Decimal("0.100000")
    )


@pytest.fixture
def second_approver(approver):
    user = UserFactory(username="eve")
    user.groups.add(Group.objects.get(name=APPROVERS_GROUP))
    return user


def ask(member, model, unit):
    return approval_request_create(
        requester=member,
        model=model,
        unit=unit,
        use_case="Tag inbound leads",
        data_classification=DataClassification.INTERNAL,
        expected_monthly_input_tokens=10_000_000,
    )


def test_new_request_emails_every_approver_after_commit(
    member, approver, second_approver, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(member, model, unit)
    (mail,) = mailoutbox
    assert sorted(mail.to) == ["bob@example.com", "eve@example.com"]
    assert mail.subject == "[Modelshelf] New request: Gemini Flash for Marketing"
    assert f"Request #{request.pk} by alice" in mail.body
    assert "Use case: Tag inbound leads" in mail.body
    assert "Estimated monthly cost: $1.00" in mail.body


def test_nothing_is_sent_when_the_request_is_refused(
    outsider, approver, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        ask(outsider, model, unit)
    assert mailoutbox == []


def test_decisions_email_the_requester_with_the_comment(
    member, approver, unit, model, other_unit, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approval_request_approve(
            request=ask(member, model, unit), approver=approver, comment="Go ahead"
        )
    approval = mailoutbox[-1]
    assert approval.to == ["alice@example.com"]
    assert approval.subject == "[Modelshelf] Your request for Gemini Flash (Marketing) was approved"
    assert "bob approved your request" in approval.body
    assert "Comment: Go ahead" in approval.body
    assert "Marketing may use Gemini Flash until" in approval.body

    other_model = AIModelFactory(name="Other")
    with django_capture_on_commit_callbacks(execute=True):
        approval_request_reject(
            request=ask(member, other_model, unit), approver=approver, comment="Too big"
        )
    rejection = mailoutbox[-1]
    assert rejection.to == ["alice@example.com"]
    assert rejection.subject.endswith("was rejected")
    assert "Comment: Too big" in rejection.body


def test_webhook_receives_the_notification(
    member, approver, unit, model, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(member, model, unit)
    (message,) = webhook.received
    assert message["text"].startswith("*New request: Gemini Flash for Marketing*\n")


@pytest.mark.parametrize("webhook", [500], indirect=True)
def test_a_failing_webhook_leaves_the_decision_in_place(
    member, approver, unit, model, webhook, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    request = ask(member, model, unit)
    client = APIClient()
    client.force_authenticate(approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/approval-requests/{request.pk}/approve/", {"comment": "ok"}, format="json"
        )
    assert response.status_code == 200
    assert len(webhook.received) == 1  # it was tried, and answered 500
    assert "webhook failed for good" in caplog.text  # eager runs give up at once
    request.refresh_from_db()
    assert request.status == "approved"
    assert Adoption.objects.filter(approval=request, status="active").exists()
    assert mailoutbox[-1].to == ["alice@example.com"]  # email still went out


def _adopt(member, approver, model, unit, expires_in: timedelta) -> Adoption:
    adoption = approval_request_approve(
        request=ask(member, model, unit), approver=approver
    ).adoption
    Adoption.objects.filter(pk=adoption.pk).update(expires_at=timezone.now() + expires_in)
    return adoption


def test_managers_are_told_once_thirty_days_before_expiry(
    member, manager, approver, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    soon = _adopt(member, approver, model, unit, timedelta(days=20))
    _adopt(member, approver, AIModelFactory(name="Far"), unit, timedelta(days=200))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert adoptions_notify_expiring() == 1
        assert adoptions_notify_expiring() == 0
    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert mail.subject == "[Modelshelf] 1 approval(s) for Marketing expire soon"
    assert "Gemini Flash for Tag inbound leads" in mail.body
    assert f"(adoption #{soon.pk})" in mail.body
    assert "Far" not in mail.body

    # A renewal starts a new period, which gets its own notice when it nears its end.
    adoption_renew(adoption=soon, approver=approver)
    Adoption.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert adoptions_notify_expiring() == 1
    assert len(mailoutbox) == 2


def test_daily_job_expires_warns_and_records_its_run(
    member,
    manager,
    approver,
    unit,
    other_unit,
    model,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    lapsed = _adopt(member, approver, model, unit, timedelta(days=-1))
    _adopt(member, approver, AIModelFactory(name="Soon"), unit, timedelta(days=29))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        expire_adoptions.delay()
        expire_adoptions.delay()  # a duplicated run changes nothing twice
    lapsed.refresh_from_db()
    assert lapsed.status == "expired"
    assert [m.to for m in mailoutbox] == [["frank@example.com"]]
    runs = JobRun.objects.filter(kind=JobKind.EXPIRE_ADOPTIONS).order_by("id")
    assert [(r.changed, r.flagged, r.errors) for r in runs] == [(1, 1, []), (0, 0, [])]
    assert all(r.finished_at for r in runs)


@pytest.mark.parametrize("webhook", [500], indirect=True)
def test_a_failing_webhook_is_retried_by_the_worker_then_logged(webhook, caplog):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # as on a real worker
    try:
        with pytest.raises(Retry):
            deliver_webhook.apply(args=["hello"], throw=True)
        deliver_webhook.apply(args=["hello"], retries=deliver_webhook.max_retries, throw=True)
    finally:
        celery_app.conf.task_always_eager = eager
    assert len(webhook.received) == 2
    assert "webhook failed for good" in caplog.text


def test_revocation_tells_the_units_managers_but_not_the_one_who_revoked(
    member,
    manager,
    approver,
    catalog_admin,
    unit,
    model,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    adoption = _adopt(member, approver, model, unit, timedelta(days=100))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        adoption_revoke(adoption=adoption, user=catalog_admin)
    (mail,) = mailoutbox
    assert mail.to == ["frank@example.com"]
    assert mail.subject == "[Modelshelf] Gemini Flash revoked for Marketing"
    assert "carol revoked Marketing's use of Gemini Flash" in mail.body


def test_the_daily_job_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-adoptions"]
    assert celery_app.tasks[entry["task"]].name == expire_adoptions.name
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1  # daily


def _lifecycle_mails(mailoutbox, capture, day):
    before = len(mailoutbox)
    with capture(execute=True):
        models_notify_lifecycle(today=day)
    return mailoutbox[before:]


def test_managers_hear_of_a_deprecation_90_30_and_7_days_ahead_once_each(
    manager, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    model.deprecation_date = today + timedelta(days=95)
    model.successor = AIModelFactory(name="Gemini Flash 2")
    model.save()
    adopt(unit, model, expected_monthly_input_tokens=10_000_000)
    sent = {}
    for days_left in range(95, -3, -1):
        day = model.deprecation_date - timedelta(days=days_left)
        for _ in range(2):  # a rerun the same day sends nothing more
            for mail in _lifecycle_mails(mailoutbox, django_capture_on_commit_callbacks, day):
                sent[days_left] = mail
    assert sorted(sent, reverse=True) == [90, 30, 7]
    mail = sent[30]
    assert mail.to == ["frank@example.com"]
    assert mail.subject == "[Modelshelf] 1 end-of-life date(s) ahead for models Marketing uses"
    assert (
        f"- Gemini Flash (Drafting replies): deprecated on {model.deprecation_date:%Y-%m-%d} "
        "(in 30 days); successor: Gemini Flash 2; estimated monthly cost $1.00"
    ) in mail.body


def test_a_moved_date_is_announced_afresh_and_a_late_date_gets_only_its_threshold(
    manager, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    adopt(unit, model)
    model.retirement_date = today + timedelta(days=20)  # first seen inside 30 days
    model.save()
    (first,) = _lifecycle_mails(mailoutbox, django_capture_on_commit_callbacks, today)
    assert "retires on" in first.body and "(in 20 days): calls fail after that" in first.body
    assert _lifecycle_mails(mailoutbox, django_capture_on_commit_callbacks, today) == []
    model.retirement_date = today + timedelta(days=25)  # the vendor moved it
    model.save()
    (moved,) = _lifecycle_mails(mailoutbox, django_capture_on_commit_callbacks, today)
    assert "(in 25 days)" in moved.body
    assert list(
        LifecycleNotice.objects.order_by("id").values_list("kind", "days_before", "date")
    ) == [
        ("retirement", 30, today + timedelta(days=20)),
        ("retirement", 30, today + timedelta(days=25)),
    ]


def test_only_units_actively_using_the_model_hear_of_its_end(
    manager, unit, model, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    model.deprecation_date = today + timedelta(days=7)
    model.save()
    adopt(unit, model, status="revoked")
    assert _lifecycle_mails(mailoutbox, django_capture_on_commit_callbacks, today) == []
    assert not LifecycleNotice.objects.exists()


def test_the_lifecycle_job_records_its_run_and_is_on_the_beat_schedule(
    manager, unit, model, settings, mailoutbox, django_capture_on_commit_callbacks
):
    model.deprecation_date = timezone.localdate() + timedelta(days=30)
    model.retirement_date = timezone.localdate() + timedelta(days=90)
    model.save()
    adopt(unit, model)
    with django_capture_on_commit_callbacks(execute=True):
        notify_lifecycle.delay()
        notify_lifecycle.delay()
    (mail,) = mailoutbox
    assert "2 end-of-life date(s) ahead" in mail.subject  # both dates, one message
    runs = JobRun.objects.filter(kind=JobKind.NOTIFY_LIFECYCLE).order_by("id")
    assert [(r.checked, r.changed, r.errors) for r in runs] == [(2, 2, []), (2, 0, [])]
    assert all(r.finished_at for r in runs)
    entry = settings.CELERY_BEAT_SCHEDULE["notify-lifecycle"]
    assert celery_app.tasks[entry["task"]].name == notify_lifecycle.name


def test_catalog_admins_see_the_sent_lifecycle_notices_in_the_admin(client, manager, unit, model):
    model.retirement_date = timezone.localdate() + timedelta(days=7)
    model.save()
    adopt(unit, model)
    models_notify_lifecycle()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get("/admin/catalog/lifecyclenotice/").content.decode()
    assert "Gemini Flash" in page and "Retirement" in page
    assert client.get("/admin/catalog/lifecyclenotice/add/").status_code == 403
