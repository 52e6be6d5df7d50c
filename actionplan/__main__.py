"""``python -m actionplan``."""

from actionplan.cli import main

main()
