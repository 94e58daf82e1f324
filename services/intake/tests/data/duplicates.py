"""A labelled set of synthetic Khmer/English reports, and the duplicate detector measured on it.

Run it to print the threshold curve (the table in docs/channels.md, "## Duplicates")::

    uv run python -m services.intake.tests.data.duplicates

Each report belongs to a *problem* (one incident: a service, a commune, what went wrong,
where, how much, since when). Reports of one problem are paraphrases: facts left out or
reordered, Khmer, English or both in one text, other romanisations of a place
(``Wat Phnom``/``Vat Phnum``), Khmer or ASCII digits, zero-width spaces, typos. Hard
negatives share the service and the commune but are another problem, some of them the
same kind of problem at another landmark (potholes near the market, potholes near the
pagoda). Only pairs the detector would compare are scored: same service and commune.
The set is made from a fixed seed, so every run measures the same reports.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

from samleng.intake.domain.duplicates import DEFAULT_THRESHOLD, text_similarity

SEED = 14
COMMUNES = ("120101", "120102", "170201", "010201")

#: Landmarks of each commune: Khmer name, and the ways people romanise it.
LANDMARKS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "120101": [
        ("វត្តភ្នំ", ("Wat Phnom", "Vat Phnum", "wat phnum")),
        ("ផ្សារធំថ្មី", ("Psar Thmei", "Phsar Thmey", "psa thmey")),
    ],
    "120102": [
        ("ផ្សារកណ្តាល", ("Psar Kandal", "Phsar Kandal", "psar kondal")),
        ("វត្តឧណ្ណាលោម", ("Wat Ounalom", "Vat Unnalom", "wat onalom")),
    ],
    "170201": [
        ("ផ្សារចាស់", ("Psar Chas", "Phsar Chaa", "old market")),
        ("វត្តបូព៌", ("Wat Bo", "Vat Bo", "wat bou")),
    ],
    "010201": [
        ("ស្ពានច្បារអំពៅ", ("Chbar Ampov bridge", "Chba Ampeou bridge", "chbar ampov")),
        ("សាលាបឋមសិក្សាទួលគោក", ("Toul Kork school", "Tuol Kouk school", "toul kok school")),
    ],
}

Fact = tuple[str, str]  # Khmer, English; {place} {amount} {days} filled per problem

#: Kinds of problem of each service: facts, the first always told. ``{place}``: a landmark.
KINDS: dict[str, list[list[Fact]]] = {
    "birth_certificate": [
        [
            ("មន្ត្រីឃុំទារលុយ {amount} រៀល", "the commune official asked me for {amount} riel"),
            ("ដើម្បីធ្វើសំបុត្រកំណើតកូនខ្ញុំ", "to make my child's birth certificate"),
            ("តម្លៃផ្លូវការតិចជាងនេះឆ្ងាយ", "the official fee is much lower"),
            ("គាត់មិនឲ្យបង្កាន់ដៃទេ", "he gave no receipt"),
        ],
        [
            (
                "ខ្ញុំដាក់ពាក្យសុំសំបុត្រកំណើតតាំងពី {days} ថ្ងៃមុន",
                "I applied for a birth certificate {days} days ago",
            ),
            ("រហូតមកដល់ឥឡូវនៅតែមិនទាន់បាន", "and still have not received it"),
            ("គេប្រាប់ឲ្យត្រឡប់មកវិញរាល់សប្តាហ៍", "they tell me to come back every week"),
        ],
        [
            ("ការិយាល័យឃុំបិទទ្វារក្នុងម៉ោងធ្វើការ", "the commune office was closed during working hours"),
            ("គ្មានមន្ត្រីណាម្នាក់នៅទីនោះទេ", "no official was there"),
            ("ខ្ញុំមកបីដងហើយ", "I came three times already"),
        ],
    ],
    "roads": [
        [
            ("ផ្លូវនៅជិត{place}ខូចធ្ងន់", "the road near {place} is badly damaged"),
            ("មានរណ្តៅធំៗពេញផ្លូវ", "there are big potholes everywhere"),
            ("ម៉ូតូដួលរាល់ថ្ងៃ", "motorbikes fall every day"),
        ],
        [
            ("អំពូលភ្លើងបំភ្លឺផ្លូវនៅ{place}ខូចអស់", "the street lights at {place} are all broken"),
            ("ងងឹតពេលយប់ គ្រោះថ្នាក់ណាស់", "it is dark at night and dangerous"),
            ("មានចោរឆក់កាបូប", "there are bag snatchers"),
        ],
        [
            ("លូទឹកនៅ{place}ស្ទះ", "the drain at {place} is blocked"),
            ("ពេលភ្លៀងទឹកលិចផ្លូវ", "when it rains the road floods"),
            ("ក្លិនស្អុយខ្លាំង", "it smells very bad"),
        ],
    ],
    "waste": [
        [
            ("សំរាមមិនត្រូវបានប្រមូលអស់ {days} ថ្ងៃហើយ", "garbage has not been collected for {days} days"),
            ("នៅមុខ{place}", "in front of {place}"),
            ("ក្លិនស្អុយ និងរុយច្រើន", "bad smell and many flies"),
        ],
        [
            (
                "ក្រុមហ៊ុនប្រមូលសំរាមទារថ្លៃ {amount} រៀលក្នុងមួយខែ",
                "the garbage company charges {amount} riel a month",
            ),
            ("ខ្ពស់ជាងតម្លៃកំណត់", "more than the set price"),
        ],
        [
            (
                "មានគេចាក់សំរាមចោលនៅមាត់ទន្លេជិត{place}",
                "people dump garbage on the riverbank near {place}",
            ),
            ("រាល់យប់", "every night"),
            ("គ្មាននរណាមកហាមឃាត់", "nobody stops them"),
        ],
    ],
    "water": [
        [
            ("ទឹកស្អាតដាច់ {days} ថ្ងៃហើយ", "no clean water for {days} days"),
            ("នៅភូមិជិត{place}", "in the village near {place}"),
            ("គ្មានការជូនដំណឹងទេ", "no notice was given"),
        ],
        [
            ("ទឹកម៉ាស៊ីនមានពណ៌លឿង និងមានក្លិន", "the tap water is yellow and smells"),
            ("កូនៗឈឺពោះ", "the children have stomach aches"),
        ],
        [
            ("វិក្កយបត្រទឹកខែនេះ {amount} រៀល", "this month's water bill is {amount} riel"),
            ("ខ្ពស់ជាងធម្មតាបីដង", "three times higher than usual"),
        ],
    ],
    "id_card": [
        [
            ("ខ្ញុំរង់ចាំអត្តសញ្ញាណប័ណ្ណ {days} ថ្ងៃហើយ", "I have waited {days} days for my ID card"),
            ("ប៉ុស្តិ៍នគរបាលប្រាប់ថាមិនទាន់មកដល់", "the police post says it has not arrived"),
        ],
        [
            ("ប៉ូលិសទារលុយ {amount} រៀល", "the police asked for {amount} riel"),
            ("ដើម្បីធ្វើអត្តសញ្ញាណប័ណ្ណឲ្យលឿន", "to make the ID card quickly"),
        ],
        [
            ("ឈ្មោះនៅលើអត្តសញ្ញាណប័ណ្ណសរសេរខុស", "my name on the ID card is misspelled"),
            ("គេមិនព្រមកែឲ្យទេ", "they refuse to correct it"),
        ],
    ],
    "health": [
        [
            ("មណ្ឌលសុខភាពជិត{place}បិទទ្វារ", "the health centre near {place} was closed"),
            ("គ្មានគ្រូពេទ្យពេលយប់", "there is no doctor at night"),
            ("អ្នកជំងឺត្រូវទៅមន្ទីរពេទ្យឆ្ងាយ", "patients must go to a hospital far away"),
        ],
        [
            (
                "គិលានុបដ្ឋាកទារលុយ {amount} រៀលមុនពិនិត្យ",
                "the nurse asked {amount} riel before the check-up",
            ),
            ("ទោះបីខ្ញុំមានប័ណ្ណសមធម៌", "although I have an equity card"),
        ],
        [
            ("គ្មានថ្នាំទេ", "there is no medicine"),
            ("គេឲ្យទៅទិញនៅឱសថស្ថានឯកជន", "they told me to buy it at a private pharmacy"),
        ],
    ],
}

#: What many citizens add whatever the problem (it should not make two problems alike).
FILLERS: list[Fact] = [
    ("សូមជួយដោះស្រាយផង", "please help"),
    ("អរគុណច្រើន", "thank you"),
    ("សូមលោកអភិបាលជួយ", "please governor help"),
]
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


@dataclass(frozen=True)
class Report:
    """One synthetic case: its text and the problem it reports (the label)."""

    problem: int
    service: str
    commune: str
    text: str
    style: str = "km"  # km, en or mixed: the scripts the citizen wrote in
    kind: str = ""  # the kind of problem (its first fact in English), whatever the place


@dataclass(frozen=True)
class Problem:
    """One incident: its kind, and the details every report of it shares."""

    number: int
    service: str
    commune: str
    facts: tuple[Fact, ...]
    place: tuple[str, tuple[str, ...]]
    amount: int
    days: int


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    how = rng.choice(("drop", "double", "swap"))
    if how == "drop":
        return text[:i] + text[i + 1 :]
    if how == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _amount(rng: random.Random, amount: int, khmer: bool) -> str:
    shown = rng.choice((f"{amount}", f"{amount:,}", f"{amount:,}".replace(",", " ")))
    return shown.translate(KHMER_DIGITS) if khmer and rng.random() < 0.6 else shown


def _write(rng: random.Random, problem: Problem) -> tuple[str, str]:
    """One citizen's paraphrase of the problem."""
    facts = [
        problem.facts[0],
        *rng.sample(problem.facts[1:], k=rng.randint(1, len(problem.facts) - 1)),
    ]
    rng.shuffle(facts)
    if rng.random() < 0.4:
        facts.append(rng.choice(FILLERS))
    style = rng.choices(("km", "en", "mixed"), weights=(60, 15, 25))[0]
    parts = []
    for km, en in facts:
        khmer = style == "km" or (style == "mixed" and rng.random() < 0.5)
        template = km if khmer else en
        place_km, place_en = problem.place
        place = place_km if khmer and rng.random() < 0.8 else rng.choice(place_en)
        text = template.format(
            place=place,
            amount=_amount(rng, problem.amount, khmer),
            days=_amount(rng, problem.days, khmer),
        )
        if khmer and rng.random() < 0.3:
            text = text.replace(" ", "\u200b")  # word breaks some keyboards insert
        parts.append(text)
    sep = rng.choice((" ", "។ ", ", ", " "))
    text = sep.join(parts)
    for _ in range(rng.choice((0, 0, 1, 2))):
        text = _typo(rng, text)
    return (text if style == "km" else text[0].upper() + text[1:]), style


