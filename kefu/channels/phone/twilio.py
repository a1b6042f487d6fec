"""Twilio-compatible webhooks: the form fields a provider posts, read into a CallUpdate, and
the TwiML kefu answers its voice requests with (ring the line's forward number, then take a
voicemail with a transcription)."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from sqlalchemy.orm import Session

from kefu.channels.phone import lines
from kefu.channels.phone.models import PhoneLine
from kefu.channels.phone.service import CallUpdate, apply_update
from kefu.errors import InvalidInput
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

TWIML_TYPE = "text/xml"
DEFAULT_GREETING = N_(
    "Sorry, nobody can take your call right now. Please leave a message after the tone."
)
VOICEMAIL_MAX_SECONDS = 180
_DIRECTIONS = {"inbound": "inbound", "outbound-api": "outbound", "outbound-dial": "outbound"}


def _int(params: dict[str, str], name: str) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise InvalidInput(f"{name} must be a whole number of seconds, not {value!r}")
    return int(value)


def _recording_url(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not value.startswith(("https://", "http://")) or len(value) > 1000:
        raise InvalidInput("RecordingUrl must be an http(s) address of at most 1,000 characters")
    return value


def _moment(params: dict[str, str], now: datetime) -> datetime:
    """The provider's Timestamp (RFC 2822) when it sends one, else the time of arrival."""
    stamp = params.get("Timestamp", "").strip()
    if stamp:
        try:
            return as_utc(parsedate_to_datetime(stamp))
        except (TypeError, ValueError):
            pass
    return now


def _is_softphone(party: str) -> bool:
    return party.strip().lower().startswith("client:")


def read_update(endpoint: str, params: dict[str, str], *, now: datetime) -> CallUpdate:
    """One callback's form fields as a CallUpdate; a malformed field is InvalidInput (422),
    before anything is stored."""
    sid = params.get("CallSid", "").strip()
    if not sid or len(sid) > 64:
        raise InvalidInput("CallSid is missing or longer than 64 characters")
    direction = params.get("Direction", "").strip()
    if direction and direction not in _DIRECTIONS:
        raise InvalidInput(f"unknown Direction {direction!r}")
    answered = talk_seconds = None
    if endpoint == "dial":
        answered = params.get("DialCallStatus", "").strip() in ("completed", "answered")
        talk_seconds = _int(params, "DialCallDuration")
    transcript = None
    if (
        endpoint == "transcription"
        and params.get("TranscriptionStatus", "completed") == "completed"
    ):
        transcript = params.get("TranscriptionText", "")
    recording_seconds = _int(params, "RecordingDuration")
    recording_url = _recording_url(params.get("RecordingUrl", ""))
    if recording_seconds == 0:
        recording_url = None  # the caller hung up at the tone: nothing was recorded
    from_party = params.get("From") or params.get("Caller") or ""
    to_party = params.get("To") or params.get("Called") or ""
    kind = _DIRECTIONS.get(direction)
    if _is_softphone(from_party) and not _is_softphone(to_party):
        # A browser softphone's call reaches the provider as "inbound" from the agent.
        kind = "outbound"
    return CallUpdate(
        provider="twilio",
        provider_call_id=sid,
        at=_moment(params, now),
        direction=kind,
        from_number=from_party or None,
        to_number=to_party or None,
        caller_name=(params.get("CallerName") or "").strip()[:200] or None,
        status=(params.get("CallStatus") or "").strip()[:20] or None,
        duration_seconds=_int(params, "CallDuration"),
        answered=answered,
        talk_seconds=talk_seconds,
        recording_url=recording_url,
        recording_seconds=recording_seconds if recording_url else None,
        transcript=transcript,
        routed=endpoint in ("voice", "dial"),
    )


def receive(
    session: Session,
    *,
    line: PhoneLine,
    endpoint: str,
    params: dict[str, str],
    base_url: str,
    now: datetime,
) -> str:
    """Apply one verified callback; the TwiML to answer it with."""
    if line.account_sid and params.get("AccountSid", line.account_sid) != line.account_sid:
        raise InvalidInput("AccountSid is not this line's account")
    update = read_update(endpoint, params, now=now)
    call = apply_update(session, line=line, update=update)
    if endpoint == "voice" and call.direction == "outbound":
        return (
            _dial_out(line, base_url, call.to_number)
            if call.to_number.startswith("+")
            else _hang_up()
        )
    if endpoint == "voice":
        return _ring(line, base_url) if line.forward_to else _voicemail(line, base_url)
    if endpoint == "dial":
        # Nobody picked up: an incoming caller may leave a voicemail; an agent's call just ends.
        inbound_unanswered = not update.answered and call.direction == "inbound"
        return _voicemail(line, base_url) if inbound_unanswered else _hang_up()
    if endpoint == "recording":
        return _hang_up()
    return _empty()


def _response() -> ElementTree.Element:
    return ElementTree.Element("Response")


def _xml(root: ElementTree.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>' + ElementTree.tostring(root, "unicode")


def _ring(line: PhoneLine, base_url: str) -> str:
    root = _response()
    dial = ElementTree.SubElement(
        root,
        "Dial",
        timeout=str(line.ring_seconds),
        action=lines.webhook_url(base_url, line, "dial"),
        method="POST",
    )
    dial.text = line.forward_to
    return _xml(root)


def _dial_out(line: PhoneLine, base_url: str, number: str) -> str:
    """An agent's softphone call: out to the customer, showing the line's number."""
    root = _response()
    dial = ElementTree.SubElement(
        root,
        "Dial",
        callerId=line.number,
        action=lines.webhook_url(base_url, line, "dial"),
        method="POST",
    )
    dial.text = number
    return _xml(root)


def _voicemail(line: PhoneLine, base_url: str) -> str:
    root = _response()
    say = ElementTree.SubElement(root, "Say")
    say.text = line.voicemail_greeting or _(DEFAULT_GREETING)
    ElementTree.SubElement(
        root,
        "Record",
        maxLength=str(VOICEMAIL_MAX_SECONDS),
        playBeep="true",
        action=lines.webhook_url(base_url, line, "recording"),
        method="POST",
        transcribe="true",
        transcribeCallback=lines.webhook_url(base_url, line, "transcription"),
    )
    return _xml(root)


def _hang_up() -> str:
    root = _response()
    ElementTree.SubElement(root, "Hangup")
    return _xml(root)


def _empty() -> str:
    return _xml(_response())
