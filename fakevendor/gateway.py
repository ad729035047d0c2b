"""The fake vendor playing a LiteLLM-like gateway under `/gateway/` (its `base_url` root).

  GET  /gateway/v1/models             the models the caller's key may call (OpenAI list format)
  POST /gateway/v1/chat/completions   answers a model the key may call; 401 for any other
  GET  /gateway/team/info?team_id=    a team's settings (admin key)
  POST /gateway/team/update           change a team's models and limits (admin key)

Keys: `sk-team-<team_id>` belongs to that team (so `make run`'s fake, a process of its own,
needs no setup), as do keys given to `GatewayState.issue_key`; `sk-admin` is the admin key.
As in LiteLLM, a team with no models may call every model the proxy serves (an empty list is
"all", not "none"); a blocked team may call nothing. Teams exist once named (a simplification:
LiteLLM creates them with `/team/new`).

Faults (the `/_fault/<kind>` prefix of the base URL): `leak` answers every chat call whatever
the team may use, while `/v1/models` still lists the team's models (the bypass gateways have
shipped); `drift` leaves the team's last model out of `/v1/models` and refuses it.
"""

import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakevendor.server import Handler

ADMIN_KEY = "sk-admin"
TEAM_KEY = re.compile(r"^sk-team-(?P<team>[-\w.:@]+)$")
# Models the proxy serves besides those teams name: what an unrestricted team can call.
PROXY_MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "mistral-large")
TEAM_FIELDS = ("models", "tpm_limit", "rpm_limit", "max_budget", "budget_duration", "blocked")


@dataclass
class Team:
    team_id: str
    models: list[str] = field(default_factory=list)
    tpm_limit: int | None = None
    rpm_limit: int | None = None
    max_budget: float | None = None
    budget_duration: str | None = None
    blocked: bool = False


@dataclass
class GatewayState:
    """Teams and keys; tests and the demo set them up, the admin API changes them."""

    teams: dict[str, Team] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)  # every /team/update body
    calls: list[tuple[str, str]] = field(default_factory=list)  # (team, model) of chat calls
    lock: threading.Lock = field(default_factory=threading.Lock)

    def team(self, team_id: str) -> Team:
        with self.lock:
            return self.teams.setdefault(team_id, Team(team_id))

    def issue_key(self, key: str, team_id: str, models: list[str] | None = None) -> None:
        """A key of `team_id`, whose models become `models` when given."""
        team = self.team(team_id)
        with self.lock:
            self.keys[key] = team_id
            if models is not None:
                team.models = list(models)

    def team_of(self, key: str) -> Team | None:
        if key in self.keys:
            return self.team(self.keys[key])
        if match := TEAM_KEY.match(key):
            return self.team(match["team"])
        return None

    def served(self) -> list[str]:
        with self.lock:
            named = {name for team in self.teams.values() for name in team.models}
        return sorted(named | set(PROXY_MODELS))

    def callable_by(self, team: Team, fault: str) -> list[str]:
        if team.blocked:
            return []
        names = list(team.models) if team.models else self.served()
        return names[:-1] if fault == "drift" and team.models else names


def handles(segments: list[str]) -> bool:
    return segments[:1] == ["gateway"]


def _bearer(handler: "Handler") -> str:
    auth = handler.headers.get("authorization", "")
    return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""


def answer_get(
    handler: "Handler", segments: list[str], query: dict[str, list[str]], fault: str
) -> None:
    state, key = handler.server.gateway, _bearer(handler)
    if segments[1:] == ["v1", "models"]:
        team = state.team_of(key)
        if team is None:
            return _denied(handler, "Invalid proxy server token passed.")
        names = state.callable_by(team, fault)
        data = [{"id": name, "object": "model", "owned_by": "openai"} for name in names]
        return handler.send_json({"object": "list", "data": data})
    if segments[1:] == ["team", "info"]:
        if key != ADMIN_KEY:
            return _denied(handler, "Only proxy admins may read teams.")
        team_id = (query.get("team_id") or [""])[0]
        if not team_id:
            return handler.send_json({"error": {"message": "team_id is required"}}, 400)
        team = state.team(team_id)
        return handler.send_json({"team_id": team_id, "team_info": asdict(team)})
    handler.send_json({"error": {"message": "no such gateway route"}}, 404)


def answer_post(handler: "Handler", path: str, fault: str) -> None:
    state, key = handler.server.gateway, _bearer(handler)
    try:
        length = int(handler.headers.get("content-length") or 0)
        body = json.loads(handler.rfile.read(length))
    except ValueError:
        return handler.send_json({"error": {"message": "bad request"}}, 400)
    if handler.server.latency_ms:
        time.sleep(handler.server.latency_ms / 1000)
    if path == "/gateway/v1/chat/completions":
        team = state.team_of(key)
        if team is None:
            return _denied(handler, "Invalid proxy server token passed.")
        model = str(body.get("model", ""))
        with state.lock:
            state.calls.append((team.team_id, model))
        if fault != "leak" and model not in state.callable_by(team, fault):
            return _denied(handler, f"team not allowed to access model. Tried: {model}")
        return handler.send_json(
            {
                "id": "chatcmpl-gateway",
                "object": "chat.completion",
                "model": model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "pong"}}
                ],  # fmt: skip
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )
    if path == "/gateway/team/update":
        if key != ADMIN_KEY:
            return _denied(handler, "Only proxy admins may update teams.")
        if not isinstance(body, dict) or not isinstance(body.get("team_id"), str):
            return handler.send_json({"error": {"message": "team_id is required"}}, 400)
        team = state.team(body["team_id"])
        with state.lock:
            for name in TEAM_FIELDS:
                if name in body:
                    setattr(team, name, body[name])
            state.updates.append(body)
        return handler.send_json({"team_id": team.team_id, "data": asdict(team)})
    handler.send_json({"error": {"message": "no such gateway route"}}, 404)


def _denied(handler: "Handler", message: str) -> None:
    handler.send_json({"error": {"message": message, "type": "auth_error", "code": "401"}}, 401)
