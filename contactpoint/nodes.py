"""Servers of one's own on this machine, from the installed RabbitMQ and PostgreSQL: to stop, kill and restart at will.

The fault tests and ``deploy/cluster.sh`` run them beside the machine's own servers, never touching
those: each node has its own name, ports, data and log directories under one base directory, and
RabbitMQ nodes share an Erlang cookie of their own (in the base directory's ``home``, which is the
nodes' and ``rabbitmqctl``'s ``HOME``). Everything listens on 127.0.0.1 only; or, where the machine allows, each RabbitMQ
node of the cluster has a network namespace of its own, on two private bridges of this machine (``Namespace``), so that one
node can be cut off from the others as a network partition would.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")  # the scripts themselves: /usr/sbin's wrappers would run the node as the rabbitmq user
START_SECONDS = 120


class NodeError(RuntimeError):
    pass


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise NodeError("no PostgreSQL is installed under /usr/lib/postgresql")
    return versions[-1]


# The two networks of a cluster whose nodes each have a network namespace: clients reach a node on one, the nodes each other
# on the other (as on hosts with a cluster network of their own), so that a node can be cut off from the others alone.
CLIENT_NET, CLUSTER_NET = "10.77.0", "10.77.1"
BRIDGES = {CLIENT_NET: "cp-clients", CLUSTER_NET: "cp-cluster"}
ROOT_HOST = 254  # this machine's own address on each network: where clients and rabbitmqctl run


@dataclass(frozen=True)
class Namespace:
    """The network namespace of cluster node ``n``: its address ``<net>.<n>`` on each of the two networks, a veth pair to each."""

    n: int

    @property
    def name(self) -> str:
        return f"cp-mq{self.n}"

    @property
    def host(self) -> str:
        """The node's host name, which the cluster's own hosts file (``inetrc``) gives its address on the cluster network."""
        return self.name

    @property
    def client_address(self) -> str:
        return f"{CLIENT_NET}.{self.n}"

    @property
    def cluster_address(self) -> str:
        return f"{CLUSTER_NET}.{self.n}"

    def _veth(self, net: str) -> str:
        return f"{BRIDGES[net]}-{self.n}"  # the end on this machine's bridge; its peer, in the namespace, is eth-<net's last part>

    def make(self) -> None:
        if self.name in _ip("netns", "list").stdout.split():
            return
        for net, bridge in BRIDGES.items():
            if _ip("link", "show", bridge, check=False).returncode != 0:
                _ip("link", "add", bridge, "type", "bridge")
                _ip("addr", "add", f"{net}.{ROOT_HOST}/24", "dev", bridge)
                _ip("link", "set", bridge, "up")
        _ip("netns", "add", self.name)
        self.inside("ip", "link", "set", "lo", "up")
        for net in BRIDGES:
            inner = f"eth{net.rsplit('.', 1)[1]}"
            _ip("link", "add", self._veth(net), "type", "veth", "peer", "name", inner, "netns", self.name)
            _ip("link", "set", self._veth(net), "master", BRIDGES[net], "up")
            self.inside("ip", "addr", "add", f"{net}.{self.n}/24", "dev", inner)
            self.inside("ip", "link", "set", inner, "up")

    def remove(self) -> None:
        _ip("netns", "del", self.name, check=False)  # its veth ends go with it

    def cut(self) -> None:
        """Cuts the node off from the other nodes (and they from it); its clients still reach it."""
        _ip("link", "set", self._veth(CLUSTER_NET), "down")

    def heal(self) -> None:
        _ip("link", "set", self._veth(CLUSTER_NET), "up")

    def inside(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.name, *command], check=True, capture_output=True, text=True)


def namespaces_possible() -> str:
    """'' when this machine lets nodes have network namespaces of their own, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "no ip command (iproute2)"
    probe = _ip("netns", "list", check=False)
    return "" if probe.returncode == 0 else f"ip netns does not work here: {probe.stderr.strip()}"


def remove_bridges() -> None:
    for bridge in BRIDGES.values():
        _ip("link", "del", bridge, check=False)


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise NodeError(f"ip {' '.join(args)} failed: {done.stderr.strip()}")
    return done


