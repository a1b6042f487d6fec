"""Workforce management: queues, contact-volume history, forecasts, staffing and rosters."""
