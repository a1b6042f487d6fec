"""Tickets: the shared inbox's conversations, messages, tags, custom fields and views."""
