"""Ingest: the one way a customer message enters kefu."""
