"""Channels: the contract between the core and a chat platform (base) and its adapters, aiogram
and python-telegram-bot for Telegram, httpx for the Zalo Bot API, and the console for the demo and
tests. The only place that imports a platform's library; knows nothing of tasks."""
