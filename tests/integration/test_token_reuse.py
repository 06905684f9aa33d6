"""Opt-in reuse of tokens and cloud metadata across tasks, and the retried metadata request (issue 9; issue 6 defect 8).

Each test runs real ``ansible`` tasks with ANSIBLE_AZURE_TOKEN_CACHE / ANSIBLE_AZURE_TOKEN_CACHE_DIR and reads the
emulator's journal: kind ``metadata`` is /metadata/endpoints, kind ``identity`` is OpenID discovery and token requests.
"""
import json
import os
import stat

import pytest

INFO_ARGS = {'name': 'cached', 'resource_group': 'it-rg'}


@pytest.fixture
def cache_dir(tmp_path):
    return str(tmp_path / 'job-private' / 'azure')


def cached_env(cache_dir, mode='allow_unencrypted'):
    return {'extra': {'ANSIBLE_AZURE_TOKEN_CACHE': mode, 'ANSIBLE_AZURE_TOKEN_CACHE_DIR': cache_dir}}


def requests_of(emulator):
    """(metadata, identity, arm) journal entries since the last clear, as (METHOD, path, status)."""
    return tuple([(e['method'], e['path'], e['status']) for e in emulator.journal(kind)] for kind in ('metadata', 'identity', 'arm'))


def cached_tokens(cache_dir):
    """The access tokens azure-identity keeps in the unencrypted cache file (msal's JSON)."""
    with open(os.path.join(cache_dir, 'azureml.model_management.nocae'), encoding='utf-8') as handle:
        return [entry['secret'] for entry in json.load(handle).get('AccessToken', {}).values()]


def test_second_task_sends_no_identity_or_metadata_request(ansible, emulator, cache_dir):
    emulator.put_account('cached')
    emulator.clear_journal()
    first = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert not first['failed'] and [a['name'] for a in first['accounts']] == ['cached']
    metadata, identity, arm = requests_of(emulator)
    assert len(metadata) == 1 and [m for m, _p, _s in identity] == ['GET', 'POST'] and len(arm) == 1
    emulator.clear_journal()
    second = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert second['accounts'] == first['accounts']
    metadata, identity, arm = requests_of(emulator)
    assert metadata == [] and identity == [] and [m for m, _p, s in arm] == ['GET'] and arm[0][2] == 200


def test_cache_is_off_by_default(ansible, emulator):
    for _round in range(2):
        emulator.clear_journal()
        ansible.module('account_info', INFO_ARGS)
        metadata, identity, _arm = requests_of(emulator)
        assert len(metadata) == 1 and len(identity) == 2


def test_cache_files_are_private_and_no_token_reaches_the_output(ansible, emulator, cache_dir):
    emulator.put_account('cached')
    ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    result = ansible.module('account_info', INFO_ARGS, verbosity=4, **cached_env(cache_dir))
    output = ansible.last_process.stdout + ansible.last_process.stderr
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700
    names = sorted(os.listdir(cache_dir))
    assert 'azureml.model_management.nocae' in names and len([n for n in names if n.startswith('metadata-')]) == 2
    for name in names:
        mode = stat.S_IMODE(os.stat(os.path.join(cache_dir, name)).st_mode)
        if name.endswith('.lockfile'):  # msal-extensions' lock: pid and program name only
            continue
        assert mode == 0o600, (name, oct(mode))
    tokens = cached_tokens(cache_dir)
    assert tokens and all(len(token) > 20 for token in tokens)
    for token in tokens:
        assert token not in json.dumps(result) and token not in output
    secret = emulator.env['AZURE_SECRET']
    for name in names:
        with open(os.path.join(cache_dir, name), encoding='utf-8', errors='replace') as handle:
            assert secret not in handle.read()


