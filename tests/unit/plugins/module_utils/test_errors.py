# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error family: every error the collection raises on purpose is an AzureMLError with the same to_dict()."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import AccountError
from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import ArmError, OperationFailed, invalid_response
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError, AzureMLError

KEYS = {"status", "code", "message", "details", "request_id", "target"}

CASES = [
    (ArmError(404, "ResourceNotFound", "gone", request_id="r1"), "404 ResourceNotFound: gone", 404, "ResourceNotFound"),
    (invalid_response("bad page"), "0 InvalidResponse: bad page", 0, "InvalidResponse"),
    (OperationFailed("PUT /x", "Failed", {"code": "Boom", "message": "no"}), "PUT /x ended Failed: Boom: no", 0, "Boom"),
    (AuthError("CredentialNotFound", "no credentials"), "no credentials", 0, "CredentialNotFound"),
    (AccountError("location cannot be changed"), "location cannot be changed", 0, "ChangeNotPossible"),
]


@pytest.mark.parametrize("err, text, status, code", CASES, ids=[type(c[0]).__name__ + str(i) for i, c in enumerate(CASES)])
def test_one_family_one_shape(err, text, status, code):
    assert isinstance(err, AzureMLError)
    assert str(err) == text
    assert set(err.to_dict()) >= KEYS
    assert (err.to_dict()["status"], err.to_dict()["code"]) == (status, code)
    assert err.changed is False  # nothing was written unless the service layer says so


def test_changed_is_carried():
    err = ArmError(500, "InternalServerError", "lost answer")
    err.changed = True
    assert err.changed is True and "changed" not in err.to_dict()  # the task result carries it, not the error dict
