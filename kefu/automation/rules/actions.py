"""What a rule does, as saved JSON: the shared ticket changes (kefu.automation.ticket_changes)
plus notes, replies from macros, notifications, webhooks and escalation; each checked before
it is saved and described in words for the editor's test."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.rules import macro_link
from kefu.automation.rules.models import RuleWebhook
from kefu.automation.ticket_changes import CHANGE_TYPES, parse_changes
from kefu.errors import InvalidInput, NotFound
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

RULE_ACTIONS = ("add_note", "reply_from_macro", "notify", "call_webhook", "escalate")
ACTION_LABELS: dict[str, str] = {
    "set_status": N_("Set status"),
    "set_priority": N_("Set priority"),
    "set_type": N_("Set type"),
    "add_tags": N_("Add tags"),
    "remove_tags": N_("Remove tags"),
    "set_field": N_("Set a custom field"),
    "assign": N_("Assign"),
    "add_note": N_("Add an internal note"),
    "reply_from_macro": N_("Reply to the customer with a macro"),
    "notify": N_("Notify an agent or team"),
    "call_webhook": N_("Call a webhook"),
    "escalate": N_("Escalate"),
}
MAX_ACTIONS = 30
ESCALATED_TAG = "escalated"


def _int(raw: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = raw.get(name)
    if value in (None, "") and not required:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(f"{raw.get('type')}: {name} must be an id")
    return value


def _only(raw: dict[str, Any], *names: str) -> None:
    extra = sorted(set(raw) - {"type", *names})
    if extra:
        raise InvalidInput(f"{raw['type']}: unknown setting {extra[0]}")


def _team(session: Session, team_id: int | None) -> None:
    if team_id is not None:
        try:
            accounts.get_team(session, team_id)
        except NotFound:
            raise InvalidInput(f"unknown team: {team_id}") from None


def _check_rule_action(session: Session, raw: dict[str, Any]) -> dict[str, Any]:
    kind = raw["type"]
    if kind == "add_note":
        _only(raw, "body")
        body = raw.get("body")
        if not isinstance(body, str) or not body.strip():
            raise InvalidInput("add_note: the note needs some text")
        try:
            macro_link.validate_template(body)
        except InvalidInput as exc:
            raise InvalidInput(f"add_note: template error: {exc.message}") from None
        return {"type": kind, "body": body}
    if kind == "reply_from_macro":
        _only(raw, "macro_id")
        macro_id = _int(raw, "macro_id", required=True)
        assert macro_id is not None
        if macro_link.macro_exists(session, macro_id) is False:
            raise InvalidInput(f"unknown macro: {macro_id}")
        return {"type": kind, "macro_id": macro_id}
    if kind == "notify":
        _only(raw, "agent_id", "team_id", "email", "message")
        agent_id = _int(raw, "agent_id", required=False)
        team_id = _int(raw, "team_id", required=False)
        if agent_id is None and team_id is None:
            raise InvalidInput("notify: choose an agent or a team")
        if agent_id is not None:
            try:
                accounts.get_agent(session, agent_id)
            except NotFound:
                raise InvalidInput(f"unknown agent: {agent_id}") from None
        _team(session, team_id)
        message = str(raw.get("message") or "")[:500]
        email = raw.get("email") in (True, "true", "1", "on")
        return {
            "type": kind,
            "agent_id": agent_id,
            "team_id": team_id,
            "email": email,
            "message": message,
        }
    if kind == "call_webhook":
        _only(raw, "webhook_id")
        webhook_id = _int(raw, "webhook_id", required=True)
        if session.get(RuleWebhook, webhook_id) is None:
            raise InvalidInput(f"unknown webhook: {webhook_id}")
        return {"type": kind, "webhook_id": webhook_id}
    _only(raw, "team_id")
    team_id = _int(raw, "team_id", required=False)
    _team(session, team_id)
    return {"type": kind, "team_id": team_id}


def check_actions(session: Session, raw: Any) -> list[dict[str, Any]]:
    """The actions with every one checked (unknown kind, team, agent, macro or webhook, a
    template that does not parse): InvalidInput "action 2: unknown team: 9" on the first."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("a rule needs at least one action")
    if len(raw) > MAX_ACTIONS:
        raise InvalidInput(f"a rule has at most {MAX_ACTIONS} actions")
    checked: list[dict[str, Any]] = []
    for index, item in enumerate(raw, start=1):
        try:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                raise InvalidInput('an action is {"type": …}')
            if item["type"] in CHANGE_TYPES:
                change = parse_changes(session, [item])[0]
                checked.append(change.model_dump(mode="json"))
            elif item["type"] in RULE_ACTIONS:
                checked.append(_check_rule_action(session, item))
            else:
                raise InvalidInput(f"unknown action: {item['type']}")
        except InvalidInput as exc:
            raise InvalidInput(f"action {index}: {exc.message}") from None
    return checked


def describe_action(session: Session, action: dict[str, Any]) -> str:
    """The action in words for the test panel: "Add tags: escalated"."""
    kind = action["type"]
    label = _(ACTION_LABELS.get(kind, kind))
    detail = ""
    if kind in ("add_tags", "remove_tags"):
        detail = ", ".join(action["tags"])
    elif kind == "set_status":
        detail = action["status"]
    elif kind == "set_priority":
        detail = action["priority"]
    elif kind == "set_type":
        detail = action.get("ticket_type") or "—"
    elif kind == "set_field":
        detail = f"{action['key']} = {action['value']}"
    elif kind in ("assign", "notify", "escalate"):
        detail = _who(session, action.get("team_id"), action.get("agent_id"))
    elif kind == "add_note":
        detail = action["body"][:80]
    elif kind == "reply_from_macro":
        detail = f"#{action['macro_id']}"
    elif kind == "call_webhook":
        hook = session.get(RuleWebhook, action["webhook_id"])
        detail = hook.name if hook else f"#{action['webhook_id']}"
    return f"{label}: {detail}" if detail else label


def _who(session: Session, team_id: Any, agent_id: Any) -> str:
    names = []
    if team_id:
        try:
            names.append(accounts.get_team(session, team_id).name)
        except NotFound:
            names.append(f"team {team_id}")
    if agent_id:
        try:
            names.append(accounts.get_agent(session, agent_id).name)
        except NotFound:
            names.append(f"agent {agent_id}")
    return ", ".join(names)
