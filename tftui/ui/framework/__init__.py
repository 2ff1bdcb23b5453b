"""The framework every view of tftui stands on (docs/architecture.md, "How to add a view").

A view is a ResourceView (a table of Rows from one feed) or, for other shapes, a ViewScreen; it is
registered for `:` with @register and binds keys by id from the key scheme with bindings().
"""

from tftui.core.columns import Column

from .errors import ViewModal
from .keys import bindings
from .registry import register
from .resource import LazyRows, ResourceView, Row, Tone
from .screen import ViewScreen

__all__ = ["Column", "LazyRows", "ResourceView", "Row", "Tone", "ViewModal", "ViewScreen", "bindings", "register"]
