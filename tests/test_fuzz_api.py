"""schemathesis against our own OpenAPI schema, in-process through the WSGI app: every operation,
as each persona, positive and negative examples, then the stateful phase that follows the
schema's links (a created request to its decisions, an adoption to revoke and renew).

Every built-in check runs: no server error, documented status codes, content types, headers and
bodies, negative data rejected, positive data accepted, auth not ignored, no use after free.
`make test` runs a few examples per operation; `make fuzz` sets FUZZ_EXAMPLES=100.
"""

import os
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from accounts.models import APPROVERS_GROUP, CATALOG_ADMINS_GROUP, Membership
from catalog.choices import DataClassification, PriceSource
from catalog.models import AvailabilityCheck, PriceObservation
from catalog.services.approvals import approval_request_approve, approval_request_create
from core.choices import JobKind
from core.models import JobRun
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory
from tests.openapi_support import keep_test_connection, wsgi_schema  # noqa: F401 - fixture

load_all_checks()
# All of schemathesis' checks but the response-time limit: speed goals live in `make bench`.
CHECKS = [check for check in REGISTRY.get_all() if check.__name__ != "max_response_time"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
ROLES = {
    "victor": None,  # an employee in no unit
    "alice": "member",
    "frank": "manager",
    "bob": "approver",
    "carol": "catalog admin",
}
RUN: Counter[tuple[str, str]] = Counter()  # examples run per (operation, role)
FAILED: Counter[str] = Counter()  # failing examples per role

# A schema says which requests are well formed, not which slugs or ids exist: where a body,
# filter or query names other objects (a vendor, a model, a unit, evaluations) or credentials,
# a well-formed call that names unknown ones is a 400 that says which, and that is the contract.
# Likewise a vendor's URLs: Django holds them to http(s)/ftp(s) with a real host, stricter than
# OpenAPI's `format: uri` can say (`catalog:model_detail` is a URI, not a web address). And an
# eval case's regex or JSON schema must compile, which no schema can say of a string, and a
# new usage source's or gateway's name must not be taken, nor a key variable's name break
# KEY_ENV_PATTERN. A finding's filters name a unit; resolving needs a
# reason that says something (not blanks) and answers 409 once resolved (issue 28).
NAMES_OTHER_OBJECTS = [
    "GET /api/v1/usage-findings/",
    "POST /api/v1/usage-findings/{id}/acknowledge/",
    "POST /api/v1/usage-findings/{id}/resolve/",
    "PATCH /api/v1/vendors/{slug}/",
    "GET /api/v1/models/",
    "GET /api/v1/approval-requests/",
    "GET /api/v1/adoptions/",
    "GET /api/v1/job-runs/",
    "POST /api/v1/models/",
    "PATCH /api/v1/models/{slug}/",
    "POST /api/v1/approval-requests/",
    "GET /api/v1/recommendations/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/eval-suites/",
    "POST /api/v1/eval-suites/{slug}/runs/",
    "POST /api/v1/usage-accounts/",
    "POST /api/v1/usage-sources/",
    "POST /api/v1/gateways/",
    "PATCH /api/v1/gateways/{id}/",
    "POST /api/v1/gateway-probes/",
    "GET /api/v1/gateway-findings/",
]
ACCEPTS_UNKNOWN_NAMES = {
    "operations": [
        {
            "include-name": NAMES_OTHER_OBJECTS,
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                }
            },
        }
    ]
}
schema = wsgi_schema(SchemathesisConfig.from_dict(ACCEPTS_UNKNOWN_NAMES))
# The coverage phase (every boundary of every parameter, up to ~800 calls an operation) is
# most of the run: `make test` gives it to the roles that reach the most code, the member and
# the catalog admin; the others get the examples and fuzzing phases. `make fuzz` gives it to all.
WITHOUT_COVERAGE = {**ACCEPTS_UNKNOWN_NAMES, "phases": {"coverage": {"enabled": False}}}
quick_schema = wsgi_schema(SchemathesisConfig.from_dict(WITHOUT_COVERAGE))
BOUNDARY_ROLES = list(ROLES) if EXAMPLES > 2 else ["alice", "carol"]


