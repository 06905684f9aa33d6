"""The inventory cache holds what Azure said and nothing can be read as a cache marker (issue 22, item 2), on 2.16 and 2.21.

The jsonfile cache decodes ``__ansible_*`` keys as its own markers (``__ansible_type`` on 2.19+, ``__ansible_vault``
and ``__ansible_unsafe`` before): tags with such names must come back from the cache exactly as Azure has them, and
the cache file is readable by its owner only (mode 0600, as the token cache).
"""
import glob
import os
import stat

import pytest

from fleet import hostvars, inventory_list, write_source  # pylint: disable=import-error

UNPARSED_FAILED = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}
RG = 'it-rg'
MARKER_TAGS = {'__ansible_type': 'probe', '__ansible_vault': 'x', '__ansible_unsafe': 'y', '__payload__': 'z', 'team': 'a'}


def by_name(listing):
    return {v['azureml_account']['name']: v['azureml_account'] for v in hostvars(listing).values()}


@pytest.fixture
def env(ansible):
    return ansible.environment(extra=UNPARSED_FAILED)


def test_marker_keys_round_trip_through_the_cache_in_a_private_file(emulator, env, tmp_path):
    emulator.put_account('marked', RG, tags=MARKER_TAGS, description='{"__ansible_vault": "x"}')
    emulator.put_account('plain', RG, tags={'team': 'a'})
    cache_dir = tmp_path / 'cache'
    source = write_source(tmp_path, {
        'resource_groups': [RG], 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(cache_dir),
        'keyed_groups': [{'key': 'azureml_account.tags', 'prefix': 'tag'}]})

    fresh = inventory_list(env, source)
    marked = by_name(fresh)['marked']
    assert marked['tags'] == MARKER_TAGS and marked['description'] == '{"__ansible_vault": "x"}'
    files = [path for path in glob.glob(os.path.join(str(cache_dir), '*')) if os.path.isfile(path)]
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600

    emulator.clear_journal()
    cached = inventory_list(env, source)
    assert emulator.journal(kind=None) == []  # served from the cache
    assert cached == fresh
    assert len(cached['tag_team_a']['hosts']) == 2 and len(cached['tag___ansible_type_probe']['hosts']) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
