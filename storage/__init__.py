"""The database: engine and UTC column type (db), SQLite on the event loop (sqlite_loop), the
models, the outbox and a small key-value table (kv), and the Alembic migrations. The only place
that knows tables."""
