"""The hostile suite: damaged files, archives, configs, outputs and surroundings, each through the
command line, each asserting the exit code, one line for exit 2, no traceback, inputs untouched
and no stray files (see :mod:`tests.hostile.harness`)."""
