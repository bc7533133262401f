"""Other sources of a workshop: survey exports, interviews and ACLED events.

Parsers turn a user's file into plain rows; the import functions store them,
in one transaction, through the same services as every other write.
"""
