"""Helpers shared by the system and browser tests."""
import os
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


# Ports for the servers the tests start come from below the kernel's ephemeral range (32768 and up
# on Linux), where outgoing connections (Chromium's, the servers' own) never take them, and each
# is handed out once per test process, starting at a point that depends on the process id.
_FIRST_PORT, _LAST_PORT = 20000, 32000
_next_port = _FIRST_PORT + (os.getpid() * 97) % (_LAST_PORT - _FIRST_PORT)


def free_port() -> int:
    """A loopback TCP port nothing listens on, never handed out before in this process."""
    global _next_port
    for _ in range(_LAST_PORT - _FIRST_PORT):
        port = _next_port
        _next_port = _FIRST_PORT if _next_port >= _LAST_PORT else _next_port + 1
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port between 20000 and 32000")


def build_example_shop(root: Path, bin_dir: Path) -> Path:
    """`storefront build` of a private copy of the example shop (content, themes, site status)
    under `root`; returns the built site."""
    import shutil
    import subprocess
    for folder in ("content", "themes"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    subprocess.run([str(bin_dir / "storefront"), "build", "--out", str(root / "public")], cwd=root, check=True,
                   capture_output=True, text=True, timeout=120)
    return root / "public"
