"""Labelled demo incidents for the triage assistant: many reports of the same few dozen go-live problems.

Each `Problem` is one underlying SAP S/4HANA go-live problem (its key is the group label), with a canonical
module, priority, typical resolver, resolution and root cause, and several titles and descriptions in
English and in Turkish written as different people would word them. `generate` turns them into incidents
the way a hypercare desk receives them: templates filled with plant, order and material numbers, some
Turkish typed without Turkish letters, some in capitals, some with typos, message numbers written three
ways, and labels that are right most but not all of the time (a P2 problem is sometimes filed as P3, and
is not always resolved by the usual person), so a suggestion engine cannot reach 100% by memorising.

The last title and the last description of each language are held out ("unseen" phrasing): the bench
indexes incidents written from the other templates and asks with held-out ones ("half": a held-out title
or a held-out description; "unseen": both), so it measures whether a differently worded report still
finds its problem, not only whether the same template does. The held-out descriptions are on purpose the
plain-language ones (no codes, no SAP terms), the hardest case for any matcher.

Deterministic: the same seed always yields the same incidents. The demo seed takes a handful (see
`demo_incidents`); the bench takes thousands.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from functools import lru_cache

from app.demo.triage_problem import Problem, Wording
from app.demo.triage_problems_finance import FINANCE_AND_TECHNOLOGY
from app.demo.triage_problems_logistics import LOGISTICS

__all__ = ["LabelledIncident", "Problem", "Wording", "demo_incidents", "generate", "problems"]

LANGUAGES = ("tr", "en")
PRIORITIES = ("p1", "p2", "p3", "p4")
# Who else in the team resolves a problem when its usual resolver does not.
TEAMS = {
    "MM": ("mm.lead", "mm.consultant"),
    "SD": ("sd.lead", "sd.consultant"),
    "FI": ("fi.lead", "fi.consultant"),
    "CO": ("co.consultant", "fi.lead"),
    "EWM": ("ewm.consultant", "mm.consultant"),
    "PP": ("pp.consultant", "qm.consultant"),
    "QM": ("qm.consultant", "pp.consultant"),
    "BASIS": ("basis.admin", "basis.security"),
    "BTP": ("btp.developer", "abap.developer"),
}
RESOLVERS = tuple(sorted({person for team in TEAMS.values() for person in team}))
# A module a reporter or dispatcher plausibly files the problem under instead.
NEIGHBOUR_MODULE = {
    "MM": "EWM",
    "SD": "FI",
    "FI": "CO",
    "CO": "FI",
    "EWM": "MM",
    "PP": "MM",
    "QM": "PP",
    "BASIS": "BTP",
    "BTP": "BASIS",
}


@dataclass(frozen=True)
class LabelledIncident:
    id: str
    group: str  # the Problem key: incidents of one group are reports of the same underlying problem
    lang: str
    phrasing: str  # "seen" or "unseen" (held-out templates)
    title: str
    description: str
    module: str
    priority: str
    resolver: str
    resolution: str
    root_cause: str
    root_cause_category: str
    incident_type: str


@lru_cache(maxsize=1)
def problems() -> tuple[Problem, ...]:
    return tuple(LOGISTICS + FINANCE_AND_TECHNOLOGY)


_SLOTS = {
    "plant": lambda r: r.choice(["1010", "1020", "1100", "2010", "TR01", "TR02"]),
    "po": lambda r: f"45000{r.randint(10000, 99999)}",
    "so": lambda r: f"{r.choice(['1', '2'])}00{r.randint(10000, 99999)}",
    "dlv": lambda r: f"80{r.randint(1000000, 9999999)}",
    "inv": lambda r: f"90{r.randint(1000000, 9999999)}",
    "mat": lambda r: r.choice(["RM-", "FG-", "TG", "HAM-", "MAT"]) + str(r.randint(1000, 99999)),
    "cust": lambda r: f"{r.choice(['10', '11', '12'])}{r.randint(1000, 9999)}",
    "vendor": lambda r: f"{r.choice(['30', '31', '32'])}{r.randint(1000, 9999)}",
    "batch": lambda r: f"B{r.randint(100000, 999999)}",
    "order": lambda r: f"{r.choice(['100', '400', '700'])}{r.randint(100000, 999999)}",
    "cc": lambda r: r.choice(["1000", "1010", "2000", "TR10"]),
    "period": lambda r: f"{r.randint(1, 12):03d}/2026",
    "idoc": lambda r: str(r.randint(10000000, 99999999)),
    "user": lambda r: r.choice(["AYILMAZ", "MKAYA", "JSMITH", "EDEMIR", "SCELIK", "KOZTURK", "LMUELLER"]),
    "amount": lambda r: f"{r.randint(100, 250000):,}".replace(",", "."),
    "qty": lambda r: str(r.choice([5, 12, 40, 100, 250, 1200])),
    "wh": lambda r: r.choice(["W100", "W200", "TRW1", "1710"]),
    "hu": lambda r: f"1000{r.randint(100000, 999999)}",
    "job": lambda r: r.choice(["Z_MRP_NIGHTLY", "Z_BILLING_RUN", "Z_IDOC_REPROCESS", "SAP_REORG_JOBS", "Z_FI_CLEAR"]),
    "n": lambda r: str(r.choice([3, 5, 10, 15, 20, 40, 60])),
    "printer": lambda r: r.choice(["PRN01", "LP_DEPO1", "ZPL_SHIP2", "HP_FIN3"]),
}

_OPENERS = {
    "en": [
        "",
        "",
        "",
        "Hi team,",
        "Hello,",
        "Urgent:",
        "Since this morning:",
        "After go-live:",
        "Users report the following.",
        "Key user reports:",
    ],
    "tr": [
        "",
        "",
        "",
        "Merhaba,",
        "Acil:",
        "Bu sabahtan beri:",
        "Canlıya geçişten sonra:",
        "Kullanıcılar bildiriyor:",
        "Key user bildirimi:",
        "Selam ekip,",
    ],
}
_CLOSERS = {
    "en": [
        "",
        "",
        "",
        "Please check asap.",
        "Around {n} users affected.",
        "Screenshot attached.",
        "Can someone look into it?",
        "Business is waiting.",
        "Happens every time.",
        "Worked fine in QAS.",
    ],
    "tr": [
        "",
        "",
        "",
        "Acil destek rica ederiz.",
        "Yaklaşık {n} kullanıcı etkileniyor.",
        "Ekran görüntüsü ekte.",
        "Kontrol edebilir misiniz?",
        "İş birimi bekliyor.",
        "Her seferinde tekrar ediyor.",
        "Test sisteminde sorun yoktu.",
    ],
}
_MESSAGE_FORMATS = {
    "en": ("{c} {n}", "{c}{n}", "{c}-{n}", "message {c} {n}", "error {c}{n}"),
    "tr": ("{c} {n}", "{c}{n}", "{c}-{n}", "{c} {n} mesajı", "{c}{n} hatası"),
}
_PLAIN = str.maketrans("şŞğĞıİöÖüÜçÇ", "sSgGiIoOuUcC")


@lru_cache(maxsize=4096)
def _slot_names(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _fill(template: str, rng: random.Random, problem: Problem, lang: str) -> str:
    values = {}
    for name in _slot_names(template):
        if name == "tcode":
            values[name] = rng.choice(problem.tcodes)
        elif name == "msg" and problem.msg:
            values[name] = rng.choice(_MESSAGE_FORMATS[lang]).format(c=problem.msg[0], n=problem.msg[1])
        else:
            values[name] = _SLOTS[name](rng)
    return template.format(**values)


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the finger in a longer plain word: a swap, a dropped or a doubled letter."""
    words = text.split(" ")
    plain = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.lower() == w]
    if not plain:
        return text
    i = rng.choice(plain)
    word, at = words[i], rng.randrange(1, len(words[i]) - 2)
    words[i] = rng.choice(
        [
            word[:at] + word[at + 1] + word[at] + word[at + 2 :],
            word[:at] + word[at + 1 :],
            word[:at] + word[at] + word[at:],
        ]
    )
    return " ".join(words)


