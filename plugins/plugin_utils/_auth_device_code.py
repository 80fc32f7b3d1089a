# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``device_code``: an admin signs in interactively; the prompt is shown live on the controller.

Tokens are kept in a file (mode 0600) so that the next tasks and runs sign in silently; ``token_cache: false``
keeps them in memory only (every run then asks again).
"""

from __future__ import annotations

import os
import tempfile

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import (
    AuthError,
    AuthMethod,
    access_token_from,
    msal_call,
)


def default_cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "wac.fleet", "msal_token_cache.json")


class FileTokenCache:
    """MSAL's serializable cache persisted to one file, created with mode 0600 and replaced atomically."""

    def __init__(self, path: str):
        import msal

        self.path = path
        self.cache = msal.SerializableTokenCache()
        try:
            with open(path, encoding="utf-8") as handle:
                self.cache.deserialize(handle.read())
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            raise AuthError(f"token_cache_path {path!r} cannot be read: {getattr(exc, 'strerror', None) or exc}") \
                from None

    def save(self) -> None:
        if not self.cache.has_state_changed:
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".msal-", dir=directory)  # mkstemp creates the file 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(self.cache.serialize())
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            raise AuthError(f"token_cache_path {self.path!r} cannot be written: {exc.strerror or exc}") from None
        self.cache.has_state_changed = False


class DeviceCodeAuth(AuthMethod):
    NAME = "device_code"

    def __init__(self, settings, http_session, show=None):
        self._show = show or _display
        super().__init__(settings, http_session)

    def validate(self) -> None:
        self._file_cache = None
        if self.settings.token_cache:
            self._file_cache = FileTokenCache(self.settings.token_cache_path or default_cache_path())

    def token(self) -> str:
        import msal

        what = "device code sign-in"
        if self._app is None:
            kwargs = self._msal_authority_kwargs()
            if self._file_cache is not None:
                kwargs["token_cache"] = self._file_cache.cache
            self._app = msal_call(lambda: msal.PublicClientApplication(self.settings.client_id, **kwargs), what)
        scopes = [self.settings.cloud.graph_scope]
        for account in self._app.get_accounts():
            result = msal_call(lambda a=account: self._app.acquire_token_silent(scopes, account=a), what)
            if result and result.get("access_token"):
                self._save()
                return result["access_token"]
        flow = msal_call(lambda: self._app.initiate_device_flow(scopes=scopes), what)
        if "user_code" not in flow:
            access_token_from(flow, what)  # raises with the authority's error
        self._show(flow.get("message") or
                   f"To sign in, open {flow.get('verification_uri')} and enter the code {flow['user_code']}")
        result = msal_call(lambda: self._app.acquire_token_by_device_flow(flow), what)
        token = access_token_from(result, what)
        self._save()
        return token

    def _save(self) -> None:
        if self._file_cache is not None:
            self._file_cache.save()


def _display(message: str) -> None:
    from ansible.utils.display import Display

    Display().display(f"wac.fleet: {message}", color="bright blue")
