"""The trust boundary's outbound client, against real listeners on loopback: what a stored URL
may reach, what a call carries across a redirect, and how much of an answer is read.

127.0.0.1 is the test suite's allowed host (tests/testenv.py); 127.0.0.2 is not, and plays
the attacker's listener.
"""

import gzip

import httpx
import pytest
from django.core.management import CommandError, call_command

from catalog.choices import ApiKind
from core.choices import JobKind
from core.http import (
    VendorAdapter,
    VendorError,
    outbound_client,
    validate_key_env,
    validate_outbound_url,
)
from core.models import JobRun
from core.outbound import AddressPolicy, OutboundRefused, policy_client
from core.tasks import deliver_webhook
from tests.catalog.api_support import token_client
from tests.factories import VendorFactory
from tests.listeners import listening, redirecting_to
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageSource
from usage.services.ingest import usage_ingest

KEY_ENV = "MODELSHELF_TRUST_TEST_KEY"
KEY = "sk-trust-boundary-0123456789abcdef"


@pytest.fixture
def openai(db):
    return VendorFactory(
        slug="openai", name="OpenAI", api_kind=ApiKind.OPENAI,
        api_base_url="https://api.openai.com/v1", api_key_env="OPENAI_API_KEY",
    )  # fmt: skip


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY


def client_with(resolve, *allowed: str, max_bytes: int = 10_000) -> httpx.Client:
    return policy_client(
        policy=AddressPolicy(allowed_hosts=allowed, resolve=resolve),
        max_bytes=max_bytes,
        timeout=5,
        limits=httpx.Limits(),
        verify=True,
    )


class AnthropicStyle(VendorAdapter):
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key, "anthropic-version": "2023-06-01"}


class BearerStyle(VendorAdapter):
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


# Saving: the API and the admin answer 400 naming the field.


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.2:8080",
        "http://10.0.0.7/v1",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8000",
        "http://[::ffff:127.0.0.2]/",
        "http://192.168.1.1/",
        "http://0.0.0.0:5432/",
        "ftp://api.example.com/v1",
    ],
)
def test_a_usage_source_pointing_inside_the_network_is_refused_naming_base_url(
    catalog_admin, base_url
):
    response = token_client(catalog_admin).post(
        "/api/v1/usage-sources/",
        {"name": "Leaky", "kind": "litellm", "base_url": base_url, "key_env": "LITELLM_API_KEY"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["base_url"]
    assert not UsageSource.objects.exists()


@pytest.mark.parametrize(
    "key_env", ["SECRET_KEY", "DATABASE_URL", "OIDC_CLIENT_SECRET", "EMAIL_URL", "sk-123"]
)
def test_a_key_variable_naming_a_server_secret_is_refused_naming_key_env(catalog_admin, key_env):
    response = token_client(catalog_admin).post(
        "/api/v1/usage-sources/",
        {"name": "Leaky", "kind": "litellm", "base_url": "https://proxy.example.com",
         "key_env": key_env},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["key_env"]


def test_a_vendor_patched_to_the_metadata_address_or_a_server_secret_is_refused(
    catalog_admin, openai
):
    api = token_client(catalog_admin)
    for field, value in [
        ("api_base_url", "http://169.254.169.254/v1"),
        ("status_page_url", "http://127.0.0.2/"),
        ("price_source_url", "http://[fe80::1]/prices.json"),
        ("api_key_env", "SECRET_KEY"),
    ]:
        response = api.patch(
            "/api/v1/vendors/openai/", {field: value}, content_type="application/json"
        )
        assert response.status_code == 400, (field, response.content)
        assert list(response.json()) == [field]
    openai.refresh_from_db()
    assert openai.api_base_url == "https://api.openai.com/v1"
    assert openai.api_key_env == "OPENAI_API_KEY"


def test_the_admin_refuses_the_same_urls_and_key_names_on_the_field(client, openai):
    from django.contrib.auth import get_user_model

    from tests.catalog.admin_support import edit_in_admin

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    response = edit_in_admin(
        client, root, openai, api_base_url="http://169.254.169.254/v1", api_key_env="SECRET_KEY"
    )
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"api_base_url", "api_key_env"}
    openai.refresh_from_db()
    assert openai.api_base_url == "https://api.openai.com/v1"


def test_the_usage_source_admin_refuses_a_private_base_url(client, db):
    from django.contrib.auth import get_user_model

    from tests.catalog.admin_support import edit_in_admin

    source = UsageSource.objects.create(
        name="Proxy", kind=SourceKind.LITELLM, base_url="https://proxy.example.com",
        key_env="LITELLM_API_KEY",
    )  # fmt: skip
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    response = edit_in_admin(client, root, source, base_url="http://10.1.2.3/", key_env="PGPASS")
    assert set(response.context["adminform"].form.errors) == {"base_url", "key_env"}


def test_credentials_inside_a_stored_url_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="user name or password"):
        validate_outbound_url("https://user:hunter2@api.example.com/v1")


def test_every_variable_the_settings_read_is_refused_as_a_key_name():
    from django.core.exceptions import ValidationError

    from modelshelf import env

    read_keys = sorted(name for name in env.READ if name.endswith("_KEY"))
    assert "SECRET_KEY" in read_keys
    for name in [*read_keys, "AWS_SECRET_ACCESS_KEY", "DJANGO_SECRET_KEY"]:
        with pytest.raises(ValidationError):
            validate_key_env(name)
    validate_key_env("OPENAI_API_KEY")  # a vendor's key is what the field is for


# Calling: the connect-time check, whatever was saved.


def test_a_source_saved_before_the_check_sends_nothing_to_a_private_listener(
    db, unit, key, monkeypatch
):
    with listening("127.0.0.2") as listener:
        source = UsageSource.objects.create(
            name="Old", kind=SourceKind.LITELLM, base_url=listener.url, key_env=KEY_ENV
        )
        UsageAccount.objects.create(source=source, external_id="team-x", unit=unit)
        usage_ingest()
    assert listener.seen == []
    run = JobRun.objects.get(kind=JobKind.INGEST_USAGE)
    assert run.finished_at is not None
    assert run.errors[0]["permanent"] is True
    assert "loopback" in run.errors[0]["error"] and KEY not in str(run.errors)


@pytest.mark.parametrize("adapter", [AnthropicStyle, BearerStyle], ids=["x-api-key", "bearer"])
def test_a_redirect_to_another_origin_never_carries_the_key(key, settings, adapter):
    # Both hosts allowed: only the redirect rule stands between the key and the listener.
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "127.0.0.2"]
    with listening("127.0.0.2") as listener, redirecting_to(listener.url) as redirector:
        with outbound_client(timeout=5) as client:
            vendor = adapter(client, base_url=f"{redirector.url}/v1", api_key_env=KEY_ENV)
            with pytest.raises(VendorError, match="another origin") as refused:
                vendor.get_json(f"{vendor.base_url}/models")
    assert redirector.seen and listener.seen == []
    assert refused.value.permanent and KEY not in str(refused.value)


