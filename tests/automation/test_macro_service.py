"""Macros are written, found and changed by who may: shared ones by managers, personal ones
by their author; a broken template or action is refused and nothing is saved."""

import pytest
from sqlalchemy import func, select

from kefu.automation.macros import service
from kefu.automation.macros.models import Macro
from kefu.automation.macros.schemas import MacroCreate, MacroUpdate
from kefu.db import Database
from kefu.errors import InvalidInput, NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.automation.macro_factories import make_macro


def _actor(database: Database, role: Role, email: str) -> Actor:
    agent = make_agent(database, email=email, name=email.split("@")[0], role=role)
    return Actor(kind="agent", name=agent.name, agent_id=agent.id, role=role.value)


def _count(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(Macro)) or 0


@pytest.mark.parametrize(
    ("bodies", "actions", "reason"),
    [
        ({"en": "Hi {{ customer.name"}, [], "English text, line 1: unexpected end of template"),
        ({"zh-CN": "您好\n{{ custmer.name }}"}, [], "Chinese text, line 2: unknown variable"),
        ({"en": "{{ config }}"}, [], "unknown variable 'config'"),
        ({"en": "Hi"}, [{"type": "set_status", "status": "done"}], "set_status.status"),
        ({"en": "Hi"}, [{"type": "set_field", "key": "nope", "value": 1}], "unknown custom field"),
    ],
)
def test_a_broken_macro_is_refused_and_not_saved(
    database: Database, bodies: dict[str, str], actions: list[dict[str, object]], reason: str
) -> None:
    # given
    manager = _actor(database, Role.MANAGER, "lead@example.com")
    data = MacroCreate(name="Broken", bodies=bodies, actions=actions)
    # when
    with database.unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        service.create_macro(session, actor=manager, data=data)
    # then
    assert reason in refused.value.message
    assert _count(database) == 0


def test_an_agent_may_only_write_personal_macros(database: Database) -> None:
    # given
    agent = _actor(database, Role.AGENT, "ann@example.com")
    # when / then
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        service.create_macro(session, actor=agent, data=MacroCreate(name="S", bodies={"en": "x"}))
    mine = make_macro(database, actor=agent, name="Mine", personal=True)
    assert mine.owner_id == agent.agent_id


def test_personal_macros_are_seen_only_by_their_owner(database: Database) -> None:
    # given
    ann = _actor(database, Role.AGENT, "ann@example.com")
    bob = _actor(database, Role.AGENT, "bob@example.com")
    manager = _actor(database, Role.MANAGER, "lead@example.com")
    shared = make_macro(database, actor=manager, name="Shared", folder="Shipping/Delays")
    anns = make_macro(database, actor=ann, name="Ann's", personal=True)
    # when
    with database.unit_of_work() as session:
        seen_by_bob = [m.name for m in service.list_macros(session, actor=bob)]
        seen_by_ann = [m.name for m in service.list_macros(session, actor=ann)]
        with pytest.raises(NotFound):
            service.read_macro(session, actor=bob, macro_id=anns.id)
        with pytest.raises(PermissionDenied):
            service.update_macro(
                session, actor=ann, macro_id=shared.id, data=MacroUpdate(name="Mine now")
            )
    # then
    assert seen_by_bob == ["Shared"]
    assert seen_by_ann == ["Ann's", "Shared"]


def test_search_finds_words_in_name_folder_and_either_language(database: Database) -> None:
    # given
    manager = _actor(database, Role.MANAGER, "lead@example.com")
    make_macro(database, actor=manager, name="Delay apology", folder="Shipping/Delays")
    make_macro(database, actor=manager, name="Refund done", folder="Refunds", zh="退款已完成")
    make_macro(database, actor=manager, name="Size guide", folder="Pre-sale", en="Our sizes")
    # when
    with database.unit_of_work() as session:

        def names(**kw: object) -> list[str]:
            return [m.name for m in service.list_macros(session, actor=manager, **kw)]  # type: ignore[arg-type]

        by_text, by_chinese = names(query="sizes"), names(query="退款")
        by_folder, by_two_words = names(folder="Shipping"), names(query="delay shipping")
        tree = service.folder_tree(service.list_macros(session, actor=manager))
    # then
    assert (by_text, by_chinese) == (["Size guide"], ["Refund done"])
    assert (by_folder, by_two_words) == (["Delay apology"], ["Delay apology"])
    assert [(f["path"], f["depth"], f["count"]) for f in tree] == [
        ("Pre-sale", 0, 1),
        ("Refunds", 0, 1),
        ("Shipping", 0, 1),
        ("Shipping/Delays", 1, 1),
    ]


def test_an_update_with_a_broken_template_changes_nothing(database: Database) -> None:
    # given
    manager = _actor(database, Role.MANAGER, "lead@example.com")
    macro = make_macro(database, actor=manager, name="Good", en="Hello {{ customer.name }}")
    # when
    with database.unit_of_work() as session, pytest.raises(InvalidInput):
        service.update_macro(
            session,
            actor=manager,
            macro_id=macro.id,
            data=MacroUpdate(name="Bad", bodies={"en": "{% for %}"}),
        )
    # then
    with database.unit_of_work() as session:
        stored = service.get_macro(session, macro.id)
        assert (stored.name, stored.bodies) == ("Good", {"en": "Hello {{ customer.name }}"})


def test_macro_changes_are_in_the_audit_log(database: Database) -> None:
    # given
    manager = _actor(database, Role.MANAGER, "lead@example.com")
    # when
    with database.unit_of_work(actor=manager) as session:
        macro = service.create_macro(
            session, actor=manager, data=MacroCreate(name="Audited", bodies={"en": "x"})
        )
        macro_id = macro.id
    # then
    from kefu.compliance.models import AuditEntry

    with database.unit_of_work() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "macros")
        ).all()
        assert [(e.action, e.entity_id, e.actor_ref) for e in entries] == [
            ("macros.created", str(macro_id), f"agent:{manager.agent_id}")
        ]
