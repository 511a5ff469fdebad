"""Helpers shared by the tests: clocks, fixtures' builders, runners."""
