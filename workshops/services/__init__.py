"""Workflows: the only code that writes. Each runs in a transaction and takes keyword arguments."""
