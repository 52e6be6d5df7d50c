"""The message catalogues: ``actionplan.pot`` (extracted English) and one folder per language.

See docs/i18n.md for extracting, translating and compiling.
"""
