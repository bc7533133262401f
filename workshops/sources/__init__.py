"""Other sources of a workshop: survey exports and ACLED events, read from a user's file.

Parsers turn a user's file into plain rows and never write: ``services.imports``
stores them, in one transaction, through the same rules as every other write.
Interviews are typed in, not parsed: they live in ``services.interviews``.
"""
