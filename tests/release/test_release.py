"""`make release-check`: what a release needs beyond `make test` — release notes and Galaxy / Automation Hub import.

Both work on throw-away copies: the release dry run must not touch changelogs/ in the tree.
"""
import os
import re

import yaml

from release_tools import ROOT, tool  # pylint: disable=import-error

IMPORTER_CONFIG = os.path.join(ROOT, '.ci', 'galaxy-importer.cfg')
NOT_LISTED = ('doc_fragments', 'module_utils', 'plugin_utils', 'action', '__pycache__')


def collection_version(root):
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def content_names(root):
    """(section of the release notes, name) for each module, plugin and role the collection ships."""
    names = []
    plugins = os.path.join(root, 'plugins')
    for plugin_type in sorted(os.listdir(plugins)):
        if plugin_type in NOT_LISTED:
            continue
        section = 'New Modules' if plugin_type == 'modules' else 'New Plugins'
        for name in sorted(os.listdir(os.path.join(plugins, plugin_type))):
            if name.endswith('.py') and not name.startswith('_'):
                names.append((section, name[:-3]))
    for role in sorted(os.listdir(os.path.join(root, 'roles'))):
        names.append(('New Roles', role))
    return names


def sections(notes):
    """The release notes' ``---``-underlined sections (New Modules, New Plugins, New Roles, ...) by title."""
    lines = notes.splitlines()
    starts = [i for i in range(len(lines) - 1) if lines[i] and re.fullmatch(r'-{3,}', lines[i + 1])]
    return {lines[i]: '\n'.join(lines[i + 2:end]) for i, end in zip(starts, starts[1:] + [len(lines)])}


def test_release_notes_name_every_module_plugin_and_role(collection_copy):
    version = collection_version(collection_copy)
    env = {'ANSIBLE_COLLECTIONS_PATH': str(collection_copy.parent.parent.parent)}
    process = tool('antsibull-changelog', 'release', '--version', version, cwd=collection_copy, env=env)
    assert process.returncode == 0, process.stdout
    notes = (collection_copy / 'CHANGELOG.rst').read_text(encoding='utf-8')
    assert re.search(r'^v%s\n=+$' % re.escape(version), notes, re.MULTILINE), notes
    found = sections(notes)
    missing = [(section, name) for section, name in content_names(collection_copy)
               if not re.search(r'^- %s - ' % re.escape(name), found.get(section, ''), re.MULTILINE)]
    assert not missing, 'not in the %s release notes (version_added or a changelog fragment?): %s\n%s' % (
        version, missing, notes)
    regenerated = tool('antsibull-changelog', 'generate', cwd=collection_copy, env=env)
    assert regenerated.returncode == 0, regenerated.stdout


def test_galaxy_importer_finds_no_errors_and_no_warnings(collection_copy, tmp_path):
    build = tool('ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path), '.', cwd=collection_copy)
    assert build.returncode == 0, build.stdout
    tarball = [name for name in os.listdir(tmp_path) if name.endswith('.tar.gz')]
    assert len(tarball) == 1, tarball
    process = tool('python', '-m', 'galaxy_importer.main', str(tmp_path / tarball[0]), cwd=tmp_path,
                   env={'GALAXY_IMPORTER_CONFIG': IMPORTER_CONFIG})
    assert process.returncode == 0, process.stdout
    assert 'Importer processing completed successfully' in process.stdout, process.stdout
    problems = [line for line in process.stdout.splitlines() if re.match(r'(WARNING|ERROR)\b', line)]
    assert not problems, '\n'.join(problems)
