"""Scenarios run forward from yearly assumptions, Monte Carlo odds of meeting targets,
and forecasts of short annual series.

See :mod:`chitieu.scenario.service` and :mod:`chitieu.scenario.forecast` for the
methods, and docs/assessment.md for their defaults.
"""
