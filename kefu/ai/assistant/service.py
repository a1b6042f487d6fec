"""One turn of the assistant: the visitor's message in, the assistant's replies out.

In order: after a hand-over every message goes to the agents; "I want a human" (转人工)
hands over; an order question needs the order number and the order's email first, then is
answered from the order's stored facts; anything else is answered from a published article
when retrieval is confident, and otherwise with "I don't know, let me get a colleague" and
a hand-over. Services never commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai.assistant import codes, handover, orders, retrieval, wording
from kefu.ai.assistant.models import AssistantConversation, AssistantTurn
from kefu.errors import InvalidInput
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.i18n import N_, gettext

MAX_TEXT = 2000
TOKEN_BYTES = 24

ASK_VERIFY = N_(
    "I can look up an order once I know it is yours: please send the order number and the "
    "email address you ordered with (or the order number and “send me a code”)."
)
CODE_SENT = N_(
    "If order %(number)s is in our records, a 6-digit code is on its way to the email address "
    "on it. Type it here; it works for %(minutes)s minutes."
)
CODE_NUMBER = N_("Which order number should I send the code for?")
CODE_WRONG = N_("That code is not right. Please check the mail and type it again.")
CODE_EXPIRED = N_("That code has expired. Ask me for a new one.")
ASK_EMAIL = N_("Thanks. And the email address you used for order %(number)s?")
ASK_NUMBER = N_("Thanks. And the order number?")
NO_MATCH = N_(
    "I could not match that order number with that email address. Please check both and "
    "send them again."
)
DONT_KNOW = N_("I don't know, let me get a colleague.")
PASSING = N_("I'm passing you to a colleague.")
HANDED = N_("A colleague has your conversation (ticket #%(ticket)s).")
BY_EMAIL = N_("They will answer you by email at %(email)s.")
CHAT_HANDED = N_("A colleague will join this chat shortly; they can see what you wrote here.")
LEAVE_EMAIL = N_("Leave your email address here so they can write back to you.")
RELAYED = N_("Your colleague will see this message too.")
CANNOT_CHANGE = N_(
    "I can only read orders, not change them. Write “I want a human” and a colleague will "
    "take care of it."
)
WELCOME = N_("You're welcome! Anything else?")
FROM_ARTICLE = N_("From our help article “%(title)s”:")


@dataclass(frozen=True, slots=True)
class Reply:
    kind: str
    body: str
    article_title: str = ""
    article_url: str = ""


@dataclass(slots=True)
class Exchange:
    token: str
    status: str
    replies: list[Reply] = field(default_factory=list)
    ticket_id: int | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def conversation_for(
    session: Session, *, token: str | None, store_id: int, language: str, now: datetime
) -> tuple[AssistantConversation, str]:
    """The visitor's conversation with this brand, or a new one with a new token."""
    if token:
        found = session.scalar(
            select(AssistantConversation).where(AssistantConversation.token_hash == _hash(token))
        )
        if found is not None and found.store_id == store_id:
            return found, token
    token = secrets.token_urlsafe(TOKEN_BYTES)
    conversation = AssistantConversation(
        token_hash=_hash(token), store_id=store_id, language=language, created_at=now,
        updated_at=now,
    )  # fmt: skip
    session.add(conversation)
    session.flush()
    return conversation, token


def turns_of(session: Session, conversation_id: int) -> list[AssistantTurn]:
    statement = (
        select(AssistantTurn)
        .where(AssistantTurn.conversation_id == conversation_id)
        .order_by(AssistantTurn.id)
    )
    return list(session.scalars(statement))


