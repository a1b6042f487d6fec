"""The phone channel: call records from a provider's webhooks (Twilio-compatible) and by hand."""
