"""What the Office and the leaders read: status categories, texts and JSON (status, pure), the
queries that load them (queries), the leaders' digest before the monthly meeting (digest) and the
consolidated Excel report (xlsx). May import bot.text, bot.dates and storage."""
