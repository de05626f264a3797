"""Reminders by voice through Assist's built-in agent, in each language we speak.

``languages/<code>.yaml`` holds everything one language needs: its sentences
(hassil templates with lists and expansion rules, as in Home Assistant's intents
project), which set-up installs for Assist, and its answers (Jinja templates).
``when`` turns the slots the sentences fill into a moment or a repeat, for every
language alike; English also takes free word order, parsed by ``spoken_time``.
"""
