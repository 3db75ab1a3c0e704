"""Vega-Lite charts (built with Altair) shared by the web pages and the report."""
