"""Benchmarks for sitegen: a seeded corpus generator and a runner that compares peers."""
