# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets masked in messages and in every log record made while the plugin works (azure-identity, msal, any logger)."""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.azureml.model_management.plugins.plugin_utils.redaction import (
    MASK,
    held_credentials,
    mask,
    masked_log_records,
    secret_matcher,
)

SECRET = "emu~a+b/c=d&e f\"g"


def json_units(secret):
    """Every character as JSON's \\uXXXX (UTF-16 code units: a surrogate pair above U+FFFF)."""
    data = secret.encode("utf-16-be")
    return "".join("\\u%02x%02x" % (data[i], data[i + 1]) for i in range(0, len(data), 2))


def spellings(secret):
    """The ways a form, a URL or JSON may carry ``secret`` (issue 22 item 6: an endpoint re-encodes ~ as %7E)."""
    encoded = quote(secret, safe="")
    return [secret, quote_plus(secret), encoded, encoded.lower(), encoded.replace("~", "%7E"),
            quote_plus(secret).replace("~", "%7e"), quote(encoded, safe=""), json.dumps(secret, ensure_ascii=False)[1:-1],
            json.dumps(secret)[1:-1].replace("/", "\\/"), "".join("%%%02X" % b for b in secret.encode()), json_units(secret)]


@pytest.mark.parametrize("secret", [SECRET, "plain-secret-0123456789", "ü~Ω 🔑/x"])
def test_every_spelling_of_a_secret_is_masked(secret):
    matcher = secret_matcher([secret, None, ""])
    for text in spellings(secret):
        masked = mask("client_secret=%s&scope=x" % text, matcher)
        assert masked == "client_secret=%s&scope=x" % MASK, (text, masked)


def test_nothing_else_is_masked():
    matcher = secret_matcher([SECRET, "other-secret"])
    assert mask("nothing here, not even emu~a+b", matcher) == "nothing here, not even emu~a+b"
    assert mask("other-secret and %s" % SECRET, matcher) == "%s and %s" % (MASK, MASK)
    assert secret_matcher([]) is None and secret_matcher([None, ""]) is None and mask("x", None) == "x"


def test_held_credentials_from_the_environment(tmp_path):
    token = tmp_path / "token"
    token.write_text("federated-token\n")
    found = held_credentials({"AZURE_FEDERATED_TOKEN_FILE": str(token), "IDENTITY_HEADER": "header-value", "PATH": "/bin"})
    assert sorted(found) == ["federated-token", "federated-token\n", "header-value"]
    assert held_credentials({"AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "missing")}) == []


def capture(logger_name):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, handler, stream


def test_log_records_of_child_loggers_are_masked_and_the_factory_is_restored():
    previous = logging.getLogRecordFactory()
    logger, handler, stream = capture("azure.identity._internal.get_token_mixin")
    msal, msal_handler, msal_stream = capture("msal.application")
    try:
        with masked_log_records(secret_matcher([SECRET])):
            logger.warning("%s.get_token failed: %s", "ClientSecretCredential", "client_secret=%s" % SECRET)
            try:
                raise ValueError("refused: " + SECRET)
            except ValueError:
                logger.debug("with traceback", exc_info=True)
            preformatted = "body " + SECRET  # a message without arguments, as some libraries log
            msal.warning(preformatted)
        logger.warning("after: %s", SECRET)  # outside: untouched (the plugin has finished)
    finally:
        logger.removeHandler(handler)
        msal.removeHandler(msal_handler)
    text = stream.getvalue()
    assert text.count(SECRET) == 1 and text.endswith("after: %s\n" % SECRET)
    assert "ClientSecretCredential.get_token failed: client_secret=%s" % MASK in text
    assert "refused: %s" % MASK in text and "Traceback" in text
    assert msal_stream.getvalue() == "msal.application body %s\n" % MASK
    assert logging.getLogRecordFactory() is previous


def test_no_secrets_no_factory():
    previous = logging.getLogRecordFactory()
    with masked_log_records(secret_matcher([None, ""])):
        assert logging.getLogRecordFactory() is previous
