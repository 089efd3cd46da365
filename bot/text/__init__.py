"""Vietnamese text helpers shared by every domain: folding (lower case without diacritics, for
matching what people type with or without marks) and shortening (a long text cut at a word for a
chat line). Pure functions on strings; this package imports nothing else of the bot."""
