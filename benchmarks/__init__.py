"""Benchmarks of wac.fleet against the emulated tenant and fleet (run ``python benchmarks/fleet.py --help``)."""
