"""Event triggers, time-based automations, macros and assignment: the team's procedures."""
