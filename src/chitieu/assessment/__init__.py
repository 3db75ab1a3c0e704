"""Assessing progress towards plan targets."""
