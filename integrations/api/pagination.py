"""Cursor pagination for the API's lists: newest first by primary key; the cursor is the last pk seen, so a row
added meanwhile never shifts a page and each page costs the same queries whatever the table's size."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from integrations.api.errors import ApiError

MAX_LIMIT = 100


def _decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) < 19):
        raise ApiError(422, "invalid_cursor", _("This cursor is not one the API gave out."))
    return int(cursor)


def paginate(qs: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """(rows, next cursor) of `qs` ordered by -pk, after `cursor`."""
    after = _decode(cursor)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.order_by("-pk")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].pk) if more and rows else None)
