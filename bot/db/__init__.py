"""Storage: one connection abstraction over SQLite and PostgreSQL, migrations, repositories."""

from bot.db.database import Database, connect, from_ms, to_ms

__all__ = ["Database", "connect", "from_ms", "to_ms"]
