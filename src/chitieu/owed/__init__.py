"""Figures owed: which agency still owes which figure for which target."""
