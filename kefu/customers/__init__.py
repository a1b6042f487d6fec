"""Customers: profiles, identities by channel, merge."""
