"""Signing in and out, password resets by email token, and API tokens."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent, ApiToken, PasswordReset, SignInSession
from kefu.accounts.passwords import hash_password, needs_rehash, verify_password
from kefu.accounts.schemas import MIN_PASSWORD_LENGTH
from kefu.accounts.service import actor_for, find_agent_by_email, get_agent
from kefu.compliance.service import record
from kefu.errors import InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.permissions import require

RESET_VALID_FOR = timedelta(hours=1)
SESSION_TOUCH_EVERY = timedelta(minutes=5)
API_TOKEN_PREFIX = "kefu_"  # noqa: S105 (a label, not a secret)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def authenticate(session: Session, *, email: str, password: str, ip: str | None) -> Agent | None:
    """The agent for these credentials, or None after logging the failed try (callers show
    one message for every cause, so an attacker learns nothing about which emails exist)."""
    agent = find_agent_by_email(session, email)
    ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not ok or not agent.is_active:
        record(
            session,
            action="agent.sign_in_failed",
            entity_type="agents",
            entity_id=agent.id if agent else None,
            changes={"email": email.strip().lower()[:320], "ip": ip},
            actor=Actor(kind="system", name=email.strip()[:200] or "anonymous"),
        )
        return None
    if agent.password_hash and needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    return agent


@dataclass(frozen=True)
class StartedSession:
    token: str
    expires_at: datetime


def start_session(
    session: Session, *, agent: Agent, days: int, ip: str | None, user_agent: str | None
) -> StartedSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(days=days)
    session.add(
        SignInSession(
            agent_id=agent.id,
            token_hash=_sha256(token),
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    record(
        session,
        action="agent.signed_in",
        entity_type="agents",
        entity_id=agent.id,
        changes={"ip": ip},
        actor=actor_for(agent),
    )
    return StartedSession(token=token, expires_at=expires_at)


def agent_for_session(session: Session, token: str | None) -> Agent | None:
    """The signed-in, active agent behind a session cookie, or None."""
    if not token:
        return None
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == _sha256(token)))
    now = utcnow()
    if row is None or as_utc(row.expires_at) <= now:
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.is_active:
        return None
    if now - as_utc(row.last_seen_at) > SESSION_TOUCH_EVERY:
        row.last_seen_at = now
    return agent


def end_session(session: Session, *, token: str | None) -> None:
    """Sign a browser out; `agent.signed_out` lets assignment set the agent offline when it
    was their last session, so no new ticket waits on someone who went home."""
    if not token:
        return
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == _sha256(token)))
    if row is None:
        return
    record(session, action="agent.signed_out", entity_type="agents", entity_id=row.agent_id)
    session.delete(row)
    session.flush()
    emit(
        session,
        "agent.signed_out",
        subject_type="agent",
        subject_id=row.agent_id,
        payload={"signed_in_elsewhere": has_session(session, row.agent_id)},
    )


def has_session(session: Session, agent_id: int) -> bool:
    """Whether the agent is still signed in somewhere (an unexpired browser session)."""
    found = session.scalar(
        select(SignInSession.id)
        .where(SignInSession.agent_id == agent_id, SignInSession.expires_at > utcnow())
        .limit(1)
    )
    return found is not None


def _verifier(secret: str, selector: str) -> str:
    digest = hmac.new(secret.encode(), f"password-reset:{selector}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def reset_link_token(secret: str, selector: str) -> str:
    return f"{selector}.{_verifier(secret, selector)}"


def request_password_reset(session: Session, *, email: str) -> None:
    """Emit a reset mail for an active agent; unknown emails look the same to the caller."""
    agent = find_agent_by_email(session, email)
    if agent is None or not agent.is_active:
        return
    now = utcnow()
    reset = PasswordReset(
        agent_id=agent.id,
        selector=secrets.token_urlsafe(18),
        created_at=now,
        expires_at=now + RESET_VALID_FOR,
    )
    session.add(reset)
    session.flush()
    emit(
        session,
        "agent.password_reset_requested",
        subject_type="agent",
        subject_id=agent.id,
        payload={"reset_id": reset.id},
        actor=Actor.system(),
    )


def _valid_reset(session: Session, *, secret: str, token: str) -> PasswordReset:
    selector, _, verifier = token.partition(".")
    reset = session.scalar(select(PasswordReset).where(PasswordReset.selector == selector))
    if (
        reset is None
        or not hmac.compare_digest(verifier, _verifier(secret, selector))
        or reset.used_at is not None
        or as_utc(reset.expires_at) <= utcnow()
    ):
        raise InvalidInput(
            "This reset link is invalid or has expired. Ask for a new one.", code="bad_reset_token"
        )
    return reset


def check_reset_token(session: Session, *, secret: str, token: str) -> None:
    _valid_reset(session, secret=secret, token=token)


def reset_password(session: Session, *, secret: str, token: str, new_password: str) -> Agent:
    """Set a new password from a reset link: single use, signs out every session."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    reset = _valid_reset(session, secret=secret, token=token)
    agent = get_agent(session, reset.agent_id)
    session.info["actor"] = actor_for(agent)
    reset.used_at = utcnow()
    agent.password_hash = hash_password(new_password)
    session.execute(delete(SignInSession).where(SignInSession.agent_id == agent.id))
    session.flush()
    return agent


def create_api_token(session: Session, *, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting agent; the raw token is returned once and never stored."""
    require(actor, "api_tokens.own")
    if actor.agent_id is None:
        raise InvalidInput("only an agent can own an API token")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        agent_id=actor.agent_id,
        name=name.strip() or "API token",
        token_hash=_sha256(raw),
        prefix=raw[:12],
    )
    session.add(token)
    session.flush()
    return token, raw


def list_api_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    require(actor, "api_tokens.own")
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.agent_id == actor.agent_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.agent_id != actor.agent_id and actor.role != "admin"):
        raise NotFound(f"API token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def actor_for_api_token(session: Session, raw: str) -> Actor | None:
    """The agent (as an api_token actor) behind a bearer token, or None if unknown/revoked."""
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(raw)))
    if token is None or token.revoked_at is not None:
        return None
    agent = session.get(Agent, token.agent_id)
    if agent is None or not agent.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - as_utc(token.last_used_at) > SESSION_TOUCH_EVERY:
        token.last_used_at = now
    return Actor(
        kind="api_token",
        name=f"{agent.name} ({token.name})",
        agent_id=agent.id,
        role=agent.role,
        token_id=token.id,
    )
