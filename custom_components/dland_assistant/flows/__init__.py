"""Subentry flows: personas, recipients, triggers, routines and sources."""
