"""The automation domain's background work; each part keeps its handlers in its own module."""

import kefu.automation.assignment.jobs  # noqa: F401  (assignment on ticket and status events)
