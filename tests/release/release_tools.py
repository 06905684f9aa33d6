"""Shared by the maintainer-tool tests (tests/release/): where the collection is, and how a tool of the tools venv is run.

They run with the tools venv's Python, so ``ansible-builder``, ``antsibull-*`` and ``galaxy-importer`` are next to
it: test_tooling.py from the collection as installed from its built artifact, test_release.py from the checkout.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.dirname(sys.executable)


def tool(name, *args, cwd=ROOT, env=None):
    """Run a tool of this venv; return the finished process (stdout and stderr merged)."""
    environment = dict(os.environ, PATH=BIN_DIR + os.pathsep + os.environ.get('PATH', ''), **(env or {}))
    return subprocess.run([os.path.join(BIN_DIR, name)] + list(args), cwd=cwd, env=environment, check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
