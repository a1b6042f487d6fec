"""Staffing: Erlang B/C/A for one interval, and requirements per queue and interval."""