def problems(seed: int = SEED) -> list[Problem]:
    """The incidents: per service and commune, one of each kind, and where a kind names a
    place, that kind again at the commune's other landmark (another incident)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible data set, not a secret
    found: list[Problem] = []

    def add(
        service: str, commune: str, kind: list[Fact], place: tuple[str, tuple[str, ...]]
    ) -> None:
        found.append(
            Problem(
                number=len(found),
                service=service,
                commune=commune,
                facts=tuple(kind),
                place=place,
                amount=rng.choice((20_000, 50_000, 100_000, 15_000)),
                days=rng.choice((3, 5, 7, 10, 30)),
            )
        )

    for service, kinds in KINDS.items():
        for commune in COMMUNES:
            first, second = rng.sample(LANDMARKS[commune], k=2)
            for kind in kinds:
                add(service, commune, kind, first)
            placed = [k for k in kinds if any("{place}" in km for km, _ in k)]
            if placed:
                add(service, commune, rng.choice(placed), second)
    return found


def labelled_set(seed: int = SEED) -> list[Report]:
    """The reports: one to five paraphrases of each problem."""
    rng = random.Random(seed + 1)  # noqa: S311 - a reproducible data set, not a secret
    return [
        Report(p.number, p.service, p.commune, *_write(rng, p), kind=p.facts[0][1])
        for p in problems(seed)
        for _ in range(rng.choice((1, 2, 2, 3, 4, 5)))
    ]


@dataclass(frozen=True)
class Measure:
    """Precision and recall of the detector at one threshold."""

    threshold: float
    precision: float
    recall: float
    true_pairs: int
    flagged: int


def scored_pairs(
    reports: list[Report], *, styles: set[str] | None = None
) -> list[tuple[float, bool]]:
    """Each pair the detector compares (same service and commune): its score, and the label;
    only pairs whose two texts are written in one of ``styles`` if given."""
    pairs = []
    for a, b in itertools.combinations(reports, 2):
        if styles is not None and not {a.style, b.style} <= styles:
            continue
        if (a.service, a.commune) == (b.service, b.commune):
            pairs.append((text_similarity(a.text, b.text), a.problem == b.problem))
    return pairs


def measure(pairs: list[tuple[float, bool]], threshold: float) -> Measure:
    """Precision and recall when pairs scoring ``threshold`` or more are flagged."""
    flagged = [same for score, same in pairs if score >= threshold]
    true_pairs = sum(same for _, same in pairs)
    hits = sum(flagged)
    return Measure(
        threshold,
        precision=hits / len(flagged) if flagged else 1.0,
        recall=hits / true_pairs if true_pairs else 1.0,
        true_pairs=true_pairs,
        flagged=len(flagged),
    )


def curve(thresholds: tuple[float, ...] | None = None, seed: int = SEED) -> list[Measure]:
    """The detector's precision and recall at each threshold."""
    pairs = scored_pairs(labelled_set(seed))
    steps = thresholds or tuple(round(0.2 + 0.05 * i, 2) for i in range(13))
    return [measure(pairs, t) for t in steps]


