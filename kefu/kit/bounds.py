"""Integer bounds of the database's id and number columns, for input schemas: an id outside
them is a 422 with a reason, not an overflow inside SQLite or PostgreSQL."""

from typing import Annotated

from pydantic import Field

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1

RowId = Annotated[int, Field(ge=1, le=INT4_MAX)]
"""An id of an `integer` primary key (customers, agents, teams, fields, views)."""

BigRowId = Annotated[int, Field(ge=1, le=INT8_MAX)]
"""An id of a `bigint` primary key (tickets, messages, attachments)."""

Int4 = Annotated[int, Field(ge=-INT4_MAX, le=INT4_MAX)]
"""Any value stored in an `integer` column (positions, sizes)."""