class _Turn:
    """What one call needs: the conversation, its turns so far, the replies being made."""

    def __init__(self, session: Session, conversation: AssistantConversation, now: datetime):
        self.session = session
        self.conversation = conversation
        self.now = now
        self.turns = turns_of(session, conversation.id)
        self.replies: list[Reply] = []

    def add(self, author: str, kind: str, body: str, **values: object) -> AssistantTurn:
        turn = AssistantTurn(
            conversation_id=self.conversation.id, author=author, kind=kind, body=body,
            created_at=self.now, **values,
        )  # fmt: skip
        self.session.add(turn)
        self.session.flush()
        self.turns.append(turn)
        if author == "assistant":
            self.replies.append(
                Reply(kind=kind, body=body, article_title=turn.article_title or "",
                      article_url=turn.article_url or "")
            )  # fmt: skip
        return turn

    def say(self, kind: str, template: str, **params: object) -> None:
        self.add("assistant", kind, gettext(template, **params))

    def last_kind(self) -> str:
        return next((t.kind for t in reversed(self.turns[:-1]) if t.author == "assistant"), "")


def answer(
    session: Session,
    *,
    site: SiteView,
    language: str,
    token: str | None,
    text: str,
    base: str,
    now: datetime,
) -> Exchange:
    """Record the visitor's message and the assistant's replies. `base` is where the site's
    pages live (/help/<slug>), for article links."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        raise InvalidInput(gettext(N_("Write a message first.")))
    if len(text) > MAX_TEXT:
        raise InvalidInput(gettext(N_("A message may have at most %(count)s characters."),
                                   count=MAX_TEXT))  # fmt: skip
    conversation, token = conversation_for(
        session, token=token, store_id=site.store_id, language=language, now=now
    )
    exchange = reply_to(
        session, conversation=conversation, site=site, language=language, text=text, base=base,
        now=now,
    )  # fmt: skip
    exchange.token = token
    return exchange


def reply_to(
    session: Session,
    *,
    conversation: AssistantConversation,
    site: SiteView,
    language: str,
    text: str,
    base: str,
    now: datetime,
) -> Exchange:
    """One message of a conversation found already (the help center's by its token, a chat's
    by its chat): the same rules for both."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    current = _Turn(session, conversation, now)
    question = current.add("customer", "question", text)
    conversation.updated_at = now
    if conversation.status == "handed_over":
        handover.relay(session, conversation=conversation, turn=question, now=now)
        current.say("relayed", RELAYED)
    elif wording.wants_human(text):
        _hand_over(current, reason="asked", opening=PASSING)
    elif _is_order_turn(current, text):
        _order(current, text)
    elif wording.is_thanks(text):
        current.say("greeting", WELCOME)
    else:
        _from_articles(current, site=site, language=language, question=text, base=base)
    return Exchange(
        token="", status=conversation.status, replies=current.replies,
        ticket_id=conversation.ticket_id,
    )  # fmt: skip


def _is_order_turn(current: _Turn, text: str) -> bool:
    if wording.is_about_an_order(text):
        return True
    awaiting = current.last_kind() in ("verify", "no_match", "code_sent", "code_wrong")
    if awaiting and wording.asks_for_code(text):
        return True
    if current.conversation.code_hash and wording.code_in(text):
        return True
    return awaiting and bool(wording.email_in(text) or wording.order_number(text))


def _latest(current: _Turn, find) -> str | None:  # type: ignore[no-untyped-def]
    return next(
        (v for t in reversed(current.turns) if t.author == "customer" and (v := find(t.body))),
        None,
    )


def _code_turn(current: _Turn, text: str, topic: str) -> bool:
    """A one-time code asked for or typed back; False when the message is neither."""
    conversation = current.conversation
    code = wording.code_in(text) if conversation.code_hash else None
    if code is not None:
        outcome = codes.check_code(conversation, code, now=current.now)
        if outcome == "ok" and conversation.order_id is not None:
            _tell_order(current, conversation.order_id, topic)
        elif outcome == "expired":
            current.say("code_wrong", CODE_EXPIRED)
        elif outcome == "wrong":
            conversation.failed_checks += 1
            if conversation.failed_checks >= orders.MAX_FAILED_CHECKS:
                _hand_over(current, reason="verification", opening=PASSING)
            else:
                current.say("code_wrong", CODE_WRONG)
        return outcome != "none"
    if not wording.asks_for_code(text):
        return False
    number = wording.order_number(text) or _latest(current, wording.order_number)
    if number is None:
        current.say("verify", CODE_NUMBER)
        return True
    codes.request_code(current.session, conversation=conversation, number=number, now=current.now)
    current.say("code_sent", CODE_SENT, number=number, minutes=codes.CODE_MINUTES)
    return True


