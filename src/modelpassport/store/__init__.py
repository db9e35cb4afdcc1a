"""The SQLite journal that caches answers and makes every run resumable."""

from ._journal import ErrorRecord, Journal, JournalEntry, journal_key

__all__ = ["ErrorRecord", "Journal", "JournalEntry", "journal_key"]
