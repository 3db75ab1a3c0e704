"""The memory of pages drawn for everyone: bounded, and one drawing for many who ask at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from chitieu.web._cache import PageCache


def test_the_oldest_page_goes_first_when_full():
    cache = PageCache(max_entries=2)
    cache.put("a", {"content": "A"})
    cache.put("b", {"content": "B"})
    assert cache.get("a") == {"content": "A"}  # "a" is now the newest
    cache.put("c", {"content": "C"})
    assert cache.get("b") is None
    assert cache.get("a") == {"content": "A"} and cache.get("c") == {"content": "C"}
    assert len(cache) == 2


def test_twenty_who_miss_together_wait_for_one_drawing():
    cache = PageCache(max_entries=8)
    drawings = []
    gate = threading.Barrier(20)

    def make() -> dict[str, str]:
        drawings.append(1)
        time.sleep(0.2)
        return {"content": "X"}

    def ask(_: int) -> dict[str, str]:
        gate.wait()
        return cache.get_or_make("overview", make, complete=("content",))

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, range(20)))
    assert answers == [{"content": "X"}] * 20
    assert len(drawings) == 1


def test_a_page_kept_without_a_block_asked_for_is_drawn_again():
    cache = PageCache(max_entries=8)
    cache.put("overview", {"content": "X"})
    blocks = cache.get_or_make(
        "overview", lambda: {"content": "X", "results": "R"}, complete=("content", "results")
    )
    assert blocks["results"] == "R"
