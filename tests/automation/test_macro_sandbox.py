"""The macro sandbox: a template can read the ticket's values and nothing else, cannot run
away, and a bad template is refused with its reason and line."""

import pytest

from kefu.automation.macro_render import validate_template
from kefu.automation.macros.sandbox import FIELDS, Facts, render_template
from kefu.errors import InvalidInput

CONTEXT = {
    "customer": Facts("customer", {"name": "Emily Chen", "first_name": "Emily"}),
    "ticket": Facts("ticket", {"id": 7, "subject": "Late parcel"}),
    "order": Facts("order", {"number": "1001", "items": [Facts("item", {"title": "Tee"})]}),
}


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{{ ticket.__class__ }}", "line 1: '__class__' is not allowed"),
        ("{{ ''.__class__.__mro__ }}", "is not allowed"),
        ("{{ ''['__class__'] }}", "access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ order.items[0]['__init__'] }}", "of 'Facts' object is unsafe"),
        ("{{ order.items|map(attribute='__class__')|list }}", "'__class__' is not allowed"),
        ("{{ config }}", "unknown variable 'config'"),
        ("{{ self }}", "unknown variable 'self'"),
        ("{{ cycler.__init__.__globals__.os }}", "unknown variable 'cycler'"),
        ("{{ joiner() }}", "unknown variable 'joiner'"),
        ("{% set ns = namespace(x=1) %}", "unknown variable 'namespace'"),
        ("{{ lipsum(10**6) }}", "unknown variable 'lipsum'"),
        ("{{ ticket|attr('__class__') }}", "the filter 'attr' is not allowed"),
        ("{% for x in range(10**9) %}{% endfor %}", "range() is limited to 1000 items"),
        ("{{ 'x' * 10**6 }}", "repeating is limited to 1000 items"),
        ("{{ 2 ** 64 ** 64 ** 64 }}", "powers above 64 are not allowed"),
        ("{{ 10 ** 65 }}", "powers above 64 are not allowed"),
        ("{{ '%999999999d' % 1 }}", "string formatting with % is not allowed"),
        ("{{ 'a'.center(10**9) }}", "calling center is not allowed"),
        ("{{ '{:>999999999}'.format(1) }}", "calling format is not allowed"),
        ("{{ 'a'|center(10**9) }}", "the filter 'center' is not allowed"),
        ("{{ ('x' * 1000).replace('x', 'xxxxxx') }}", "a value made in a macro is at most 5000"),
        ("{{ ('x' * 1000)|replace('x', 'xxxxxx') }}", "a value made in a macro is at most 5000"),
        ("{% include 'base.html' %}", "{% include %} is not allowed"),
        ("{% macro f() %}{{ f() }}{% endmacro %}", "{% macro %} is not allowed"),
        (
            "{% for a in range(999) %}{% for b in range(999) %}{% for c in range(999) %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "loops nest at most 2 deep",
        ),
        (
            "{% for a in range(999) %}{% for b in range(999) %}{% endfor %}{% endfor %}",
            "loops in a macro run at most 20000 times in all",
        ),
        ("{% for a in range(200) %}{% for b in range(99) %}.....{% endfor %}{% endfor %}", "50000"),
        (
            "{% for a in ('x' * 1000 ~ 'x' * 1000) ~ ('x' * 1000 ~ 'x' * 1000) %}"
            "{% for b in ('x' * 1000 ~ 'x' * 1000) ~ ('x' * 1000 ~ 'x' * 1000) %}"
            "{% endfor %}{% endfor %}",
            "loops in a macro run at most 20000 times in all",
        ),
        ("{% for x in range(3) recursive %}{{ loop(range(3)) }}{% endfor %}", "recursive loops"),
        ("{{ customer.nmae }}", "customer has no 'nmae'; it has name, first_name"),
        ("Hello\n{{ customer.name", "line 2: unexpected end of template"),
        ("Hi\n\n{{ 1 / 0 }}", "line 3: division by zero"),
        ("{{ ticket|list }}", "ticket is not a list"),
    ],
)
def test_a_template_that_reaches_out_or_runs_away_is_refused(template: str, reason: str) -> None:
    # when
    with pytest.raises(InvalidInput) as refused:
        validate_template(template)
    # then
    assert reason in refused.value.message


def test_a_good_template_passes_and_renders() -> None:
    # given
    template = (
        "Hi {{ customer.first_name|upper }},\n"
        "{% for item in order.items %}- {{ item.title }}\n{% endfor %}"
        "{% if order.tracking_number %}{{ order.tracking_number }}{% else %}soon{% endif %}"
    )
    # when
    validate_template(template)
    text, missing = render_template(template, CONTEXT)
    # then
    assert text == "Hi EMILY,\n- Tee\nsoon"
    assert missing == []


def test_missing_values_render_as_their_names() -> None:
    # when
    text, missing = render_template(
        "{{ order.tracking_number }} / {{ agent.signature }} / {{ agent.name|default('us') }}",
        CONTEXT,
    )
    # then
    assert text == "[order.tracking_number] / [agent.signature] / us"
    assert missing == ["order.tracking_number", "agent.signature"]


def test_facts_cannot_be_changed_or_looked_into() -> None:
    # given
    customer = CONTEXT["customer"]
    # when / then
    with pytest.raises(AttributeError):
        customer.name = "Mallory"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        customer._private  # noqa: B018
    assert str(customer) == "[customer]"


def test_a_rules_note_may_name_more_variables_and_use_plain_values() -> None:
    # given: a rule's note, with the rule among its variables
    fields = {**FIELDS, "rule": ("id", "name")}
    text = "{{ rule.name }} fired on #{{ ticket.id }}"
    # when
    validate_template(text, fields=fields)
    rendered, _missing = render_template(
        text, {"rule": {"name": "VIP urgent"}, "ticket": {"id": 7}}, fields=fields
    )
    # then
    assert rendered == "VIP urgent fired on #7"
    with pytest.raises(InvalidInput, match="unknown variable 'rule'"):
        validate_template(text)
