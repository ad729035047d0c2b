"""Request bodies are outside input: JSON nested past MAX_JSON_DEPTH, or past the decoder's
own limit, and bodies over the upload limit are a 400, not a 500."""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request this API takes is nested more than a few levels (a suite's cases' messages are
# the deepest, at 4); 32 leaves room and keeps serializers and json dumps of stored values far
# from Python's recursion limit.
MAX_JSON_DEPTH = 32


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` levels (iteratively: the
    check itself must not recurse)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with a body nested deeper than MAX_JSON_DEPTH rejected as malformed.

    DRF catches `ValueError` only; `json` raises `RecursionError` for `[[[[…` thousands deep.
    A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused as Django reads it, before any parser
    (core.api.errors answers it).
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        if nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return data
