"""What a macro template may contain, checked on its text before it ever runs: known
variables and attributes, allowed filters, no include/import/macro blocks, shallow loops."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Environment, TemplateSyntaxError, nodes

from kefu.errors import InvalidInput

FIELDS: dict[str, tuple[str, ...]] = {
    "ticket": ("id", "subject", "status", "priority", "type", "channel", "url", "tags"),
    "customer": ("name", "first_name", "email", "language", "is_vip"),
    "order": (
        "number",
        "status",
        "payment_status",
        "fulfilment_status",
        "total",
        "currency",
        "placed_at",
        "items",
        "carrier",
        "tracking_number",
        "tracking_url",
        "tracking_status",
    ),
    "agent": ("name", "first_name", "signature"),
}
VARIABLES = tuple(FIELDS)
MAX_TEMPLATE_CHARS = 20_000
MAX_LOOP_DEPTH = 2
SAFE_FILTERS = frozenset(
    {
        "abs",
        "capitalize",
        "count",
        "d",
        "default",
        "e",
        "escape",
        "first",
        "float",
        "int",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "replace",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "striptags",
        "sum",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    }
)
FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.Block: "block",
}

_PARSER = Environment(autoescape=True)  # parses only: nothing is rendered with it
Fields = Mapping[str, tuple[str, ...]]


def _loop_depth(node: nodes.Node, depth: int = 0) -> int:
    here = depth + 1 if isinstance(node, nodes.For) else depth
    return max([here, *(_loop_depth(child, here) for child in node.iter_child_nodes())])


def _check_tree(tree: nodes.Template, fields: Fields) -> None:
    for kind, word in FORBIDDEN_NODES.items():
        found = next(tree.find_all(kind), None)
        if found is not None:
            raise InvalidInput(f"line {found.lineno}: {{% {word} %}} is not allowed in a macro")
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for name in tree.find_all(nodes.Name):
        known = name.name in (*fields, "loop", "range") or name.name in assigned
        if name.ctx == "load" and not known:
            raise InvalidInput(
                f"line {name.lineno}: unknown variable {name.name!r}; "
                f"a macro can use {', '.join(fields)}"
            )
    for attribute in tree.find_all(nodes.Getattr):
        if attribute.attr.startswith("_"):
            raise InvalidInput(f"line {attribute.lineno}: {attribute.attr!r} is not allowed")
        owner = attribute.node
        named = isinstance(owner, nodes.Name) and owner.name not in assigned
        if named and owner.name in fields and attribute.attr not in fields[owner.name]:
            raise InvalidInput(
                f"line {attribute.lineno}: {owner.name} has no {attribute.attr!r}; "
                f"it has {', '.join(fields[owner.name])}"
            )
    for item in tree.find_all(nodes.Filter):
        if item.name not in SAFE_FILTERS:
            raise InvalidInput(f"line {item.lineno}: the filter {item.name!r} is not allowed")
        for argument in item.kwargs:
            value = getattr(argument.value, "value", None)
            if isinstance(value, str) and value.startswith("_"):
                raise InvalidInput(f"line {item.lineno}: {value!r} is not allowed")
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise InvalidInput(f"line {loop.lineno}: recursive loops are not allowed in a macro")
    if _loop_depth(tree) > MAX_LOOP_DEPTH:
        raise InvalidInput(f"loops nest at most {MAX_LOOP_DEPTH} deep in a macro")


def check_template(text: str, *, fields: Fields = FIELDS) -> None:
    """The static part of validate_template: the template's text, without running it."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise InvalidInput(f"a macro is at most {MAX_TEMPLATE_CHARS} characters")
    try:
        tree = _PARSER.parse(text)
        _check_tree(tree, fields)
    except TemplateSyntaxError as exc:
        raise InvalidInput(f"line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise InvalidInput("the template nests too deeply") from None
