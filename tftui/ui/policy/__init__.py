"""The policy editor's forms and dialogs (the lists themselves are views: tftui/ui/views/policy*.py)."""
