"""Review reminders: the daily sweep, the persistent outbox, mail over SMTP and the scheduler."""
