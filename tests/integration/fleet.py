"""Many accounts in the emulator, fast, and ``ansible-inventory`` runs over them (inventory tests and benchmark).

Accounts are created with concurrent PUTs (bounded threads, one ``requests.Session`` each): the emulator
answers every request on its own thread and closes the connection after it, so threads hide the TLS handshakes.
"""
import json
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

from harness import API_VERSION, BIN_DIR  # pylint: disable=import-error

GROUP_API_VERSION = '2021-04-01'
SECOND_SUBSCRIPTION = '0b6e3a1c-2d4f-4e5a-8b9c-0d1e2f3a4b5c'
LOCATIONS = ('eastus', 'westeurope', 'northeurope')
SKUS = ('S1', 'S2', 'S3', 'DevTest')
TEAMS = ('a', 'b', 'c', 'd')
PLUGIN = 'azureml.model_management.accounts'


def account_spec(index, subscriptions, groups):
    """Account number ``index``: spread over subscriptions, groups, locations, SKUs and tags, deterministically."""
    tags = {'team': TEAMS[index % len(TEAMS)]}
    if index % 10 == 0:
        tags['env'] = 'prod'
    if index % 25 == 0:
        tags['archived'] = ''
    return {'subscription': subscriptions[index % len(subscriptions)], 'resource_group': groups[index % len(groups)],
            'name': 'acct-%05d' % index, 'location': LOCATIONS[index % len(LOCATIONS)],
            'sku': {'name': SKUS[index % len(SKUS)], 'capacity': 1 + index % 4}, 'tags': tags}


def fleet(count, subscriptions, groups):
    return [account_spec(index, subscriptions, groups) for index in range(count)]


def add_resource_groups(emulator, subscriptions, groups):
    for subscription in subscriptions:
        for group in groups:
            response = emulator.arm('PUT', '/subscriptions/%s/resourcegroups/%s' % (subscription, group),
                                    {'location': 'eastus'}, api_version=GROUP_API_VERSION)
            assert response.status_code in (200, 201), response.text


def create_accounts(emulator, specs, workers=12):
    """PUT every account of ``specs``, ``workers`` at a time; raises on the first failure."""
    token = emulator.token()
    local = threading.local()

    def put(spec):
        if not hasattr(local, 'session'):
            local.session = emulator.http.__class__()
            local.session.verify = emulator.http.verify
            local.session.trust_env = False
        path = emulator.account_path(spec['name'], spec['resource_group'], spec['subscription'])
        body = {'location': spec['location'], 'sku': spec['sku'], 'tags': spec['tags'], 'properties': {}}
        response = local.session.put(emulator.url + path, params={'api-version': API_VERSION}, json=body,
                                     headers={'Authorization': 'Bearer ' + token}, timeout=60)
        if response.status_code not in (200, 201):
            raise RuntimeError('PUT %s: %s %s' % (path, response.status_code, response.text))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(put, specs))


def write_source(directory, options, name='fleet.azureml_accounts.yml'):
    """An inventory source file (JSON is YAML) for the plugin with ``options``."""
    path = os.path.join(str(directory), name)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(dict({'plugin': PLUGIN}, **options), handle)
    return path


def ansible_inventory(env, source, *args):
    """Run ``ansible-inventory -i source args`` and return the finished process."""
    command = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source] + list(args)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def _plain(mapping):
    """ansible-core 2.19+ prints an untrusted string as ``{"__ansible_unsafe": value}``; compare the values."""
    return mapping['__ansible_unsafe'] if list(mapping) == ['__ansible_unsafe'] else mapping


def parse_listing(text):
    return json.loads(text, object_hook=_plain)


def inventory_list(env, source, *args):
    """``ansible-inventory --list`` as parsed JSON; fails with the command's stderr when it fails."""
    process = ansible_inventory(env, source, '--list', *args)
    assert process.returncode == 0, process.stderr
    return parse_listing(process.stdout)


def hostvars(listing):
    return listing.get('_meta', {}).get('hostvars', {})