def test_an_anthropic_usage_source_whose_base_url_redirects_leaks_nothing(db, unit, key, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "127.0.0.2"]
    with listening("127.0.0.2") as listener, redirecting_to(listener.url) as redirector:
        source = UsageSource.objects.create(
            name="Anthropic org", kind=SourceKind.ANTHROPIC, base_url=f"{redirector.url}/v1",
            key_env=KEY_ENV,
        )  # fmt: skip
        UsageAccount.objects.create(source=source, external_id="wrkspc_x", unit=unit)
        usage_ingest()
    assert redirector.seen and KEY in redirector.all_text()  # it was the named host
    assert listener.seen == []
    assert "another origin" in JobRun.objects.get().errors[0]["error"]


def test_a_redirect_within_the_same_origin_is_followed_with_the_key(key):
    with listening("127.0.0.1") as vendor:
        vendor.body = b'{"data": []}'
        vendor.redirects = {"/v1/models": f"{vendor.url}/v2/models"}
        with outbound_client(timeout=5) as client:
            vendor_api = AnthropicStyle(client, base_url=f"{vendor.url}/v1", api_key_env=KEY_ENV)
            assert vendor_api.get_json(f"{vendor_api.base_url}/models")[0] == {"data": []}
    assert [seen.path for seen in vendor.seen] == ["/v1/models", "/v2/models"]
    assert vendor.seen[1].headers["x-api-key"] == KEY


def test_a_call_without_a_key_may_follow_a_redirect_to_another_allowed_origin(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "127.0.0.2"]
    with listening("127.0.0.2") as status_page, redirecting_to(status_page.url) as mover:
        with outbound_client(timeout=5) as client:
            assert client.get(f"{mover.url}/api/v2/summary.json").json() == {}
    assert [seen.path for seen in status_page.seen] == ["/api/v2/summary.json"]


