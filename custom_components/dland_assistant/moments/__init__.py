"""Tasks that wait for a moment, not a time: "remind me when I get home".

``rules`` checks what a moment may be (one state, numeric_state or zone trigger,
as Home Assistant's automations write them, a daily window, an expiry, once or
every time) and decides whether a state change is an occurrence; ``watcher``
listens to the entities waiting tasks name and makes a task due when its moment
comes; ``words`` says moments and occurrences in the home's language.
"""
