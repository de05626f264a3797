# Home Assistant aliases voluptuous to probatio at import time; type-check it as such.
from probatio import *  # noqa: F403
