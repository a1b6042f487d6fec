"""Path and query parameters the API routes share: ids within their column's range (a huge
number is a 422, never an overflow in the database), page size, cursors."""

from typing import Annotated

from fastapi import Path, Query

from kefu.errors import InvalidInput
from kefu.kit.bounds import INT4_MAX, INT8_MAX


def _id(what: str, *, big: bool = False) -> Path:  # type: ignore[valid-type]
    highest = INT8_MAX if big else INT4_MAX
    return Path(ge=1, le=highest, description=f"the {what}'s id", examples=[1])


TicketId = Annotated[int, _id("ticket", big=True)]
MessageId = Annotated[int, _id("message", big=True)]
AttachmentId = Annotated[int, _id("attachment", big=True)]
CustomerId = Annotated[int, _id("customer")]
IdentityId = Annotated[int, _id("identity")]
FieldId = Annotated[int, _id("custom field")]
AgentId = Annotated[int, _id("agent")]
TokenId = Annotated[int, _id("API token")]

Limit = Annotated[int, Query(ge=1, le=200, description="how many items per page")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="`next_cursor` of the previous page; omit for the first"),
]


def id_cursor(cursor: str | None) -> int | None:
    """The id a newest-first page continues below; a cursor kefu did not hand out is a 422."""
    if cursor is None:
        return None
    if not cursor.isascii() or not cursor.isdigit() or not 1 <= int(cursor) <= INT8_MAX:
        raise InvalidInput(
            "cursor: not a cursor from this list; pass next_cursor as it came",
        )
    return int(cursor)


def next_id_cursor(next_id: int | None) -> str | None:
    return None if next_id is None else str(next_id)
