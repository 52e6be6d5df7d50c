"""``python -m actionplan``."""

from actionplan.cli.main import main

main()