def _upper(text: str, lang: str) -> str:
    return text.replace("i", "İ").replace("ı", "I").upper() if lang == "tr" else text.upper()


def _lower(text: str, lang: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower() if lang == "tr" else text.lower()


PHRASINGS = ("seen", "half", "unseen", "any")


def _templates(wording: Wording, phrasing: str, rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Title and description templates for a phrasing: "seen" (all but the last), "unseen" (the last only),
    "half" (one of the two from each), "any" (all)."""
    seen, unseen = (wording.titles[:-1], wording.bodies[:-1]), (wording.titles[-1:], wording.bodies[-1:])
    if phrasing == "half":
        phrasing_of_title = rng.choice(("seen", "unseen"))
        return (
            (seen if phrasing_of_title == "seen" else unseen)[0],
            (unseen if phrasing_of_title == "seen" else seen)[1],
        )
    if phrasing == "any":
        return wording.titles, wording.bodies
    if phrasing not in PHRASINGS:
        raise ValueError(f"phrasing must be one of {PHRASINGS}")
    return seen if phrasing == "seen" else unseen


def _label(rng: random.Random, canonical: str, others: tuple[str, ...], keep: float) -> str:
    return canonical if rng.random() < keep or not others else rng.choice(others)


def write_incident(problem: Problem, lang: str, phrasing: str, rng: random.Random, number: int) -> LabelledIncident:
    """One report of `problem` in `lang`, worded from the `phrasing` templates (see PHRASINGS)."""
    wording = problem.en if lang == "en" else problem.tr
    titles, bodies = _templates(wording, phrasing, rng)
    title_template, body_template = rng.choice(titles), rng.choice(bodies)
    title = _fill(title_template, rng, problem, lang)
    body = " ".join(
        part
        for part in (
            _fill(rng.choice(_OPENERS[lang]), rng, problem, lang),
            _fill(body_template, rng, problem, lang),
            _fill(rng.choice(_CLOSERS[lang]), rng, problem, lang),
        )
        if part
    )
    if rng.random() < 0.25:
        body = _typo(body, rng)
    if rng.random() < 0.1:
        title = _typo(title, rng)
    casing = rng.random()
    if casing < 0.08:
        title = _upper(title, lang)
    elif casing < 0.16:
        title, body = _lower(title, lang), _lower(body, lang)
    if lang == "tr" and rng.random() < 0.35:
        title, body = title.translate(_PLAIN), body.translate(_PLAIN)
    priority_index = PRIORITIES.index(problem.priority)
    near = tuple(PRIORITIES[i] for i in (priority_index - 1, priority_index + 1) if 0 <= i < len(PRIORITIES))
    team = tuple(p for p in TEAMS[problem.module] if p != problem.resolver)
    resolver = (
        problem.resolver
        if rng.random() < 0.75
        else (rng.choice(team) if team and rng.random() < 0.8 else rng.choice(RESOLVERS))
    )
    return LabelledIncident(
        id=f"inc-{number:06d}",
        group=problem.key,
        lang=lang,
        phrasing=phrasing,
        title=title,
        description=body,
        module=_label(rng, problem.module, (NEIGHBOUR_MODULE[problem.module],), 0.95),
        priority=_label(rng, problem.priority, near, 0.75),
        resolver=resolver,
        resolution=wording.resolution,
        root_cause=wording.root_cause,
        root_cause_category=problem.root_cause_category,
        incident_type=problem.incident_type,
    )


def generate(
    count: int,
    seed: int = 19,
    phrasing: str = "seen",
    languages: tuple[str, ...] = LANGUAGES,
    turkish_share: float = 0.55,
    start: int = 0,
) -> list[LabelledIncident]:
    """`count` incidents of problems drawn by their weight; ids run from inc-<start>."""
    rng = random.Random(seed)
    catalogue = problems()
    weights = [p.weight for p in catalogue]
    out = []
    for number in range(start, start + count):
        problem = rng.choices(catalogue, weights)[0]
        if len(languages) == 1:
            lang = languages[0]
        else:
            lang = "tr" if rng.random() < turkish_share else "en"
        out.append(write_incident(problem, lang, phrasing, rng, number))
    return out


def demo_incidents(count: int = 8, seed: int = 19) -> list[LabelledIncident]:
    """A handful of incidents for the demo tenant: distinct problems, alternating Turkish and English,
    each with a sibling in the other language so the similar-incidents panel has something to show."""
    rng = random.Random(seed)
    chosen = rng.sample(problems(), k=max(1, (count + 1) // 2))
    out: list[LabelledIncident] = []
    for problem in chosen:
        for lang in LANGUAGES:
            if len(out) < count:
                out.append(write_incident(problem, lang, "any", rng, len(out)))
    return out
