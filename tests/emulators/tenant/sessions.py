"""User sign-in state of the emulated tenant: pending device code flows and issued refresh tokens."""

import secrets
import string
import threading
import time

DEVICE_CODE_LIFETIME = 900


class Sessions:
    def __init__(self):
        self._lock = threading.Lock()
        self.device_flows = {}  # device_code -> flow dict
        self.refresh_tokens = {}  # refresh token -> {"client_id", "user_id"}

    def start_device_flow(self, client_id, scopes, auto_approve_user=None):
        alphabet = string.ascii_uppercase + string.digits
        flow = {"device_code": secrets.token_urlsafe(32), "user_code": "".join(secrets.choice(alphabet)
                                                                               for _i in range(9)),
                "client_id": client_id, "scopes": list(scopes), "expires_at": time.time() + DEVICE_CODE_LIFETIME,
                "status": "pending", "user_id": None}
        if auto_approve_user:
            flow.update(status="approved", user_id=auto_approve_user)
        with self._lock:
            self.device_flows[flow["device_code"]] = flow
        return flow

    def decide(self, user_code, user_id, approve=True):
        """Complete the sign-in a user would do at the verification page. Returns the flow or None."""
        with self._lock:
            for flow in self.device_flows.values():
                if flow["user_code"] == user_code and flow["status"] == "pending":
                    flow.update(status="approved" if approve else "declined", user_id=user_id)
                    return flow
        return None

    def pending(self):
        with self._lock:
            return [dict(f) for f in self.device_flows.values() if f["status"] == "pending"]

    def redeem_device_code(self, device_code):
        """The flow for a token request: status pending / approved / declined / expired / unknown."""
        with self._lock:
            flow = self.device_flows.get(device_code)
            if flow is None:
                return None, "unknown"
            if time.time() > flow["expires_at"]:
                return flow, "expired"
            if flow["status"] == "approved":
                del self.device_flows[device_code]  # a device code is good for one token response
            return flow, flow["status"]

    def new_refresh_token(self, client_id, user_id):
        token = "0.emulated." + secrets.token_urlsafe(48)
        with self._lock:
            self.refresh_tokens[token] = {"client_id": client_id, "user_id": user_id}
        return token

    def redeem_refresh_token(self, token):
        with self._lock:
            return self.refresh_tokens.pop(token, None)
