"""Cutover runbooks (issue 18): the pure engine behind them, and the services built on it.

`scheduling` turns activities and their dependencies into a critical-path schedule, `forecast` measures a
rehearsal or the live run against that plan, `xlsx` moves a runbook in and out of Excel. None of them
touches the database, Flask or the clock: the services built on top load rows, pass plain dataclasses in
and store what comes out, so every rule here is unit-tested on hand-worked graphs.

The services: `plans` (runbooks, activities, the schedule), `runs` (rehearsals, the live run, the board,
adopting durations), `gonogo` (the checklist and the decision), `spreadsheets` (.xlsx in and out), and
`graph`, which turns rows into the engine's values and its problems into the API's 422.
"""
