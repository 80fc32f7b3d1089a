"""Shared pytest configuration: the emulators' fixtures are plugins of the whole suite."""
