"""Private RabbitMQ nodes on loopback for the fault suite: one node or a cluster.

    with RabbitCluster(workdir, size=3) as cluster:   # nodes fault-<hex>-1..3@localhost
        cluster.nodes[0].port                         # AMQP port of the first node
        cluster.add_vhost("s1"); cluster.amqp_url("s1", node=1)
        cluster.nodes[0].kill()                       # kill -9 the node's Erlang VM
        cluster.nodes[0].start()                      # same data directory: messages survive
        cluster.close_all_connections()

Each node has its own ports, data, logs, config and (empty) plugin list in ``workdir``;
the nodes of a cluster share an Erlang cookie through a ``HOME`` of their own, so the
shared development broker (``rabbit@localhost`` on 5672) is never touched. Everything
listens on 127.0.0.1 only. Leaving the ``with`` block kills every node, even on failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from samleng.devstack.faults.lifecycle import Started
from samleng.devstack.net import LOOPBACK, free_port, port_is_open, wait_until

BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT = 120.0
#: The Erlang distribution listens on loopback only, like the shared node.
ERL_ARGS = "-kernel inet_dist_use_interface {127,0,0,1}"


class RabbitError(RuntimeError):
    """A private node did not start or a control command failed."""


class RabbitNode:
    """One private RabbitMQ node (``rabbitmq-server`` as our child, killable with -9)."""

    def __init__(self, name: str, workdir: Path, home: Path) -> None:
        self.name = name
        self.node = f"{name}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.dir = workdir / name
        self.home = home
        self._process: subprocess.Popen[bytes] | None = None
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = {LOOPBACK}:{self.port}\n"
            "log.file.level = info\n"
            # the fault suite measures the queue's own limits, not a memory alarm
            "vm_memory_high_watermark.relative = 0.6\n"
            "disk_free_limit.absolute = 50MB\n"
        )
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")

    @property
    def pid_file(self) -> Path:
        """Where the node writes the pid of its Erlang VM."""
        return self.dir / "pid"

    def env(self) -> dict[str, str]:
        """The environment of this node's server and control commands."""
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")},
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": LOOPBACK,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": ERL_ARGS,
            "ERL_EPMD_ADDRESS": LOOPBACK,
        }

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the node (again, on the same data) and wait until it accepts AMQP."""
        self.pid_file.unlink(missing_ok=True)
        with (self.dir / "server.out").open("ab") as out:
            self._process = subprocess.Popen(
                [str(BIN / "rabbitmq-server")],
                env=self.env(),
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        waited = self.ctl("wait", str(self.pid_file), "--timeout", str(int(timeout)), check=False)
        if waited.returncode != 0 or not wait_until(
            lambda: port_is_open(self.port), timeout=timeout
        ):
            raise RabbitError(f"{self.node} did not start: {waited.stdout}{waited.stderr}")

    def pid(self) -> int | None:
        """The OS pid of the node's Erlang VM (None when it is not running)."""
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        """True while the node's VM runs."""
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """kill -9 the node's Erlang VM (a crash: no clean shutdown of anything)."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(10)
        self.pid_file.unlink(missing_ok=True)
        # epmd forgets a dead node once its connection drops; wait for the port to close
        wait_until(lambda: not port_is_open(self.port), timeout=10)

    def ctl(
        self, *args: str, check: bool = True, timeout: float = 180.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``rabbitmqctl -n <node> args`` with the node's cookie."""
        done = subprocess.run(
            [str(BIN / "rabbitmqctl"), "-q", "-n", self.node, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise RabbitError(f"rabbitmqctl {' '.join(args)} on {self.node}: {done.stderr}")
        return done

    def amqp_url(self, vhost: str) -> str:
        """The AMQP URL of ``vhost`` on this node."""
        return f"amqp://guest:guest@{LOOPBACK}:{self.port}/{vhost}"


class RabbitCluster(Started):
    """One or more private nodes; with more than one, the others join the first."""

    def __init__(self, workdir: Path, size: int = 1, prefix: str = "") -> None:
        self.workdir = workdir
        prefix = prefix or f"fault-{secrets.token_hex(3)}"
        home = workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(16).upper())
            cookie.chmod(0o400)
        self.nodes = [RabbitNode(f"{prefix}-{i + 1}", workdir, home) for i in range(size)]

    def start(self) -> None:
        """Start every node; join the others to the first."""
        first, *others = self.nodes
        first.start()
        for node in others:
            node.start()
            node.ctl("stop_app")
            node.ctl("join_cluster", first.node)
            node.ctl("start_app")
        if others:
            running = json.loads(first.ctl("cluster_status", "--formatter", "json").stdout)
            if len(running.get("running_nodes", [])) != len(self.nodes):
                raise RabbitError(f"cluster did not form: {running}")

    def close(self) -> None:
        """Kill every node (our children only)."""
        for node in self.nodes:
            node.kill()

    def alive(self) -> RabbitNode:
        """A node that runs (for control commands)."""
        for node in self.nodes:
            if node.is_running():
                return node
        raise RabbitError("no node of the cluster runs")

    def add_vhost(self, vhost: str) -> None:
        """Create ``vhost`` with full permissions for guest."""
        node = self.alive()
        node.ctl("add_vhost", vhost)
        node.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")

    def amqp_url(self, vhost: str, node: int = 0) -> str:
        """The AMQP URL of ``vhost`` on node ``node``."""
        return self.nodes[node].amqp_url(vhost)

    def close_all_connections(self) -> int:
        """Close every client connection on every running node; return how many there were."""
        closed = 0
        for node in self.nodes:
            if node.is_running():
                listed = node.ctl("list_connections", "name", "--formatter", "json", check=False)
                with contextlib.suppress(ValueError):
                    closed += len(json.loads(listed.stdout or "[]"))
                node.ctl("close_all_connections", "fault suite: closing every connection")
        return closed

    def queues(self, vhost: str) -> dict[str, dict[str, Any]]:
        """Every queue of ``vhost`` with its message counts, leader and members."""
        listed = self.alive().ctl(
            "list_queues", "-p", vhost, "name", "messages", "messages_unacknowledged",
            "type", "leader", "members", "--formatter", "json",
        )  # fmt: skip
        return {q["name"]: q for q in json.loads(listed.stdout or "[]")}

    def wait_queues_available(self, vhost: str, timeout: float = 60.0) -> bool:
        """Wait until ``list_queues`` answers (a cluster just lost a node re-elects leaders)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RabbitError, ValueError, subprocess.TimeoutExpired):
                self.queues(vhost)
                return True
            time.sleep(1)
        return False
