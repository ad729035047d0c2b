import copy
import os
import socket
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group

from accounts.models import APPROVERS_GROUP, CATALOG_ADMINS_GROUP, Membership
from tests.factories import BusinessUnitFactory, UserFactory

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379, "amqp": 5672}


def _reachable(url: str) -> bool:
    parts = urlparse(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", port), 3).close()
    except OSError:
        return False
    return True


def pytest_sessionstart(session: pytest.Session) -> None:
    """Servers named in the environment must answer: CI fails rather than silently skipping."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "")
        if "://" in url and urlparse(url).hostname and not _reachable(url):
            pytest.exit(f"{name}={url} is set but the server does not answer", returncode=1)


# Tests that run a real Celery worker share the broker's queue and time a worker's kill and
# redelivery: `make test` runs them on their own after the parallel run of everything else.
REAL_WORKER_MODULES = {"test_worker_jobs.py", "test_worker_runs.py", "test_shared_slots.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in REAL_WORKER_MODULES:
            item.add_marker(pytest.mark.real_worker)


@pytest.fixture(autouse=True)
def fresh_list_counts():
    """Each test's database is rolled back, but the shared cache is not, and commit hooks never
    run inside a test's transaction: a new generation keeps counts cached by other tests out."""
    from catalog.counts import _bump

    _bump()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~1 s a user at test scale; hashing strength is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unit(db):
    return BusinessUnitFactory(slug="marketing", name="Marketing")


@pytest.fixture
def other_unit(db):
    return BusinessUnitFactory(slug="engineering", name="Engineering")


@pytest.fixture
def member(unit):
    user = UserFactory(username="alice")
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def manager(unit):
    user = UserFactory(username="frank")
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="victor")


@pytest.fixture
def approver(db):
    user = UserFactory(username="bob")
    user.groups.add(Group.objects.get_or_create(name=APPROVERS_GROUP)[0])
    return user


@pytest.fixture
def catalog_admin(db):
    user = UserFactory(username="carol")
    user.groups.add(Group.objects.get_or_create(name=CATALOG_ADMINS_GROUP)[0])
    return user


@pytest.fixture(scope="session")
def oidc_provider():
    """One real OpenID provider process (manage.py oidc_provider) for the whole run."""
    from tests.oidc import running_provider

    with running_provider() as provider:
        yield provider


@pytest.fixture
def sso(settings, oidc_provider):
    """Single sign-on switched on against the test provider, with the demo's group names."""
    from tests.oidc import CLIENT_ID

    settings.OIDC_ISSUER = oidc_provider.url
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "test-secret"
    settings.OIDC_APPROVER_GROUPS = ["approvers"]
    settings.OIDC_CATALOG_ADMIN_GROUPS = ["catalog-admins"]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)  # as settings.py does for an issuer
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.url)
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_provider
