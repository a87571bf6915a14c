"""What the command line pays before it reads a bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted in /proc")
def test_the_command_line_loads_numpy_with_one_blas_thread() -> None:
    """``analyzer.blas_threads`` runs before numpy loads: the threads are as many as
    with OPENBLAS_NUM_THREADS=1 set from outside, whatever the number of CPUs."""
    count = "import os, analyzer.cli; print(len(os.listdir('/proc/self/task')))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}

    def threads(extra: dict[str, str]) -> int:
        out = subprocess.run(
            [sys.executable, "-c", count], env={**env, **extra}, capture_output=True, check=True
        )
        return int(out.stdout)

    assert threads({}) == threads({"OPENBLAS_NUM_THREADS": "1"})
