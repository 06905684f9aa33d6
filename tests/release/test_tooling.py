"""The maintainer tools `make test` runs once (tools venv): changelog fragments, EE definition, generated reference.

ansible-lint runs from the Makefile in the checkout itself (as a contributor runs it); galaxy-importer and the
release dry run are in test_release.py (`make release-check`).
"""
import filecmp
import os

import yaml

from release_tools import ROOT, tool  # pylint: disable=import-error

EE_DEFINITION = os.path.join(ROOT, 'docs', 'examples', 'execution-environment.yml')
REFERENCE_DIR = os.path.join(ROOT, 'docs', 'reference')
COLLECTIONS_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(ROOT)))  # the directory above ansible_collections
REFERENCE_OPTIONS = ('--use-current', '--squash-hierarchy', '--output-format', 'simplified-rst', '--fail-on-error',
                     '--no-add-antsibull-docs-version', '--no-breadcrumbs')


def test_changelog_fragments_pass_antsibull_changelog_lint():
    process = tool('antsibull-changelog', 'lint')
    assert process.returncode == 0 and not process.stdout.strip(), process.stdout


def test_execution_environment_definition_becomes_a_build_context(tmp_path):
    context = tmp_path / 'context'
    process = tool('ansible-builder', 'create', '-f', EE_DEFINITION, '--context', str(context),
                   '--output-filename', 'Containerfile')
    assert process.returncode == 0, process.stdout
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert [entry['name'] for entry in galaxy['collections']] == ['azureml.model_management']


def test_builders_find_the_collection_python_requirements():
    """ansible-builder reads meta/execution-environment.yml of each collection: ours must give requirements.txt."""
    with open(os.path.join(ROOT, 'requirements.txt'), encoding='utf-8') as handle:
        wanted = [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]
    process = tool('ansible-builder', 'introspect', COLLECTIONS_ROOT)
    assert process.returncode == 0, process.stdout
    found = yaml.safe_load(process.stdout.split('---', 1)[1])['python']
    assert sorted(line.split('#')[0].strip() for line in found) == sorted(wanted)
    assert all('from collection azureml.model_management' in line for line in found)


def test_plugin_docs_pass_antsibull_docs_lint():
    process = tool('antsibull-docs', 'lint-collection-docs', '--plugin-docs', '.')
    assert process.returncode == 0, process.stdout


def test_reference_pages_are_generated_from_the_current_code(tmp_path):
    """docs/reference/ is antsibull-docs output for the code as it is; `make docs` regenerates it."""
    process = tool('antsibull-docs', 'collection', *REFERENCE_OPTIONS, '--dest-dir', str(tmp_path),
                   'azureml.model_management', env={'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS_ROOT})
    assert process.returncode == 0, process.stdout
    generated = sorted(os.listdir(tmp_path))
    assert generated == sorted(os.listdir(REFERENCE_DIR)), 'docs/reference/ is out of date: run make docs'
    match, mismatch, errors = filecmp.cmpfiles(tmp_path, REFERENCE_DIR, generated, shallow=False)
    assert not mismatch and not errors, 'docs/reference/ is out of date (%s): run make docs' % ', '.join(mismatch + errors)
    assert len(match) == len(generated)


def test_plugins_pass_flake8_as_galaxy_importer_runs_it():
    """Automation Hub's importer warns on these (W503 stopped a release check once): catch them in make test too."""
    from galaxy_importer import constants  # pylint: disable=import-error,import-outside-toplevel
    process = tool('flake8', '--isolated', '--extend-ignore', constants.FLAKE8_IGNORE_ERRORS,
                   '--select', constants.FLAKE8_SELECT_ERRORS,
                   '--max-line-length', str(constants.FLAKE8_MAX_LINE_LENGTH), 'plugins')
    assert process.returncode == 0 and not process.stdout.strip(), process.stdout
