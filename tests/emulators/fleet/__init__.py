"""WinRM (WS-Management) fleet emulator: simulated WAC management PCs, one per loopback address.

Protocol and transport (``wsman.py``, ``shells.py``, ``commandline.py``, ``auth.py``, ``encryption.py``, ``tls.py``,
``server.py``), the fleet and its PCs (``fleet.py``), faults (``faults.py``), control API (``control.py``),
CLI (``__main__.py``) and pytest fixtures (``fixture.py``). The gateway state model (``gateway_model.py``) and the
routing of scripts to it (``ops.py``) are apart from all of this.

Run a fleet: ``python -m tests.emulators.fleet --count 20 --endpoints-file F --inventory I`` (see ``__main__.py``);
in pytest: the ``wac_fleet`` fixture (see ``fixture.py``); measure 1,000 PCs: ``python -m tests.emulators.fleet.scale``.
"""
