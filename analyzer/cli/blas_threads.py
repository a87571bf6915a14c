"""Imported by ``analyzer.cli`` before anything that loads numpy: numpy's OpenBLAS starts a
thread per CPU when it loads, about 0.1 s of CPU on two CPUs, a tenth of a small bundle's
analysis, and nothing here multiplies matrices. A value already set is left alone."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
