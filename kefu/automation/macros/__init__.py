"""Macros: canned replies and notes with ticket changes, in folders, shared or personal."""
