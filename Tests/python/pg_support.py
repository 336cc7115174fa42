"""PostgreSQL for the Python tests: throwaway clusters made by scripts/pg-cluster.sh, databases
created and dropped with `psql` on the cluster's Unix socket (no Python driver needed).

The fixtures (in conftest.py): `pg_cluster`, one cluster for the session (make test's, named by
STOREFRONT_TEST_PG_DIR, else one started here and stopped at the session's end); `pg_database`, a
fresh database URL per test, dropped afterwards; `private_pg_cluster`, a cluster of the test's own
that it may stop and start (`stop_immediate()`, `start()`), removed afterwards."""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from support import REPO

SCRIPT = REPO / "scripts" / "pg-cluster.sh"


def postgres_required() -> bool:
    """Whether a missing PostgreSQL is a failure rather than a skip (make test sets it)."""
    return bool(os.environ.get("STOREFRONT_REQUIRE_POSTGRES"))


def postgres_available() -> bool:
    """PostgreSQL 15 is installed, or installable (root with apt-get), and psql is there."""
    installable = os.geteuid() == 0 and shutil.which("apt-get") is not None
    return installable or (Path("/usr/lib/postgresql/15/bin/initdb").exists() and shutil.which("psql") is not None)


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class PgCluster:
    """A cluster made by scripts/pg-cluster.sh in `directory`."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.url = (self.directory / "url").read_text().strip()
        self.socket_url = (self.directory / "socket-url").read_text().strip()

    @classmethod
    def start(cls, directory: Path) -> "PgCluster":
        result = subprocess.run(["bash", str(SCRIPT), "start", str(directory)], capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], capture_output=True, timeout=120)
            raise RuntimeError(f"pg-cluster.sh start exited {result.returncode}: {result.stderr[-2000:]}")
        return cls(directory)

    def remove(self) -> None:
        """Stops the cluster and removes its folder."""
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.directory)], capture_output=True, timeout=120)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(["bash", str(SCRIPT), "pg_ctl", str(self.directory), *args], check=True, capture_output=True, timeout=120)

    def stop_immediate(self) -> None:
        """Stops the server as a crash would (no shutdown checkpoint); `start()` recovers it."""
        self.pg_ctl("stop", "-m", "immediate")

    def start_again(self) -> None:
        self.pg_ctl("start")

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Runs `sql` as the cluster's superuser through its socket; returns psql's unaligned output."""
        result = subprocess.run(
            ["psql", with_database(self.socket_url, database), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}) on {sql!r}: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = "py_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def database_url(self, name: str) -> str:
        """The TCP URL of database `name` (what order-api's --db takes)."""
        return with_database(self.url, name)


def new_cluster_directory() -> Path:
    return Path("/tmp") / f"sf-pg-py-{os.getpid()}-{uuid.uuid4().hex[:6]}"
