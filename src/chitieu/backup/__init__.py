"""Backups of the whole database, and restoring one: ``chitieu backup`` and ``chitieu restore``."""
