"""How many threads BLAS, OpenMP (xTB, numba) and PyTorch may use, sized to the cores and workers.

Two processes that each start one thread per core fight for the cores: on a busy 2-core machine
an xTB MD step took 187 ms with default threading and 17 ms with one thread, a PaiNN MD step
1,671 ms against 13.8 ms (``benchmarks/bench_threads.py`` measures it). ``set_threads`` applies a
limit to the libraries already loaded and, through the environment, to those loaded later and to
worker processes.
"""

from __future__ import annotations

import os
import sys

__all__ = ["THREAD_VARIABLES", "available_cores", "environment_threads", "set_threads", "threads_per_worker"]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def environment_threads() -> int | None:
    """The thread count ``OMP_NUM_THREADS`` sets (a batch system, or pytest-xdist workers sharing the cores);
    None when it is unset or not a positive integer."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def threads_per_worker(workers: int) -> int:
    """Threads each of ``workers`` processes may use without oversubscribing the cores."""
    return max(1, available_cores() // max(1, workers))


def set_threads(n: int) -> int:
    """Limit BLAS/OpenMP/PyTorch threads of this process (and its future children) to ``n``; returns ``n``."""
    n = max(1, int(n))
    for name in THREAD_VARIABLES:
        if name != "NUMBA_NUM_THREADS" or "numba" not in sys.modules:  # numba reads its variable once, at import
            os.environ[name] = str(n)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)
    # numba is left alone: numba.set_num_threads launches its OpenMP pool, and a process holding a GNU
    # OpenMP pool must not fork workers (they abort). Widom workers set their own numba threads.
    return n
