"""Sub-commands that live beside their feature modules, registered on the ``kzplan`` app."""

from __future__ import annotations

from kzplan import cli_run  # noqa: E402,F401
from kzplan import cli_diff  # noqa: F401 - kzplan diff
from kzplan import cli_clean  # noqa: F401 - kzplan clean
from kzplan import cli_map  # noqa: F401 - kzplan map
