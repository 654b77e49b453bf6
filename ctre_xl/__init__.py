"""ctre-xl: the yearly reporting cycle of a commune's action plan for children, in Excel files."""

__version__ = "0.1.0"
