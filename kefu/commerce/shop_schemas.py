"""What the store webhooks and the store import answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class WebhookResult(BaseModel):
    """`stored`: kefu changed something; `unchanged`: an older or repeated version;
    `duplicate`: this delivery id was applied before; `ignored`: a topic or record kefu does
    not keep; `pong`: WooCommerce's test delivery."""

    status: Literal["stored", "unchanged", "duplicate", "ignored", "pong"]
    topic: str = Field(max_length=100)
    detail: str = ""
    order_id: int | None = None


class SyncResult(BaseModel):
    store_id: int
    seen: int = 0
    changed: int = 0
    failed: int = 0
    started_at: datetime
    finished_at: datetime | None = None
    error: str = ""


class SyncQueued(BaseModel):
    store_id: int
    queued: bool = True
