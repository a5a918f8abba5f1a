"""The outside tools some tests need (chromium, nginx): a missing one skips those tests locally and fails them under
CI, where .ci/run installs it."""

from __future__ import annotations

import pytest

from tests.conftest import require_tool

INSTALL = "apt-get install -y no-such-tool"


def test_a_missing_tool_skips_locally_and_fails_under_ci_saying_what_to_install(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=INSTALL):
        require_tool("no-such-tool-anywhere", INSTALL)
    for value in ("1", "true"):
        monkeypatch.setenv("CI", value)
        with pytest.raises(pytest.fail.Exception, match=INSTALL):
            require_tool("no-such-tool-anywhere", INSTALL)


def test_a_tool_off_the_path_is_found_where_debian_puts_it(tmp_path, monkeypatch):
    tool = tmp_path / "sbin" / "nginx"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception):  # not executable: not a tool
        require_tool("nginx", INSTALL, [tool])
    tool.chmod(0o755)
    assert require_tool("nginx", INSTALL, [tool]) == tool
