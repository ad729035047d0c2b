"""DRF's token authentication, its lookup written once instead of compiled per request.

`TokenAuthentication` builds and compiles `Token.objects.select_related("user").get(key=…)`
on every API call: about 0.3 ms of Python before the database is asked, more than the lookup
itself. Here the same statement (the token's and the user's columns, as the models declare
them, through the same value converters) is built once per process and each call only runs
it. Same checks, same errors.

A view may give the lookup a rider (`Rider`): a one-row query of its own that travels in the
same statement, so a hot path whose next step is one more read (the allow-list's poll) asks the
database once. Same checks, same errors: the rider's answer is kept only for a valid token.
"""

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import Field
from django.db.models.expressions import Col
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User


class Rider(NamedTuple):
    """A one-row SELECT (`%s` placeholders) and its parameters, run in the token's lookup;
    after a success its columns (NULLs when it found no row) are
    `TokenAuthentication.rider_row`."""

    sql: str
    params: tuple[Any, ...]


@functools.cache
def _lookup(vendor: str, rider_sql: str = "") -> tuple[str, list[Col]]:
    """The SQL for one key (per database vendor: quoting), the rider's columns after the
    token's and the user's (a lateral join), and the token's and the user's columns."""
    connection = connections[router.db_for_read(Token)]
    quote = connection.ops.quote_name
    token, user = Token._meta, User._meta
    columns = [f.get_col(token.db_table) for f in token.concrete_fields]
    columns += [f.get_col(user.db_table) for f in user.concrete_fields]
    t, u = quote(token.db_table), quote(user.db_table)
    user_fk = quote(token.get_field("user").column)
    select = ", ".join(f"{quote(c.alias)}.{quote(c.target.column)}" for c in columns)  # type: ignore[arg-type]  # get_col(table) sets both
    joins = f"JOIN {u} ON {u}.{quote(user.pk.column)} = {t}.{user_fk}"  # type: ignore[arg-type]  # a pk has a column
    if rider_sql:
        select += ", rider.*"
        joins += f" LEFT JOIN LATERAL ({rider_sql}) rider ON TRUE"
    sql = f"SELECT {select} FROM {t} {joins} WHERE {t}.{quote(token.pk.column)} = %s"  # type: ignore[arg-type]  # as above
    return sql, columns


def _converted(row: tuple[Any, ...], columns: list[Col], connection: Any) -> list[Any]:
    """The row's values as the ORM would give them (e.g. aware datetimes on SQLite)."""
    values = list(row)
    for i in _converted_columns(connection.vendor):
        column = columns[i]
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        for convert in converters:
            values[i] = convert(values[i], column, connection)
    return values


@functools.cache
def _converted_columns(vendor: str) -> tuple[int, ...]:
    """Which of the lookup's columns this database's values need converting for (none on
    PostgreSQL: asking every column on every call was 35 µs)."""
    connection = connections[router.db_for_read(Token)]
    _, columns = _lookup(vendor)
    return tuple(
        i
        for i, column in enumerate(columns)
        if connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    )


def _names(fields: Sequence[Field[Any, Any]]) -> list[str]:
    return [f.attname for f in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    rider: Rider | None = None
    rider_row: tuple[Any, ...] | None = None

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        using = router.db_for_read(Token)
        connection = connections[using]
        rider = self.rider
        sql, columns = _lookup(connection.vendor, rider.sql if rider else "")
        params = [*rider.params, key] if rider else [key]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        row, rider_row = row[: len(columns)], row[len(columns) :]
        values = _converted(row, columns, connection)
        token_fields = Token._meta.concrete_fields
        token = Token.from_db(using, _names(token_fields), values[: len(token_fields)])
        user = User.from_db(using, _names(User._meta.concrete_fields), values[len(token_fields) :])
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if rider:
            self.rider_row = rider_row
        return user, token
