"""The web app and HTTP API (``reachmap serve``): FastAPI over the same core as the CLI.

Needs the ``web`` extra (``pip install 'reachmap[web]'``). See ``docs/api.md``.
"""
