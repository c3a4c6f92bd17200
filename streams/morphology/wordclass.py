"""Whether a capitalised word is an ordinary word or a name, from simplemma's lemma lists."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from streams.morphology import simplemma_tries

# Languages whose simplemma dictionary loads in under a second (en ~0.5 s and ~20 MB, fr ~0.8 s);
# German takes ~4 s and ~115 MB and Polish ~430 MB, too much for a capitalisation hint.
SIMPLEMMA_LANGUAGES = frozenset({"en", "fr", "es", "it", "pt", "nl", "ca", "ro", "sv", "da"})


@dataclass(frozen=True, slots=True)
class WordClasses:
    """Dictionary lookups for one language; without a dictionary every answer is False."""

    lang: str

    @property
    def available(self) -> bool:
        return self.lang in SIMPLEMMA_LANGUAGES

    def common(self, word: str) -> bool:
        """An ordinary word even when capitalised: "The", "Returning", "Mobile"."""
        return self.available and _common(word, self.lang)

    def proper(self, word: str) -> bool:
        """A spelling the dictionary keeps capitalised: "London", "Smith", "Japanese"."""
        return self.available and _proper(word, self.lang)


@lru_cache(maxsize=100_000)
def _common(word: str, lang: str) -> bool:
    return (
        simplemma_tries.is_known(word.lower(), lang) and simplemma_tries.lemmatize(word, lang)[:1].islower()
    )


@lru_cache(maxsize=100_000)
def _proper(word: str, lang: str) -> bool:
    return simplemma_tries.is_known(word, lang) and simplemma_tries.lemmatize(word, lang)[:1].isupper()


def word_classes(lang: str) -> WordClasses:
    return WordClasses(lang)
