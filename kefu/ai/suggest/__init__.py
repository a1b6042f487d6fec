"""Suggested replies beside the ticket composer, and how often agents use them."""
