"""The ``reachmap`` command line (typer + rich): parse, call the core, print, translate errors.

:mod:`~reachmap.cli.main` holds the typer app and the entry point; each command imports
what it uses when it runs, so ``reachmap --help`` loads no analysis code. An interface:
it may import everything, and nothing imports it.
"""
