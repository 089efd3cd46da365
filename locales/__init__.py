"""The gettext catalogues (<lang>/LC_MESSAGES/*.po), shipped as package data: bot/i18n.py reads them
through importlib.resources, so an installed wheel speaks Vietnamese too."""
