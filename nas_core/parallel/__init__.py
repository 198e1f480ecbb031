"""Trials on Dask workers: the driver proposes, screens and records (:mod:`.driver`); workers
estimate (:mod:`.worker`).

What runs where: validation, de-duplication, filters and predictors, every plugin's own estimator
and all state stay in the driver, which is the only writer of the study. The run's own estimator
(table lookup or training) runs on the workers, each of which prepares the run from its spec
(importing only the named plugins, for the datasets, spaces and options they declare) and trains
with one torch thread.

Faults: a trial whose worker dies is rescheduled once on another worker by the scheduler
(``allowed-failures = 1`` on clusters nas starts); if that worker dies too the trial is recorded as
failed and the search goes on.
"""
