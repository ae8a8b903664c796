"""The one place that runs work in parallel.

``parallel_map(func, items)`` applies ``func`` to every item, in chunks, and keeps
the input order. Work runs in this process (``n_jobs=1``), in local worker
processes (``n_jobs>1``, or ``-1`` for all cores), or on an existing
``dask.distributed`` cluster when a scheduler address is given (argument
``scheduler`` or the ``ATOMLEARN_SCHEDULER`` environment variable).

An exception on one item becomes an ``ErrorRecord`` for that item; a crashed
worker process costs only the items of its chunk, which are retried one by one
so the item that kills the worker is the only one recorded as failed. Each worker limits its
BLAS/OpenMP/PyTorch threads to its share of the cores (``threads.threads_per_worker``). Work that
calls compiled code able to kill its process (a segfault, SIGFPE) passes
``isolate=True``: it then runs in a worker process at ``n_jobs=1`` too.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from atomlearn.errors import ErrorRecord, errors_frame
from atomlearn.progress import Progress
from atomlearn.threads import set_threads, threads_per_worker

__all__ = ["MapResult", "SCHEDULER_ENV", "call_in_child", "compiled_threads", "parallel_map", "resolve_n_jobs"]

SCHEDULER_ENV = "ATOMLEARN_SCHEDULER"


@dataclass
class MapResult:
    """Results of ``parallel_map`` in input order; failed items hold ``None``."""

    results: list[Any]
    errors: list[ErrorRecord] = field(default_factory=list)

    @property
    def n_in(self) -> int:
        """Items given."""
        return len(self.results)

    @property
    def n_failed(self) -> int:
        """Items that failed (each with an error record)."""
        return len(self.errors)

    @property
    def n_ok(self) -> int:
        """Items that succeeded."""
        return self.n_in - self.n_failed

    def errors_frame(self) -> pd.DataFrame:
        """The failures as a table: ``item_id``, ``stage``, ``reason``."""
        return errors_frame(self.errors)

    def summary(self) -> str:
        """One line: N in, succeeded, failed."""
        return f"{self.n_in} in, {self.n_ok} succeeded, {self.n_failed} failed"


def resolve_n_jobs(n_jobs: int) -> int:
    """Number of worker processes for ``n_jobs`` (``-1``: all cores)."""
    cores = os.cpu_count() or 1
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive number of processes or -1 for all cores")
    return cores if n_jobs < 0 else min(n_jobs, cores * 4)


def compiled_threads(n_jobs: int, scheduler: str | None = None) -> int:
    """Threads each task's compiled (numba) code may use: the cores over the local workers, or 1 on a Dask
    cluster, whose workers run one thread per core (``dask worker --nthreads 1``, as many as cores)."""
    if scheduler or os.environ.get(SCHEDULER_ENV):
        return 1
    return threads_per_worker(resolve_n_jobs(n_jobs))


def parallel_map(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    ids: Sequence[str] | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    stage: str = "compute",
    progress: bool | None = None,
    description: str = "working",
    on_done: Callable[[int, bool, Any], None] | None = None,
    isolate: bool = False,
    local: bool = False,
) -> MapResult:
    """Apply ``func`` to each item; return results in order and one error record per failure.

    ``ids`` name the items in error records (default: their index). ``func`` and
    the items must pickle when work leaves this process. ``progress``: None (default) shows a bar
    on a terminal and a line every 15 s in a log; False shows nothing. ``on_done(index, ok, value)`` is called in this
    process as soon as each item finishes (e.g. to write it to disk, so a killed run can resume).
    ``isolate``: never run ``func`` in this process, so that an item that crashes compiled code
    becomes a ``WorkerCrash`` record instead of ending the program. ``local``: run on this machine even when a
    scheduler is given or set in ``$ATOMLEARN_SCHEDULER`` (items that are paths to files here).
    """
    n_items = len(items)
    ids = [str(i) for i in range(n_items)] if ids is None else [str(i) for i in ids]
    if len(ids) != n_items:
        raise ValueError(f"{len(ids)} ids for {n_items} items")
    scheduler = None if local else scheduler or os.environ.get(SCHEDULER_ENV) or None
    workers = 1 if scheduler else resolve_n_jobs(n_jobs)
    if chunk_size is None:
        chunk_size = max(1, min(256, n_items // (4 * max(workers, 2)) or 1))
    chunks = [range(start, min(start + chunk_size, n_items)) for start in range(0, n_items, chunk_size)]
    outcomes: list[tuple[bool, Any]] = [(False, "not run")] * n_items
    with Progress(description, n_items, show=progress) as bar:
        if scheduler:
            runner = _run_dask(func, items, chunks, scheduler)
        elif (workers == 1 or n_items <= 1) and not isolate:
            runner = ((chunk, _run_chunk(func, [items[i] for i in chunk])) for chunk in chunks)
        else:
            runner = _run_processes(func, items, chunks, workers)
        for chunk, chunk_outcomes in runner:
            for index, outcome in zip(chunk, chunk_outcomes):
                outcomes[index] = outcome
                if on_done is not None:
                    on_done(index, *outcome)
            bar.advance(len(chunk))
    results: list[Any] = []
    errors: list[ErrorRecord] = []
    for item_id, (ok, value) in zip(ids, outcomes):
        results.append(value if ok else None)
        if not ok:
            errors.append(ErrorRecord(item_id=item_id, stage=stage, reason=value))
    return MapResult(results=results, errors=errors)


def _run_chunk(func: Callable[[Any], Any], items: list[Any]) -> list[tuple[bool, Any]]:
    """Run ``func`` on each item, turning an exception into ``(False, reason)``."""
    outcomes = []
    for item in items:
        try:
            outcomes.append((True, func(item)))
        except Exception as exc:  # recorded, not raised: one bad item must not sink a batch
            outcomes.append((False, _describe(exc)))
    return outcomes


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if not str(exc):
        text += " at " + traceback.format_tb(exc.__traceback__)[-1].strip().splitlines()[0]
    return text


def _run_processes(
    func: Callable[[Any], Any], items: Sequence[Any], chunks: list[range], workers: int
) -> Iterator[tuple[range, list[tuple[bool, Any]]]]:
    crashed: list[range] = []
    with ProcessPoolExecutor(
        max_workers=workers, initializer=set_threads, initargs=(threads_per_worker(workers),)
    ) as pool:
        pending: dict[Future, range] = {
            pool.submit(_run_chunk, func, [items[i] for i in chunk]): chunk for chunk in chunks
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                try:
                    yield chunk, future.result()
                except BrokenProcessPool:
                    crashed.append(chunk)
    for chunk in crashed:  # isolate the item that killed a worker: one fresh process per item
        for index in chunk:
            yield range(index, index + 1), [_run_isolated(func, items[index])]


def _run_isolated(func: Callable[[Any], Any], item: Any) -> tuple[bool, Any]:
    with ProcessPoolExecutor(max_workers=1, initializer=set_threads, initargs=(threads_per_worker(1),)) as pool:
        try:
            return pool.submit(_run_chunk, func, [item]).result()[0]
        except BrokenProcessPool:
            return False, "WorkerCrash: the worker process died on this item (e.g. a crash in compiled code)"


def _run_dask(
    func: Callable[[Any], Any], items: Sequence[Any], chunks: list[range], address: str
) -> Iterator[tuple[range, list[tuple[bool, Any]]]]:
    from distributed import Client, as_completed

    with Client(address) as client:
        futures = {client.submit(_run_chunk, func, [items[i] for i in chunk], pure=False): chunk for chunk in chunks}
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                yield chunk, future.result()
            except Exception as exc:  # a worker lost for good (KilledWorker) loses only its chunk
                yield chunk, [(False, f"dask worker failure: {_describe(exc)}")] * len(chunk)


def call_in_child(function: Callable[..., Any], args: tuple, timeout_s: float, what: str = "the computation") -> Any:
    """``function(*args)`` in a forked child process with stdout/stderr silenced, killed after
    ``timeout_s`` s: for compiled code that prints, calls ``exit()`` or crashes (Zeo++). Its
    exceptions are re-raised here as ``RuntimeError``; a timeout is a ``TimeoutError``; a child that
    dies without an answer is a ``RuntimeError`` naming ``what``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            payload = pickle.dumps(("ok", function(*args)))
        except BaseException as error:  # noqa: BLE001 - everything goes back to the parent
            payload = pickle.dumps(("error", f"{type(error).__name__}: {error}"))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    chunks = []
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                ready, _, _ = select.select([pipe], [], [], timeout_s)
                if not ready:
                    os.kill(pid, signal.SIGKILL)
                    raise TimeoutError(
                        f"{what} did not finish within {timeout_s:.0f} s (raise timeout for very large cells)"
                    )
                chunk = os.read(pipe.fileno(), 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    if not chunks:
        raise RuntimeError(f"{what} aborted on this structure (the process ended without a result)")
    status, value = pickle.loads(b"".join(chunks))  # our own child's answer, through our own pipe
    if status == "error":
        raise RuntimeError(value)
    return value
