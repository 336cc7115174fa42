"""Shared fixtures for the system tests (real processes on loopback) and browser tests."""
import os
import subprocess
from pathlib import Path

import pytest

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
