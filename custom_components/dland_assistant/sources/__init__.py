"""Outside sources that wake an agent: everything they bring is outside data.

``router`` stores each event (deduplicated) and starts its wakeup; ``wakeup`` is
the HTTP and action entry of a wakeup; ``vonage``, ``youtube`` and ``whmcs`` are
the SMS, feed and ticket sources; ``presence`` welcomes people home;
``cameras`` and ``triggers`` follow entities; ``bodies`` and ``refusals`` read
request bodies whole and log refusals in bulk.
"""
