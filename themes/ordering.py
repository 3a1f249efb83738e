"""Order a chapter's parts by dragging them, or with the "omhoog"/"omlaag" buttons.

The parts keep one order, ``position`` (``ChapterPart``): print (``themes.layout``), the public
page and copying into the next edition all read it. In the admin the field is hidden; the rows
of an inline are dragged (django-admin-sortable2, its static files) or moved with a button per
row (``static/kib/ordering.js``, for the keyboard and screen readers), and both renumber the
hidden fields 1, 2, 3… in the order shown, so saving the page stores the new order. New rows
are placed last. A page the user may not change (a submitted, approved or frozen chapter)
shows no order field, so it offers neither dragging nor buttons, and the server refuses a
change there anyway (``kib.admin_base``).
"""

from adminsortable2.admin import SortableAdminBase, SortableInlineAdminMixin
from django import forms

ORDER_FIELD = "position"

__all__ = ["ORDER_FIELD", "OrderedInlineMixin", "SortableAdminBase"]


class OrderedInlineMixin(SortableInlineAdminMixin):
    """An inline whose rows are ordered by ``position``, moved by dragging or by the buttons."""

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        # The order is ``position`` even where the model sorts by something first (groups by kind).
        self.default_order_direction, self.default_order_field = "", ORDER_FIELD

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):  # read-only: nothing to move, no number to show
            return [name for name in fields if name != ORDER_FIELD]
        return fields

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["kib/ordering.css"]}, js=["kib/ordering.js"])
