"""The classic automations offered as one-click starting points in the editor (nothing is
seeded: a manager opens one, adjusts it and saves it, switched off until they say so)."""

from __future__ import annotations

from typing import Any

from kefu.kit.i18n import N_

AUTOMATION_TEMPLATES: dict[str, dict[str, Any]] = {
    "pending_reminder": {
        "label": N_("Pending 72 hours → remind the customer"),
        "name": N_("Remind the customer after 3 days pending"),
        "conditions": {
            "all": [
                {"field": "status", "op": "is", "value": "pending"},
                {"field": "hours_since.pending", "op": "greater_than", "value": 72},
            ],
            "any": [],
        },
        # the reply's macro is chosen in the editor; a note says what happened meanwhile
        "actions": [
            {"type": "reply_from_macro", "macro_id": ""},
            {"type": "add_tags", "tags": ["reminded"]},
        ],
    },
    "pending_solve": {
        "label": N_("Pending 7 days → solve"),
        "name": N_("Solve after 7 days pending"),
        "conditions": {
            "all": [
                {"field": "status", "op": "is", "value": "pending"},
                {"field": "hours_since.pending", "op": "greater_than", "value": 168},
            ],
            "any": [],
        },
        "actions": [{"type": "set_status", "status": "solved"}],
    },
    "solved_close": {
        "label": N_("Solved 4 days → close"),
        "name": N_("Close 4 days after solved"),
        "conditions": {
            "all": [
                {"field": "status", "op": "is", "value": "solved"},
                {"field": "hours_since.solved", "op": "greater_than", "value": 96},
            ],
            "any": [],
        },
        "actions": [{"type": "set_status", "status": "closed"}],
    },
}