def _order(current: _Turn, text: str) -> None:
    conversation = current.conversation
    number = _latest(current, wording.order_number)
    email = _latest(current, wording.email_in)
    topic_turn = next(
        (t.body for t in reversed(current.turns)
         if t.author == "customer" and wording.ORDER_WORDS.search(t.body)),
        text,
    )  # fmt: skip
    topic = wording.order_topic(topic_turn)
    if conversation.order_id is None and _code_turn(current, text, topic):
        return
    if conversation.order_id is not None:
        known = orders.order_number_of(current.session, conversation.order_id)
        asked = wording.order_number(text)
        if asked is None or asked.lstrip("#") == known:
            _tell_order(current, conversation.order_id, topic)
            return
        conversation.order_id = None  # another order: it must be proved as well
        email = wording.email_in(text)
        number = asked
    if number and email:
        found = orders.verified_order_id(
            current.session, store_id=conversation.store_id, number=number, email=email
        )
        if found is None:
            conversation.failed_checks += 1
            if conversation.failed_checks >= orders.MAX_FAILED_CHECKS:
                _hand_over(current, reason="verification", opening=PASSING)
            else:
                current.say("no_match", NO_MATCH)
            return
        conversation.order_id = found
        conversation.email = email
        _tell_order(current, found, topic)
    elif number:
        current.say("verify", ASK_EMAIL, number=number)
    elif email:
        current.say("verify", ASK_NUMBER)
    else:
        current.say("verify", ASK_VERIFY)


def _tell_order(current: _Turn, order_id: int, topic: str) -> None:
    body = orders.describe(current.session, order_id=order_id, topic=topic, now=current.now)
    current.add("assistant", "order", body)
    current.conversation.answered += 1
    asked = [t.body for t in current.turns if t.author == "customer"][-3:]
    if any(wording.asks_for_a_change(text) for text in asked):
        current.say("cannot_change", CANNOT_CHANGE)


def _from_articles(
    current: _Turn, *, site: SiteView, language: str, question: str, base: str
) -> None:
    found = retrieval.best_answer(current.session, site=site, language=language, question=question)
    if found is None or found.confidence < retrieval.THRESHOLD:
        _hand_over(
            current, reason="unknown", opening=DONT_KNOW,
            confidence=found.confidence if found else 0.0,
        )  # fmt: skip
        return
    body = gettext(FROM_ARTICLE, title=found.title) + "\n" + found.passage
    current.add(
        "assistant", "article", body, article_id=found.article_id, article_title=found.title,
        article_url=f"{base}/{language}/articles/{found.slug}", confidence=found.confidence,
    )  # fmt: skip
    current.conversation.answered += 1


def _hand_over(current: _Turn, *, reason: str, opening: str, confidence: float = 0.0) -> None:
    conversation = current.conversation
    current.add(
        "assistant", "unknown" if reason == "unknown" else "handover", gettext(opening),
        confidence=confidence if reason == "unknown" else None,
    )  # fmt: skip
    conversation.status = "handed_over"
    conversation.handover_reason = reason
    conversation.handed_over_at = current.now
    if conversation.chat_id is not None:
        # the chat opens the ticket itself (kefu.ai.assistant.chat): it is the chat's
        current.say("handover", CHAT_HANDED)
        return
    conversation.ticket_id = handover.open_ticket(
        current.session, conversation=conversation, turns=current.turns, reason=reason,
        now=current.now,
    )  # fmt: skip
    follow = gettext(HANDED, ticket=conversation.ticket_id) + " "
    if conversation.email:
        follow += gettext(BY_EMAIL, email=conversation.email)
    else:
        follow += gettext(LEAVE_EMAIL)
    current.add("assistant", "handover", follow)
