"""Assignment: agent status and the team methods that pick an agent for a ticket."""
