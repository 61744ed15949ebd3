"""``python -m kzplan``: the kzplan command."""

from kzplan.cli import main

main()
