"""The knowledge base: articles for the help center and for agents, versions, translations."""
