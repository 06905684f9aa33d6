# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets masked in messages and in every log record made while the plugin works (azure-identity, msal, any logger)."""

from __future__ import annotations

import io
import logging

from ansible_collections.azureml.model_management.plugins.plugin_utils.redaction import MASK, mask, masked_log_records, secret_forms

SECRET = "emu~a+b/c=d&e f\"g"


def test_every_spelling_of_a_secret_is_masked():
    forms = secret_forms([SECRET, None, ""])
    for text in (SECRET, "client_secret=emu~a%2Bb%2Fc%3Dd%26e+f%22g&scope=x", "emu~a%2Bb%2Fc%3Dd%26e%20f%22g",
                 '{"secret": "emu~a+b/c=d&e f\\"g"}'):
        masked = mask(text, forms)
        assert "emu~a" not in masked and MASK in masked, (text, masked)
    assert mask("nothing here", forms) == "nothing here"
    assert secret_forms([]) == [] and mask("x", []) == "x"


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
        with masked_log_records([SECRET]):
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
    with masked_log_records([None, ""]):
        assert logging.getLogRecordFactory() is previous
