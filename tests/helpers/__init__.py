"""What tests share: import it from here (or tests/factories.py), never from another test module."""
