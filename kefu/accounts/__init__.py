"""Accounts: agents, teams, skills, roles, sign-in sessions, password resets and API tokens."""
