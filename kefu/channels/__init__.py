"""Channel adapters: email, chat and phone in and out."""
