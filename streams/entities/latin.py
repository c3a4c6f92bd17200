"""Analysis for languages without a morphological dictionary (English first): gazetteers,
simplemma word classes and cue words."""

from __future__ import annotations

from collections.abc import Sequence

from streams.entities.features import TokenInfo
from streams.entities.gazetteer import Gazetteer, gazetteer
from streams.entities.lexicon import Lexicon, lexicon
from streams.entities.model import Label
from streams.morphology.wordclass import WordClasses, word_classes

_POSSESSIVE = ("'s", "’s")


def strip_possessive(word: str) -> str:
    """ "Carder's" -> "Carder": the possessive ending is not part of the name."""
    return word[:-2] if word.endswith(_POSSESSIVE) and len(word) > 2 else word


class GazetteerAnalyser:
    """Evidence from name lists; everything is looked up as written, after a possessive."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cues: Lexicon = lexicon(lang)
        self._gazetteer: Gazetteer | None = None
        self._classes: WordClasses = word_classes(lang)
        self.guesses = self._classes.available and not self.cues.capitalises_nouns
        self._infos: dict[str, TokenInfo] = {}

    @property
    def names(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = gazetteer(self.lang)
        return self._gazetteer

    def warm_up(self) -> None:
        _ = self.names
        self._classes.common("The")

    def info(self, word: str) -> TokenInfo:
        found = self._infos.get(word)
        if found is None:
            if len(self._infos) > 200_000:  # bound the memory of a long-running worker
                self._infos.clear()
            found = self._infos[word] = self._lookup(strip_possessive(word))
        return found

    def _lookup(self, word: str) -> TokenInfo:
        g = self.names
        lower = word.lower()
        common = self._classes.common(word)
        return TokenInfo(
            first_name=word in g.first_names,
            place=word in g.places,
            major_place=word in g.major_places,
            org=word in g.organisations,
            common=common
            or word in g.calendar
            or lower in self.cues.function_words
            or lower in self.cues.abbreviations,
            adjective=word in g.demonyms,
            demonym=word in g.demonyms,
            title=lower in self.cues.titles,
            org_head=lower in self.cues.org_heads,
            loc_head=lower in self.cues.loc_heads,
            event_head=lower in self.cues.event_heads or word in g.calendar,
        )

    def context_lemmas(self, word: str) -> frozenset[str]:
        lower = word.lower()
        return frozenset({lower, lower[:-1]}) if lower.endswith("s") else frozenset({lower})

    def phrase_label(self, words: Sequence[str]) -> Label | None:
        if len(words) < 2:
            return None
        name = self.canonical(words, "LOC")
        if name in self.names.organisations:
            return "ORG"
        if name in self.names.places:
            return "LOC"
        return None

    def canonical(self, words: Sequence[str], label: Label) -> str:
        return " ".join([*words[:-1], strip_possessive(words[-1])])
