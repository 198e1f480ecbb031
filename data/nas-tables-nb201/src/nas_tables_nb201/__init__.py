"""The NAS-Bench-201 tables of ``nas``, a compact derived copy (data only: no code runs from it).

``nb201/<dataset>.npz`` holds, per dataset, the columns ``--benchmark nb201`` reads; nas-core
finds this folder with ``importlib.resources`` and reads it as a data directory. How the files
were derived and from which sources: ``NOTICE.md`` and ``nb201/manifest.json`` beside this file.
"""
