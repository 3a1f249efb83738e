"""``{% section_review section as review %}``: the review threads and comment targets of one section."""

from django import template

from kib.workflow import review

register = template.Library()


@register.simple_tag(takes_context=True)
def section_review(context, section):
    """From the chapter's threads (``review_comments``) and targets (``comment_target_objects``)
    of ``workflow_context``: this section's threads (each with ``part_anchor``, the link to its part
    on this page), those about the whole chapter, the open count and the parts of this section a new
    comment can be about."""
    own, whole = review.in_section(context.get("review_comments") or [], section)
    for comment in own:  # its part is on this page: the link opens it
        comment.part_anchor = review.part_anchor(comment, section)
    return {
        "threads": own,
        "whole": whole,
        "open": sum(1 for comment in own if not comment.is_resolved),
        "targets": [
            (key, label)
            for key, label, obj in context.get("comment_target_objects") or []
            if type(obj) in section.parts
        ],
    }
