"""The inventory plugin's host and group names, round two (issue 22, items 1, 3, 4, 5 and 9), on the 2.16 and 2.21 legs.

- A host name is never a template: every field it is built from passes Azure's own rule for that field, and the
  characters Jinja or Ansible's patterns read specially are escaped (item 1).
- The default host name is unique by construction (item 3) and every host name is selected exactly by a pattern,
  ``!name`` and ``&name`` included (item 4).
- A group never has the name of a host, ``localhost``, ``all`` or ``ungrouped`` (item 5).
- One account with a name the plugin cannot use costs that host only, with a warning naming its id (item 9).

Hostile list answers are injected with the emulator's faults: the emulator itself refuses such names and locations.
"""
import glob
import json
import os

import pytest

from fleet import add_resource_groups, ansible_inventory, hostvars, inventory_list, parse_listing, write_source  # pylint: disable=import-error
from harness import PROVIDER  # pylint: disable=import-error

UNPARSED_FAILED = {'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'}
RG = 'it-rg'


@pytest.fixture
def env(ansible):
    return ansible.environment(extra=UNPARSED_FAILED)


def item(emulator, name, resource_group=RG, location='eastus', tags=None):
    """A list item as Resource Manager sends it (the emulator's shape), for any name and location."""
    return {'id': emulator.account_path(name, resource_group), 'name': name, 'type': PROVIDER + '/accounts',
            'location': location, 'tags': tags or {}, 'sku': {'name': 'S1', 'capacity': 1}, 'properties': {}}


def answer_list(emulator, items, resource_group=RG):
    """The next list of ``resource_group`` answers ``items`` (one page)."""
    emulator.fault(method='GET', path='/resourceGroups/%s/providers/%s/accounts$' % (resource_group, PROVIDER),
                   status=200, body={'value': items}, count=1)


def flat(text):
    """Ansible wraps long warnings: compare without the line breaks and indentation."""
    return ''.join(text.split())


# -- item 1: no template from a host name ------------------------------------------------------------------------------

JINJA_HEADER = "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n"
PLAY = """
- hosts: all
  gather_facts: false
  connection: local
  tasks:
    - name: the host name
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}"
"""


def test_a_location_with_a_jinja_header_runs_nothing_and_costs_only_its_host(ansible, emulator, tmp_path):
    """2.16 rendered a host name that starts with the ``#jinja2:`` override header (no ``{`` needed): the location
    of a list answer was never checked. Now the location must be a region name, and only that account is left out."""
    location = JINJA_HEADER + "[[ lookup('pipe', 'touch %s/pwned') ]]" % tmp_path
    answer_list(emulator, [item(emulator, 'x', location=location), item(emulator, 'plain')])
    source = write_source(tmp_path, {'resource_groups': [RG], 'hostname_format': '{location}-{name}'})
    play = tmp_path / 'play.yml'
    play.write_text(PLAY)
    process, records = ansible.playbook_results(str(play), '-i', source, extra=UNPARSED_FAILED)
    assert process.returncode == 0, process.stdout + process.stderr
    assert glob.glob(str(tmp_path / 'pwned*')) == []
    assert [r['result']['msg'] for r in records] == ['eastus-plain']
    assert emulator.account_path('x', RG) in flat(process.stderr) and 'location' in process.stderr


# -- items 3, 4 and 9: unique, selectable host names; one odd name costs one host ---------------------------------------

SELECTABLE = {  # account name -> its default host name (in resource group it-rg)
    '!bang': '%21bang@it-rg',
    'x,y': 'x%2cy@it-rg',
    '~tilde': '%7etilde@it-rg',
    '@at': '%40at@it-rg',
    'a*b[c]': 'a%2ab%5bc%5d@it-rg',
    'two words': 'two%20words@it-rg',
    '{{7*7}}': '%7b%7b7%2a7%7d%7d@it-rg',
    'plain': 'plain@it-rg',
}


