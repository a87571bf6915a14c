"""Support-bundle analyzer for Platform9 Private Cloud Director messaging-layer failures."""

__version__ = "0.1.0"
