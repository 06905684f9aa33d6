# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/dev/architecture.md names every file of module_utils/ and plugin_utils/, and no file that does not exist.

The map is read from the collection this test runs in (the installed copy carries docs/), so a file added without
its line, or a line left behind by a file removed or renamed, fails here. A missing map fails too.
"""

from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAP = os.path.join(ROOT, "docs", "dev", "architecture.md")
FOLDERS = ("module_utils", "plugin_utils")
# A file as the map writes it: `module_utils/arm.py`, `modules/account.py`, `tests/emulator/provider.py`.
PY_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.py)\b")
# Where a path of the map may start: the collection's root, plugins/, or (a bare name) one of FOLDERS.
BASES = ("", "plugins") + tuple(os.path.join("plugins", folder) for folder in FOLDERS)


def map_text():
    assert os.path.isfile(MAP), "the architecture map %s is missing" % MAP
    with open(MAP, encoding="utf-8") as handle:
        return handle.read()


def code_files():
    """``module_utils/arm.py`` ... : every Python file of FOLDERS but ``__init__.py``, as the map must name it."""
    found = []
    for folder in FOLDERS:
        for name in sorted(os.listdir(os.path.join(ROOT, "plugins", folder))):
            if name.endswith(".py") and name != "__init__.py":
                found.append("%s/%s" % (folder, name))
    return found


def unknown_paths(text):
    """The ``*.py`` paths of ``text`` that are no file of the collection, from any of BASES."""
    return sorted(set(path for path in PY_PATH.findall(text)
                      if not any(os.path.isfile(os.path.join(ROOT, base, path)) for base in BASES)))


def test_the_map_names_every_file_of_module_utils_and_plugin_utils():
    named = set(PY_PATH.findall(map_text()))
    files = code_files()
    assert len(files) > 20  # the folders were found and read
    missing = [path for path in files if path not in named]
    assert not missing, "docs/dev/architecture.md has no line for %s" % ", ".join(missing)


def test_the_map_names_no_file_that_does_not_exist():
    named = PY_PATH.findall(map_text())
    assert "module_utils/arm.py" in named  # the paths were found
    unknown = unknown_paths(map_text())
    assert not unknown, "docs/dev/architecture.md names files that do not exist: %s" % ", ".join(unknown)


def test_an_unknown_path_is_found():
    """The check itself: a path under no base is reported, one under a base is not."""
    assert unknown_paths("`module_utils/gone.py`, `modules/account.py` and `tests/unit/%s`"
                         % os.path.basename(__file__)) == ["module_utils/gone.py"]
