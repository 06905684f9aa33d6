"""Azure's data through the fleet module and the role is never a template, on the 2.16 leg as on 2.21.

Names and tag values of accounts the role reads (purge candidates, busy or unchanged accounts) come back in the
module's results, the role's summary and the --diff output. ansible-core before 2.19 renders any string that is not
marked unsafe: a payload must stay text (no command runs, no ``49``) when the role prints it and when a later task
of the playbook uses the registered result.
"""
import json
import os

from plays import summary  # pylint: disable=import-error

MANAGED = {'managed-by': 'ansible'}


def test_template_payloads_in_names_and_tags_stay_text(ansible, emulator, tmp_path):
    marker = tmp_path / 'pwned'
    payload = "{{ lookup('pipe', 'touch %s') }}" % marker
    emulator.put_account('{{7*7}}', 'it-rg', tags=dict(MANAGED, note=payload))   # '{' and '}' are allowed in names
    emulator.put_account('keep', 'it-rg', tags=dict(MANAGED, seven='{{ 7*7 }}'))
    emulator.clear_journal()
    play = [{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'tasks': [
                 {'name': 'The role, purging what it does not declare', 'ansible.builtin.include_role': {
                     'name': 'azureml.model_management.accounts'},
                  'vars': {'accounts_list': [{'name': 'keep', 'resource_group': 'it-rg',
                                              'tags': {'owner': 'me'}}],
                           'accounts_purge': True, 'accounts_purge_resource_groups': ['it-rg'],
                           'accounts_purge_tags': MANAGED}},
                 {'name': 'The module, its result used by a later task',
                  'azureml.model_management.accounts': {'resource_group': 'it-rg', 'accounts': [{'name': 'keep'}]},
                  'register': 'fleet'},
                 {'name': 'Print what Azure returned', 'ansible.builtin.debug': {
                     'msg': '{{ fleet.accounts | map(attribute="name") | list }} {{ fleet.summary }}'}},
             ]}]
    path = tmp_path / 'play.yml'
    path.write_text(json.dumps(play))

    process = ansible.playbook(str(path), '--check', '--diff')
    assert process.returncode == 0, process.stdout + process.stderr
    lines = summary(process.stdout)
    assert '- {{7*7}} (it-rg) purge' in lines, lines
    assert '{{ 7*7 }}' in process.stdout  # the diff of 'keep' shows the tag value as it is
    assert '49' not in process.stdout.replace(emulator.subscription, '')
    assert not os.path.exists(str(marker))
    assert [e['method'] for e in emulator.journal()] == ['GET'] * len(emulator.journal())  # check mode: lists only

    process = ansible.playbook(str(path))
    assert process.returncode == 0, process.stdout + process.stderr
    assert '- {{7*7}} (it-rg) purge' in summary(process.stdout)
    assert emulator.get_account('{{7*7}}') is None and emulator.get_account('keep')['tags']['seven'] == '{{ 7*7 }}'
    assert '49' not in process.stdout.replace(emulator.subscription, '')
    assert not os.path.exists(str(marker))
