"""Operating the bot: logging set-up (logs), health checks (health), Prometheus metrics (metrics),
backups and retention (backup). May import storage and bot.config; nothing in the core imports it
except the composition root (bot/app.py) and the command line."""