def test_revoked_cached_token_is_replaced_by_one_refresh(ansible, emulator, cache_dir):
    emulator.put_account('cached')
    ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    old_tokens = cached_tokens(cache_dir)
    emulator.control('POST', 'tokens/expire')  # Resource Manager now refuses every token issued so far
    emulator.clear_journal()
    result = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert not result['failed'] and [a['name'] for a in result['accounts']] == ['cached']
    metadata, identity, arm = requests_of(emulator)
    assert metadata == [] and [m for m, _p, _s in identity] == ['POST']  # one token request, discovery still cached
    assert [s for _m, _p, s in arm] == [401, 200]
    assert cached_tokens(cache_dir) != old_tokens  # replaced in the cache, so the next task does not meet the 401 again
    emulator.clear_journal()
    ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    metadata, identity, arm = requests_of(emulator)
    assert identity == [] and [s for _m, _p, s in arm] == [200]


def test_cached_token_close_to_expiry_is_renewed_before_use(ansible, emulator, cache_dir):
    emulator.configure(token_lifetime=120)  # msal renews a token that has less than 5 minutes left
    emulator.put_account('cached')
    ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    emulator.clear_journal()
    result = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert not result['failed']
    metadata, identity, arm = requests_of(emulator)
    assert metadata == [] and [m for m, _p, _s in identity] == ['POST'] and [s for _m, _p, s in arm] == [200]


def test_encrypted_cache_without_an_encrypted_store_fails_and_names_the_opt_in(ansible, emulator, cache_dir):
    try:
        import gi  # noqa: F401 pylint: disable=unused-import,import-outside-toplevel
        pytest.skip('this machine has PyGObject, so libsecret may provide an encrypted store')
    except ImportError:
        pass
    result = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir, 'encrypted'))
    assert result['failed'] and result['error']['code'] == 'TokenCacheUnavailable'
    assert 'token_cache: allow_unencrypted' in result['msg']
    assert emulator.journal('identity') == []  # the cache is opened before msal starts: not even discovery
    assert not [name for name in os.listdir(cache_dir) if 'nocae' in name]


def test_cache_dir_writable_by_others_is_refused(ansible, emulator, tmp_path):
    shared = tmp_path / 'shared'
    shared.mkdir()
    shared.chmod(0o777)
    result = ansible.module('account_info', INFO_ARGS, **cached_env(str(shared)))
    assert result['failed'] and result['error']['code'] == 'InvalidTokenCache' and 'writable by nobody else' in result['msg']
    assert emulator.journal(None) == []


@pytest.mark.parametrize('fault', [
    {'status': 500, 'body': {'error': {'code': 'InternalServerError', 'message': 'Try again.'}}},
    {'status': 503, 'headers': {'Retry-After': '0'}, 'body': {'error': {'code': 'ServerBusy', 'message': 'Busy.'}}},
    {'drop': True},
], ids=['500', '503-retry-after', 'dropped'])
def test_one_failed_metadata_request_is_retried(ansible, emulator, fault):
    emulator.fault(method='GET', path='^/metadata/endpoints', count=1, **fault)
    result = ansible.module('account_info', INFO_ARGS)
    assert not result['failed'], result.get('msg')
    metadata = emulator.journal('metadata')
    assert [(e['method'], bool(e.get('fault'))) for e in metadata] == [('GET', True), ('GET', False)]
    assert metadata[1]['status'] == 200


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 5: a cache cut short (msal-extensions truncates the file, then writes it) is a miss, not an outage

def cache_file(cache_dir):
    return os.path.join(cache_dir, 'azureml.model_management.nocae')


