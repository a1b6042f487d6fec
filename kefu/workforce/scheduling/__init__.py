"""Shift schedules: templates, work profiles, labour rules, rosters, time off, swaps, adherence."""
