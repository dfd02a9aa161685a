"""The reminder engine, apart from Discord's I/O: the claim loop and its workers (`engine`),
how claimed rows become messages (`batching`) and what happens after a failed send (`retry`).
"""

from bot.reminders.batching import Batch, nonce_for, reminder_line, split_message, split_rows
from bot.reminders.engine import Budget, ReminderEngine, Sender
from bot.reminders.retry import RetryPolicy, SendError

__all__ = [
    "Batch",
    "Budget",
    "ReminderEngine",
    "RetryPolicy",
    "SendError",
    "Sender",
    "nonce_for",
    "reminder_line",
    "split_message",
    "split_rows",
]
