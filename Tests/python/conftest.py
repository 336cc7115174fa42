"""Shared fixtures for the system tests (real processes on loopback) and browser tests."""
import os
import subprocess
from pathlib import Path

import pytest

from pg_support import PgCluster, new_cluster_directory, postgres_available, postgres_required
from support import REPO, SHARED, free_port  # noqa: F401  (re-exported for tests)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """Where `swift build` put the executables (built by `make test` before pytest runs)."""
    env_dir = os.environ.get("STOREFRONT_BIN")
    if env_dir:
        return Path(env_dir)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/: screenshots and logs for review (ignored by git)."""
    path = REPO / "test-output"
    path.mkdir(exist_ok=True)
    return path


def _need_postgres() -> None:
    if not postgres_available() and not postgres_required():
        pytest.skip("PostgreSQL 15 is not installed and cannot be installed here; set STOREFRONT_REQUIRE_POSTGRES=1 to fail instead")


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL cluster: make test's (STOREFRONT_TEST_PG_DIR), else one started
    with scripts/pg-cluster.sh under /tmp and removed when the session ends."""
    given = os.environ.get("STOREFRONT_TEST_PG_DIR")
    if given:
        yield PgCluster(Path(given))
        return
    yield from _own_cluster()


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """The URL of a fresh, empty database in the session's cluster, dropped after the test."""
    name = pg_cluster.create_database()
    try:
        yield pg_cluster.database_url(name)
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture
def private_pg_cluster():
    """A cluster of the test's own, for fault tests that stop and start the server
    (`stop_immediate()`, `start_again()`); removed after the test."""
    yield from _own_cluster()


def _own_cluster():
    """A cluster started under /tmp for as long as the generator runs."""
    _need_postgres()
    cluster = PgCluster.start(new_cluster_directory())
    try:
        yield cluster
    finally:
        cluster.remove()
