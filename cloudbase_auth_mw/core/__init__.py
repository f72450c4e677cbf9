"""Framework-free, I/O-free core: configuration, validation, identity, errors, rendering."""
