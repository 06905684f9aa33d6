"""What several integration test files share about whole plays: writing a play of the accounts role, reading its
summary and the play recap, the scope the role's tests arrange, and where the demo playbook is."""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'docs', 'examples', 'demo.yml')

MANAGED = {'managed-by': 'ansible'}


def write_play(tmp_path, hosts, role_vars, name='play.yml'):
    play = [{'hosts': hosts, 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'roles': [dict({'role': 'azureml.model_management.accounts'}, **role_vars)]}]
    path = tmp_path / name
    path.write_text(json.dumps(play))
    return str(path)


def summary(output):
    """The lines of the role's one summary message."""
    match = re.search(r'"msg": \[(.*?)\n\s*\]', output, re.S)
    assert match, output
    return json.loads('[%s]' % match.group(1))


def writes(emulator):
    """(METHOD, "group/name") of every write the emulator received."""
    found = []
    for entry in emulator.journal():
        if entry['method'] != 'GET':
            match = re.search(r'/resourceGroups/([^/]+)/.*/([^/]+)$', entry['path'], re.I)
            found.append((entry['method'], '%s/%s' % match.groups()))
    return found


def arrange_scope(emulator):
    emulator.put_account('keep-me', 'it-rg', sku={'name': 'S1', 'capacity': 1}, tags=dict(MANAGED))
    emulator.put_account('stale', 'it-rg', tags=dict(MANAGED))
    emulator.put_account('hand-made', 'it-rg', tags={'owner': 'someone'})  # in the group, not tagged: out of scope
    emulator.put_account('elsewhere', 'demo-rg', tags=dict(MANAGED))  # tagged, other group: out of scope
    emulator.clear_journal()


ROLE_VARS = {
    'accounts_resource_group': 'it-rg',
    'accounts_list': [
        {'name': 'keep-me', 'sku': {'name': 'S2', 'capacity': 2}, 'tags': MANAGED},
        {'name': 'new-one', 'location': 'westeurope', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': MANAGED},
    ],
    'accounts_purge': True,
    'accounts_purge_resource_groups': ['it-rg'],
    'accounts_purge_tags': ['managed-by:ansible'],
}


def recap(output):
    match = re.search(r'localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', output)
    assert match, output
    return tuple(int(value) for value in match.groups())
