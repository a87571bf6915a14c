"""Imported before anything that loads numpy, by the command line (``analyzer.cli``) and by
the report worker (``reports.worker``): numpy's OpenBLAS starts a thread per CPU when it
loads, about 0.1 s of CPU on two CPUs, a tenth of a small bundle's analysis, and nothing
here multiplies matrices. A value already set is left alone."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
