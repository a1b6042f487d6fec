"""Triggers, time-based automations and outgoing webhooks: the team's procedures as rules."""
