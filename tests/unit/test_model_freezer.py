"""A language's models, loaded on its first article, leave the garbage collector's walk."""

from __future__ import annotations

import gc

from streams.warmup import NewModelFreezer


def test_the_first_article_of_a_language_freezes_what_it_loaded_and_later_ones_do_not() -> None:
    freezer = NewModelFreezer()
    try:
        model = [{"lemma": [i]} for i in range(5000)]  # what a lazily loaded dictionary looks like
        before = gc.get_freeze_count()
        freezer.saw("xx")
        after_first = gc.get_freeze_count()
        assert after_first >= before + len(model)
        more = [[i] for i in range(5000)]
        freezer.saw("xx")  # known language: no collection, nothing frozen
        assert gc.get_freeze_count() == after_first and freezer.freezes == 1
        freezer.saw("yy")
        assert gc.get_freeze_count() >= after_first + len(more) and freezer.freezes == 2
    finally:
        gc.unfreeze()
