"""Run a sweep's scenarios on Dask: in this process, on local worker processes, or a cluster.

* no scheduler and no workers: an in-process ``LocalCluster`` (threads, no new processes);
* ``workers=N``: a ``LocalCluster`` of N worker processes on this machine;
* ``scheduler="tcp://host:8786"``: an existing cluster (its workers need reachmap
  installed, and any population GeoTIFF at the same path).

Each scenario is one task (:func:`reachmap.analysis.sweep.scenario_rows`); results come back in
scenario order whatever order they finish in, and equal :func:`reachmap.analysis.sweep.run_serial`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from reachmap.analysis.sweep import SweepSpec, scenario_rows
from reachmap.errors import InputError

__all__ = ["dask_client", "local_cluster", "run_on_dask"]


def local_cluster(workers: int, *, threads: int = 1) -> Any:
    """Start a ``LocalCluster`` of ``workers`` processes, tuned for reachmap's tasks.

    Dask sets ``MALLOC_TRIM_THRESHOLD_`` in its worker processes, which makes glibc
    return every large array to the system at once; reachmap's draws allocate and free
    many large arrays, and ran about 1.5 times slower so (measured: 40 times as many page
    faults). Local workers start without it; for a cluster of your own, start the
    workers with ``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_`` unset.

    Parameters
    ----------
    workers : int
        Worker processes.
    threads : int
        Threads per worker.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(
            n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=None
        )


@contextmanager
def dask_client(
    *, scheduler: str | None = None, workers: int | None = None, threads: int | None = None
) -> Iterator[Any]:
    """Open a Dask client (and its local cluster, if any) for the duration of a block.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler, ``tcp://host:port``.
    workers : int, optional
        Start this many local worker processes (one thread each unless ``threads``).
    threads : int, optional
        Threads of the in-process cluster, or per worker process.

    Raises
    ------
    InputError
        Both a scheduler and workers, a bad address or worker count, or a scheduler
        that cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None and workers is not None:
        raise InputError(
            "workers", workers, "no --workers with --scheduler (the cluster has its own)"
        )
    if workers is not None and not 1 <= workers <= 256:
        raise InputError("workers", workers, "a whole number from 1 to 256")
    if scheduler is not None:
        if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
            raise InputError("scheduler", scheduler, "an address such as tcp://host:8786")
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise InputError("scheduler", scheduler, f"a reachable Dask scheduler ({err})") from err
        try:
            yield client
        finally:
            client.close()
        return
    if workers is None:
        cluster = LocalCluster(
            n_workers=1, threads_per_worker=threads or 2, processes=False,
            dashboard_address=None,
        )  # fmt: skip
    else:
        cluster = local_cluster(workers, threads=threads or 1)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def run_on_dask(
    spec: SweepSpec, client: Any, *, progress: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Compute every scenario of a sweep on a Dask client.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    client : distributed.Client
        Where to run (see :func:`dask_client`).
    progress : callable, optional
        Called with the number of scenarios done as each finishes.

    Returns
    -------
    list of dict
        The rows, by scenario then region, as :func:`reachmap.analysis.sweep.run_serial` gives them.
    """
    from distributed import as_completed

    scenarios = spec.scenarios()
    futures = client.map(scenario_rows, scenarios, pure=False)
    index = {f.key: k for k, f in enumerate(futures)}
    results: list[list[dict[str, Any]] | None] = [None] * len(futures)
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if progress is not None:
                progress(done)
    finally:
        for f in futures:
            f.cancel()
    return [row for rows in results if rows is not None for row in rows]
