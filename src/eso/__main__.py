"""``python -m eso``: the same as the ``eso`` command."""

from eso.cli import main

if __name__ == "__main__":
    main()
