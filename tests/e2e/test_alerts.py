"""Keyword spike alerting on the real stack: one alert for a burst of inflected mentions, none for
background entities, none for syndicated copies of one story."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime

from tests.conftest import wait_for
from tests.helpers import article, doc_count, newsflow, send

WINDOW_S = 3
BACKGROUND_PLACES = ["Gdańsk", "Poznań", "Lyon", "Porto", "Leeds", "Bergen", "Graz", "Turku"]
FILLER_EN = (
    "council budget harbour winter energy market railway school museum election court farmers "
    "bridge vaccine airport festival orchestra factory export ministry"
).split()
FILLER_PL = (
    "rada budżet port zima energia rynek kolej szkoła muzeum wybory sąd rolnicy most szczepionka "
    "lotnisko festiwal orkiestra fabryka eksport ministerstwo"
).split()
BURST_FORMS = ["we Władywostoku", "do Władywostoku", "nad Władywostokiem", "Władywostok", "z Władywostoku"]


def filler(rng: random.Random, words: list[str], n: int = 5, opener: str = "The") -> str:
    # Sentences open with a function word: a capitalised common noun at the start of a
    # sentence would be a (spurious) entity candidate, and this test counts entities.
    return " ".join(f"{opener} " + " ".join(rng.choice(words) for _ in range(10)) + "." for _ in range(n))


def test_burst_of_inflected_mentions_raises_exactly_one_alert(names, worker_factory):
    names.env.update(
        {
            "NEWSFLOW_SPIKE_WINDOW_SECONDS": str(WINDOW_S),
            "NEWSFLOW_SPIKE_COOLDOWN_WINDOWS": "100",
            "NEWSFLOW_SPIKE_SCAN_SECONDS": "1",
            # The index's history starts with this test: a few windows of it are enough here.
            "NEWSFLOW_SPIKE_MIN_HISTORY_WINDOWS": "3",
        }
    )
    worker_factory().start()
    rng = random.Random(3)
    sent = 0
    # Steady background: every window, a few articles, each naming one place (<= 2 per place per window).
    for window in range(5):
        batch = []
        for i in range(4):
            place = BACKGROUND_PLACES[(window * 4 + i) % len(BACKGROUND_PLACES)]
            text = f"The city council of {place} met on Monday. " + filler(rng, FILLER_EN)
            batch.append(
                article(f"https://background.example/{window}/{i}", text, title=f"News from {place}")
            )
        send(names.settings, batch)
        sent += len(batch)
        time.sleep(WINDOW_S)
    # Syndication: one story about Nachodka, nine copies of it from other outlets.
    story = "Władze Nachodki ogłosiły remont nabrzeża w porcie Nachodka. " + filler(
        rng, FILLER_PL, 8, opener="Ta"
    )
    copies = [
        article(
            f"https://outlet{k}.example/nachodka",
            story + ("\n\nŹródło: PAP" if k else ""),
            title="Remont w Nachodce",
            language="pl",
        )
        for k in range(10)
    ]
    send(names.settings, copies)
    sent += 1
    # The burst: ten distinct Polish articles naming Władywostok in different cases, one window.
    now = datetime.now(UTC).isoformat()
    burst = [
        article(
            f"https://burst.example/{k}",
            f"Silny sztorm uderzył {BURST_FORMS[k % len(BURST_FORMS)]} w nocy. "
            + filler(rng, FILLER_PL, opener="Ta"),
            title=f"Sztorm {k}",
            published_at=now,
            language="pl",
        )
        for k in range(10)
    ]
    send(names.settings, burst)
    sent += len(burst)
    wait_for(lambda: doc_count(names.settings) >= sent, 120, f"{sent} canonical documents")

    def alerts() -> list[dict]:
        out = newsflow(names.env, "alerts", "--since", "1h", "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    found = wait_for(lambda: alerts(), 60, "an alert")
    time.sleep(WINDOW_S * 2)
    found = alerts()
    assert [(a["keyword"], a["kind"]) for a in found] == [("Władywostok", "entity")], found
    alert = found[0]
    assert alert["count"] >= 5
    assert 1 <= len(alert["samples"]) <= 5
    assert all(s["title"].startswith("Sztorm") for s in alert["samples"])
    listed = newsflow(names.env, "alerts", "--since", "1h")
    assert "Władywostok" in listed.stdout and "1 alert(s)" in listed.stdout
