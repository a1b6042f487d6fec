"""The rule editor's form, both ways: rows of inputs (no JSON to write) to a RuleIn, and a
saved rule back to rows. Rows with no field or no action chosen are ignored."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from kefu.automation.rules.service import RuleIn
from kefu.web.forms import csv_list, text

ACTION_INPUTS = (
    "act_type",
    "act_value",
    "act_value2",
    "act_team",
    "act_agent",
    "act_text",
    "act_flag",
)
CONDITION_INPUTS = ("cond_group", "cond_field", "cond_op", "cond_value")


def _rows(form: FormData, names: tuple[str, ...]) -> list[dict[str, str]]:
    columns = {
        name: [v if isinstance(v, str) else "" for v in form.getlist(name)] for name in names
    }
    count = max((len(values) for values in columns.values()), default=0)
    return [
        {name: (columns[name][i].strip() if i < len(columns[name]) else "") for name in names}
        for i in range(count)
    ]


def _id(value: str) -> int | str | None:
    return int(value) if value.isdigit() else (value or None)


def action_from_row(row: dict[str, str]) -> dict[str, Any]:
    kind, value = row["act_type"], row["act_value"]
    match kind:
        case "set_status":
            return {"type": kind, "status": value}
        case "set_priority":
            return {"type": kind, "priority": value}
        case "set_type":
            return {"type": kind, "ticket_type": value or None}
        case "add_tags" | "remove_tags":
            return {"type": kind, "tags": csv_list(value)}
        case "set_field":
            return {"type": kind, "key": value, "value": row["act_value2"] or None}
        case "assign":
            found: dict[str, Any] = {"type": kind}
            if row["act_team"]:
                found["team_id"] = _id(row["act_team"])
            if row["act_agent"]:
                found["agent_id"] = _id(row["act_agent"])
            return found
        case "add_note":
            return {"type": kind, "body": row["act_text"]}
        case "reply_from_macro":
            return {"type": kind, "macro_id": _id(value)}
        case "notify":
            return {
                "type": kind,
                "agent_id": _id(row["act_agent"]),
                "team_id": _id(row["act_team"]),
                "email": row["act_flag"] == "1",
                "message": row["act_text"],
            }
        case "call_webhook":
            return {"type": kind, "webhook_id": _id(value)}
        case "escalate":
            return {"type": kind, "team_id": _id(row["act_team"])}
    return {"type": kind}


def row_from_action(action: dict[str, Any]) -> dict[str, str]:
    row = dict.fromkeys(ACTION_INPUTS, "")
    row["act_type"] = action.get("type", "")
    kind = row["act_type"]

    def put(name: str, value: Any) -> None:
        row[name] = "" if value is None else str(value)

    if kind == "set_status":
        put("act_value", action.get("status"))
    elif kind == "set_priority":
        put("act_value", action.get("priority"))
    elif kind == "set_type":
        put("act_value", action.get("ticket_type"))
    elif kind in ("add_tags", "remove_tags"):
        put("act_value", ", ".join(action.get("tags") or []))
    elif kind == "set_field":
        put("act_value", action.get("key"))
        put("act_value2", action.get("value"))
    elif kind == "reply_from_macro":
        put("act_value", action.get("macro_id"))
    elif kind == "call_webhook":
        put("act_value", action.get("webhook_id"))
    put("act_team", action.get("team_id"))
    put("act_agent", action.get("agent_id"))
    if kind == "add_note":
        put("act_text", action.get("body"))
    if kind == "notify":
        put("act_text", action.get("message"))
        row["act_flag"] = "1" if action.get("email") else ""
    return row


def condition_rows(conditions: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for group in ("all", "any"):
        for condition in conditions.get(group) or []:
            value = condition.get("value")
            if isinstance(value, list):
                shown = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                shown = "true" if value else "false"
            else:
                shown = "" if value is None else str(value)
            rows.append(
                {
                    "cond_group": group,
                    "cond_field": condition.get("field", ""),
                    "cond_op": condition.get("op", ""),
                    "cond_value": shown,
                }
            )
    return rows


def read_rule_form(form: FormData, *, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rule as RuleIn's input, and what the user typed (to show again on a refusal)."""
    conditions: dict[str, list[dict[str, Any]]] = {"all": [], "any": []}
    condition_typed = _rows(form, CONDITION_INPUTS)
    for row in condition_typed:
        if not row["cond_field"]:
            continue
        group = "any" if row["cond_group"] == "any" else "all"
        conditions[group].append(
            {"field": row["cond_field"], "op": row["cond_op"], "value": row["cond_value"] or None}
        )
    action_typed = _rows(form, ACTION_INPUTS)
    actions = [action_from_row(row) for row in action_typed if row["act_type"]]
    values = {
        "kind": kind,
        "name": text(form, "name"),
        "description": text(form, "description"),
        "is_active": text(form, "is_active") == "1",
        "events": [e for e in form.getlist("events") if isinstance(e, str) and e],
        "conditions": conditions,
        "actions": actions,
    }
    typed = {
        **values,
        "condition_rows": [r for r in condition_typed if r["cond_field"]],
        "action_rows": [r for r in action_typed if r["act_type"]],
    }
    return values, typed


def typed_from_rule(data: RuleIn) -> dict[str, Any]:
    return {
        **data.model_dump(),
        "condition_rows": condition_rows(data.conditions),
        "action_rows": [row_from_action(a) for a in data.actions],
    }


def as_json(data: dict[str, Any]) -> str:
    shown = {k: data[k] for k in ("events", "conditions", "actions") if k in data}
    return json.dumps(shown, ensure_ascii=False, indent=2)
