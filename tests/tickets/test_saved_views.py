"""Saved views: personal and shared, who may change them, and what is refused."""

import pytest
from sqlalchemy import func, select

from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.permissions import Role
from kefu.tickets.models import SavedView
from kefu.tickets.views import (
    create_saved_view,
    delete_saved_view,
    get_saved_view,
    list_saved_views,
    list_view,
    update_saved_view,
    view_counts,
)
from tests.tickets.read_factories import NOW, add_agent, add_customer, add_field, add_ticket, ids


@pytest.fixture
def team(database: Database) -> dict:
    with database.unit_of_work() as s:
        ann = add_agent(s, name="Ann Agent")
        bob = add_agent(s, name="Bob Agent")
        lead = add_agent(s, name="Lee Lead", role=Role.MANAGER)
        emily = add_customer(s)
        add_field(s, key="order_total", field_type="number")
        vip_old = add_ticket(s, requester=emily, tags=["vip"], updated=1, created=50)
        vip_new = add_ticket(s, requester=emily, tags=["vip"], updated=2, created=5)
        add_ticket(s, requester=emily, updated=3)
    return {"ann": ann, "bob": bob, "lead": lead, "vip": [vip_old.id, vip_new.id]}


VIP = {"name": "VIP first", "filters": {"tags_all": ["VIP"]}, "sort": "created_asc"}


def view_count(database: Database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(SavedView)) or 0


def test_personal_view_lists_its_tickets_for_its_owner_only(database: Database, team: dict):
    # given
    with database.unit_of_work() as s:
        view = create_saved_view(s, actor=team["ann"], data=VIP)
    # when
    with database.sessions() as s:
        page = list_view(s, actor=team["ann"], view=view.id, now=NOW)
        by_text_id = list_view(s, actor=team["ann"], view=str(view.id), now=NOW)
        mine = [v.name for v in list_saved_views(s, actor=team["ann"])]
        bobs = [v.name for v in list_saved_views(s, actor=team["bob"])]
        counts = view_counts(s, actor=team["ann"], now=NOW)
        with pytest.raises(NotFound):
            list_view(s, actor=team["bob"], view=view.id, now=NOW)
    # then: stored normalized, sorted oldest created first
    assert (view.owner_id, view.filters, view.sort) == (
        team["ann"].agent_id,
        {"tags_all": ["vip"]},
        "created_asc",
    )
    assert ids(page) == ids(by_text_id) == team["vip"]
    assert (mine, bobs, counts[view.id]) == (["VIP first"], [], 2)


def test_only_leads_share_views_and_change_shared_ones(database: Database, team: dict):
    shared = {**VIP, "is_shared": True}
    # an agent may not share
    with database.unit_of_work() as s, pytest.raises(PermissionDenied):
        create_saved_view(s, actor=team["ann"], data=shared)
    assert view_count(database) == 0
    # a lead may; everyone sees it
    with database.unit_of_work() as s:
        view = create_saved_view(s, actor=team["lead"], data=shared)
    with database.sessions() as s:
        assert [v.id for v in list_saved_views(s, actor=team["bob"])] == [view.id]
        assert ids(list_view(s, actor=team["bob"], view=view.id, now=NOW)) == team["vip"]
    # an agent can neither change nor delete it
    with database.unit_of_work() as s, pytest.raises(PermissionDenied):
        update_saved_view(s, actor=team["ann"], view_id=view.id, data={**shared, "name": "Mine"})
    with database.unit_of_work() as s, pytest.raises(PermissionDenied):
        delete_saved_view(s, actor=team["ann"], view_id=view.id)
    with database.sessions() as s:
        unchanged = get_saved_view(s, actor=team["ann"], view_id=view.id)
        assert (unchanged.name, unchanged.owner_id) == ("VIP first", None)


def test_update_and_delete_a_personal_view(database: Database, team: dict):
    with database.unit_of_work() as s:
        view = create_saved_view(s, actor=team["ann"], data=VIP)
    with database.unit_of_work() as s:
        update_saved_view(
            s,
            actor=team["ann"],
            view_id=view.id,
            data={"name": " Not  VIP ", "filters": {"tags_none": ["vip"]}},
        )
    with database.sessions() as s:
        changed = get_saved_view(s, actor=team["ann"], view_id=view.id)
        assert (changed.name, changed.filters, changed.sort) == (
            "Not VIP",
            {"tags_none": ["vip"]},
            "updated_desc",
        )
        assert len(list_view(s, actor=team["ann"], view=view.id, now=NOW).items) == 1
    # someone else's view is not found, and stays
    with database.unit_of_work() as s, pytest.raises(NotFound):
        delete_saved_view(s, actor=team["bob"], view_id=view.id)
    with database.unit_of_work() as s:
        delete_saved_view(s, actor=team["ann"], view_id=view.id)
    assert view_count(database) == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"name": "  "}, "name: Value error, a view needs a name"),
        ({"name": "x", "sort": "random"}, "sort: Input should be"),
        ({"name": "x", "filters": {"statuses": ["opn"]}}, "filters.statuses.0: Input should be"),
        ({"name": "x", "filters": {"colour": "red"}}, "filters.colour: Extra inputs"),
        (
            {"name": "x", "filters": {"fields": [{"key": "size", "op": "eq", "value": "L"}]}},
            "no custom field has the key size",
        ),
        ({"name": "x", "filters": {"deleted": True}}, "cannot show deleted tickets"),
    ],
)
def test_invalid_views_are_refused_with_a_reason(database: Database, team: dict, data, reason):
    with database.unit_of_work() as s, pytest.raises(InvalidInput) as refused:
        create_saved_view(s, actor=team["ann"], data=data)
    assert reason in refused.value.message
    assert view_count(database) == 0


def test_names_are_unique_per_owner(database: Database, team: dict):
    with database.unit_of_work() as s:
        create_saved_view(s, actor=team["ann"], data=VIP)
        create_saved_view(s, actor=team["bob"], data=VIP)
    with database.unit_of_work() as s, pytest.raises(Conflict):
        create_saved_view(s, actor=team["ann"], data=VIP)
    assert view_count(database) == 2
