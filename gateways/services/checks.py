"""The gateway check: does each gateway serve each unit exactly its allow-list?

Per probe (a key the gateway issued to a unit), with that key:
1. `GET {base_url}/v1/models`: a name on the unit's export that is not listed is drift; a
   listed name the unit may not use is a leak.
2. Up to GATEWAY_DENY_PROBES calls the unit may not make, each of which must be refused: first
   names the gateway serves to its other probes' units, then names the unit itself called and
   may no longer (revoked, expired or retired adoptions). Any 2xx is a leak.
3. No answer, a 5xx, a redirect or the probe key refused on `/v1/models`: unreachable, and what
   could not be looked at keeps the verdict it had.

The calls run in threads (bounded per gateway); the database is read before and written after,
in a handful of queries per gateway whatever its number of units. Findings open once and are
told once to the unit's managers and the catalog admins; one no longer seen is resolved.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, managers_by_unit
from catalog.litellm_config import export_names, past_names, unit_exports
from core.choices import JobKind
from core.http import VendorError
from core.jobs import JobResult, job_run, job_runs_close_interrupted
from core.notify import notify
from gateways.adapter import GatewayAdapter, failure, gateway_client
from gateways.choices import FindingKind, FindingStatus
from gateways.models import Gateway, GatewayFinding, GatewayProbe

Key = tuple[str, str]  # (finding kind, model name)
NO_LONGER_SEEN = "A later check no longer saw it."
RESOLUTION_FIELDS = ("resolved_at", "resolved_by", "resolution")


@dataclass(frozen=True)
class ProbePlan:
    """What one probe checks, read from the database before any call is made."""

    probe_id: int
    unit_id: int
    unit_name: str
    unit_slug: str
    key_env: str
    allowed: frozenset[str]
    deny: tuple[str, ...]


@dataclass
class Verdict:
    """What one probe's check saw: the findings that hold, and how far it could look (a
    finding it could have seen and did not is resolved; one it could not look at stays)."""

    holds: dict[Key, str] = field(default_factory=dict)
    listed: bool = False  # `/v1/models` answered: every drift and listing verdict is known
    unsure: set[str] = field(default_factory=set)  # names tried with no telling answer


def deny_names(
    unit_id: int, allowed: dict[int, set[str]], past: dict[int, set[str]], limit: int
) -> tuple[str, ...]:
    """Names the unit may not call, most telling first: those the gateway serves other units
    (a shared proxy's likeliest leak), then the unit's own former names."""
    own = allowed.get(unit_id, set())
    others = sorted(set().union(*(n for u, n in allowed.items() if u != unit_id)) - own)
    former = sorted(past.get(unit_id, set()) - own - set(others))
    return tuple([*others, *former][:limit])


def plans_for(probes: list[GatewayProbe], now: datetime) -> list[ProbePlan]:
    """Each probe's names to expect and to try, in two queries for all its units."""
    unit_ids = [probe.unit_id for probe in probes]
    exports = unit_exports(unit_ids, now)
    allowed = {unit_id: export_names(exports.get(unit_id, [])) for unit_id in unit_ids}
    past = past_names(unit_ids, now)
    limit = settings.GATEWAY_DENY_PROBES
    return [
        ProbePlan(
            probe_id=probe.pk,
            unit_id=probe.unit_id,
            unit_name=probe.unit.name,
            unit_slug=probe.unit.slug,
            key_env=probe.key_env,
            allowed=frozenset(allowed[probe.unit_id]),
            deny=deny_names(probe.unit_id, allowed, past, limit),
        )
        for probe in probes
    ]


def probe_check(adapter: GatewayAdapter, plan: ProbePlan) -> Verdict:
    """Run one probe's calls (no database): the verdict on what the gateway does for its key."""
    verdict = Verdict()
    unreachable = (FindingKind.UNREACHABLE, "")
    if not adapter.api_key:
        verdict.holds[unreachable] = f"No probe key: the variable {plan.key_env} is not set."
        return verdict
    try:
        listed = adapter.listed_models()
    except VendorError as error:
        verdict.holds[unreachable] = (
            f"Could not list the models for {plan.unit_name}'s key: {failure(error)}."[:500]
        )
        return verdict
    verdict.listed = True
    for name in sorted(plan.allowed - listed):
        verdict.holds[(FindingKind.DRIFT, name)] = (
            f"{plan.unit_name} may call “{name}”, but the gateway does not list it for its key."
        )
    for name in sorted(listed - plan.allowed):
        verdict.holds[(FindingKind.LEAK, name)] = (
            f"The gateway lists “{name}” for {plan.unit_name}'s key; {plan.unit_name} may not "
            "use it."
        )
    unknown = []
    for name in plan.deny:
        refusal = adapter.try_call(name)
        if refusal.outcome == "answered":
            verdict.holds[(FindingKind.LEAK, name)] = (
                f"The gateway answered a call to “{name}” with {plan.unit_name}'s key "
                f"({refusal.detail}); {plan.unit_name} may not use it."
            )
        elif refusal.outcome == "unknown":
            verdict.unsure.add(name)
            unknown.append(f"“{name}”: {refusal.detail}")
    if unknown:
        verdict.holds[unreachable] = (
            "Could not tell whether the gateway refuses " + "; ".join(unknown) + "."
        )[:500]
    return verdict


def gateways_check(
    *,
    gateway_ids: Iterable[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> JobResult:
    """Check every active probe of these gateways (all active ones when None); one JobRun
    each. `progress(1)` is called as each probe is checked (a progress bar's update)."""
    job_runs_close_interrupted(kind=JobKind.CHECK_GATEWAYS)
    gateways = Gateway.objects.filter(active=True)
    if gateway_ids is not None:
        gateways = gateways.filter(pk__in=list(gateway_ids))
    result = JobResult()
    for gateway in gateways:
        with job_run(JobKind.CHECK_GATEWAYS) as run:
            opened, changed, checked = gateway_check(gateway=gateway, progress=progress)
            run.checked, run.changed, run.flagged = checked, changed, opened
            result.runs.append(run)
    return result


def probes_count(gateway_ids: Iterable[int] | None = None) -> int:
    """Active probes of active gateways: a progress bar's total."""
    probes = GatewayProbe.objects.filter(active=True, gateway__active=True)
    if gateway_ids is not None:
        probes = probes.filter(gateway_id__in=list(gateway_ids))
    return probes.count()


def gateway_check(
    *,
    gateway: Gateway,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Check one gateway's active probes concurrently (at most GATEWAY_CONCURRENCY calls in
    flight); returns (findings opened or reopened, findings changed, probes checked)."""
    now = now or timezone.now()
    probes = list(gateway.probes.filter(active=True).select_related("unit"))
    plans = plans_for(probes, now)
    concurrency = min(settings.GATEWAY_CONCURRENCY, max(1, len(plans)))
    with gateway_client(concurrency) as client, ThreadPoolExecutor(concurrency) as pool:

        def check(plan: ProbePlan) -> Verdict:
            adapter = GatewayAdapter(client, base_url=gateway.base_url, api_key_env=plan.key_env)
            verdict = probe_check(adapter, plan)
            if progress is not None:
                progress(1)
            return verdict

        verdicts = dict(zip([p.probe_id for p in plans], pool.map(check, plans), strict=True))
    opened, changed = findings_record(gateway=gateway, plans=plans, verdicts=verdicts, now=now)
    Gateway.objects.filter(pk=gateway.pk).update(checked_at=now)
    return opened, changed, len(plans)


def findings_record(
    *,
    gateway: Gateway,
    plans: list[ProbePlan],
    verdicts: dict[int, Verdict],
    now: datetime,
) -> tuple[int, int]:
    """Write every probe's verdict: new findings inserted, returning ones reopened, seen ones
    touched, gone ones resolved, and the new and reopened told; a fixed number of queries
    whatever the number of units. Returns (told, changed)."""
    known: dict[int, dict[Key, GatewayFinding]] = defaultdict(dict)
    for finding in GatewayFinding.objects.filter(probe_id__in=[p.probe_id for p in plans]):
        known[finding.probe_id][(finding.kind, finding.model_name)] = finding
    fresh: list[GatewayFinding] = []
    touched: list[GatewayFinding] = []
    told: list[GatewayFinding] = []
    for plan in plans:
        verdict = verdicts[plan.probe_id]
        mine = known[plan.probe_id]
        for key, detail in verdict.holds.items():
            seen = mine.get(key)
            if seen is None:
                seen = GatewayFinding(
                    gateway=gateway, probe_id=plan.probe_id, unit_id=plan.unit_id, kind=key[0],
                    model_name=key[1], detail=detail, first_seen=now, last_seen=now,
                )  # fmt: skip
                fresh.append(seen)
                told.append(seen)
                continue
            if seen.status == FindingStatus.RESOLVED:  # back, even if a person resolved it
                seen.status, seen.resolved_at, seen.first_seen = FindingStatus.OPEN, None, now
                seen.resolved_by, seen.resolution = None, ""
                told.append(seen)
            seen.detail, seen.last_seen = detail, now
            touched.append(seen)
        for key, finding in mine.items():
            if finding.status == FindingStatus.RESOLVED or key in verdict.holds:
                continue
            if _no_longer_seen(key, verdict):
                finding.status, finding.resolved_at = FindingStatus.RESOLVED, now
                finding.resolution = NO_LONGER_SEEN
                touched.append(finding)
    with transaction.atomic():
        GatewayFinding.objects.bulk_create(fresh, ignore_conflicts=True)
        GatewayFinding.objects.bulk_update(
            touched, ["detail", "status", "first_seen", "last_seen", *RESOLUTION_FIELDS]
        )
        _tell(gateway, told, {plan.unit_id: plan for plan in plans})
    return len(told), len(fresh) + len(touched)


def _no_longer_seen(key: Key, verdict: Verdict) -> bool:
    """A finding not seen this time is gone only if this check could have seen it: drift and
    leaks need the list (and a leak, no untelling answer when its name was tried);
    unreachable needs every call to have answered."""
    kind, name = key
    if kind == FindingKind.UNREACHABLE:
        return True  # held otherwise: every call answered this time
    return verdict.listed and name not in verdict.unsure


def _tell(gateway: Gateway, told: list[GatewayFinding], units: dict[int, ProbePlan]) -> None:
    """One message per unit with its new (or returning) findings, to its managers and the
    catalog admins: two queries for all units."""
    if not told:
        return
    by_unit: dict[int, list[GatewayFinding]] = defaultdict(list)
    for finding in told:
        by_unit[finding.unit_id].append(finding)
    admins = list(User.objects.catalog_admins())
    managers = managers_by_unit(by_unit)
    for unit_id, findings in by_unit.items():
        notify(
            recipients=[*managers.get(unit_id, []), *admins],
            subject=f"Gateway {gateway.name}: {len(findings)} finding(s) for "
            f"{units[unit_id].unit_name}",
            url=reverse("catalog:unit_detail", args=[units[unit_id].unit_slug])
            + "#gateway-findings",
            body="\n".join(f"- {f.get_kind_display()}: {f.detail}" for f in findings)
            + "\n\nModelshelf checks again every 15 minutes; a finding closes once the gateway "
            "serves the unit exactly its allow-list. A catalog admin can plan and apply the "
            "team's settings from /gateways/.",
        )
