"""Pure models, validation, diffs and export/import for the TF security and network objects."""
