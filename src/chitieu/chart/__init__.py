"""Vega-Lite charts (built with Altair) shared by the web pages and the report.

Specs are made without Altair's schema validation, which costs more than
drawing them; the tests validate every kind against the Vega-Lite schema.
"""
