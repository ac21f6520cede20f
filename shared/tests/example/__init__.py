"""A tiny ledger service that exists only to exercise the platform library against the real stack.

Its API records entries (publishing EntryRecorded through the outbox); its consumer applies each
event by inserting one `applied` row, with no unique constraint, so a duplicate effect would show.
"""
