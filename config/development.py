"""Development: SQLite file, in-memory rate limits, mail to the log and outbox."""
