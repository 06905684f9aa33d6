"""The six "Unsafe" defects of issue 13, each reproduced against the role azureml.model_management.accounts.

Every test here failed against the role as it was before issue 13 (Jinja over a one-account module) and passes with
the fleet module underneath it. Each asserts the run's result and the emulator's journal: what was written, where,
and under which precondition (If-Match on every purge DELETE).
"""
import json
import re
import threading
import time

import pytest

from fleet import PLUGIN, SECOND_SUBSCRIPTION, add_resource_groups  # pylint: disable=import-error
from harness import PROVIDER, API_VERSION, Ansible  # pylint: disable=import-error
from plays import summary, write_play  # pylint: disable=import-error

MANAGED = {'managed-by': 'ansible'}
ACCOUNT_PATH = re.compile(r'^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/%s/accounts/([^/]+)$' % PROVIDER, re.I)


def list_path_regex(resource_group):
    """A fault path matching the list of one resource group's accounts (and nothing else)."""
    return r'/resourceGroups/%s/providers/%s/accounts$' % (resource_group, PROVIDER)


def account_writes(emulator):
    """(METHOD, subscription, group/name, status, If-Match) of every write to an account, lower case."""
    found = []
    for entry in emulator.journal():
        match = ACCOUNT_PATH.match(entry['path'])
        if entry['method'] != 'GET' and match:
            sub, group, name = (part.lower() for part in match.groups())
            found.append((entry['method'], sub, '%s/%s' % (group, name), entry['status'], entry['headers'].get('If-Match')))
    return found


def deletes(emulator, status=None):
    return [(sub, key) for method, sub, key, got, _etag in account_writes(emulator)
            if method == 'DELETE' and (status is None or got == status)]


def play(hosts, role_vars):
    """A play with the role's variables in the play's vars, as group_vars (the AWX layout) give them: unlike role
    parameters, the role's argument spec does not refuse a misspelt one there."""
    return {'hosts': hosts, 'connection': 'local', 'gather_facts': False,
            'vars': dict({'ansible_python_interpreter': '{{ ansible_playbook_python }}'}, **role_vars),
            'roles': [{'role': 'azureml.model_management.accounts'}]}


def write_plays(tmp_path, plays, name='plays.yml'):
    path = tmp_path / name
    path.write_text(json.dumps(plays))
    return str(path)


