"""The sections a report can hold (each is also a dashboard page), with their titles."""

from kefu.kit.i18n import N_

SECTIONS: dict[str, str] = {
    "overview": N_("Overview"),
    "channel": N_("By channel"),
    "store": N_("By brand"),
    "tag": N_("By tag"),
    "type": N_("By type"),
    "intent": N_("By intent"),
    "heatmap": N_("Busiest hours"),
    "agent": N_("Agent leaderboard"),
    "team": N_("Team leaderboard"),
    "commerce": N_("Refunds and returns"),
}
BREAKDOWNS = ("channel", "store", "tag", "type", "intent", "agent", "team")
DEFAULT_SECTIONS = ("overview", "channel", "agent")
