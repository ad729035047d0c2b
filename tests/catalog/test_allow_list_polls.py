"""A gateway's poll is answered before the stack (`catalog.api.polls`) exactly as the stack
answers it: same status, same headers, same body, same throttle; anything else is the stack's."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from catalog.api.allow_list import PollAuthentication
from catalog.api.units import BusinessUnitViewSet
from tests.catalog.api_support import adopt
from tests.factories import AIModelFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the poll's rider is PostgreSQL's"
    ),
]

POLLS = "catalog.api.polls.AllowListPollMiddleware"
URL = "/api/v1/business-units/marketing/models/"


@pytest.fixture
def tokens(unit, outsider):
    """An active employee's token and an inactive one's, over a unit with two adoptions."""
    adopt(unit, AIModelFactory(slug="mini", name="Mini"))
    adopt(unit, AIModelFactory(slug="big", name="Big"), alias="writer")
    gone = UserFactory(username="gone", is_active=False)
    return Token.objects.create(user=outsider).key, Token.objects.create(user=gone).key


@pytest.fixture
def stack():
    """A client whose requests never meet the poll's middleware: the view's own answers."""
    without = [name for name in settings.MIDDLEWARE if name != POLLS]
    assert len(without) == len(settings.MIDDLEWARE) - 1
    with override_settings(MIDDLEWARE=without):
        client = Client()
        client.get("/healthz")  # its handler loads the middleware now, without the poll's
    return client


def answer(response) -> tuple[int, object, bytes]:
    if response.get("Content-Type", "").startswith("text/html"):
        # The browsable API (never the poll's): a fresh CSRF token, so other bytes, each time.
        return response.status_code, sorted(response.headers), b""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, dict(response.headers), body


def etags(key: str) -> dict[str, str]:
    """The JSON, LiteLLM and no-slash ETags of the allow-list, as first answers give them."""
    auth = {"Authorization": f"Token {key}"}
    client = Client()
    return {
        "json": client.get(URL, headers=auth)["ETag"],
        "litellm": client.get(f"{URL}?format=litellm", headers=auth)["ETag"],
        "bare": client.get(URL.rstrip("/"), headers=auth)["ETag"],
    }


@pytest.mark.parametrize(
    "query", ["", "?format=litellm", "?format=litellm-team&team_id=ops", "?page_size=1"]
)
def test_an_unchanged_allow_list_is_answered_without_the_view(
    tokens, query, django_assert_num_queries
):
    key, _ = tokens
    auth = {"Authorization": f"Token {key}"}
    headers = {**auth, "If-None-Match": Client().get(URL + query, headers=auth)["ETag"]}
    with (
        mock.patch.object(BusinessUnitViewSet, "initial", side_effect=AssertionError("the view")),
        django_assert_num_queries(1),  # the token, the unit and the fingerprint
    ):
        polled = Client().get(URL + query, headers=headers)
    assert polled.status_code == 304 and polled.content == b""


def test_its_304_is_the_views_to_the_header(tokens, stack):
    key, _ = tokens
    headers = {"Authorization": f"Token {key}", "If-None-Match": etags(key)["json"]}
    polled = Client().get(URL, headers=headers)
    assert polled.status_code == 304
    assert answer(polled) == answer(stack.get(URL, headers=headers))


def test_a_change_is_the_views_200_on_the_next_poll(tokens, unit):
    key, _ = tokens
    headers = {"Authorization": f"Token {key}", "If-None-Match": etags(key)["json"]}
    assert Client().get(URL, headers=headers).status_code == 304
    adopt(unit, AIModelFactory(slug="newer", name="Newer"))
    changed = Client().get(URL, headers=headers)
    assert changed.status_code == 200
    assert [row["model"]["slug"] for row in changed.json()["results"]] == ["big", "mini", "newer"]


def test_polls_are_throttled_and_a_refused_one_is_the_stacks_429(tokens, monkeypatch):
    key, _ = tokens
    headers = {"Authorization": f"Token {key}", "If-None-Match": etags(key)["json"]}
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    answers = [Client().get(URL, headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [304, 304, 304, 429]
    assert answers[-1].json()["detail"].startswith("Request was throttled")
    assert int(answers[-1]["Retry-After"]) > 0
    cache.clear()


def test_a_database_that_does_not_answer_gets_the_stacks_answer(tokens, stack):
    key, _ = tokens
    headers = {"Authorization": f"Token {key}", "If-None-Match": etags(key)["json"]}
    down = mock.patch.object(
        PollAuthentication, "authenticate_credentials", side_effect=OperationalError("down")
    )
    stack.raise_request_exception = False  # answered as served: the 503 page
    with down:
        polled = Client(raise_request_exception=False).get(URL, headers=headers)
        plain = stack.get(URL, headers=headers)
    assert polled.status_code == 503
    assert answer(polled) == answer(plain)


# Each part of a request, the happy poll's value first.
PARTS = {
    "slug": ["marketing", "nobody"],
    "slash": [True, False],
    "query": [
        "",
        "format=json",
        "format=litellm",
        "format=litellm-team",
        "format=litellm-team&team_id=ops",
        "format=litellm-team&team_id=no%20spaces",
        "format=csv",
        "format=api",
        "page_size=1",
        "format=litellm&format=json",
    ],
    "method": ["get", "head"],
    "authorization": ["valid", "inactive", "forged", "Token", "Token a b", "Bearer x", None],
    "accept": [
        None,
        "*/*",
        "application/json",
        "application/json, */*",
        "application/json; indent=4",
        "application/yaml",
        "application/vnd.litellm.team+json",
        "text/csv",
    ],
    # "own": the ETag this very URL answered without conditions.
    "if_none_match": ["own", "json", "litellm", "bare", "*", "weak", "stale", "list", None],
    "if_match": [None, "json", "stale"],
}
HAPPY = {part: values[0] for part, values in PARTS.items()}


def same_answer(key: str, inactive: str, stack: Client, **parts) -> None:
    """The request `parts` describe gets the same answer with the poll's middleware as without."""
    url = f"/api/v1/business-units/{parts['slug']}/models{'/' if parts['slash'] else ''}"
    url += f"?{parts['query']}" if parts["query"] else ""
    accept = {"Accept": parts["accept"]} if parts["accept"] else {}
    own = stack.get(url, headers={"Authorization": f"Token {key}", **accept}).get("ETag")
    known = {**etags(key), "own": own or '"none"', "*": "*", "stale": '"stale"'}
    known |= {"weak": f"W/{known['json']}", "list": f'"stale", {known["json"]}'}
    credentials = {"valid": f"Token {key}", "inactive": f"Token {inactive}"}
    headers = {
        "Authorization": credentials.get(parts["authorization"], parts["authorization"]),
        "If-None-Match": known.get(parts["if_none_match"]),
        "If-Match": known.get(parts["if_match"]),
        **accept,
    }
    headers = {name: value for name, value in headers.items() if value is not None}
    polled = getattr(Client(), parts["method"])(url, headers=headers)
    assert answer(polled) == answer(getattr(stack, parts["method"])(url, headers=headers)), parts


@pytest.mark.parametrize(
    ("part", "value"), [(part, value) for part, values in PARTS.items() for value in values]
)
def test_each_part_of_a_poll_changed_alone_gets_the_stacks_answer(tokens, stack, part, value):
    same_answer(*tokens, stack, **{**HAPPY, part: value})


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.fixed_dictionaries({part: st.sampled_from(values) for part, values in PARTS.items()}))
def test_any_mix_of_them_gets_the_stacks_answer(tokens, stack, parts):
    same_answer(*tokens, stack, **parts)
