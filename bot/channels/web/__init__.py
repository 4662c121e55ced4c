"""Web chat page and /api/chat: the same conversation through a browser (demo and admins)."""
