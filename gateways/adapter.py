"""Calls to a gateway, with a unit's probe key or the admin key, through the outbound client.

The client the check uses never follows a redirect: a gateway's API has no reason to send one,
and the key must not go to a host the stored URL did not name. A redirect is reported as such.
"""

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from core.http import VendorAdapter, VendorError, outbound_client, shape_error

PING = {"messages": [{"role": "user", "content": "ping"}], "max_tokens": 1}


def gateway_client(concurrency: int) -> httpx.Client:
    """One client per check, shared by its threads, that follows no redirect."""
    client = outbound_client(
        timeout=float(settings.GATEWAY_TIMEOUT_SECONDS),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )
    client.follow_redirects = False
    return client


@dataclass(frozen=True)
class Refusal:
    """How a call the unit may not make ended: `refused` (4xx: as it should), `answered`
    (2xx: a leak), or neither (no answer, 5xx, a redirect: cannot tell)."""

    outcome: str
    detail: str


def failure(error: VendorError) -> str:
    """What went wrong, in words, for a finding (never the key)."""
    status = error.http_status
    if status is not None and 300 <= status < 400:
        return f"the gateway redirected (HTTP {status}); the key was not sent on"
    if status in (401, 403):
        return f"the gateway refused the probe key (HTTP {status})"
    return str(error)


class GatewayAdapter(VendorAdapter):
    """A LiteLLM proxy or OpenAI-compatible gateway, with a Bearer key from the environment."""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def listed_models(self) -> set[str]:
        """The model names the key may call, as `/v1/models` says; raises VendorError."""
        url = f"{self.base_url}/v1/models"
        body, _ = self.get_json(url)
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise shape_error(url, "no `data` list")
        ids = [row.get("id") for row in rows if isinstance(row, dict)]
        return {name for name in ids if isinstance(name, str) and name}

    def try_call(self, model_name: str) -> Refusal:
        """One minimal chat call the key should not be allowed to make."""
        url = f"{self.base_url}/v1/chat/completions"
        try:
            self.request_json("POST", url, body={"model": model_name, **PING})
        except VendorError as error:
            status = error.http_status
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                return Refusal("refused", f"HTTP {status}")
            return Refusal("unknown", failure(error))
        return Refusal("answered", "HTTP 2xx")

    def team_info(self, team_id: str) -> dict[str, Any]:
        """LiteLLM's `GET /team/info`: the team's settings (`team_info`); raises VendorError."""
        url = f"{self.base_url}/team/info"
        body, _ = self.get_json(url, params={"team_id": team_id})
        info = body.get("team_info") if isinstance(body, dict) else None
        if not isinstance(info, dict):
            raise shape_error(url, "no `team_info` object")
        return info

    def team_update(self, body: dict[str, Any]) -> None:
        """LiteLLM's `POST /team/update`; raises VendorError."""
        self.request_json("POST", f"{self.base_url}/team/update", body=body)
