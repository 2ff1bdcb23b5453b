"""tftui: a terminal UI to run and troubleshoot Tungsten Fabric clusters."""

__version__ = "0.1.0"
