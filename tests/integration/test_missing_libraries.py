"""Without requests or azure-identity on the managed host, the modules fail with Ansible's standard message."""
import os

import pytest

ARGS = {'name': 'mma-lib', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}


def hide_package(root, dotted):
    """A directory that, first on PYTHONPATH, makes ``import <dotted>`` fail as if it were not installed."""
    package = root.joinpath(*dotted.split('.'))
    package.mkdir(parents=True)
    (package / '__init__.py').write_text('raise ImportError("No module named %r (hidden for a test)")\n' % dotted)
    return str(root)


@pytest.mark.parametrize('package, pip_name', [('requests', 'requests'), ('azure.identity', 'azure-identity')])
def test_missing_library_is_named(ansible, emulator, tmp_path, package, pip_name):
    search_path = os.pathsep.join(filter(None, [hide_package(tmp_path / 'hidden', package), os.environ.get('PYTHONPATH')]))
    result = ansible.module('account', ARGS, extra={'PYTHONPATH': search_path})
    assert result['failed'] is True
    assert 'Failed to import the required Python library (%s)' % pip_name in result['msg']
    assert emulator.journal(kind='arm') == []
