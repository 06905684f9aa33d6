"""Fixtures of the maintainer-tool tests (tests/release/)."""
import shutil

import pytest

from release_tools import ROOT  # pylint: disable=import-error


@pytest.fixture
def collection_copy(tmp_path):
    """A throw-away copy of the checkout inside ``ansible_collections/azureml/model_management``."""
    target = tmp_path / 'ansible_collections' / 'azureml' / 'model_management'
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns('.git', '.venv*', '.ansible', '.emulator', '.pytest_cache',
                                                                '__pycache__', 'output', '*.tar.gz'))
    return target
