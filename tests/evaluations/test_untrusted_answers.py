"""Vendor replies and uploaded suites are untrusted: generated junk becomes a recorded problem
for that one case or line, never an exception out of a run or an import."""

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidRequest
from core.http import VendorError
from evaluations.chat import ChatClient
from evaluations.services.suites import suite_import, suite_input_from_jsonl
from tests.factories import AIModelFactory, VendorFactory

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),  # fmt: skip
    max_leaves=20,
)
SHAPED = st.fixed_dictionaries(
    {
        "choices": st.lists(st.fixed_dictionaries({"message": JSON}), max_size=2) | JSON,
        "content": st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": JSON})) | JSON,
        "usage": st.dictionaries(
            st.sampled_from(
                ["prompt_tokens", "completion_tokens", "input_tokens", "output_tokens"]
            ),
            JSON,
        )
        | JSON,  # fmt: skip
    }
)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answer=SHAPED | JSON)
def test_any_json_answer_is_a_reply_or_a_permanent_vendor_error(kind, answer):
    vendor = VendorFactory.build(api_kind=kind, api_base_url="http://vendor.test/v1")
    model = AIModelFactory.build(vendor=vendor, vendor_model_id="m")
    body = json.dumps(answer, allow_nan=True).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with httpx.Client(transport=transport) as client:
        chat = ChatClient(client, model, max_retries=0, retry_after_max=0)
        try:
            reply = chat.ask([{"role": "user", "content": "q"}])
        except VendorError as exc:
            assert exc.permanent
            return
    assert isinstance(reply.text, str)
    for count in (reply.input_tokens, reply.output_tokens):
        assert count is None or (isinstance(count, int) and count >= 0)


@pytest.mark.django_db
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=60) | JSON.map(json.dumps), max_size=6))
def test_any_jsonl_file_imports_or_is_refused_by_line(lines):
    text = "\n".join(['{"suite": {"slug": "fuzzed", "name": "Fuzzed"}}', *lines])
    try:
        suite = suite_import(data=suite_input_from_jsonl(text))
    except InvalidRequest as exc:
        assert str(exc)
        return
    assert suite.cases.count() == len([line for line in lines if line.strip()])


@pytest.mark.django_db
def test_a_line_or_schema_nested_beyond_reason_is_reported_not_raised():
    deep_line = "[" * 100_000 + "]" * 100_000
    deep_schema = {"prompt": "p", "grader": "json_schema", "expected": {}}
    node = deep_schema["expected"]
    for _ in range(5_000):
        node["not"] = {}
        node = node["not"]
    text = "\n".join(['{"suite": {"slug": "deep", "name": "Deep"}}', deep_line])
    with pytest.raises(InvalidRequest, match="line 2: not valid JSON"):
        suite_import(data=suite_input_from_jsonl(text))
    from evaluations.services.suites import case_clean

    _, problems = case_clean(deep_schema)
    assert problems == ["expected is nested too deeply"]
