"""subsmatch: which substance is it, and is it controlled?"""

__version__ = "0.1.0"