def test_a_dns_answer_that_turns_private_after_saving_is_refused_at_connect(key):
    answers = iter([["93.184.216.34"], ["127.0.0.2"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    policy_at_save = AddressPolicy(allowed_hosts=[], resolve=rebinding)
    assert policy_at_save.addresses("vendor.example", 80) == ["93.184.216.34"]
    with listening("127.0.0.2") as listener:
        port = int(listener.url.rsplit(":", 1)[1])
        with client_with(rebinding) as client, pytest.raises(OutboundRefused, match="loopback"):
            client.get(f"http://vendor.example:{port}/", headers={"x-api-key": KEY})
    assert listener.seen == []


def test_each_host_is_resolved_once_per_client_and_the_vetted_address_is_the_one_called():
    calls = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        # A rebinding resolver: the second answer would be the attacker's listener.
        return ["127.0.0.1"] if len(calls) == 1 else ["127.0.0.2"]

    with listening("127.0.0.1") as vendor, listening("127.0.0.2") as attacker:
        port = int(vendor.url.rsplit(":", 1)[1])
        with client_with(resolve, "vendor.test") as client:
            for _ in range(3):
                client.get(f"http://vendor.test:{port}/models")
    assert calls == ["vendor.test"]
    assert len(vendor.seen) == 3 and attacker.seen == []
    assert vendor.seen[0].headers["Host"] == f"vendor.test:{port}"


# Answers: capped, and never a crash.


def test_an_answer_over_the_cap_is_a_recorded_problem_not_a_full_memory(settings):
    settings.OUTBOUND_MAX_BYTES = 1000
    with listening("127.0.0.1") as vendor:
        vendor.body = b'{"data": "' + b"x" * 5000 + b'"}'  # no Content-Length: streamed
        with outbound_client(timeout=5) as client:
            adapter = VendorAdapter(client, base_url=vendor.url)
            with pytest.raises(VendorError, match="over 1000 bytes") as refused:
                adapter.get_json(f"{vendor.url}/models")
            assert refused.value.permanent
            vendor.headers = {"Content-Length": "999999999"}
            with pytest.raises(VendorError, match="over 1000 bytes"):
                adapter.get_json(f"{vendor.url}/models")
            vendor.headers, vendor.body = {}, b'{"data": []}'
            assert adapter.get_json(f"{vendor.url}/models")[0] == {"data": []}


def test_a_compressed_answer_is_refused_since_it_could_expand_past_the_cap():
    with listening("127.0.0.1") as vendor:
        vendor.headers = {"Content-Encoding": "gzip"}
        vendor.body = gzip.compress(b"{}" + b" " * 100_000)
        with outbound_client(timeout=5) as client:
            with pytest.raises(VendorError, match="compressed"):
                VendorAdapter(client, base_url=vendor.url).get_json(f"{vendor.url}/x")
        assert vendor.seen[0].headers["Accept-Encoding"] == "identity"


# The other callers of stored or configured URLs.


def test_the_notification_webhook_goes_through_the_same_policy(settings, caplog):
    with listening("127.0.0.2") as listener:
        settings.NOTIFY_WEBHOOK_URL = f"{listener.url}/hooks/T000/B000/secret-token"
        deliver_webhook.apply(args=["hello"], retries=deliver_webhook.max_retries, throw=True)
    assert listener.seen == []
    assert "webhook failed for good" in caplog.text and "secret-token" not in caplog.text


def test_import_models_from_a_url_refuses_a_private_address():
    with listening("127.0.0.2") as listener:
        with pytest.raises(CommandError, match="loopback"):
            call_command("import_models", "--url", f"{listener.url}/cost-map.json")
    assert listener.seen == []


def test_a_legacy_row_naming_the_servers_secret_key_calls_nobody(db, unit, monkeypatch):
    """The issue's case, saved before the names were checked: key_env SECRET_KEY, and a host
    the policy allows. Nothing is sent; the run says why."""
    monkeypatch.setenv("SECRET_KEY", "django-secret-value-0123456789")
    with listening("127.0.0.1") as listener:
        source = UsageSource.objects.create(
            name="Legacy", kind=SourceKind.LITELLM, base_url=listener.url, key_env="SECRET_KEY"
        )
        UsageAccount.objects.create(source=source, external_id="team-x", unit=unit)
        usage_ingest()
    assert listener.seen == []
    (error,) = JobRun.objects.get().errors
    assert "key variable 'SECRET_KEY' refused" in error["error"] and error["permanent"] is True
