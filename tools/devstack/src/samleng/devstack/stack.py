"""The development stack: the dev identity provider and all services on their default
ports, on local infra.

``run`` keeps the services as children and stops them on exit; ``up`` leaves them
running detached and records their pids in ``.local/run/<service>.pid`` for ``down``.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path

from samleng.devstack import infra, processes, services
from samleng.devstack.devenv import service_env
from samleng.devstack.paths import LocalPaths
from samleng.devstack.services import DEV_ISSUER, SERVICES, RunningService, ServiceError

#: Every process of the stack, in start order: the identity provider, then the services.
PROCESSES = (DEV_ISSUER, *SERVICES)

Say = Callable[[str], None]


class StackError(RuntimeError):
    """The development stack cannot start; the message says what to do."""


def pid_file(paths: LocalPaths, name: str) -> Path:
    """Where ``up`` records the pid of a detached service."""
    return paths.run / f"{name}.pid"


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def check_ports(envs: dict[str, dict[str, str]]) -> None:
    """Raise StackError naming every service whose HTTP port is already taken."""
    busy = [
        f"port {env['SAMLENG_HTTP_PORT']} ({name})"
        for name, env in envs.items()
        if _port_in_use(env["SAMLENG_HTTP_HOST"], int(env["SAMLENG_HTTP_PORT"]))
    ]
    if busy:
        raise StackError(
            f"already in use: {', '.join(busy)}. If a stack from `make up` is still running, "
            "`make down` stops it; otherwise stop whatever holds the port."
        )


def stop_detached(paths: LocalPaths, say: Say) -> list[str]:
    """Stop the services that ``up`` started (per their pid files); return their names."""
    stopped = []
    for name in PROCESSES:
        path = pid_file(paths, name)
        if not path.is_file():
            continue
        pid = int(path.read_text().strip())
        # Pids get reused: only signal a process that is still this service.
        if processes.pid_alive(pid) and services.command_marker(name) in processes.cmdline(pid):
            say(f"stopping {name} (pid {pid})")
            if not processes.terminate(pid, services.STOP_TIMEOUT):
                say(f"{name} did not stop within {services.STOP_TIMEOUT:.0f} s; killed it")
            stopped.append(name)
        path.unlink(missing_ok=True)
    return stopped


def all_envs(paths: LocalPaths) -> dict[str, dict[str, str]]:
    """Return the settings of every service in the development stack."""
    return {name: service_env(name, paths) for name in PROCESSES}


def start_all(paths: LocalPaths, say: Say, detached: bool) -> list[RunningService]:
    """Migrate and start all services, wait until they are ready; stop them all on failure."""
    envs = all_envs(paths)
    check_ports(envs)
    for name in SERVICES:
        say(f"migrating {name}")
        services.migrate(name, envs[name], paths.logs / f"{name}-migrate.log")
    started: list[RunningService] = []
    try:
        for name in PROCESSES:
            say(f"starting {name} on port {envs[name]['SAMLENG_HTTP_PORT']}")
            running = services.spawn(name, envs[name], paths.logs / f"{name}.log")
            started.append(running)
            if detached:
                paths.run.mkdir(parents=True, exist_ok=True)
                pid_file(paths, name).write_text(f"{running.pid}\n")
        for running in started:
            running.wait_ready()
    except BaseException:
        stop_services(started, say)
        for running in started:
            pid_file(paths, running.name).unlink(missing_ok=True)
        raise
    return started


def stop_services(running: list[RunningService], say: Say) -> None:
    """Stop services in reverse start order (SIGTERM, then SIGKILL after the grace period)."""
    for service in reversed(running):
        if service.is_alive():
            say(f"stopping {service.name}")
            if not service.stop():
                say(f"{service.name} did not stop within {services.STOP_TIMEOUT:.0f} s; killed it")


def first_dead(running: list[RunningService]) -> RunningService | None:
    """Return a service that has exited, if any."""
    return next((service for service in running if not service.is_alive()), None)


def urls(running: list[RunningService], paths: LocalPaths) -> str:
    """Return the human summary of where everything is reachable, the portal first."""
    by_name = {service.name: service for service in running}
    extras = {"intake": "/docs", "reporting": "/v1/stats/summary"}
    lines = []
    if "web" in by_name:
        portal = by_name["web"].url
        lines += [
            f"Samleng citizen portal:  {portal}/",
            f"  officer console        {portal}/officer   (dev sign-in: pick a role and office)",
            "",
        ]
    lines.append("Samleng development stack:")
    for name in (*SERVICES, DEV_ISSUER):
        if name not in by_name or name == "web":
            continue
        url = by_name[name].url
        extra = f"   {url}{extras[name]}" if name in extras else ""
        lines.append(f"  {name:<13} {url}{extra}")
    lines += [
        f"  {'RabbitMQ':<13} {infra.amqp_url()}",
        f"  {'MongoDB':<13} {infra.mongo_url()}",
        f"  logs          {paths.logs}/<service>.log",
    ]
    return "\n".join(lines)


def describe_failure(error: BaseException) -> str:
    """Return a message for errors that should end the CLI without a traceback."""
    if isinstance(error, StackError | ServiceError):
        return str(error)
    return f"{type(error).__name__}: {error}"
