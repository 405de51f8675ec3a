"""Cutover runbooks (issue 18): the pure engine behind them.

`scheduling` turns activities and their dependencies into a critical-path schedule, `forecast` measures a
rehearsal or the live run against that plan, `xlsx` moves a runbook in and out of Excel. None of them
touches the database, Flask or the clock: the services built on top load rows, pass plain dataclasses in
and store what comes out, so every rule here is unit-tested on hand-worked graphs.
"""
