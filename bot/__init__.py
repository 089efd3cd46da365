"""Nhắc việc: follows up government directives in chat (Telegram, Zalo)."""
