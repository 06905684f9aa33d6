# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No function or method in plugins/ is longer than 60 lines (docstring included): a long one is split, not excused.

Measured with ``ast`` (from ``def`` to the function's last line), nested functions counted on their own too.
"""

from __future__ import annotations

import ast
import os

import pytest

PLUGINS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "plugins"))
LIMIT = 60


def python_files(root):
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def function_lengths(path):
    """``(name, first line, length)`` of every function and method of the file at ``path``."""
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_the_measure_sees_every_plugin_file_and_counts_lines(tmp_path):
    files = list(python_files(PLUGINS))
    assert len(files) > 20 and any(path.endswith(os.path.join("module_utils", "account_service.py")) for path in files)
    sample = tmp_path / "sample.py"
    sample.write_text('def short():\n    return 1\n\n\nclass C(object):\n    def method(self):\n        """Doc."""\n\n'
                      '        def inner():\n            pass\n        return inner\n')
    assert sorted(function_lengths(str(sample))) == [("inner", 9, 2), ("method", 6, 6), ("short", 1, 2)]


@pytest.mark.parametrize("path", sorted(python_files(PLUGINS)), ids=lambda path: os.path.relpath(path, PLUGINS))
def test_no_function_is_longer_than_60_lines(path):
    too_long = ["%s (line %d): %d lines" % (name, line, length) for name, line, length in function_lengths(path) if length > LIMIT]
    assert too_long == [], "split these functions (at most %d lines each): %s" % (LIMIT, "; ".join(too_long))
