"""Tests for dland_assistant."""
