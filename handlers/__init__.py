"""What the bot does when someone writes: the Core (inbox first, who is writing, routing) in
router, and one module per conversation. The only place that talks to chats, always through the
channel contract (bot.channels.base), never a platform's library."""
