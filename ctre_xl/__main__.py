"""``python -m ctre_xl``: the same as the ``ctre-xl`` command (handy where Scripts/ is not on PATH)."""

from ctre_xl.cli import main

main(prog_name="ctre-xl")