@dataclass(frozen=True)
class _Server:
    """A server this machine runs, as ``name`` under ``base``, listening on ``port``: found by the pid its pid file names."""

    PID_FILE: ClassVar[str]

    base: Path
    name: str
    port: int

    @property
    def directory(self) -> Path:
        """The server's own: its data and its configuration."""
        return self.base / self.name

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return pid if _alive(pid) else None

    def kill(self) -> None:
        """kill -9 of the server, as a machine that dies."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)

    @property
    def pid_file(self) -> Path:
        """Written by the server as it starts: its pid first."""
        return self.directory / self.PID_FILE


@dataclass(frozen=True)
class RabbitNode(_Server):
    """One RabbitMQ node: AMQP on ``port``, the management API on ``management_port``, Erlang distribution on ``dist_port``;
    on 127.0.0.1, or in a network namespace of its own."""

    PID_FILE = "pid"

    management_port: int
    dist_port: int
    namespace: Namespace | None = None

    @property
    def node(self) -> str:
        return f"{self.name}@{self.namespace.host if self.namespace else 'localhost'}"

    @property
    def address(self) -> str:
        """Where clients reach it."""
        return self.namespace.client_address if self.namespace else "127.0.0.1"

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@{self.address}:{self.port}/"

    def environment(self) -> dict[str, str]:
        home = self.base / "home"
        return {
            **{key: value for key, value in os.environ.items() if not key.startswith(("RABBITMQ_", "ERL_"))},
            "HOME": str(home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": self.address,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq"),  # .conf is added
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_CONF_ENV_FILE": str(self.directory / "rabbitmq-env.conf"),
            # In a namespace of its own, epmd answers the other nodes on the cluster network too.
            "ERL_EPMD_ADDRESS": f"127.0.0.1,{self.namespace.cluster_address}" if self.namespace else "127.0.0.1",
            **({"ERL_INETRC": str(self.base / "inetrc")} if self.namespace else {}),
        }

    def prepare(self) -> None:
        home = self.base / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(16).upper())
            cookie.chmod(0o400)
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "enabled_plugins").write_text("[rabbitmq_management].\n")
        (self.directory / "rabbitmq-env.conf").write_text("")
        (self.directory / "rabbitmq.conf").write_text("\n".join([
            "loopback_users = none",  # guest from this machine, where everything here listens
            f"management.tcp.port = {self.management_port}",
            f"management.tcp.ip = {self.address}",
            # A node cut off from the majority stops serving rather than go on alone: no split brain.
            "cluster_partition_handling = pause_minority",
            # A peer gone quiet is noticed within 15 to 20 seconds (not the default's 45 to 75): a cut scenario need not wait long.
            "net_ticktime = 15",
            "",
        ]))

    def start(self) -> None:
        """Starts the node's Erlang VM and RabbitMQ in it, and waits until it takes connections; a running node is left as it is."""
        if self.pid() is not None:
            return
        self.prepare()
        self.pid_file.unlink(missing_ok=True)
        # Through a shell that leaves it in the background: the node outlives whoever started it (as ``cluster.sh up`` needs)
        # and is nobody's child to reap.
        inside = ["ip", "netns", "exec", self.namespace.name] if self.namespace else []
        subprocess.run([*inside, "sh", "-c", f'"{RABBITMQ_BIN / "rabbitmq-server"}" >> "{self.directory / "server.out"}" 2>&1 < /dev/null &'],
                       env=self.environment(), check=True, start_new_session=True)
        self.wait()

    def wait(self) -> None:
        self.ctl("wait", str(self.pid_file), "--timeout", str(START_SECONDS), timeout=START_SECONDS + 30)

    def stop(self) -> None:
        """Stops RabbitMQ and its VM, as an operator does; the data stays."""
        if self.pid_file.exists():
            self.ctl("stop", str(self.pid_file), check=False, timeout=120)

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", str(START_SECONDS), timeout=START_SECONDS + 30)

    def join(self, first: RabbitNode) -> None:
        """Makes this (fresh) node a member of ``first``'s cluster."""
        self.stop_app()
        self.ctl("join_cluster", first.node)
        self.start_app()

    def cluster_status(self) -> dict:
        """``rabbitmqctl cluster_status`` as the node says it (``running_nodes``, ``partitions`` ...); {} when it does not answer."""
        done = self.ctl("cluster_status", "--formatter", "json", check=False, timeout=30)
        try:
            return json.loads(done.stdout) if done.returncode == 0 else {}
        except ValueError:
            return {}

    def running(self) -> bool:
        return self.pid() is not None and self.ctl("ping", check=False, timeout=30).returncode == 0

    def ctl(self, *args: str, check: bool = True, timeout: float = 90) -> subprocess.CompletedProcess:
        # From this machine, whose own epmd is on 127.0.0.1: the node's epmd, in its namespace, is found by its host name.
        done = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, "-q", *args],
                              env={**self.environment(), "ERL_EPMD_ADDRESS": "127.0.0.1"},
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise NodeError(f"rabbitmqctl {' '.join(args)} on {self.node} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done


@dataclass(frozen=True)
class PostgresNode(_Server):
    """One PostgreSQL server: a primary, or a hot standby streaming from ``primary``. Trust on 127.0.0.1 only."""

    PID_FILE = "postmaster.pid"

    primary: PostgresNode | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if self.pid() is not None:
            return
        if not (self.directory / "PG_VERSION").exists():
            self._make()
        self._pg_ctl("start", "-w", "-t", str(START_SECONDS), "-l", str(self.base / f"{self.name}.log"))

    def stop(self, mode: str = "fast") -> None:
        if self.pid_file.exists():
            self._pg_ctl("stop", "-w", "-m", mode, check=False)

    def running(self) -> bool:
        return subprocess.run([str(postgres_bin() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0

    def _make(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(self.base)
        if self.primary is None:
            self._as_postgres("initdb", "-U", "postgres", "--auth=trust", "-D", str(self.directory))
            (self.directory / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n"
                                                        "host replication all 127.0.0.1/32 trust\n")
        else:
            # -R writes standby.signal and the primary's address: the copy starts as a hot standby streaming from it.
            self._as_postgres("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                              "-D", str(self.directory), "-R", "-X", "stream", "--checkpoint=fast")
        with (self.directory / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.base}'\n"
                       "wal_level = replica\nmax_wal_senders = 10\nhot_standby = on\nmax_connections = 300\nfsync = on\n")
        _give_to_postgres(self.directory)

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.directory), *args, check=check)

    def _as_postgres(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(postgres_bin() / program), *args]
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=START_SECONDS + 30, stdin=subprocess.DEVNULL)
        if check and done.returncode != 0:
            raise NodeError(f"{program} {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")


def rabbit_cluster(base: Path, first_port: int, size: int = 3, tag: str = "cp-cluster", namespaced: bool = False) -> list[RabbitNode]:
    """``size`` nodes, node n on AMQP ``first_port + n - 1``, its management API 10,000 above and Erlang distribution 20,000 above;
    ``namespaced``, each in a network namespace of its own."""
    return [RabbitNode(base, f"{tag}-{n}", first_port + n - 1, first_port + 10_000 + n - 1, first_port + 20_000 + n - 1,
                       Namespace(n) if namespaced else None)
            for n in range(1, size + 1)]


def write_hosts(nodes: list[RabbitNode]) -> None:
    """The nodes' own hosts file, for Erlang (``ERL_INETRC``): each node's host name at its address on the cluster network."""
    lines = [f"{{host, {{{node.namespace.cluster_address.replace('.', ',')}}}, [\"{node.namespace.host}\"]}}." for node in nodes]
    (nodes[0].base / "inetrc").write_text("\n".join([*lines, "{lookup, [file, native]}.", ""]))


def start_rabbit_cluster(nodes: list[RabbitNode]) -> None:
    first, *others = nodes
    first.start()
    for node in others:
        fresh = not (node.directory / "mnesia").exists()
        node.start()
        if fresh:
            node.join(first)


def remove(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
        path.chmod(0o700)


def _alive(pid: int) -> bool:
    """Running, not gone nor a zombie (a node started by this process and killed stays one until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pid: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


# The cluster ``deploy/cluster.sh`` starts: ports clear of the machine's own servers (5672, 15672, 25672, 5432, 6379).
CLUSTER_AMQP_PORT = 5701  # nodes on 5701-5703, management 15701-15703, Erlang distribution 25701-25703
PRIMARY_PORT, STANDBY_PORT = 5441, 5442


@dataclass(frozen=True)
class Cluster:
    """Three RabbitMQ nodes in one cluster, and a PostgreSQL primary with a synchronous streaming hot standby."""

    base: Path

    @property
    def rabbits(self) -> list[RabbitNode]:
        return rabbit_cluster(self.base, CLUSTER_AMQP_PORT, namespaced=self.namespaced)

    @property
    def namespaced(self) -> bool:
        """Whether its RabbitMQ nodes each have a network namespace, as ``up`` chose when it first made the cluster."""
        return (self.base / "namespaced").exists()

    def why_not_partitionable(self) -> str:
        """'' when one node can be cut off from the others (each has a network namespace), else why not."""
        if self.namespaced:
            return ""
        return namespaces_possible() or "the cluster was made on the loopback interface: cluster.sh down, then up, puts it in namespaces"

    @property
    def primary(self) -> PostgresNode:
        return PostgresNode(self.base, "pg-primary", PRIMARY_PORT)

    @property
    def standby(self) -> PostgresNode:
        return PostgresNode(self.base, "pg-standby", STANDBY_PORT, primary=self.primary)

    def up(self) -> None:
        if not (self.base / "cp-cluster-1").exists() and not namespaces_possible():
            self.base.mkdir(parents=True, exist_ok=True)
            (self.base / "namespaced").touch()
        if self.namespaced:
            for node in self.rabbits:
                node.namespace.make()
            write_hosts(self.rabbits)
        start_rabbit_cluster(self.rabbits)
        fresh = not (self.primary.directory / "PG_VERSION").exists()
        self.primary.start()
        self.standby.start()
        if fresh:
            # Every commit returns once the standby has applied it: a reader there never sees a shield late (CONTRACT.md).
            self._psql(self.primary, "ALTER SYSTEM SET synchronous_standby_names = '*'", "ALTER SYSTEM SET synchronous_commit = 'remote_apply'",
                       "SELECT pg_reload_conf()")

    def down(self) -> None:
        for node in self.rabbits:
            node.stop()
            if node.namespace:
                node.namespace.remove()
        if self.namespaced:
            remove_bridges()
        self.standby.stop()
        self.primary.stop()
        remove(self.base)

    def status(self) -> list[str]:
        lines = [f"rabbitmq {node.node}: {'running' if node.running() else 'stopped'} (amqp {node.address}:{node.port}, "
                 f"management {node.management_port})" for node in self.rabbits]
        for pg, role in ((self.primary, "primary"), (self.standby, "hot standby")):
            lines.append(f"postgresql {role}: {'running' if pg.running() else 'stopped'} (port {pg.port})")
        return lines

    def environment(self, vhost: str = "contactpoint", database: str = "contactpoint") -> dict[str, str]:
        """The CP_* variables that point ContactPoint at this cluster."""
        return {
            "CP_AMQP_URL": ";".join(f"amqp://guest:guest@{node.address}:{node.port}/{vhost}" for node in self.rabbits),
            "CP_AMQP_ADMIN_URL": f"http://guest:guest@{self.rabbits[0].address}:{self.rabbits[0].management_port}",
            "CP_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{PRIMARY_PORT}/{database}",
            "CP_DATABASE_REPLICA_URL": f"postgresql+psycopg://postgres@127.0.0.1:{STANDBY_PORT}/{database}",
        }

    @staticmethod
    def _psql(node: PostgresNode, *statements: str) -> None:
        import psycopg

        with psycopg.connect(node.url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)


def default_base() -> Path:
    return Path(os.environ.get("CP_CLUSTER_DIR") or Path(os.environ.get("TMPDIR", "/tmp")) / "contactpoint-cluster")


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="deploy/cluster.sh", description="A RabbitMQ cluster of three and a PostgreSQL primary "
                                     "with a hot standby on this machine, from the installed servers.")
    parser.add_argument("command", choices=("up", "down", "status", "env"))
    cluster = Cluster(default_base())
    command = parser.parse_args(argv).command
    if command == "up":
        cluster.up()
    elif command == "down":
        cluster.down()
        print(f"removed {cluster.base}")
        return 0
    if command == "env":
        print("\n".join(f"export {name}='{value}'" for name, value in cluster.environment().items()))
        return 0
    print("\n".join(cluster.status()))
    if command == "up":
        print("\n".join(f"export {name}='{value}'" for name, value in cluster.environment().items()))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
