"""Tasks and their progress: storing imported tasks and telling the units (store), the task table
read from CSV/XLSX (table), reports, undo, confirmation and extensions (progress). May import
bot.text, bot.dates, bot.directory and storage."""
