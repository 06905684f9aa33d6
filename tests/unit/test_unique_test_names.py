# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two test modules may not share a basename: pytest imports them by it (rootdir-relative, no __init__.py), and the
second is an 'import file mismatch' error in the leg that collects both (it stopped make test's 2.16 leg once). And no
test module imports another: what tests share lives in helper modules (tests/unit/fakes.py, tests/integration/plays.py),
so that running one test file never depends on how another was collected."""

from __future__ import annotations

import ast
import collections
import os

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_two_test_modules_share_a_basename():
    seen = collections.defaultdict(list)
    for folder, _dirs, files in os.walk(TESTS):
        for name in files:
            if name.startswith("test_") and name.endswith(".py"):
                seen[name].append(os.path.relpath(os.path.join(folder, name), TESTS))
    assert sorted(paths for paths in seen.values() if len(paths) > 1) == []


def test_no_test_module_imports_another():
    found = []
    for folder, _dirs, files in os.walk(TESTS):
        for name in (name for name in files if name.endswith(".py")):
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                found += ["%s imports %s" % (os.path.relpath(path, TESTS), module) for module in modules
                          if module.rsplit(".", 1)[-1].startswith("test_")]
    assert found == []
