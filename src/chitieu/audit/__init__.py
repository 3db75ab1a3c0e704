"""Who changed what, when, and what it was before and after."""
