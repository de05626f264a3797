"""End-to-end tests against real Home Assistant processes."""
