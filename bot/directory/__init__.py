"""The unit directory: units, aliases, collectives and their members, contacts, invites, roles,
registration (registry) and the one unit matcher that the notice import, the task table and
`/status` share (unitmatch). May import bot.text, bot.dates, bot.i18n and storage."""
