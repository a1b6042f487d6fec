"""The sandbox macro templates run in: Jinja2's immutable sandbox with only what a reply
needs, limits on loops, sizes and output, and a visible marker for data a ticket lacks.

A template sees plain values the context builder made (`ticket`, `customer`, `order`,
`agent`), never ORM objects, so it cannot reach the session, the configuration or another
customer. Unsafe attributes (`__class__`, `_private`), unknown variables, `include`,
`import`, `extends`, `macro`/`call` blocks and calls other than a few string methods are
refused when the template is saved; at render the sandbox refuses them again."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import Undefined, UndefinedError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from kefu.automation.macros.checks import (
    FIELDS,
    SAFE_FILTERS,
    VARIABLES,
    Fields,
    check_template,
)
from kefu.errors import InvalidInput

__all__ = ["FIELDS", "VARIABLES", "Facts", "check_template", "render_template", "validate_template"]

MAX_OUTPUT_CHARS = 50_000
MAX_RANGE = 1_000
MAX_SEQUENCE = 1_000
MAX_VALUE = 5_000
MAX_LOOP_TURNS = 20_000
LOOP_FILTER = "_kefu_counted"
MAX_EXPONENT = 64
MAX_BITS = 4096
SAFE_STR_METHODS = frozenset(
    {
        "upper",
        "lower",
        "title",
        "capitalize",
        "strip",
        "lstrip",
        "rstrip",
        "startswith",
        "endswith",
        "split",
        "replace",
        "splitlines",
    }
)

# The names of missing values met while rendering (for the preview's warning).
_missing: ContextVar[list[str] | None] = ContextVar("kefu_macro_missing", default=None)
# Loop turns left in this render (every {% for %} counts the items it goes over).
_turns_left: ContextVar[int] = ContextVar("kefu_macro_turns_left", default=0)


class Facts:
    """Read-only named values for templates: `customer.name`; nothing else is reachable
    (no dict methods shadowing `order.items`, no private attributes)."""

    __slots__ = ("_path", "_values")

    def __init__(self, path: str, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"{self._path} is not a list")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("macro values are read-only")

    def __str__(self) -> str:
        return f"[{self._path}]"

    __repr__ = __str__


def plain(value: Any) -> Any:
    """Facts (and lists of them) as JSON-safe data, for the API's preview."""
    if isinstance(value, Facts):
        values = object.__getattribute__(value, "_values")
        return {key: plain(item) for key, item in values.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Missing(Undefined):
    """A value the ticket does not have (no order yet, no tracking number): it renders as
    "[order.tracking_number]" for the agent to see and fill in, is false in `{% if %}` and
    empty in a loop. An unsafe attribute is not "missing": it still raises."""

    __slots__ = ()

    @property
    def path(self) -> str:
        owner = self._undefined_obj
        name = self._undefined_name or "?"
        if isinstance(owner, Facts):
            return f"{object.__getattribute__(owner, '_path')}.{name}"
        if isinstance(owner, Missing):
            return f"{owner.path}.{name}"
        return name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or self._undefined_exception is not UndefinedError:
            return super().__getattr__(name)
        return Missing(obj=self, name=name)

    def __str__(self) -> str:
        if self._undefined_exception is not UndefinedError:
            self._fail_with_undefined_error()
        found = _missing.get()
        if found is not None and self.path not in found:
            found.append(self.path)
        return f"[{self.path}]"

    def __html__(self) -> Markup:
        return escape(str(self))

    def __iter__(self) -> Iterator[Any]:
        if self._undefined_exception is not UndefinedError:
            self._fail_with_undefined_error()
        return iter(())

    def __bool__(self) -> bool:
        if self._undefined_exception is not UndefinedError:
            self._fail_with_undefined_error()
        return False


def _safe_range(*args: int) -> range:
    found = range(*args)
    if len(found) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items in a macro")
    return found


class MacroEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with limits on `*`, `**` and `%`, and an allow-list of calls."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            too_big = isinstance(left, int) and left.bit_length() * abs(right) > MAX_BITS
            if isinstance(right, int) and (abs(right) > MAX_EXPONENT or too_big):
                raise SecurityError(f"powers above {MAX_EXPONENT} are not allowed in a macro")
            return left**right
        if operator == "%":
            if isinstance(left, str):
                raise SecurityError("string formatting with % is not allowed in a macro")
            return left % right
        for sequence, times in ((left, right), (right, left)):
            repeats = isinstance(sequence, str | list | tuple) and isinstance(times, int)
            if repeats and len(sequence) * times > MAX_SEQUENCE:
                raise SecurityError(f"repeating is limited to {MAX_SEQUENCE} items")
        return left * right

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        allowed = (
            __obj is _safe_range
            or (isinstance(owner, str) and name in SAFE_STR_METHODS)
            or (isinstance(owner, LoopContext) and name in ("cycle", "changed"))
        )
        if not allowed:
            raise SecurityError(f"calling {name or 'this'} is not allowed in a macro")
        return _bounded(super().call(__context, __obj, *args, **kwargs))


def _bounded(value: Any) -> Any:
    """A text or list a method or filter made, refused past MAX_VALUE: loops over what a
    template builds stay small (two loops deep at most MAX_VALUE² turns)."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_VALUE:
        raise SecurityError(f"a value made in a macro is at most {MAX_VALUE} long")
    return value


def _limited(function: Any) -> Any:
    @functools.wraps(function)  # keeps Jinja's pass_context / pass_environment marks
    def limited(*args: Any, **kwargs: Any) -> Any:
        return _bounded(function(*args, **kwargs))

    return limited


def _counted(items: Any) -> list[Any]:
    """What a {% for %} goes over, counted against the render's MAX_LOOP_TURNS."""
    listed = list(items)
    left = _turns_left.get() - len(listed)
    if left < 0:
        raise SecurityError(f"loops in a macro run at most {MAX_LOOP_TURNS} times in all")
    _turns_left.set(left)
    return listed


def _counting_loops(tree: nodes.Template) -> nodes.Template:
    """Every loop's sequence passed through the (template-unreachable) counting filter."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.lineno)
    return tree


def _environment(*, autoescape: bool) -> MacroEnvironment:
    env = MacroEnvironment(autoescape=autoescape, undefined=Missing, keep_trailing_newline=True)
    env.globals.clear()
    env.globals["range"] = _safe_range
    env.filters = {name: _limited(env.filters[name]) for name in SAFE_FILTERS}
    env.filters[LOOP_FILTER] = _counted
    return env


TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


def _sample(fields: Fields) -> dict[str, Any]:
    """Made-up values for every variable: a template is tried on them before it is saved."""
    item = Facts("item", {"title": "Linen shirt", "variant": "M", "sku": "LS-M", "quantity": 1})
    values: dict[str, dict[str, Any]] = {
        "ticket": {"id": 1, "tags": ["sample"], "url": "https://example.com/tickets/1"},
        "customer": {"is_vip": False},
        "order": {"items": [item]},
        "agent": {},
    }
    return {
        name: Facts(name, {f: values.get(name, {}).get(f, f"sample {f}") for f in names})
        for name, names in fields.items()
    }


def validate_template(text: str, *, fields: Fields = FIELDS) -> None:
    """Refuse a template that would not render: a syntax error, an unknown variable, a
    forbidden tag, filter or attribute, or an error when it is tried on sample values;
    InvalidInput says what and on which line. `fields` names the variables and their
    attributes (a rule's note adds `rule`: {**FIELDS, "rule": ("id", "name")})."""
    check_template(text, fields=fields)
    sample = _sample(fields)
    render_template(text, sample, fields=fields)
    # and as it renders for a customer without orders, written by a rule (no agent)
    no_order = {name: value for name, value in sample.items() if name != "order"}
    render_template(text, {**no_order, "agent": Facts("agent", {})}, fields=fields)


def _failure(exc: Exception) -> InvalidInput:
    """A render error as "line N: message", the line taken from Jinja's rewritten traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == "<template>"]
    where = f"line {lines[-1]}: " if lines else ""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return InvalidInput(f"{where}{message}")


def render_template(
    text: str, context: dict[str, Any], *, html: bool = False, fields: Fields = FIELDS
) -> tuple[str, list[str]]:
    """The rendered text (HTML-escaped values when `html`) and the missing values met.
    Output stops with InvalidInput past MAX_OUTPUT_CHARS; any error names its line.
    The context's values may be Facts or plain dicts, lists, strings and numbers."""
    check_template(text, fields=fields)
    env = HTML if html else TEXT
    found: list[str] = []
    token = _missing.set(found)
    turns = _turns_left.set(MAX_LOOP_TURNS)
    try:
        template = env.from_string(_counting_loops(env.parse(text)))
        parts: list[str] = []
        size = 0
        for part in template.generate(context):
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                raise InvalidInput(f"a macro renders at most {MAX_OUTPUT_CHARS} characters")
            parts.append(part)
    except InvalidInput:
        raise
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise _failure(exc) from None
    except RecursionError:
        raise InvalidInput("the template nests too deeply") from None
    finally:
        _missing.reset(token)
        _turns_left.reset(turns)
    return "".join(parts), found
