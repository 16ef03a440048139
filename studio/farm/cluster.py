"""Joining a Ray cluster, or starting one on this machine, with a clear error when there is none."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any

from studio.farm.errors import FarmUnavailable

LOCAL = "local"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CONNECT_TIMEOUT_S = 5.0
"""How long an address may take to answer before the render stops with an error."""


@dataclass(frozen=True)
class Cluster:
    address: str
    """What the user chose: "local", or the address ray.init joined."""
    started_here: bool
    """True when this process started the cluster (it stops it on `shutdown`)."""

    def shutdown(self) -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()


def farm_address(choice: str | None) -> str | None:
    """The cluster to use: ``choice`` ("local" or an address), else $RAY_ADDRESS, else None (in-process)."""
    choice = (choice or "").strip()
    if choice:
        return choice
    return (os.environ.get("RAY_ADDRESS") or "").strip() or None


def _host_port(address: str) -> tuple[str, int] | None:
    """The TCP endpoint of ``host:port`` or ``ray://host:port`` (None for "auto" and the like)."""
    rest = address.split("://", 1)[1] if "://" in address else address
    rest = rest.rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]") or "127.0.0.1", int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise FarmUnavailable within ``timeout`` seconds when nothing listens at ``address``.

    ray.init on a dead address retries the GCS connection for a long time; a plain TCP
    connect first turns that hang into an error the user can act on.
    """
    endpoint = _host_port(address)
    if endpoint is None:
        return
    host, port = endpoint
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, (socket.timeout, TimeoutError)) else (exc.strerror or str(exc))
        raise FarmUnavailable(
            f"no Ray cluster answers at {address} ({reason})",
            "start one there with `ray start --head`, check the address and port (6379, or 10001 for ray://), "
            "or render without --farm",
        ) from None


def connect(address: str, *, num_cpus: int | None = None, num_gpus: int | None = None,
            resources: dict[str, float] | None = None, node_ip: str = "127.0.0.1") -> Cluster:
    """Join the cluster at ``address`` ("local" starts one on this machine, on loopback only).

    ``num_cpus``, ``num_gpus`` and ``resources`` apply to a local cluster (the tests declare
    fake GPUs and a ``studio_vram_gb`` memory resource this way); Ray detects them otherwise.
    """
    try:
        import ray
    except ImportError:
        raise FarmUnavailable("the render farm needs Ray, which is not installed",
                              "install it with: pip install 'studio[farm]'") from None
    if ray.is_initialized():
        return Cluster(address, started_here=False)
    env = {"env_vars": _worker_env(local=address == LOCAL)}
    kwargs: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False, runtime_env=env)
    if address == LOCAL:
        if node_ip in LOOPBACK:
            _stay_on_loopback()  # a local farm listens on loopback only
        kwargs.update(address="local", num_cpus=num_cpus, num_gpus=num_gpus, resources=resources,
                      _node_ip_address=node_ip)
        started = True
    else:
        check_reachable(address)
        kwargs.update(address=address)
        endpoint = _host_port(address)
        if endpoint is not None and endpoint[0] in LOOPBACK and "://" not in address:
            # A head started here with `ray start --head --node-ip-address 127.0.0.1`: join it on
            # loopback too (Ray would otherwise look for it at this machine's network address).
            _stay_on_loopback()
            kwargs.update(_node_ip_address="127.0.0.1")
        started = False
    try:
        ray.init(**kwargs)
    except (ConnectionError, TimeoutError, RuntimeError) as exc:
        raise FarmUnavailable(f"could not join the Ray cluster at {address}: {exc}",
                              "check that the cluster runs the same Ray and Python versions as this machine, and that "
                              "this machine has the cluster's Ray auth token (~/.ray/auth_token from the head node)") from None
    return Cluster(address, started_here=started)


def _stay_on_loopback() -> None:
    """Keep Ray on 127.0.0.1: it turns a loopback address into this machine's network address
    unless told the cluster is single-machine."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    from ray._private import ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = False


def _worker_env(local: bool) -> dict[str, str]:
    """Environment the workers need to compute exactly what this process would.

    Paths (PYTHONPATH, the Hugging Face cache) travel only to a local cluster: every node
    of a remote cluster has its own install and its own model cache."""
    keep = ("PYTHONPATH", "HF_HOME", "HF_HUB_CACHE", "STUDIO_LOG_DIR") if local else ()
    env = {k: os.environ[k] for k in (*keep, "STUDIO_MEMORY_PROFILE") if k in os.environ}
    # Ray pins OMP_NUM_THREADS=1 in workers; the same thread count as in-process keeps the
    # floating-point reductions (and so the frames) the same.
    env.setdefault("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS") or str(os.cpu_count() or 1))
    return env
