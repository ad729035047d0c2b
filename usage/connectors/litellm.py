"""LiteLLM proxy: `GET /team/daily/activity?team_ids=…&start_date=…&end_date=…&page=…`.

One team per call, so the answer's per-model breakdown is that team's: {results: [{date,
metrics, breakdown: {models: {<model>: {metrics: {spend, prompt_tokens, completion_tokens,
api_requests, cache_read_input_tokens, cache_creation_input_tokens}}}}}], metadata: {page,
total_pages, has_more}}. `spend` is the proxy's own USD figure for the day and model, kept as
the billed cost. `prompt_tokens` includes the cache reads and writes; they are kept apart.
"""

from datetime import date

from core.http import shape_error
from usage.connectors.base import (
    MAX_PAGES,
    BadValue,
    Fetched,
    UsageConnector,
    UsageRow,
    count,
    day_from_iso,
    mapping,
    money,
    part_of,
    shown,
    text,
)

PAGE_SIZE = 1000


class LiteLLMUsageConnector(UsageConnector):
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def fetch(self, *, accounts: list[str], since: date, until: date) -> Fetched:
        fetched = Fetched()
        for team in accounts:
            self._team(team, since, until, fetched)
        return fetched

    def _team(self, team: str, since: date, until: date, fetched: Fetched) -> None:
        url = f"{self.base_url}/team/daily/activity"
        for page in range(1, MAX_PAGES + 1):
            params = {
                "team_ids": team,
                "start_date": since.isoformat(),
                "end_date": until.isoformat(),
                "page": str(page),
                "page_size": str(PAGE_SIZE),
            }
            body, _ = self.get_json(url, params)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise shape_error(url, "no results list")
            for item in results:
                try:
                    self._day(team, item, fetched)
                except BadValue as exc:  # no day known: the team's whole window is doubtful
                    fetched.problem(f"{url} team {team}", exc, item, account=team)
            metadata = body.get("metadata")
            if not isinstance(metadata, dict) or not _more(metadata, page):
                return
        raise shape_error(url, f"more than {MAX_PAGES} pages")

    @staticmethod
    def _day(team: str, item: object, fetched: Fetched) -> None:
        entry = mapping(item, "result")
        day = day_from_iso(entry.get("date"), "date")
        models = mapping(mapping(entry.get("breakdown"), "breakdown").get("models", {}), "models")
        for name, data in models.items():
            try:
                metrics = mapping(mapping(data, "model").get("metrics"), "metrics")
                cache_read = count(metrics.get("cache_read_input_tokens"), "cache_read")
                cache_write = count(metrics.get("cache_creation_input_tokens"), "cache_write")
                prompt = count(metrics.get("prompt_tokens"), "prompt_tokens")
                fetched.rows.append(
                    UsageRow(
                        account=team,
                        day=day,
                        model=text(name, "model"),
                        input_tokens=part_of(prompt, cache_read + cache_write, "prompt_tokens"),
                        output_tokens=count(metrics.get("completion_tokens"), "completion_tokens"),
                        requests=count(metrics.get("api_requests"), "api_requests"),
                        billed_cost=money(metrics.get("spend", 0), "spend"),
                        cache_read_tokens=cache_read,
                        cache_write_tokens=cache_write,
                    )
                )
            except BadValue as exc:
                where = f"team {team} {day} model {shown(name)}"
                fetched.problem(where, exc, data, account=team, day=day)


def _more(metadata: dict[str, object], page: int) -> bool:
    """`has_more` when the proxy sends it, else `total_pages` (older proxies)."""
    if isinstance(metadata.get("has_more"), bool):
        return bool(metadata["has_more"])
    total = metadata.get("total_pages")
    return isinstance(total, int) and not isinstance(total, bool) and page < total
