"""People who use chitieu, their roles and their API tokens."""
