"""Live chat: the store widget, its websocket, chats as ticket conversations, identity."""
