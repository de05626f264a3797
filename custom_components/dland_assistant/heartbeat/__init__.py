"""Heartbeat routines: the assistant acting on its own rhythm.

``routines`` arms each routine at its stored next run and runs it; ``rhythm``
computes a schedule's times from its anchor; ``builtin_routines`` are the four
that come with the integration; ``gatherers`` collect a routine's context;
``audit`` is the hourly audit of the execution log.
"""
