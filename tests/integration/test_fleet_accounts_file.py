"""The fleet module's declared list read from a file (accounts_file) by its action plugin, in real playbooks against
the emulator: found as copy's src is, sent as data (never rendered), refused before anything is sent when wrong."""
import json
import os

import yaml

MANAGED = {'managed-by': 'ansible'}


def entry(index, **over):
    declared = {'name': 'file-%02d' % index, 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'tags': dict(MANAGED)}
    declared.update(over)
    return declared


def write_play(ansible, tasks=None, roles=None, name='play.yml'):
    play = {'hosts': 'localhost', 'gather_facts': False, 'connection': 'local'}
    play.update({'tasks': tasks} if tasks is not None else {'roles': roles})
    path = os.path.join(ansible.work_dir, name)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump([play], handle)
    return path


def write_files(ansible, name, text):
    folder = os.path.join(ansible.work_dir, 'files')
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), 'w', encoding='utf-8') as handle:
        handle.write(text)


def fleet_task(args):
    return [{'name': 'fleet', 'azureml.model_management.accounts': dict({'resource_group': 'it-rg'}, **args)}]


def result_of(ansible, path, *args):
    """The fleet task's result, with ``failed`` as the play's callback saw it."""
    process, records = ansible.playbook_results(path, *args)
    fleet = [record for record in records if record['task'] == 'fleet']
    assert fleet, process.stdout + process.stderr
    return dict(fleet[-1]['result'], failed=fleet[-1]['status'] == 'failed')


def arm_writes(emulator):
    return sorted((entry_['method'], entry_['path'].rsplit('/', 1)[-1]) for entry_ in emulator.journal() if entry_['method'] != 'GET')


def test_a_json_file_in_files_is_found_by_its_name_planned_and_applied(ansible, emulator):
    emulator.put_account('file-00', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    write_files(ansible, 'fleet.json', json.dumps([entry(0), entry(1)]))
    path = write_play(ansible, fleet_task({'accounts_file': 'fleet.json'}))

    plan = result_of(ansible, path, '--check')
    assert plan['changed'] is True and plan['counts']['create'] == 1 and plan['counts']['unchanged'] == 1
    assert arm_writes(emulator) == []

    done = result_of(ansible, path)
    assert done['changed'] is True and not done.get('failed')
    assert arm_writes(emulator) == [('PUT', 'file-01')]
    assert emulator.get_account('file-01')['sku'] == {'name': 'S1', 'capacity': 1}
    emulator.clear_journal()
    again = result_of(ansible, path)
    assert again['changed'] is False and again['counts']['unchanged'] == 2 and arm_writes(emulator) == []


def test_yaml_text_is_data_a_template_in_it_is_sent_as_written(ansible, emulator):
    literal = "{{ lookup('env', 'HOME') }}"
    write_files(ansible, 'fleet.yml', yaml.safe_dump([entry(2, tags={'owner': literal}), entry(3)]))
    path = write_play(ansible, fleet_task({'accounts_file': 'fleet.yml'}))
    done = result_of(ansible, path)
    assert done['changed'] is True and not done.get('failed')
    assert emulator.get_account('file-02')['tags'] == {'owner': literal}
    assert sorted(method for method, _name in arm_writes(emulator)) == ['PUT', 'PUT']


def test_the_role_takes_accounts_file_beside_the_playbook(ansible, emulator):
    write_files(ansible, 'role-fleet.json', json.dumps([entry(4)]))
    path = write_play(ansible, roles=[{'role': 'azureml.model_management.accounts', 'accounts_resource_group': 'it-rg',
                                       'accounts_file': 'role-fleet.json'}])
    process = ansible.playbook(path)
    assert process.returncode == 0, process.stdout + process.stderr
    assert emulator.get_account('file-04')['location'] == 'eastus'


def refused(ansible, emulator, args, files=None):
    """The failed task's message, after checking that nothing at all was sent to Resource Manager."""
    for name, text in (files or {}).items():
        write_files(ansible, name, text)
    emulator.clear_journal()
    result = result_of(ansible, write_play(ansible, fleet_task(args)))
    assert result.get('failed') is True and result.get('changed') is False
    assert emulator.journal() == []
    return result['msg']


def test_refusals_name_the_option_and_the_rule_before_anything_is_sent(ansible, emulator):
    message = refused(ansible, emulator, {'accounts_file': 'missing.json'})
    assert message.startswith("accounts_file: Could not find or access 'missing.json'") and 'remote_src' not in message
    assert refused(ansible, emulator, {'accounts_file': 'one.json', 'accounts': [entry(5)]},
                   {'one.json': '[]'}) == 'give accounts or accounts_file, not both'
    message = refused(ansible, emulator, {'accounts_file': 'map.yml'}, {'map.yml': 'accounts:\n  - name: x\n'})
    assert 'must hold a list of accounts' in message and 'got dict' in message
    message = refused(ansible, emulator, {'accounts_file': 'twice.json'}, {'twice.json': '[{"name": "a", "name": "b"}]'})
    assert "the key 'name' is given twice in one mapping" in message
    message = refused(ansible, emulator, {'accounts_file': 'bad.json'}, {'bad.json': json.dumps([entry(6), {'name': 'x', 'sku': 'S1'}])})
    assert message == "accounts_file[1].sku must be a dictionary with name and capacity; got a string ('S1')"
    # a value the module itself refuses (not the action's shape check) names the file's entry too
    message = refused(ansible, emulator, {'accounts_file': 'big.json'},
                      {'big.json': json.dumps([entry(7, sku={'name': 'S1', 'capacity': 99})])})
    assert message == 'accounts_file[0]: sku.capacity must be from 1 to 16, got 99'


def test_after_the_role_a_task_of_the_play_names_the_modules_own_options(ansible, emulator):
    """The role's map of option names is a role variable, visible to the play's later tasks; only the role's own task
    names the role's variables (accounts_list[0]), a task of the play the module's options (accounts[0])."""
    emulator.put_account('file-08', 'it-rg', tags=dict(MANAGED))
    emulator.clear_journal()
    bad = [{'name': 'x', 'sku': 'S1'}]
    play = {'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
            'roles': [{'role': 'azureml.model_management.accounts', 'accounts_resource_group': 'it-rg', 'accounts_list': [entry(8)]}],
            'tasks': [{'name': 'fleet', 'azureml.model_management.accounts': {'resource_group': 'it-rg', 'accounts': bad}}]}
    path = os.path.join(ansible.work_dir, 'after-role.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump([play], handle)
    result = result_of(ansible, path)
    assert result['failed'] and result['msg'] == "accounts[0].sku must be a dictionary with name and capacity; got a string ('S1')"
