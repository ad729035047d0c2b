"""The raw floor: each benchmarked request as one SQL statement via psycopg, rows to orjson.

A bare WSGI app (no framework) that gunicorn serves like the real one, so API/floor is the
whole price of Django, DRF and the app's own code over what the database must do anyway. Each
page is the API's page: the same columns, the vendor and successor slugs, the specialty slugs,
the same filters and order (by the same expressions, so it can use the same indexes). It
sends no count: one statement is the floor.
"""

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import orjson
import psycopg
from psycopg.rows import dict_row

COLUMNS = """
    m.slug, m.name, v.slug AS vendor, m.vendor_model_id, m.family,
    ARRAY(SELECT s.slug FROM catalog_aimodel_specialties ms
          JOIN catalog_specialty s ON s.id = ms.specialty_id
          WHERE ms.aimodel_id = m.id ORDER BY s.slug) AS specialties,
    m.parameters, m.parameters_estimated, m.size_class, m.context_window, m.max_output_tokens,
    m.input_modalities, m.output_modalities, m.input_price_per_mtok::text AS input_price_per_mtok,
    m.output_price_per_mtok::text AS output_price_per_mtok, m.price_unit, m.price_checked_at,
    m.license, m.open_weights, m.deployment, m.regions, m.status, m.max_data_classification,
    m.release_date, m.deprecation_date, m.retirement_date, su.slug AS successor,
    m.availability_status, m.availability_checked_at, m.latency_ms
"""
FROM = """
    FROM page m JOIN catalog_vendor v ON v.id = m.vendor_id
    LEFT JOIN catalog_aimodel su ON su.id = m.successor_id
"""
CHAT = """EXISTS (SELECT 1 FROM catalog_aimodel_specialties ms WHERE ms.aimodel_id = m.id
          AND ms.specialty_id = (SELECT id FROM catalog_specialty WHERE slug = 'chat'))"""
# The matches through the trigram indexes first, then their page (as the API does).
SEARCH = """m.id = ANY(ARRAY(SELECT id FROM catalog_aimodel WHERE UPPER(name::text) LIKE
          UPPER(%(like)s) OR UPPER(slug::text) LIKE UPPER(%(like)s)
          OR UPPER(vendor_model_id::text) LIKE UPPER(%(like)s)))"""

# name → (WHERE, ORDER BY); the API's default order is name, id.
QUERIES = {
    "list": ("TRUE", "m.name, m.id"),
    "filtered": (
        f"{CHAT} AND m.input_price_per_mtok <= 5",
        "m.context_window DESC NULLS LAST, m.id",
    ),
    "search": (SEARCH, "m.name, m.id"),
    # The catalog page lists approved models unless asked otherwise.
    "page": (
        f"m.status = 'approved' AND {CHAT} AND m.input_price_per_mtok <= 5",
        "m.context_window DESC NULLS LAST, m.id",
    ),
}
ALLOW_LIST = """
    SELECT a.id, m.slug, m.name, v.slug AS vendor, m.vendor_model_id, u.slug AS unit, a.use_case,
           a.approved_at, a.expires_at, a.expected_monthly_input_tokens,
           a.expected_monthly_output_tokens, m.input_price_per_mtok::text AS input_price,
           m.output_price_per_mtok::text AS output_price, m.deprecation_date, m.retirement_date,
           su.slug AS successor
    FROM catalog_adoption a JOIN accounts_businessunit u ON u.id = a.unit_id
    JOIN catalog_aimodel m ON m.id = a.model_id JOIN catalog_vendor v ON v.id = m.vendor_id
    LEFT JOIN catalog_aimodel su ON su.id = m.successor_id
    WHERE u.slug = %(unit)s AND a.status = 'active' AND a.expires_at > now()
      AND m.status IN ('approved', 'deprecated')
      AND (m.retirement_date IS NULL OR m.retirement_date > current_date)
    ORDER BY m.name, a.id LIMIT 50
"""

TOKEN = """SELECT u.id FROM authtoken_token t JOIN accounts_user u ON u.id = t.user_id
           WHERE t.key = %(key)s AND u.is_active"""
# The app's throttle script, as a hand-written app would run it: one Redis trip per call.
THROTTLE = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return 1
"""

_connection: psycopg.Connection | None = None
_redis: Any = None


def _cursor() -> psycopg.Cursor:
    """One connection per worker process, opened on first use (gunicorn forks first)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DSN"], autocommit=True)
    return _connection.cursor(row_factory=dict_row)


def page(name: str, size: int, like: str = "") -> bytes:
    """The page's ids first (a CTE), so the joins and subqueries run for its rows only."""
    where, order = QUERIES[name]
    sql = (
        f"WITH page AS (SELECT m.* FROM catalog_aimodel m WHERE {where} ORDER BY {order} "
        f"LIMIT %(size)s) SELECT {COLUMNS} {FROM} ORDER BY {order}"
    )
    rows = _cursor().execute(sql, {"size": size, "like": f"%{like}%"}).fetchall()
    return orjson.dumps({"results": rows})


def authenticated(environ: dict[str, Any]) -> bool:
    """The token's user, active, and its throttle (the app's rate): what any authenticated,
    throttled answer pays before its own work."""
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    key = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Token ")
    user = _cursor().execute(TOKEN, {"key": key}).fetchone()
    if user is None:
        return False
    member = os.urandom(8).hex()
    return bool(_redis.eval(THROTTLE, 1, f"floor-{user['id']}", time.time(), 60, 10**6, member))


def allow_list_etag(unit: str) -> str:
    rows = _cursor().execute(ALLOW_LIST, {"unit": unit}).fetchall()
    return f'"{hashlib.sha256(orjson.dumps(rows)).hexdigest()[:32]}"'


def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """`/page/<name>/?size=&q=`; `/allow-list/<unit>/` answers 304 to its own ETag, and so
    does `/allow-list-auth/<unit>/` after `authenticated()`."""
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    parts = environ["PATH_INFO"].strip("/").split("/")
    if parts[0] in ("allow-list", "allow-list-auth"):
        if parts[0] == "allow-list-auth" and not authenticated(environ):
            start_response("401 Unauthorized", [("Content-Length", "0")])
            return [b""]
        etag = allow_list_etag(parts[1])
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return [b""]
        start_response("200 OK", [("ETag", etag), ("Content-Length", "0")])
        return [b""]
    body = page(parts[1], int(params.get("size", "100")), params.get("q", ""))
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