def purge_vars(**extra):
    role_vars = {
        'accounts_resource_group': 'it-rg',
        'accounts_list': [{'name': 'keep', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': MANAGED}],
        'accounts_purge': True,
        'accounts_purge_resource_groups': ['it-rg'],
        'accounts_purge_tags': ['managed-by:ansible'],
    }
    role_vars.update(extra)
    return role_vars


# -- 1. a list answer that places an account outside the listed scope ---------------------------------------------

@pytest.mark.parametrize('how', ['forged page', 'same-host nextLink'])
def test_1_purge_never_deletes_an_account_that_a_list_answer_places_outside_its_scope(ansible, emulator, tmp_path, how):
    """Defect 1: the role took an account's group from id.split('/')[4] of the list answer and deleted it there."""
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    victim = emulator.put_account('victim', 'demo-rg', tags=dict(MANAGED))
    if how == 'forged page':  # the it-rg list answers with an account whose id is in demo-rg
        body = {'value': [emulator.get_account('keep'), emulator.get_account('stale'), victim]}
    else:  # the it-rg list's first page links, on the same host, to the list of demo-rg
        body = {'value': [emulator.get_account('stale')],
                'nextLink': '%s/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts?api-version=%s'
                            % (emulator.url, emulator.subscription, PROVIDER, API_VERSION)}
    emulator.fault(method='GET', path=list_path_regex('it-rg'), count=10, status=200, body=body)
    emulator.clear_journal()

    process = ansible.playbook(write_play(tmp_path, 'localhost', purge_vars()))

    assert process.returncode != 0, process.stdout
    assert deletes(emulator) == []  # nothing at all: not the victim, and not stale either
    assert account_writes(emulator) == []
    assert emulator.get_account('victim', 'demo-rg') is not None and emulator.get_account('stale') is not None
    assert re.search(r'resourceGroups/demo-rg/providers/%s/accounts/victim' % PROVIDER, process.stdout, re.I), process.stdout
    assert 'not in the listed scope' in process.stdout


# -- 2. someone re-tags the account between the listing and the DELETE --------------------------------------------

def run_in_background(ansible, play):
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault('process', ansible.playbook(play)))
    thread.start()
    return thread, outcome


def wait_until_fault_taken(emulator, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(fault['remaining'] == 0 for fault in emulator.control('GET', 'faults')['faults']):
            return
        time.sleep(0.05)
    raise AssertionError('the delayed list was never requested')


@pytest.mark.parametrize('etags', [True, False], ids=['etags', 'no-etags'])
def test_2_purge_rechecks_the_tags_at_the_delete(ansible, emulator, tmp_path, etags):
    """Defect 2: an account re-tagged by someone else while the role worked through its list was deleted anyway,
    by a DELETE without If-Match."""
    emulator.configure(etags=etags)
    emulator.put_account('keep', 'demo-rg', tags=dict(MANAGED))
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.put_account('gone', 'it-rg', tags=dict(MANAGED))
    # The purge group's list is answered as it is now, but only 4 s later: meanwhile its owner claims 'stale'.
    emulator.fault(method='GET', path=list_path_regex('it-rg'), count=1, delay=4, after=True)
    emulator.clear_journal()
    role_vars = purge_vars(accounts_list=[{'name': 'keep', 'resource_group': 'demo-rg', 'tags': MANAGED}])

    thread, outcome = run_in_background(ansible, write_play(tmp_path, 'localhost', role_vars))
    wait_until_fault_taken(emulator)
    claimed = emulator.arm('PATCH', emulator.account_path('stale'), {'tags': {'managed-by': 'someone-else'}, 'properties': {}})
    assert claimed.status_code == 200, claimed.text
    thread.join(timeout=600)
    process = outcome['process']

    assert process.returncode == 0, process.stdout + process.stderr
    assert emulator.get_account('stale') is not None  # re-checked at the DELETE: no longer in scope, not deleted
    assert emulator.get_account('gone') is None  # the untouched candidate of the same scope was purged
    assert deletes(emulator, status=200) == [(emulator.subscription.lower(), 'it-rg/gone')]
    purge_deletes = [entry for entry in account_writes(emulator) if entry[0] == 'DELETE']
    if etags:  # every purge DELETE is conditional on the etag it was planned from
        assert purge_deletes and all(if_match for _m, _s, _k, _st, if_match in purge_deletes), purge_deletes
        assert ('DELETE', emulator.subscription.lower(), 'it-rg/stale', 412) in [entry[:4] for entry in purge_deletes]
    else:  # no etag: read again right before the DELETE; the fresh read shows the new tags, nothing is sent
        assert [entry[2] for entry in purge_deletes] == ['it-rg/gone']
    assert any(line.startswith('skipped: stale (it-rg)') for line in summary(process.stdout)), process.stdout


# -- 3. per host: the run's subscription only, compared ignoring case, named in the summary --------------------------

@pytest.fixture
def twins(two_subscriptions, tmp_path):
    """'stale' (purge candidate) in it-rg of both subscriptions, 'keep' declared in the first; an inventory of both."""
    emulator = two_subscriptions
    emulator.reset()
    emulator.configure(retry_after=0)
    add_resource_groups(emulator, [SECOND_SUBSCRIPTION], ['it-rg'])
    for subscription in (emulator.subscription, SECOND_SUBSCRIPTION):
        path = emulator.account_path('stale', 'it-rg', subscription)
        response = emulator.arm('PUT', path, {'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': MANAGED})
        assert response.status_code == 201, response.text
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    source = tmp_path / 'two.azureml_accounts.yml'
    source.write_text(json.dumps({'plugin': PLUGIN, 'subscriptions': [emulator.subscription, SECOND_SUBSCRIPTION],
                                  'resource_groups': ['it-rg']}))
    return emulator, Ansible(emulator, str(tmp_path)), str(source)


def test_3_per_host_purge_stays_in_the_runs_subscription(twins, tmp_path):
    """Defect 3: per host, purge deleted the accounts of every subscription the inventory lists."""
    emulator, ansible, source = twins
    playbook = write_play(tmp_path, 'azureml_accounts', purge_vars())

    check = ansible.playbook(playbook, '-i', source, '--check')
    assert check.returncode == 0, check.stdout + check.stderr
    assert account_writes(emulator) == []

    real = ansible.playbook(playbook, '-i', source)
    assert real.returncode == 0, real.stdout + real.stderr
    assert deletes(emulator) == [(emulator.subscription.lower(), 'it-rg/stale')]
    assert all(sub == emulator.subscription.lower() for _m, sub, _k, _s, _e in account_writes(emulator))
    other = emulator.arm('GET', emulator.account_path('stale', 'it-rg', SECOND_SUBSCRIPTION))
    assert other.status_code == 200  # the other subscription's account is untouched
    lines = summary(check.stdout)  # the plan said so, naming the subscription
    assert emulator.subscription in lines[0] and lines[0].startswith('Plan for subscription'), lines
    assert [line for line in lines[1:] if line.endswith(' purge')] == ['- stale (it-rg) purge']


def test_3_per_host_subscription_compared_ignoring_case_and_each_deletion_is_its_own_line(twins, tmp_path):
    """Defect 3: an upper-case accounts_subscription_id silently skipped every host, and the summary de-duplicated
    "name (group)" lines, so two deletions in two subscriptions showed as one."""
    emulator, ansible, source = twins
    plays = [play('azureml_accounts', purge_vars(accounts_subscription_id=subscription, accounts_list=[], accounts_purge_allow_empty=True))
             for subscription in (emulator.subscription, SECOND_SUBSCRIPTION.upper())]
    path = write_plays(tmp_path, plays)

    check = ansible.playbook(path, '-i', source, '--check')
    assert check.returncode == 0, check.stdout + check.stderr
    assert account_writes(emulator) == []
    real = ansible.playbook(path, '-i', source)
    assert real.returncode == 0, real.stdout + real.stderr

    first, second = emulator.subscription.lower(), SECOND_SUBSCRIPTION.lower()
    assert sorted(deletes(emulator, status=200)) == sorted([(first, 'it-rg/keep'), (first, 'it-rg/stale'), (second, 'it-rg/stale')])
    summaries = [json.loads('[%s]' % m) for m in re.findall(r'"msg": \[(.*?)\n\s*\]', check.stdout, re.S)]
    assert len(summaries) == 2, check.stdout
    for lines, subscription, expected in zip(summaries, (first, second), (['keep', 'stale'], ['stale'])):
        assert subscription in lines[0].lower(), lines  # each plan names its subscription
        assert [line for line in lines if line.endswith(' purge')] == ['- %s (it-rg) purge' % name for name in expected], lines


# -- 4. an empty declared list with purge on -----------------------------------------------------------------------

def test_4_an_empty_declared_list_with_purge_on_needs_the_explicit_opt_in(ansible, emulator, tmp_path):
    """Defect 4: a typo (account_list: in group_vars) left accounts_list empty, and the role deleted the whole scope."""
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    typo = purge_vars(account_list=purge_vars()['accounts_list'])
    del typo['accounts_list']

    process = ansible.playbook(write_plays(tmp_path, [play('localhost', typo)]))
    assert process.returncode != 0
    assert 'accounts_list is empty' in process.stdout and 'accounts_purge_allow_empty' in process.stdout, process.stdout
    assert emulator.journal(kind=None) == []  # refused before any request, the token's included
    assert emulator.get_account('stale') is not None

    process = ansible.playbook(write_plays(tmp_path, [play('localhost', dict(typo, accounts_purge_allow_empty=True))], name='optin.yml'))
    assert process.returncode == 0, process.stdout + process.stderr
    assert deletes(emulator) == [(emulator.subscription.lower(), 'it-rg/stale')]


# -- 5. the purge tags: dict and key:value with spaces; anything else names the role variable ----------------------

@pytest.mark.parametrize('tags', [['managed-by: ansible'], {'managed-by': 'ansible'}, [' managed-by : ansible ']],
                         ids=['space after the colon', 'dict', 'spaces around'])
def test_5_purge_tags_as_a_dict_or_key_value_with_spaces(ansible, emulator, tmp_path, tags):
    """Defect 5: ["managed-by: ansible"] matched nothing and {managed-by: ansible} failed naming the module option."""
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.put_account('hand-made', 'it-rg', tags={'managed-by': 'someone'})
    emulator.clear_journal()

    process = ansible.playbook(write_play(tmp_path, 'localhost', purge_vars(accounts_purge_tags=tags)))
    assert process.returncode == 0, process.stdout + process.stderr
    assert deletes(emulator) == [(emulator.subscription.lower(), 'it-rg/stale')]
    assert emulator.get_account('hand-made') is not None


@pytest.mark.parametrize('tags', [[{'managed-by': 'ansible'}], [':ansible'], {'managed-by': ['ansible']}, 42, 'managed-by:ansible'],
                         ids=['list of dicts', 'no name', 'dict of lists', 'number', 'a bare string'])
def test_5_purge_tags_in_another_form_are_refused_naming_the_role_variable(ansible, emulator, tmp_path, tags):
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()

    process = ansible.playbook(write_play(tmp_path, 'localhost', purge_vars(accounts_purge_tags=tags)))
    assert process.returncode != 0
    assert 'accounts_purge_tags' in process.stdout, process.stdout
    assert "'tags'" not in process.stdout and 'purge_tags:' not in process.stdout.replace('accounts_purge_tags', '')
    assert emulator.journal(kind=None) == []
    assert emulator.get_account('stale') is not None


# -- 6. check mode and other people's running operations -----------------------------------------------------------

def test_6_check_mode_never_waits_for_other_operations_and_names_the_busy_accounts(ansible, emulator, tmp_path):
    """Defect 6: check mode waited (up to wait_timeout, per account) for someone else's running operation."""
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED))
    emulator.control('POST', 'provisioning-state', {'resource_group': 'it-rg', 'name': 'keep', 'state': 'Updating',
                                                    'settle_to': 'Succeeded', 'after_seconds': 45})
    emulator.clear_journal()
    role_vars = purge_vars(accounts_list=[{'name': 'keep', 'sku': {'name': 'S2', 'capacity': 2}, 'tags': MANAGED}])

    started = time.monotonic()
    process = ansible.playbook(write_play(tmp_path, 'localhost', role_vars), '--check')
    elapsed = time.monotonic() - started

    assert process.returncode == 0, process.stdout + process.stderr
    assert [entry['method'] for entry in emulator.journal()] == ['GET']  # the one list page, no poll of the account
    assert elapsed < 40, elapsed
    lines = summary(process.stdout)
    assert any(line.startswith('~ keep (it-rg): ') for line in lines) and 'busy: keep (it-rg) is Updating' in lines, lines


# -- issue 20.3: a purge group that does not exist -----------------------------------------------------------------

def test_a_purge_group_that_does_not_exist_fails_naming_the_role_variables_unless_allowed(ansible, emulator, tmp_path):
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    typo = purge_vars(accounts_purge_resource_groups=['it-rg', 'ml-stagign'])

    process = ansible.playbook(write_plays(tmp_path, [play('localhost', typo)]))
    assert process.returncode != 0
    assert 'resource group ml-stagign of accounts_purge_resource_groups does not exist' in process.stdout, process.stdout
    assert 'accounts_purge_allow_missing_groups: true' in process.stdout
    assert account_writes(emulator) == []

    allowed = dict(typo, accounts_purge_allow_missing_groups=True)
    process = ansible.playbook(write_plays(tmp_path, [play('localhost', allowed)], name='allowed.yml'))
    assert process.returncode == 0, process.stdout + process.stderr
    assert deletes(emulator) == [(emulator.subscription.lower(), 'it-rg/stale')]