def main() -> None:
    """Print the set's size and the threshold curve as a Markdown table."""
    reports = labelled_set()
    pairs = scored_pairs(reports)
    print(
        f"{len(reports)} reports, {len(problems())} problems, {len(pairs)} compared pairs, "
        f"{sum(s for _, s in pairs)} of them duplicates"
    )
    print("| threshold | precision | recall | pairs flagged |")
    print("|---|---|---|---|")
    for m in curve():
        mark = " (chosen)" if abs(m.threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"| {m.threshold:.2f}{mark} | {m.precision:.3f} | {m.recall:.3f} | {m.flagged} |")
    false_alarms = [
        (a, b)
        for a, b in itertools.combinations(reports, 2)
        if (a.service, a.commune) == (b.service, b.commune)
        and a.problem != b.problem
        and text_similarity(a.text, b.text) >= DEFAULT_THRESHOLD
    ]
    same_kind = sum(a.kind == b.kind for a, b in false_alarms)
    print(
        f"false alarms at the chosen threshold: {len(false_alarms)}, of which {same_kind} are "
        "the same kind of problem at the commune's other landmark"
    )
    texts = [f"{r.text} {i}" for i, r in enumerate(itertools.islice(itertools.cycle(reports), 500))]
    started = time.perf_counter()
    for other in texts:  # 500 texts never seen: nothing cached
        text_similarity(texts[0], other)
    took = (time.perf_counter() - started) * 1000
    print(f"scoring one report against 500 open cases, nothing cached: {took:.0f} ms")
    for styles in ({"km"}, {"km", "mixed"}, {"en"}, {"en", "km"}):
        m = measure(scored_pairs(reports, styles=styles), DEFAULT_THRESHOLD)
        print(
            f"pairs both written in {' or '.join(sorted(styles))}: precision {m.precision:.3f}, "
            f"recall {m.recall:.3f} ({m.true_pairs} duplicate pairs)"
        )


if __name__ == "__main__":
    main()
