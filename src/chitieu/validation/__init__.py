"""Rules every submitted, imported or accepted figure is checked against."""
