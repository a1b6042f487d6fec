"""The urgency a sender gave their mail (X-Priority, Importance, Priority, X-MSMail-Priority),
as a new ticket's priority.

A sender's flag raises a ticket to "high" at most: mail clients make "highest" one click
away, so "urgent" stays for agents and rules to decide."""

from kefu.channels.email.parse import first_header

_X_PRIORITY = {"1": "high", "2": "high", "4": "low", "5": "low"}
_WORDS = {"high": "high", "urgent": "high", "low": "low", "non-urgent": "low"}


def priority_of(headers: dict[str, list[str]]) -> str | None:
    """ "high", "low", or None (normal, or nothing said); headers keyed in lower case."""
    x_priority = first_header(headers, "x-priority")
    if x_priority[:1] in _X_PRIORITY:  # "1 (Highest)", "2", "5 (Lowest)"
        return _X_PRIORITY[x_priority[:1]]
    for name in ("importance", "priority", "x-msmail-priority"):
        word = first_header(headers, name).lower()
        if word in _WORDS:
            return _WORDS[word]
    return None
