"""Following up: which reminders, nudges and escalations are due at an instant (planning, pure),
turning them into outbox rows (reminders), and the periodic ticks that drive both (scheduler).
May import bot.text, bot.dates, storage and handlers.callbacks (the button payloads, a leaf module);
never a channel."""
