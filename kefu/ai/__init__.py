"""Offline AI: intent, sentiment, urgency and language of customer messages, on the store's
own machine (models shipped inside PyPI packages, no network)."""