@pytest.mark.parametrize('keep, warned', [(0.5, True), (0.0, False)], ids=['half', 'empty'])
def test_a_cache_cut_short_is_a_miss_warned_about_and_rewritten(ansible, emulator, cache_dir, keep, warned):
    """The file a first task wrote, cut short: the next task warns naming it, gets one token and writes a good cache.
    An empty file (the cut came right after the truncation) is what msal reads as an empty cache: a plain miss."""
    emulator.put_account('cached')
    ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    path = cache_file(cache_dir)
    with open(path, 'r+b') as handle:  # what an interrupted msal-extensions write leaves: the start of the old file
        handle.truncate(int(os.path.getsize(path) * keep))
    emulator.clear_journal()
    result = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert not result['failed'], result.get('msg')
    assert [a['name'] for a in result['accounts']] == ['cached']
    warnings = [w for w in result.get('warnings', []) if path in w]
    assert len(warnings) == (1 if warned else 0) and len(result.get('warnings', [])) == len(warnings), result.get('warnings')
    if warned:
        assert 'token cache' in warnings[0] and 'removed' in warnings[0]
    metadata, identity, arm = requests_of(emulator)
    assert metadata == [] and [m for m, _p, _s in identity] == ['POST'] and [s for _m, _p, s in arm] == [200]
    assert cached_tokens(cache_dir)  # a good cache again: the next task sends no identity request and warns no more
    emulator.clear_journal()
    third = ansible.module('account_info', INFO_ARGS, **cached_env(cache_dir))
    assert not third['failed'] and not third.get('warnings')
    metadata, identity, arm = requests_of(emulator)
    assert metadata == [] and identity == [] and [s for _m, _p, s in arm] == [200]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize('mode', [0o777, 0o775], ids=['world-writable', 'group-writable'])
def test_cache_dir_under_a_parent_others_may_write_is_refused_naming_it(ansible, emulator, tmp_path, mode):
    """Checked the way ssh checks ~/.ssh: a parent that others may write, without the sticky bit, lets them swap the
    directory (issue 15, item 5); nothing is created and nothing is sent."""
    parent = tmp_path / 'shared'
    parent.mkdir()
    parent.chmod(mode)
    result = ansible.module('account_info', INFO_ARGS, **cached_env(str(parent / 'job' / 'azure')))
    assert result['failed'] and result['error']['code'] == 'InvalidTokenCache', result.get('msg')
    assert 'the directory %s above it' % parent in result['msg'] and 'sticky' in result['msg']
    assert not (parent / 'job').exists() and emulator.journal(None) == []


def test_cache_dir_under_a_sticky_parent_is_accepted(ansible, emulator, tmp_path):
    """/tmp's own shape (1777): others may write there but cannot rename or remove what they do not own."""
    parent = tmp_path / 'tmp-like'
    parent.mkdir()
    parent.chmod(0o1777)
    emulator.put_account('cached')
    result = ansible.module('account_info', INFO_ARGS, **cached_env(str(parent / 'job' / 'azure')))
    assert not result['failed'], result.get('msg')
    assert stat.S_IMODE(os.stat(str(parent / 'job')).st_mode) == 0o700


def test_the_inventory_plugin_warns_about_a_cache_cut_short_on_every_core(ansible, emulator, cache_dir, tmp_path):
    """The plugin runs on the controller, where ansible-core before 2.19 never shows a module warning: the damaged
    cache is reported through the plugin's display on every core (a plain miss before: no word on 2.16)."""
    import subprocess  # pylint: disable=import-outside-toplevel
    from harness import BIN_DIR  # pylint: disable=import-error,import-outside-toplevel

    emulator.put_account('cached')
    source = tmp_path / 'cache.azureml_accounts.yml'
    source.write_text(json.dumps({'plugin': 'azureml.model_management.accounts', 'resource_groups': ['it-rg']}))
    env = ansible.environment(**cached_env(cache_dir))
    command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', str(source), '--list']
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    path = cache_file(cache_dir)
    with open(path, 'r+b') as handle:
        handle.truncate(os.path.getsize(path) // 2)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert second.returncode == 0, second.stderr
    assert 'cached' in second.stdout
    unwrapped = ''.join(second.stderr.split())  # the display wraps warnings, even inside a long path
    assert path in unwrapped and 'tokencache' in unwrapped and 'removed' in unwrapped, second.stderr
    assert cached_tokens(cache_dir)
