"""The store's intent taxonomy: the default one (kefu.ai.taxonomy) until an admin edits it,
then its own rows: names in English and Chinese, a description, seed examples, on/off."""

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.ai import taxonomy
from kefu.ai.models import IntentDefinition
from kefu.ai.switches import MANAGE
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.permissions import require

KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
RESERVED = {taxonomy.OTHER.id, "oos"}
MAX_EXAMPLES = 200
MAX_EXAMPLE = 1000


@dataclass(frozen=True, slots=True)
class IntentView:
    key: str
    name: str
    name_zh: str
    description: str = ""
    examples: tuple[tuple[str, str], ...] = field(default=())  # (language, text)
    is_active: bool = True

    def label(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name


class IntentIn(BaseModel):
    """An intent as the admin's form and the API send it; `examples` one per line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(min_length=2, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    examples_en: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    examples_zh: list[str] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    is_active: bool = True

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY.match(value) or value in RESERVED:
            raise ValueError("lower-case letters, digits and _, starting with a letter")
        return value

    @field_validator("examples_en", "examples_zh")
    @classmethod
    def _examples(cls, values: list[str]) -> list[str]:
        kept = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if any(len(v) > MAX_EXAMPLE for v in kept):
            raise ValueError(f"an example is longer than {MAX_EXAMPLE} characters")
        return kept


@functools.cache
def _defaults() -> tuple[IntentView, ...]:
    seeds: dict[str, list[tuple[str, str]]] = {}
    for language in taxonomy.SEED_FILES:
        for text, key in taxonomy.seed_examples(language):
            seeds.setdefault(key, []).append((language, text))
    return tuple(
        IntentView(i.id, i.name, i.name_zh, examples=tuple(seeds.get(i.id, [])))
        for i in taxonomy.DEFAULT_INTENTS
    )


def _view(row: IntentDefinition) -> IntentView:
    examples = tuple((e.get("language", "en"), e["text"]) for e in row.examples or [])
    return IntentView(row.key, row.name, row.name_zh, row.description, examples, row.is_active)


def list_intents(session: Session, *, active_only: bool = False) -> list[IntentView]:
    def load() -> list[IntentView]:
        rows = session.scalars(select(IntentDefinition).order_by(IntentDefinition.position))
        return [_view(row) for row in rows] or list(_defaults())

    found = cached(session, "ai.intents", load)
    return [i for i in found if i.is_active] if active_only else list(found)


def get_intent(session: Session, key: str) -> IntentView:
    for intent in list_intents(session):
        if intent.key == key:
            return intent
    raise NotFound(f"no intent {key!r}")


def labels(session: Session, language: str) -> dict[str, str]:
    """Each intent's name in the language (switched-off ones too: old tickets keep them)."""
    found = {i.key: i.label(language) for i in list_intents(session)}
    found[taxonomy.OTHER.id] = taxonomy.OTHER.name_zh if language.startswith("zh") else (
        taxonomy.OTHER.name)  # fmt: skip
    return found


def seed_pairs(session: Session) -> list[tuple[str, str]]:
    """(text, intent) of every active intent's examples: what every model learns first."""
    active = list_intents(session, active_only=True)
    return [(text, i.key) for i in active for _, text in i.examples]


def fingerprint(session: Session) -> str:
    """Changes whenever the active intents or their examples do (the seed model's version)."""
    data = [(i.key, i.examples) for i in list_intents(session, active_only=True)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:12]


def _materialise(session: Session) -> None:
    """Write the default taxonomy as rows before an admin's first edit."""
    if session.scalar(select(func.count()).select_from(IntentDefinition)):
        return
    for position, intent in enumerate(_defaults()):
        session.add(IntentDefinition(
            key=intent.key, name=intent.name, name_zh=intent.name_zh, position=position,
            examples=[{"language": lang, "text": text} for lang, text in intent.examples],
        ))  # fmt: skip
    session.flush()


def _examples(data: IntentIn) -> list[dict[str, str]]:
    return [{"language": "en", "text": t} for t in data.examples_en] + [
        {"language": "zh", "text": t} for t in data.examples_zh
    ]


def _check_active(session: Session) -> None:
    session.flush()
    active = session.scalar(
        select(func.count()).select_from(IntentDefinition).where(IntentDefinition.is_active)
    )
    if (active or 0) < 2:
        raise InvalidInput("keep at least two intents switched on")


def save_intent(
    session: Session, *, actor: Actor, data: IntentIn, key: str | None = None
) -> IntentView:
    """Create an intent (`key` None) or change the one of `key` (its key stays)."""
    require(actor, MANAGE)
    _materialise(session)
    if key is None:
        if session.scalar(select(IntentDefinition).where(IntentDefinition.key == data.key)):
            raise Conflict(f"an intent {data.key!r} exists already")
        last = session.scalar(select(func.max(IntentDefinition.position))) or 0
        row = IntentDefinition(key=data.key, position=last + 1)
        session.add(row)
    else:
        row = session.scalar(select(IntentDefinition).where(IntentDefinition.key == key))
        if row is None:
            raise NotFound(f"no intent {key!r}")
    if data.is_active and not (data.examples_en or data.examples_zh):
        raise InvalidInput("an intent that is on needs at least one example")
    row.name, row.name_zh, row.description = data.name, data.name_zh, data.description
    row.examples, row.is_active = _examples(data), data.is_active
    _check_active(session)
    return _view(row)


def intent_keys(session: Session) -> list[str]:
    """Every intent a rule may test (switched-off ones too, and "other")."""
    return [i.key for i in list_intents(session)] + [OTHER_KEY]


OTHER_KEY = taxonomy.OTHER.id
