"""Compliance: the audit log (and later data export, erasure, redaction, retention)."""
