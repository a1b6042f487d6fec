"""Tracking scans that carriers send: by signed webhook or by CSV file, each recorded once
through orders.record_tracking_event (the newest scan sets the shipment's status)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import carriers as carrier_service
from kefu.commerce.csv_files import decode, parse_time, read_rows
from kefu.commerce.models import Carrier, Fulfilment
from kefu.commerce.orders import record_tracking_event
from kefu.commerce.tracking_words import normalize_status
from kefu.errors import InvalidInput, KefuError, NotAuthenticated, NotFound

SIGNATURE_HEADER = "X-Kefu-Signature"
MAX_SCANS = 1000


class BadSignature(NotAuthenticated):
    code = "invalid_signature"


@dataclass(frozen=True, slots=True)
class Scan:
    tracking_number: str
    status: str
    happened_at: datetime
    description: str = ""
    location: str = ""
    carrier: str = ""


@dataclass(slots=True)
class FeedResult:
    """What a webhook delivery or a CSV file did: new scans, scans seen before, numbers kefu
    has no shipment for, and bad rows (line, reason) that were skipped."""

    recorded: int = 0
    duplicates: int = 0
    unknown: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "unknown": self.unknown,
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
        }


def _text(value: object, *, what: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise InvalidInput(f"{what} must be text")
    text = str(value).strip()
    if required and not text:
        raise InvalidInput(f"{what} is missing")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text


def parse_scan(raw: dict[str, object], *, time_zone: str = "UTC") -> Scan:
    """One scan from a webhook item or a CSV row; InvalidInput says what is wrong."""
    number = _text(raw.get("tracking_number"), what="tracking_number", limit=100, required=True)
    word = _text(raw.get("status"), what="status", limit=100, required=True)
    status = normalize_status(word)
    if status is None:
        raise InvalidInput(f"unknown tracking status: {word!r}")
    when = _text(raw.get("happened_at"), what="happened_at", limit=64, required=True)
    return Scan(
        tracking_number=number,
        status=status.value,
        happened_at=parse_time(when, time_zone=time_zone),
        description=_text(raw.get("description"), what="description", limit=500),
        location=_text(raw.get("location"), what="location", limit=200),
        carrier=_text(raw.get("carrier"), what="carrier", limit=50),
    )


def _matches(session: Session, fulfilment: Fulfilment, carrier: Carrier | None) -> bool:
    if carrier is None or not fulfilment.carrier:
        return True
    found = carrier_service.find_carrier(session, fulfilment.carrier)
    return found is None or found.id == carrier.id


def record_scans(
    session: Session,
    scans: Iterable[tuple[int, Scan]],
    *,
    source: str,
    carrier: Carrier | None = None,
    result: FeedResult | None = None,
    on_row: Callable[[], None] | None = None,
) -> FeedResult:
    """Record scans (line number, scan) on the shipments with their tracking number."""
    result = result or FeedResult()
    for _line, scan in scans:
        row_carrier = carrier
        if row_carrier is None and scan.carrier:
            row_carrier = carrier_service.find_carrier(session, scan.carrier)
        statement = select(Fulfilment).where(Fulfilment.tracking_number == scan.tracking_number)
        shipments = [f for f in session.scalars(statement) if _matches(session, f, row_carrier)]
        if not shipments and scan.tracking_number not in result.unknown:
            result.unknown.append(scan.tracking_number)
        for fulfilment in shipments:
            is_new = record_tracking_event(
                session,
                fulfilment,
                status=scan.status,
                happened_at=scan.happened_at,
                description=scan.description,
                location=scan.location,
                source=source,
            )
            if is_new:
                result.recorded += 1
            else:
                result.duplicates += 1
        if on_row is not None:
            on_row()
    return result


def sign(body: bytes, secret: str) -> str:
    """The X-Kefu-Signature of a body: hex HMAC-SHA256 with the carrier's webhook secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def receive_carrier_webhook(
    session: Session, *, code: str, body: bytes, signature: str | None, key: str | None = None
) -> FeedResult:
    """A carrier's delivery of scans: refused whole (401) unless signed with its secret,
    refused whole (422) when any scan is malformed, so nothing half-written is kept."""
    carrier = carrier_service.carrier_by_code(session, code)
    if carrier is None or not carrier.is_active:
        raise NotFound(f"no active carrier with the code {code}")
    secret = carrier_service.webhook_secret_of(carrier, key=key)
    sent = (signature or "").strip().removeprefix("sha256=").lower()
    if not secret or not sent or not hmac.compare_digest(sent, sign(body, secret)):
        raise BadSignature(f"the {SIGNATURE_HEADER} signature does not match this carrier's secret")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidInput("the body is not JSON") from None
    items = payload if isinstance(payload, list) else [payload]
    if len(items) > MAX_SCANS:
        raise InvalidInput(f"at most {MAX_SCANS} scans per delivery")
    scans: list[tuple[int, Scan]] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"scan {index} is not a JSON object")
        try:
            scans.append((index, parse_scan(item)))
        except InvalidInput as exc:
            raise InvalidInput(f"scan {index}: {exc.message}") from None
    return record_scans(session, scans, source="webhook", carrier=carrier)


def import_tracking_csv(
    session: Session,
    *,
    data: bytes,
    time_zone: str = "UTC",
    carrier_code: str | None = None,
    on_row: Callable[[], None] | None = None,
) -> FeedResult:
    """Scans from a CSV file (columns tracking_number/运单号, status/状态, happened_at/时间,
    description, location, carrier). Bad rows are reported with their line and skipped;
    importing the same file again records nothing new."""
    carrier = carrier_service.require_code(session, carrier_code) if carrier_code else None
    result = FeedResult()
    rows = read_rows(decode(data), required=("tracking_number", "status", "happened_at"))
    for row in rows:
        try:
            scan = parse_scan(dict(row.values), time_zone=time_zone)
        except KefuError as exc:
            result.errors.append((row.line, exc.message))
            if on_row is not None:
                on_row()
            continue
        record_scans(
            session, [(row.line, scan)], source="csv", carrier=carrier, result=result, on_row=on_row
        )
    return result


def count_rows(data: bytes) -> int:
    """Data rows in a CSV file, for a progress bar's total."""
    try:
        return max(sum(1 for line in decode(data).splitlines() if line.strip()) - 1, 0)
    except KefuError:
        return 0
