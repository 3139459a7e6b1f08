"""``python -m reviewer``: the same CLI as the ``reviewer`` command."""

from .cli import main

main()
