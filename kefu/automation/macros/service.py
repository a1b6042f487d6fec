"""Macros: write, find, change and delete them; shared ones are the managers', personal
ones their author's. A macro is saved only when every template and action is valid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.automation.macros.models import Macro
from kefu.automation.macros.sandbox import validate_template
from kefu.automation.macros.schemas import LANGUAGES, MacroCreate, MacroUpdate
from kefu.automation.ticket_changes import parse_changes
from kefu.errors import InvalidInput, NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import can, require

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "Chinese"}


def get_macro(session: Session, macro_id: int) -> Macro:
    macro = session.get(Macro, macro_id)
    if macro is None:
        raise NotFound(f"macro {macro_id} not found")
    return macro


def is_visible(actor: Actor, macro: Macro) -> bool:
    """Shared macros are everyone's who may use macros; personal ones only their owner's."""
    if macro.owner_id is None:
        return can(actor, "macros.use") or can(actor, "macros.manage")
    return actor.agent_id == macro.owner_id or actor.kind in ("system", "job")


def can_edit(actor: Actor, macro: Macro) -> bool:
    if macro.owner_id is None:
        return can(actor, "macros.manage")
    return actor.agent_id == macro.owner_id and can(actor, "macros.use")


def read_macro(session: Session, *, actor: Actor, macro_id: int) -> Macro:
    macro = get_macro(session, macro_id)
    if not is_visible(actor, macro):
        raise NotFound(f"macro {macro_id} not found")
    return macro


def list_macros(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    folder: str | None = None,
    include_inactive: bool = False,
    limit: int = 200,
    by_use: bool = False,
) -> list[Macro]:
    """The shared macros and the actor's own, narrowed by words found in the name, folder or
    text, and by folder (a folder includes its subfolders)."""
    if not (can(actor, "macros.use") or can(actor, "macros.manage")):
        raise PermissionDenied("your role does not allow this (macros.use)")
    statement = select(Macro).where(
        or_(Macro.owner_id.is_(None), Macro.owner_id == (actor.agent_id or -1))
    )
    if not include_inactive:
        statement = statement.where(Macro.is_active.is_(True))
    for word in query.lower().split()[:8]:
        statement = statement.where(Macro.search_text.contains(word, autoescape=True))
    if folder:
        statement = statement.where(
            or_(Macro.folder == folder, Macro.folder.startswith(f"{folder}/", autoescape=True))
        )
    order = (Macro.usage_count.desc(), Macro.name) if by_use else (Macro.folder, Macro.name)
    return list(session.scalars(statement.order_by(*order, Macro.id).limit(limit)))


def folder_tree(macros: list[Macro]) -> list[dict[str, Any]]:
    """Every folder and its parents once, in order, with their depth and macro count:
    [{"path": "Shipping", "name": "Shipping", "depth": 0, "count": 3}, ...]."""
    counts: dict[str, int] = {}
    for macro in macros:
        parts = macro.folder.split("/") if macro.folder else []
        for depth in range(len(parts)):
            path = "/".join(parts[: depth + 1])
            counts[path] = counts.get(path, 0) + 1
    return [
        {"path": path, "name": path.rsplit("/", 1)[-1], "depth": path.count("/"), "count": n}
        for path, n in sorted(counts.items())
    ]


def _check(session: Session, bodies: dict[str, str], actions: list[dict[str, Any]]) -> None:
    for language, text in bodies.items():
        try:
            validate_template(text)
        except InvalidInput as exc:
            name = LANGUAGE_NAMES.get(language, language)
            raise InvalidInput(f"{name} text, {exc.message}") from None
    parse_changes(session, actions)


def _search_text(macro: Macro) -> str:
    return "\n".join([macro.name, macro.folder, *macro.bodies.values()]).lower()


def create_macro(session: Session, *, actor: Actor, data: MacroCreate) -> Macro:
    if data.personal:
        require(actor, "macros.use")
        if actor.agent_id is None:
            raise InvalidInput("only an agent can own a personal macro")
    else:
        require(actor, "macros.manage")
    _check(session, data.bodies, data.actions)
    macro = Macro(
        name=data.name,
        folder=data.folder,
        owner_id=actor.agent_id if data.personal else None,
        kind=data.kind,
        bodies={k: data.bodies[k] for k in LANGUAGES if k in data.bodies},
        actions=data.actions,
        is_active=data.is_active,
        usage_count=0,
    )
    macro.search_text = _search_text(macro)
    session.add(macro)
    session.flush()
    return macro


def _editable(session: Session, actor: Actor, macro_id: int) -> Macro:
    macro = read_macro(session, actor=actor, macro_id=macro_id)
    if not can_edit(actor, macro):
        permission = "macros.manage" if macro.owner_id is None else "macros.use"
        raise PermissionDenied(f"your role does not allow this ({permission})")
    return macro


def update_macro(session: Session, *, actor: Actor, macro_id: int, data: MacroUpdate) -> Macro:
    macro = _editable(session, actor, macro_id)
    sent = data.model_dump(exclude_unset=True, exclude_none=True)
    _check(session, sent.get("bodies", {}), sent.get("actions", []))
    for field, value in sent.items():
        setattr(macro, field, value)
    macro.search_text = _search_text(macro)
    session.flush()
    return macro


def delete_macro(session: Session, *, actor: Actor, macro_id: int) -> None:
    session.delete(_editable(session, actor, macro_id))
    session.flush()


def record_macro_use(session: Session, *, macro_id: int) -> None:
    """Count one use of a macro (a reply or note sent with it, a rule's reply)."""
    macro = get_macro(session, macro_id)
    macro.usage_count = Macro.usage_count + 1  # in SQL: two uses at once count two
    macro.last_used_at = utcnow()
    session.flush()
