"""Adopting accounts that exist: account_info's entries, written with the vars_yaml filter as the role's declared list,
plan no change; and a tag value from Azure stays text on its way through the variables file (never a template)."""
import json
import re


def write(path, data):
    path.write_text(json.dumps(data))
    return str(path)


def test_exported_entries_declare_the_accounts_as_they_are_and_no_tag_runs(ansible, emulator, tmp_path):
    marker = tmp_path / 'rendered'
    payload = "{{ lookup('pipe', 'touch %s') }}" % marker
    emulator.put_account('scoring', 'it-rg', sku={'name': 'S2', 'capacity': 2}, tags={'owner': payload, 'env': 'prod'},
                         description='made by {{ hand }}')
    emulator.put_account('batch', 'it-rg', location='westeurope')
    before = ansible.module('accounts', {'resource_group': 'it-rg', 'accounts': [{'name': 'scoring'}]}, check=True)
    assert before['unmanaged'] == [emulator.account_path('batch', 'it-rg')], before  # the plan names what no one manages
    assert before['summary'][-1].startswith('not managed: 1 account(s) of the groups read'), before['summary']
    project = tmp_path / 'project'
    (project / 'group_vars' / 'all').mkdir(parents=True)
    (project / 'hosts').write_text('localhost ansible_connection=local\n')
    export = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'azureml.model_management.account_info': {'resource_group': 'it-rg'}, 'register': 'found'},
        {'ansible.builtin.copy': {'dest': str(project / 'group_vars' / 'all' / 'accounts.yml'), 'mode': '0644',
                                  'content': "{{ {'accounts_list': found.entries} | azureml.model_management.vars_yaml }}"}}]}]
    process = ansible.playbook(write(tmp_path / 'export.yml', export), '-i', str(project / 'hosts'))
    assert process.returncode == 0, process.stdout + process.stderr
    written = (project / 'group_vars' / 'all' / 'accounts.yml').read_text()
    assert '!unsafe' in written and 'name: scoring' in written, written

    emulator.clear_journal()
    plan = [{'hosts': 'localhost', 'gather_facts': False, 'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'roles': [{'role': 'azureml.model_management.accounts', 'accounts_resource_group': 'it-rg'}]}]
    process = ansible.playbook(write(project / 'site.yml', plan), '-i', str(project / 'hosts'), '--check', '--diff')
    assert process.returncode == 0, process.stdout + process.stderr
    assert re.search(r'Plan for subscription \S+: 0 to add, 0 to change, 0 to destroy', process.stdout), process.stdout
    assert 'unchanged 2' in process.stdout, process.stdout
    assert not marker.exists(), 'a tag value from Azure ran as a template'
    assert {entry['method'] for entry in emulator.journal()} == {'GET'}
