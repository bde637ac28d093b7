"""The rule for the shared real files: missing ones fail under CI and skip elsewhere."""

from __future__ import annotations

import pytest

from tests import realdata
from tests.loaders import conftest


def test_missing_real_data_fails_when_ci_is_set(monkeypatch, tmp_path):
    monkeypatch.setattr(realdata, "REALDATA_DIR", tmp_path / "nowhere")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        conftest.real("lambeth_payments_over_500_2012-06.csv")


def test_missing_real_data_skips_otherwise(monkeypatch, tmp_path):
    monkeypatch.setattr(realdata, "REALDATA_DIR", tmp_path / "nowhere")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.real("lambeth_payments_over_500_2012-06.csv")


def test_the_real_data_folder_is_beside_the_repository():
    assert realdata.REALDATA_DIR.parts[-2:] == ("shared", "realdata")
    assert realdata.REALDATA_DIR.parent.parent == conftest.HERE.parents[2]
