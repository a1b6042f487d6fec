"""The source id a received mail is stored under: its Message-ID, told apart from a different
mail that reuses it (broken senders), so receiving the same mail again adds nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from kefu.channels.email.parse import ParsedEmail
from kefu.tickets.messages import find_by_source


def source_id_of(session: Session, parsed: ParsedEmail, raw_sha256: str) -> tuple[str, bool]:
    """The Message-ID, or a digest when it is missing or too long; and whether no message
    has it yet (looked up here, so ingest need not)."""
    base = base_source_id(parsed, raw_sha256)
    if not parsed.message_id:
        return base, False
    earlier = find_by_source(session, "email", [base])
    known = (earlier[0].details or {}).get("email", {}).get("fingerprint") if earlier else None
    return source_id_after(base, fingerprint(parsed), has_earlier=bool(earlier), known=known)


def base_source_id(parsed: ParsedEmail, raw_sha256: str) -> str:
    if not parsed.message_id:
        return f"sha256:{raw_sha256}"
    if len(parsed.message_id) > 400:
        return "sha256-id:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()
    return parsed.message_id


def source_id_after(
    base: str, print_: str, *, has_earlier: bool, known: str | None
) -> tuple[str, bool]:
    """Two different mails that share a Message-ID (broken senders) are told apart by a
    fingerprint of what they say (`print_`, see `fingerprint`), while the same mail fetched
    twice or delivered to two of our addresses stays one. `known`: the fingerprint of the
    earlier copy, if any."""
    if has_earlier and known is not None and known != print_:
        return f"{base}#{print_[:16]}", False
    return base, not has_earlier


def fingerprint(parsed: ParsedEmail) -> str:
    sender = parsed.sender.email if parsed.sender else ""
    digest = hashlib.sha256()
    for part in (sender, parsed.subject, parsed.text, parsed.html or ""):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()
