"""Auth method device_code: its token cache file (mode 0600, replaced atomically)."""

from __future__ import annotations

import os
import stat

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthSettings
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_device_code import DeviceCodeAuth, FileTokenCache
from tests.unit.auth_support import CLIENT, CLOUD, TENANT


def test_token_cache_file_is_0600_and_replaced_atomically(tmp_path):
    path = tmp_path / "dir" / "cache.json"
    cache = FileTokenCache(str(path))
    cache.save()
    assert not path.exists(), "nothing to save yet"
    cache.cache.has_state_changed = True
    cache.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    os.chmod(path, 0o644)
    cache.cache.has_state_changed = True
    cache.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert FileTokenCache(str(path)).cache is not None
    assert [p.name for p in path.parent.iterdir()] == ["cache.json"]


def test_the_cache_is_a_file_only_when_asked(tmp_path):
    path = tmp_path / "cache.json"
    with_file = DeviceCodeAuth(AuthSettings(CLOUD, TENANT, CLIENT, token_cache_path=str(path)), None)
    in_memory = DeviceCodeAuth(AuthSettings(CLOUD, TENANT, CLIENT, token_cache=False), None)
    assert with_file._file_cache.path == str(path) and in_memory._file_cache is None
