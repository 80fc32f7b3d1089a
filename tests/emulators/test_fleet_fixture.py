"""The fleet fixture's address ranges: a range that another process on this machine already listens on is skipped."""

from __future__ import annotations

import socket

from tests.emulators.fleet import fixture


def test_a_range_in_use_elsewhere_is_skipped(tmp_path, monkeypatch):
    taken_base = fixture.allocate_base_address(1)
    monkeypatch.setattr(fixture, "_next_block", fixture._next_block - 1)  # the next fleet would get taken_base
    with socket.socket() as other_process:
        other_process.bind((taken_base, 5985))
        other_process.listen()
        running = fixture.start_fleet(tmp_path, 1)
        try:
            (pc,) = running.pcs.values()
            assert pc.address != taken_base and pc.port == 5985
        finally:
            running.stop()


def test_the_second_octets_can_be_narrowed(monkeypatch):
    monkeypatch.setenv("WAC_FLEET_SECOND_OCTETS", "231-231")
    assert fixture.allocate_base_address(1).startswith("127.231.")
    monkeypatch.setenv("WAC_FLEET_SECOND_OCTETS", "10-20")
    try:
        fixture.allocate_base_address(1)
    except ValueError as exc:
        assert "WAC_FLEET_SECOND_OCTETS" in str(exc)
    else:
        raise AssertionError("a range outside 200-249 was accepted")
