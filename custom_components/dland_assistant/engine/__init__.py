"""The engine: when tasks run and how one run goes.

``scheduler`` arms the timer at the earliest due task, claims due tasks into run
slots (bounded, per caller), watches over runs and records how they end; ``agent``
runs one conversation agent; ``delivery`` brings a result to its person and
channel; ``breaker`` sheds a failing agent; ``cron`` computes cron times;
``vision`` describes camera images; ``failures`` tells a person a run failed.
"""
