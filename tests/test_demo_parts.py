"""The demo loader fills a chapter by walking the one declaration of its parts (``themes.parts.PARTS``)."""

from kib.demo.loader import DemoLoader, fill_order
from themes import models as themes
from themes.parts import PARTS


def test_the_loader_says_for_every_declared_part_how_the_seed_fills_it():
    # A new part in PARTS fails here until the loader says how the seed fills it (or why not).
    assert set(DemoLoader.PART_LOADERS) == {part.model for part in PARTS}
    for model, method in DemoLoader.PART_LOADERS.items():
        assert method is None or callable(getattr(DemoLoader, method)), model


def test_what_a_part_points_at_is_made_before_it():
    order = [part.model for part in fill_order(PARTS)]
    assert sorted(order, key=str) == sorted((part.model for part in PARTS), key=str)  # every part, once
    for part in PARTS:
        if part.points_at_figure:
            assert order.index(themes.Figure) < order.index(part.model), part.key
        if part.points_at_target:
            for annotated in (p.model for p in PARTS if p.annotated):
                assert order.index(annotated) < order.index(part.model), (part.key, annotated)
    assert order.index(themes.DevelopmentGroup) < order.index(themes.DevelopmentItem)
