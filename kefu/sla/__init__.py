"""Business hours, holidays, SLA policies, the clocks they run on tickets, and breaches."""
