"""The ``actionplan`` command line: click commands, one module per concept."""