def selections(ansible, source, patterns, *args):
    """{pattern: sorted hosts it selects}: one play per pattern (``hosts:`` goes through the same pattern rules as
    ``--limit``), all in one ansible-playbook run."""
    plays = [{'hosts': pattern, 'gather_facts': False, 'connection': 'local',
              'tasks': [{'name': 'pattern %d' % index, 'ansible.builtin.debug': {'msg': 'selected'}}]}
             for index, pattern in enumerate(patterns)]
    path = os.path.join(ansible.work_dir, 'select.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(plays, handle)
    process, records = ansible.playbook_results(path, '-i', source, *args, extra=UNPARSED_FAILED)
    assert process.returncode == 0, process.stdout + process.stderr
    return dict((pattern, sorted(r['host'] for r in records if r['task'] == 'pattern %d' % index))
                for index, pattern in enumerate(patterns))


def test_default_host_names_are_unique_and_selected_exactly(ansible, emulator, env, tmp_path):
    add_resource_groups(emulator, [emulator.subscription], ('A', 'B.A'))
    emulator.put_account('x.B', 'A')  # item 3: both were x.b.a
    emulator.put_account('x', 'B.A')
    for name in SELECTABLE:
        emulator.put_account(name, RG)
    source = write_source(tmp_path, {'resource_groups': [RG, 'A', 'B.A']})
    hosts = {host: (v['azureml_account']['resource_group'], v['azureml_account']['name'])
             for host, v in hostvars(inventory_list(env, source)).items()}
    expected = dict((host, (RG, name)) for name, host in SELECTABLE.items())
    expected.update({'x.b@a': ('A', 'x.B'), 'x@b.a': ('B.A', 'x')})
    assert hosts == expected

    everyone = sorted(expected)
    intersected = ['plain@it-rg,&plain@it-rg', 'plain@it-rg,&' + SELECTABLE['!bang'], 'all,&' + SELECTABLE['x,y']]
    selected = selections(ansible, source, [pattern for host in everyone for pattern in (host, '!' + host)] + intersected)
    for host in everyone:
        assert selected[host] == [host], host
        assert selected['!' + host] == sorted(set(everyone) - {host}), host
    assert [selected[pattern] for pattern in intersected] == [['plain@it-rg'], [], [SELECTABLE['x,y']]]
    limited = selections(ansible, source, ['all'], '--limit', SELECTABLE['@at'])  # a limit starting with @ reads a file
    assert limited == {'all': [SELECTABLE['@at']]}


ODD_NAMES = ['x.', ' x', 'x ', 'a\u00a0', 'a\u2028b', 'a\x85b']


def test_one_odd_name_costs_only_its_own_host(emulator, env, tmp_path):
    """Names Azure refuses (so does the emulator now) in a list answer: warned by id, the other accounts stay."""
    answer_list(emulator, [item(emulator, name) for name in ODD_NAMES] + [item(emulator, 'plain'), item(emulator, 'other')])
    source = write_source(tmp_path, {'resource_groups': [RG]})
    process = ansible_inventory(env, source, '--list')
    assert process.returncode == 0, process.stderr
    assert sorted(hostvars(parse_listing(process.stdout))) == ['other@it-rg', 'plain@it-rg']
    warnings = flat(process.stderr.encode('ascii', 'backslashreplace').decode('ascii'))
    for name in ODD_NAMES:
        assert flat(ascii(emulator.account_path(name, RG))[1:-1]) in warnings, name


# -- item 5: no group named like a host, localhost, all or ungrouped ---------------------------------------------------

def test_a_keyed_group_named_like_a_host_fails_naming_both(emulator, env, tmp_path):
    emulator.put_account('location_eastus', RG)
    emulator.put_account('plain', RG)
    source = write_source(tmp_path, {'resource_groups': [RG], 'hostname_format': '{name}',
                                     'keyed_groups': [{'key': 'azureml_account.location', 'prefix': 'location'}]})
    process = ansible_inventory(env, source, '--list')
    assert process.returncode != 0
    message = flat(process.stderr)
    assert "'location_eastus'" in message and emulator.account_path('location_eastus', RG) in message


def test_a_group_named_like_an_ansible_word_fails(emulator, env, tmp_path):
    words = ('localhost', 'all', 'ungrouped')
    for word in words:
        emulator.put_account('tagged-' + word, RG, tags={'team': word})
    source = write_source(tmp_path, {'resource_groups': [RG],
                                     'keyed_groups': [{'key': 'azureml_account.tags.team', 'prefix': '', 'separator': ''}]})
    process = ansible_inventory(env, source, '--list')
    assert process.returncode != 0
    message = flat(process.stderr)
    for word in words:
        assert "'%s'" % word in message and "'tagged-%s@it-rg'" % word in message, word
        assert emulator.account_path('tagged-' + word, RG) in message, word


def test_groups_and_hosts_that_differ_are_kept(emulator, env, tmp_path):
    """The guard of item 5 refuses clashes only: keyed groups and groups of ordinary names all arrive."""
    emulator.put_account('one', RG, tags={'team': 'a'})
    listing = inventory_list(env, write_source(tmp_path, {
        'resource_groups': [RG], 'keyed_groups': [{'key': 'azureml_account.tags', 'prefix': 'tag'}],
        'groups': {'healthy': "azureml_account.provisioning_state == 'Succeeded'"}}))
    assert listing['tag_team_a']['hosts'] == ['one@it-rg'] and listing['healthy']['hosts'] == ['one@it-rg']
    assert json.dumps(listing).count('one@it-rg') >= 3
