"""The help-center assistant: answers customers from published articles and, once they prove
who they are, from their own orders; hands over to an agent when unsure or asked."""
