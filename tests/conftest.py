"""Settings for the whole suite.

Hypothesis runs without its per-example deadline: CI machines are shared and a first example
can take ten times the next one (imports, a cold cache, a loaded core). Performance is
measured by asv_bench, never asserted by a test's timing.
"""

from hypothesis import settings

settings.register_profile("zarrc", deadline=None)
settings.load_profile("zarrc")
