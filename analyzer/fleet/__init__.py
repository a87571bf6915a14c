"""Fleet analysis: many bundles in parallel into one Parquet dataset and a summary.

``analyze fleet DIR... --out DATASET`` (``analyzer/cli/fleet.py``) calls
:func:`run_fleet`; the modules are one concern each: ``discover`` (which bundles),
``worker`` (one bundle, never raising), ``rows``/``tables`` (what is stored),
``executors`` (process pool or Dask), ``dataset`` (the Parquet files), ``summary``.
"""

from analyzer.fleet.run import run_fleet
from analyzer.fleet.summary import fleet_summary

__all__ = ["fleet_summary", "run_fleet"]
