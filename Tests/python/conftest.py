"""Shared fixtures for the system tests (real processes on loopback) and browser tests."""
import os
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
