"""visadesk: screen planned US trips against the visa rules, with citations.

visadesk gives guidance, not legal advice.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
