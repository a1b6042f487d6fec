"""Stores, orders and what agents do to them: refunds, cancellations, returns, exchanges."""
