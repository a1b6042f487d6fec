"""The public help center: one site per brand (store) over the knowledge base's articles."""
