"""The macros part's template checking and rendering, reached at call time: the rules work
(with a plain sandbox for notes, and without replies from macros) before macros are merged."""

from __future__ import annotations

import importlib
from typing import Any

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.actor import Actor

MAX_NOTE_CHARS = 20_000
_FALLBACK = ImmutableSandboxedEnvironment(autoescape=False, undefined=ChainableUndefined)


def _find(*candidates: str) -> Any:
    """The first of "module:function" that exists, else None."""
    for candidate in candidates:
        module_name, _, name = candidate.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, name, None)
        if found is not None:
            return found
    return None


def note_fields() -> Any:
    """The variables a rule's note may use: the macros' plus `rule` (None without macros)."""
    fields = _find("kefu.automation.macros.sandbox:FIELDS")
    return {**fields, "rule": ("id", "name")} if fields is not None else None


def validate_template(text: str) -> None:
    """The macros' check (syntax, forbidden tags, unknown variables, a trial render), else a
    syntax check."""
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a note is at most {MAX_NOTE_CHARS} characters")
    check = _find("kefu.automation.macros.sandbox:validate_template")
    fields = note_fields()
    if check is not None and fields is not None:
        check(text, fields=fields)
        return
    try:
        _FALLBACK.parse(text)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise InvalidInput(f"line {line}: {exc.message}" if line else str(exc)) from None


def render_note(
    session: Session, *, text: str, ticket_id: int, rule: dict[str, Any], plain: dict[str, Any]
) -> str:
    """A note's template filled in the macros' sandbox with the macros' variables (ticket,
    customer, latest order) and `rule`; without macros, in a plain sandbox with `plain`."""
    render = _find("kefu.automation.macros.sandbox:render_template")
    build = _find("kefu.automation.macros.context:build_context")
    fields = note_fields()
    if render is not None and build is not None and fields is not None:
        context = build(session, ticket_id=ticket_id, agent_id=None, language="en")
        return str(render(text, {**context, "rule": rule}, fields=fields)[0])
    try:
        return _FALLBACK.from_string(text).render({**plain, "rule": rule})[:MAX_NOTE_CHARS]
    except TemplateError as exc:
        raise InvalidInput(f"the note's template: {exc.message}") from None


def render_macro_fn() -> Any:
    """`render_macro(session, *, macro_id, ticket_id, agent_id, language)`, or None."""
    return _find(
        "kefu.automation.macro_render:render_macro",
        "kefu.automation.macros.render:render_macro",
        "kefu.automation.macros.service:render_macro",
    )


def shared_macros(session: Session) -> list[tuple[int, str]] | None:
    """(id, "folder / name") of the active shared macros, for the editor's picker; None when
    kefu has no macros (the editor then asks for the macro's number)."""
    list_macros = _find("kefu.automation.macros.service:list_macros")
    if list_macros is None:
        return None
    found = list_macros(session, actor=Actor.system())
    return [
        (m.id, f"{m.folder} / {m.name}" if m.folder else m.name)
        for m in found
        if m.owner_id is None
    ]


def record_use(session: Session, *, macro_id: int) -> None:
    """Bump the macro's usage count, when kefu has macros."""
    record = _find(
        "kefu.automation.macro_render:record_macro_use",
        "kefu.automation.macros.render:record_macro_use",
    )
    if record is not None:
        record(session, macro_id=macro_id)


def macro_exists(session: Session, macro_id: int) -> bool | None:
    """Whether the macro exists; None when kefu has no macros to ask."""
    get = _find(
        "kefu.automation.macros.service:get_macro",
        "kefu.automation.macros.queries:get_macro",
    )
    if get is None:
        return None
    try:
        get(session, macro_id)
    except InvalidInput:
        return False
    except Exception as exc:  # NotFound, the macros' own error
        if getattr(exc, "status", None) == 404:
            return False
        raise
    return True
