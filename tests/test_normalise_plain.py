"""The short way of :func:`normalise` for one plain lower-case word gives what the text steps
give, on every such word the reference's names make, as written and as stereo-word relatives."""

from __future__ import annotations

import re

from subsmatch.reference.lists import load
from subsmatch.substances.names import _by_steps, normalise, stereo_word_relatives

PLAIN = re.compile(r"[a-z]+")


def plain_words() -> set[str]:
    bases = {normalise(name).base for name, _ in load().names}
    words = {w for base in bases for w in re.split(r"[^a-z]+", base.casefold()) if w}
    relatives = {r for base in bases for r in stereo_word_relatives(base)}
    return {w for w in words | relatives if PLAIN.fullmatch(w)}


def test_a_plain_word_normalises_as_the_steps_make_it():
    words = plain_words()
    assert len(words) > 10_000
    assert [w for w in sorted(words) if _by_steps(w) != normalise(w)] == []


def test_other_texts_take_the_steps():
    for text in ("Cocaine", "4f-php", "l-dopa", "rac", "mdma hcl", "cocaïne", "dl"):
        assert normalise(text) == _by_steps(text)
    assert normalise("racemic") == _by_steps("racemic")
