"""Names for what the figures are keyed by (store, team and agent ids, channels, types), and
the words that describe a report's filters, in the reader's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.analytics.reports.spec import ReportSpec
from kefu.commerce import stores
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.tickets.schemas import CHANNEL_LABELS, TYPE_LABELS

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
AGE_LABELS = {
    "lt_1d": N_("Under 1 day"),
    "1_3d": N_("1–3 days"),
    "3_7d": N_("3–7 days"),
    "7_30d": N_("7–30 days"),
    "gt_30d": N_("Over 30 days"),
}
NONE_LABELS = {
    "store": N_("No brand"),
    "team": N_("No team"),
    "agent": N_("Unassigned"),
    "other": N_("None"),
}


class Labels:
    """Looked up once per report: the names of stores, teams and agents."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._stores: dict[str, str] | None = None
        self._teams: dict[str, str] | None = None
        self._agents: dict[str, str] = {}

    def stores(self) -> dict[str, str]:
        if self._stores is None:
            self._stores = {str(s.id): s.name for s in stores.list_stores(self.session)}
        return self._stores

    def teams(self) -> dict[str, str]:
        if self._teams is None:
            teams = accounts.list_teams(self.session, actor=Actor.system())
            self._teams = {str(t.id): t.name for t in teams}
        return self._teams

    def agents(self, keys: list[str]) -> dict[str, str]:
        missing = [int(k) for k in keys if k.isdigit() and k not in self._agents]
        if missing:
            found = accounts.agents_by_ids(self.session, missing)
            self._agents.update({str(i): a.name for i, a in found.items()})
        return self._agents

    def key(self, by: str, key: str | None) -> str:
        """The row's name: "No team", "Email", "Shop A", "#12" for a vanished agent."""
        if key in (None, "", "none"):
            return _(NONE_LABELS.get(by, NONE_LABELS["other"]))
        assert key is not None
        if by == "channel":
            return _(CHANNEL_LABELS.get(key, key))  # type: ignore[call-overload]
        if by == "type":
            return _(TYPE_LABELS.get(key, key))  # type: ignore[call-overload]
        if by == "store":
            return self.stores().get(key, f"#{key}")
        if by == "team":
            return self.teams().get(key, f"#{key}")
        if by == "agent":
            return self.agents([key]).get(key, f"#{key}")
        return key

    def filters(self, spec: ReportSpec) -> list[tuple[str, str]]:
        shown: list[tuple[str, str]] = []
        names: dict[str, tuple[str, str]] = {
            "store_id": (_("Brand"), "store"),
            "channel": (_("Channel"), "channel"),
            "team_id": (_("Team"), "team"),
            "agent_id": (_("Agent"), "agent"),
            "tag": (_("Tag"), "tag"),
            "type": (_("Type"), "type"),
            "intent": (_("Intent"), "intent"),
        }
        for name, value in spec.narrowed().items():
            label, by = names[name]
            raw: Any = value.value if hasattr(value, "value") else value
            shown.append((label, self.key(by, str(raw))))
        return shown
