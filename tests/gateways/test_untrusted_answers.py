"""A gateway's answers are untrusted input: whatever `/v1/models` or `/team/info` sends, the
check and the plan record what they could tell, and nothing raises."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakevendor.server import FakeVendor
from gateways.adapter import GatewayAdapter, gateway_client
from gateways.choices import FindingKind
from gateways.services.checks import ProbePlan, probe_check

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
MODEL_LISTS = (
    st.fixed_dictionaries(
        {"data": st.lists(st.fixed_dictionaries({"id": JSON}) | JSON, max_size=4) | JSON}
    )
    | JSON
)
PLAN = ProbePlan(
    probe_id=1, unit_id=1, unit_name="Marketing", unit_slug="marketing", key_env="GATEWAY_FUZZ_KEY",
    allowed=frozenset({"drafts"}), deny=(),
)  # fmt: skip


@pytest.fixture(scope="module")
def fake():
    server = FakeVendor().start()
    yield server
    server.stop()


@given(body=MODEL_LISTS)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_model_list_gives_a_verdict_and_never_raises(fake, body):
    fake.answer("/gateway/v1/models", json.dumps(body).encode())
    with gateway_client(1) as client:
        adapter = GatewayAdapter(client, base_url=f"{fake.url}/gateway")
        adapter.api_key = "sk-team-marketing"

        verdict = probe_check(adapter, PLAN)

    if not verdict.listed:
        assert set(verdict.holds) == {(FindingKind.UNREACHABLE, "")}
    else:
        assert all(isinstance(name, str) and name for _, name in verdict.holds)


@given(body=JSON)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_team_info_is_read_or_refused_as_a_vendor_error(fake, body):
    fake.answer("/gateway/team/info", json.dumps({"team_info": body}).encode())
    with gateway_client(1) as client:
        adapter = GatewayAdapter(client, base_url=f"{fake.url}/gateway")
        adapter.api_key = "sk-admin"
        try:
            info = adapter.team_info("marketing")
        except Exception as error:  # noqa: BLE001 - only VendorError may come out
            assert type(error).__name__ == "VendorError"
        else:
            assert isinstance(info, dict)