@pytest.fixture
def tokens(db) -> dict[str, str]:
    """The personas, and a catalog with every shape the API answers: a pending request (nobody
    decided it), an adoption, a run with no single vendor, a ledger, availability checks."""
    unit = BusinessUnitFactory(slug="marketing")
    users = {name: UserFactory(username=name) for name in ROLES}
    Membership.objects.create(user=users["alice"], unit=unit, role="member")
    Membership.objects.create(user=users["frank"], unit=unit, role="manager")
    users["bob"].groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    users["carol"].groups.add(Group.objects.get_or_create(name=CATALOG_ADMINS_GROUP)[0])
    model = AIModelFactory(slug="gpt-4o", specialties=["chat"], output_modalities=["text", "code"])
    other = AIModelFactory(slug="claude", vendor=model.vendor)
    now = timezone.now()
    PriceObservation.objects.create(
        model=model,
        observed_at=now - timedelta(days=3),
        input_price_per_mtok=Decimal("2.500000"),
        output_price_per_mtok=Decimal("10.000000"),
        source=PriceSource.MANUAL,
    )
    AvailabilityCheck.objects.create(model=model, checked_at=now, status="up", latency_ms=120)
    JobRun.objects.create(kind=JobKind.CHECK_AVAILABILITY, started_at=now, finished_at=now)
    JobRun.objects.create(kind=JobKind.SYNC_PRICES, vendor=model.vendor, started_at=now)
    fields = {"use_case": "Drafting replies", "data_classification": DataClassification.INTERNAL}
    approval_request_create(requester=users["alice"], model=other, unit=unit, **fields)
    approved = approval_request_create(requester=users["alice"], model=model, unit=unit, **fields)
    approval_request_approve(request=approved, approver=users["bob"])
    return {name: Token.objects.create(user=user).key for name, user in users.items()}


pytestmark = pytest.mark.usefixtures("keep_test_connection")


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from accounts.throttling import OneTripThrottle

    for throttle in (SimpleRateThrottle, OneTripThrottle):
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary(request):
    """Lines for `make fuzz`: per role, how much of the API was exercised and what failed."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if not (reporter and capture and RUN):
        return
    with capture.global_and_fixture_disabled():
        reporter.write("\n")
        for role in ROLES:
            mine = {op: n for (op, r), n in RUN.items() if r == role}
            if mine:
                reporter.write_line(
                    f"fuzz {role}: {len(mine)} operations, {sum(mine.values())} examples "
                    f"({min(mine.values())}–{max(mine.values())} per operation), "
                    f"{FAILED[role]} failures"
                )


def _validate(case, role: str, token: str) -> None:
    RUN[case.operation.label, role] += 1
    try:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
    except BaseException:  # schemathesis' FailureGroup is an exception group
        FAILED[role] += 1
        raise


def _contract_test(operations: Any, roles: list[str]) -> Callable[..., None]:
    @pytest.mark.parametrize("role", roles)
    @operations.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    def test(case, role, tokens, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            _validate(case, role, tokens[role])

    return test


test_api_never_fails_and_keeps_its_contract = _contract_test(schema, BOUNDARY_ROLES)
test_api_never_fails_and_keeps_its_contract_for_the_other_roles = _contract_test(
    quick_schema, [role for role in ROLES if role not in BOUNDARY_ROLES]
)


@pytest.mark.parametrize("role", ROLES)
def test_workflows_along_the_schema_links_keep_the_contract(
    role, tokens, django_capture_on_commit_callbacks
):
    base = schema.as_state_machine()

    class Workflow(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {tokens[role]}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            RUN[case.operation.label, role] += 1
            try:
                case.validate_response(
                    response, checks=CHECKS, headers=kwargs["headers"], transport_kwargs=kwargs
                )
            except BaseException:
                FAILED[role] += 1
                raise

    with django_capture_on_commit_callbacks(execute=False):
        Workflow.run(
            settings=hypothesis.settings(
                max_examples=max(EXAMPLES, 5),
                stateful_step_count=6,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.generate],
            )
        )
