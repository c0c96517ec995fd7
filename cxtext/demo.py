"""Deterministic multilingual demo data: exports of a fictional telecom's surveys and tickets.

Qelvo is an invented internet and mobile provider in thirteen countries. Its customers answer
NPS+ surveys and open support tickets in nine languages; every comment is composed from the
hand-written phrase banks below (one bank per language, written natively, never copied from a
data set), so the root causes behind it are known and recoverable from the text.

The generated frames have the shape of real exports (the survey tool's and the help desk's own
column names, every value a string, blanks as ``""``); :data:`SURVEY_COLUMNS` and
:data:`TICKET_COLUMNS` map them onto :mod:`cxtext.schema`. The ground truth (causes and language
of every row, deliberately broken rows) comes back separately, never inside an export.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final, Literal, TypeVar, overload

import numpy as np
import pandas as pd

from cxtext import schema

COMPANY: Final = "Qelvo"


@dataclass(frozen=True)
class Cause:
    """A root cause behind feedback.

    Attributes
    ----------
    label
        Human-readable name.
    effect
        Shift of the expected 0-10 recommendation score when a comment mentions the cause.
    weight
        Base share among mentioned causes (before segment and date boosts).
    problem
        The NPS+ problem-list option for the cause; ``None`` for positive causes.
    """

    label: str
    effect: float
    weight: float
    problem: str | None

    @property
    def positive(self) -> bool:
        """Whether the cause raises the score."""
        return self.effect > 0


CAUSES: Final[dict[str, Cause]] = {
    "billing": Cause("Billing errors / unexpected charges", -3.2, 0.13, "Billing / invoice"),
    "network": Cause("Slow or dropped internet", -3.5, 0.15, "Internet speed or outages"),
    "support_wait": Cause("Long wait for support", -2.6, 0.10, "Waiting time customer service"),
    "rude_staff": Cause("Rude or unhelpful staff", -3.4, 0.07, "Staff attitude"),
    "app": Cause("App / website problems", -2.2, 0.05, "App or website"),
    "price": Cause("Price too high", -1.8, 0.12, "Price"),
    "friendly_staff": Cause("Friendly, helpful staff", 2.2, 0.22, None),
    "fast_setup": Cause("Fast installation / activation", 1.6, 0.16, None),
}
NEGATIVE_CAUSES: Final = tuple(c for c, cause in CAUSES.items() if not cause.positive)
PROBLEM_OPTIONS: Final = (
    *(cause.problem for cause in CAUSES.values() if cause.problem is not None),
    "Other",
)

# Six months of feedback; app problems emerge in the last one (a buggy app release).
PERIOD_START: Final = "2025-01-01"
PERIOD_END: Final = "2025-07-01"
EMERGING_CAUSE: Final = "app"
EMERGING_SINCE: Final = "2025-06-01"
EMERGING_BOOST: Final = 4.0

# Export column names: canonical field -> export column, and segment name -> export column.
SURVEY_COLUMNS: Final[dict[str, str]] = {
    schema.ID: "ResponseID",
    schema.TEXT: "Comment",
    schema.NPS_SCORE: "Likelihood to recommend (0-10)",
    schema.CREATED_AT: "Submitted",
    schema.CSAT: "CSAT (1-5)",
    schema.PROBLEM: "Main problem",
    schema.SURVEY_TYPE: "Survey type",
    schema.CUSTOMER_ID: "Customer ID",
    schema.CHANNEL: "Channel",
}
SURVEY_SEGMENTS: Final[dict[str, str]] = {
    "country": "Country",
    "product": "Product",
}
TICKET_COLUMNS: Final[dict[str, str]] = {
    schema.ID: "Ticket ID",
    schema.CREATED_AT: "Created",
    schema.FIRST_RESPONSE_AT: "First reply",
    schema.RESOLVED_AT: "Solved",
    schema.LAST_RESOLVED_AT: "Last solved",
    schema.CHANNEL: "Channel",
    schema.STATUS: "Status",
    schema.CUSTOMER_ID: "Customer ID",
    schema.TEXT: "Description",
}
TICKET_SUBJECT: Final = "Subject"
TICKET_REOPENS: Final = "Reopens"


@dataclass(frozen=True)
class Market:
    """A country Qelvo serves: who writes there, in what money, and what goes wrong more.

    ``amount`` formats a sum ``{n}`` of ``amounts`` in the local currency; ``amount_in``
    overrides it for languages that write money differently there.
    """

    weight: float
    languages: Mapping[str, float]
    amount: str
    amounts: tuple[int, ...]
    phone_code: str
    score_shift: float = 0.0
    boost: Mapping[str, float] = field(default_factory=dict)
    amount_in: Mapping[str, str] = field(default_factory=dict)

    def money(self, n: int, language: str) -> str:
        """``n`` in the local currency as written in ``language``."""
        return self.amount_in.get(language, self.amount).format(n=n)


_EUROS = (8, 10, 12, 15, 20, 25, 30, 45)
MARKETS: Final[dict[str, Market]] = {
    "NL": Market(0.16, {"nl": 1.0}, "€{n}", _EUROS, "31", 0.2, {"app": 1.2}),
    "BE": Market(0.08, {"nl": 0.6, "fr": 0.4}, "€ {n}", _EUROS, "32", amount_in={"fr": "{n} €"}),
    "RO": Market(
        0.12, {"ro": 1.0}, "{n} de lei", (20, 25, 40, 50, 60, 75, 100), "40", -0.3, {"network": 1.5}
    ),
    "PT": Market(0.08, {"pt": 1.0}, "{n}€", _EUROS, "351"),
    "BR": Market(0.08, {"pt": 1.0}, "R$ {n}", (20, 30, 40, 50, 80, 120), "55", 0.3, {"price": 1.4}),
    "ZA": Market(0.10, {"af": 0.5, "en": 0.5}, "R{n}", (150, 200, 250, 300, 450, 600), "27"),
    "EG": Market(
        0.05, {"ar": 1.0}, "{n} جنيه", (100, 200, 300, 500, 750), "20", -0.2, {"network": 1.4}
    ),
    "AE": Market(0.05, {"ar": 1.0}, "{n} درهم", (30, 40, 50, 75, 100, 150), "971", 0.2),
    "ES": Market(0.07, {"es": 1.0}, "{n} €", _EUROS, "34"),
    "DE": Market(0.07, {"de": 1.0}, "{n} €", _EUROS, "49", -0.4, {"support_wait": 1.5}),
    "FR": Market(0.06, {"fr": 1.0}, "{n} €", _EUROS, "33", -0.2),
    "GB": Market(0.05, {"en": 1.0}, "£{n}", _EUROS, "44"),
    "US": Market(0.03, {"en": 1.0}, "${n}", (10, 15, 20, 25, 30, 40, 50), "1", 0.3),
}


@dataclass(frozen=True)
class Product:
    """A Qelvo product line: its export name, share and cause boosts."""

    name: str
    weight: float
    boost: Mapping[str, float] = field(default_factory=dict)


PRODUCTS: Final[dict[str, Product]] = {
    "fibre": Product("Fibre Home", 0.35, {"fast_setup": 1.3, "network": 1.1}),
    "mobile": Product("Mobile Unlimited", 0.30, {"fast_setup": 0.6}),
    "prepaid": Product("Prepaid", 0.15, {"billing": 0.6, "price": 0.7, "fast_setup": 0.5}),
    "tv": Product("TV & Internet", 0.20, {"billing": 1.3}),
}


@dataclass(frozen=True)
class SurveyKind:
    """An NPS+ survey kind: its share, the channels it is sent over and its cause boosts."""

    weight: float
    channels: Mapping[str, float]
    boost: Mapping[str, float] = field(default_factory=dict)


SURVEY_KINDS: Final[dict[schema.SurveyType, SurveyKind]] = {
    schema.SurveyType.RELATIONAL: SurveyKind(
        0.50, {"Email": 0.75, "Web": 0.25}, {"price": 1.3, "network": 1.2}
    ),
    schema.SurveyType.TRANSACTIONAL: SurveyKind(
        0.35,
        {"Email": 0.45, "SMS": 0.55},
        {"support_wait": 1.8, "rude_staff": 1.8, "friendly_staff": 1.6, "price": 0.6},
    ),
    schema.SurveyType.IN_THE_MOMENT: SurveyKind(0.15, {"In-app": 1.0}, {"app": 2.5}),
}
TICKET_CHANNELS: Final[dict[str, float]] = {"email": 0.45, "chat": 0.35, "phone": 0.20}


@dataclass(frozen=True)
class LanguageBank:
    """Everything written in one language.

    Clause templates are main clauses in mid-sentence form (lower-case start where the language
    allows) without final punctuation, so two can be joined by a connective. Placeholders:
    ``{amount}`` (the market's money), ``{product}`` (a noun phrase for the row's product that
    fits every template of the language) and the keys of ``fillers``. In gendered languages the
    ``staff`` filler holds masculine singular noun phrases to keep agreement right.
    """

    clauses: Mapping[str, tuple[str, ...]]
    fillers: Mapping[str, tuple[str, ...]]
    products: Mapping[str, tuple[str, ...]]
    contrastive: tuple[str, ...]
    additive: tuple[str, ...]
    empty: tuple[str, ...]
    subjects: Mapping[str, tuple[str, ...]]
    greetings: tuple[str, ...]
    requests: tuple[str, ...]
    signoffs: tuple[str, ...]


BANKS: Final[dict[str, LanguageBank]] = {
    "en": LanguageBank(
        clauses={
            "billing": (
                "I was charged {amount} extra without any explanation",
                "my last invoice was wrong again",
                "they billed me twice this month",
                "there's a charge of {amount} on my bill that I never agreed to",
                "the bill for {product} is always higher than what was promised",
                "I'm still waiting for a refund of {amount}",
                "billing mistakes every single month",
                "they keep charging me for a service I cancelled",
                "unexpected charges on the invoice",
            ),
            "network": (
                "the internet drops {often}",
                "my connection keeps cutting out, especially in the evening",
                "speeds are nowhere near what I pay for",
                "constant outages with {product}",
                "the wifi is painfully slow",
                "no signal at home half the time",
                "the internet was down for {days}",
                "streaming keeps buffering because the connection is so unstable",
            ),
            "support_wait": (
                "I was on hold for {hold} before anyone picked up",
                "waited {hold} on the phone to speak to someone",
                "nobody answered my email for {days}",
                "it takes forever to reach customer service",
                "the support queue is ridiculous",
                "still no reply after {days}",
                "the chat says an agent will be with you shortly and then nothing for {hold}",
            ),
            "rude_staff": (
                "{staff} was rude and hung up on me",
                "{staff} was really unhelpful and didn't even try to solve my problem",
                "the staff couldn't care less",
                "I was treated like an idiot by {staff}",
                "nobody in customer service knows what they're talking about",
                "{staff} was condescending and kept interrupting me",
                "they promised to call back and never did",
            ),
            "app": (
                "the Qelvo app keeps crashing",
                "I can't log in to the app since the last update",
                "the website is down every time I try to pay",
                "the app logs me out constantly",
                "can't see my usage in the app anymore",
                "the new app is a mess, nothing loads",
                "the app won't let me manage {product}",
                "paying through the website fails with an error",
                "the app freezes {often}",
                "after the update the app won't open at all",
            ),
            "price": (
                "way too expensive for what you get",
                "the price went up by {amount} again",
                "{product} costs more than at any other provider",
                "other providers are much cheaper",
                "I pay {amount} a month, that's too much",
                "the yearly price increase is unacceptable",
                "too pricey",
                "the promotion ended and now I'm paying a fortune",
            ),
            "friendly_staff": (
                "{staff} was super friendly and helpful",
                "{staff} went out of their way to help me",
                "the staff in the store are always polite and patient",
                "great customer service, they solved my problem right away",
                "{staff} explained everything clearly",
                "really kind people on the helpline",
                "the support team was lovely",
            ),
            "fast_setup": (
                "installation was done {soon}",
                "{product} was up and running {soon}",
                "the technician came {soon} and everything worked straight away",
                "switching to Qelvo was quick and painless",
                "my SIM arrived {soon} and worked immediately",
                "super fast installation",
                "activation took only a few minutes",
            ),
        },
        fillers={
            "hold": (
                "45 minutes",
                "over an hour",
                "two hours",
                "almost an hour",
                "an hour and a half",
            ),
            "days": ("three days", "a week", "over a week", "five days", "two weeks"),
            "soon": (
                "the next day",
                "within two days",
                "within 24 hours",
                "in less than a week",
                "the same day",
            ),
            "often": (
                "every evening",
                "several times a day",
                "all the time",
                "every few hours",
                "every weekend",
            ),
            "staff": (
                "the agent",
                "the guy on the phone",
                "the lady at the store",
                "the technician",
                "the person in the chat",
            ),
        },
        products={
            "fibre": ("my fibre connection", "my fibre", "my home internet"),
            "mobile": ("my mobile plan", "my phone contract", "my SIM"),
            "prepaid": ("my prepaid SIM", "my prepaid bundle"),
            "tv": ("my TV package", "my TV and internet bundle", "my TV box"),
        },
        contrastive=(", but ", " but ", ", however "),
        additive=(" and ", ", and also ", ". "),
        empty=("nothing", "no comment", "nothing to add", "none"),
        subjects={
            "billing": ("Wrong invoice", "Unexpected charge on my bill"),
            "network": ("Internet keeps dropping", "Slow connection"),
            "support_wait": ("Nobody answers", "Still waiting for a reply"),
            "rude_staff": ("Complaint about an agent", "Complaint about service"),
            "app": ("App not working", "Cannot log in"),
            "price": ("Price increase", "Too expensive"),
        },
        greetings=("Hi,", "Hello,", "Good morning,", "Dear Qelvo team,"),
        requests=(
            "Please fix this as soon as possible.",
            "Can someone look into this?",
            "I'd like a call back about this.",
            "Please sort this out.",
            "Call me on {phone}.",
            "You can reach me at {email}.",
        ),
        signoffs=("Thanks", "Thank you", "Regards", "Kind regards"),
    ),
    "nl": LanguageBank(
        clauses={
            "billing": (
                "er is {amount} extra afgeschreven zonder uitleg",
                "mijn laatste factuur klopte weer niet",
                "ze hebben deze maand twee keer afgeschreven",
                "er staat een bedrag van {amount} op mijn rekening waar ik nooit mee akkoord "
                "ben gegaan",
                "de rekening voor {product} is altijd hoger dan afgesproken",
                "ik wacht nog steeds op een terugbetaling van {amount}",
                "elke maand weer fouten in de facturatie",
                "ik betaal nog steeds voor een dienst die ik al lang heb opgezegd",
                "onverwachte kosten op de factuur",
            ),
            "network": (
                "het internet valt {often} weg",
                "mijn verbinding valt steeds weg, vooral 's avonds",
                "de snelheid haalt bij lange na niet wat ik betaal",
                "constant storingen met {product}",
                "de wifi is tergend traag",
                "de helft van de tijd geen bereik thuis",
                "het internet lag er {days} uit",
                "streamen hapert continu door de slechte verbinding",
            ),
            "support_wait": (
                "ik heb {hold} in de wacht gestaan voordat iemand opnam",
                "{hold} aan de telefoon gehangen om iemand te spreken",
                "niemand heeft {days} op mijn mail gereageerd",
                "de klantenservice is bijna niet te bereiken",
                "de wachtrij bij de klantenservice is belachelijk lang",
                "na {days} nog steeds geen antwoord",
                "in de chat staat dat er zo een medewerker komt en dan gebeurt er {hold} niks",
            ),
            "rude_staff": (
                "{staff} was onbeleefd en hing gewoon op",
                "{staff} was totaal niet behulpzaam en deed geen moeite om mijn probleem op "
                "te lossen",
                "het personeel kan het niks schelen",
                "ik werd door {staff} behandeld alsof ik dom was",
                "niemand bij de klantenservice weet waar ze het over hebben",
                "{staff} was neerbuigend en onderbrak me steeds",
                "beloofd terug te bellen, nooit meer iets gehoord",
            ),
            "app": (
                "de Qelvo-app crasht steeds",
                "sinds de laatste update kan ik niet meer inloggen in de app",
                "de website ligt eruit zodra ik wil betalen",
                "de app logt me constant uit",
                "mijn verbruik is niet meer te zien in de app",
                "de nieuwe app is een drama, er laadt niks",
                "in de app kan ik {product} niet beheren",
                "betalen via de website geeft steeds een foutmelding",
                "de app loopt {often} vast",
                "na de update start de app helemaal niet meer op",
            ),
            "price": (
                "veel te duur voor wat je krijgt",
                "de prijs is alweer met {amount} omhoog gegaan",
                "{product} is duurder dan bij elke andere aanbieder",
                "andere providers zijn veel goedkoper",
                "ik betaal {amount} per maand, dat is echt te veel",
                "de jaarlijkse prijsverhoging is onacceptabel",
                "te prijzig",
                "de actie is afgelopen en nu betaal ik me blauw",
            ),
            "friendly_staff": (
                "{staff} was super vriendelijk en behulpzaam",
                "{staff} deed echt moeite om me te helpen",
                "het personeel in de winkel is altijd beleefd en geduldig",
                "top klantenservice, mijn probleem was meteen opgelost",
                "{staff} legde alles duidelijk uit",
                "heel aardige mensen aan de telefoon",
                "het supportteam was geweldig",
            ),
            "fast_setup": (
                "de installatie was {soon} geregeld",
                "{product} werkte {soon} al",
                "de monteur kwam {soon} en alles deed het meteen",
                "overstappen naar Qelvo ging snel en zonder gedoe",
                "mijn simkaart kwam {soon} binnen en werkte direct",
                "supersnelle installatie",
                "activeren duurde maar een paar minuten",
            ),
        },
        fillers={
            "hold": (
                "45 minuten",
                "meer dan een uur",
                "twee uur",
                "bijna een uur",
                "anderhalf uur",
            ),
            "days": ("drie dagen", "een week", "ruim een week", "vijf dagen", "twee weken"),
            "soon": (
                "de volgende dag",
                "binnen twee dagen",
                "binnen 24 uur",
                "binnen een week",
                "dezelfde dag",
            ),
            "often": (
                "elke avond",
                "meerdere keren per dag",
                "de hele tijd",
                "om de paar uur",
                "elk weekend",
            ),
            "staff": (
                "de medewerker",
                "de man aan de telefoon",
                "de vrouw in de winkel",
                "de monteur",
                "de medewerker in de chat",
            ),
        },
        products={
            "fibre": ("mijn glasvezel", "mijn internet thuis", "mijn glasvezelabonnement"),
            "mobile": ("mijn mobiele abonnement", "mijn telefoonabonnement", "mijn simkaart"),
            "prepaid": ("mijn prepaid simkaart", "mijn prepaid bundel"),
            "tv": ("mijn tv-pakket", "mijn tv en internet", "mijn tv-kastje"),
        },
        contrastive=(", maar ", " maar "),
        additive=(" en ", ", en ", ". "),
        empty=("niets", "geen", "nee", "niks toe te voegen"),
        subjects={
            "billing": ("Foute factuur", "Onbekende afschrijving"),
            "network": ("Internet valt steeds weg", "Trage verbinding"),
            "support_wait": ("Niemand neemt op", "Nog steeds geen reactie"),
            "rude_staff": ("Klacht over medewerker", "Klacht over service"),
            "app": ("App werkt niet", "Kan niet inloggen"),
            "price": ("Prijsverhoging", "Te duur"),
        },
        greetings=("Hallo,", "Goedemorgen,", "Beste Qelvo,", "Hoi,"),
        requests=(
            "Graag zo snel mogelijk oplossen.",
            "Kan iemand hiernaar kijken?",
            "Ik wil graag teruggebeld worden.",
            "Wilt u dit rechtzetten?",
            "Bel me op {phone}.",
            "Mail me op {email}.",
        ),
        signoffs=("Groet", "Met vriendelijke groet", "Bedankt", "Mvg"),
    ),
    "af": LanguageBank(
        clauses={
            "billing": (
                "hulle het {amount} ekstra afgetrek sonder enige verduideliking",
                "my laaste faktuur was weer verkeerd",
                "hulle het my hierdie maand twee keer gedebiteer",
                "daar is 'n bedrag van {amount} op my rekening wat ek nooit goedgekeur het nie",
                "die rekening vir {product} is altyd hoër as wat belowe is",
                "ek wag nog steeds vir 'n terugbetaling van {amount}",
                "elke maand is daar foute op die rekening",
                "hulle hou aan om my te debiteer vir 'n diens wat ek gekanselleer het",
                "onverwagte koste op die faktuur",
            ),
            "network": (
                "die internet val {often} uit",
                "my verbinding sny heeltyd uit, veral saans",
                "die spoed is glad nie wat ek voor betaal nie",
                "gedurige onderbrekings met {product}",
                "die wifi is ontsettend stadig",
                "die helfte van die tyd geen sein by die huis nie",
                "die internet was {days} af",
                "streaming buffer aanhoudend omdat die verbinding so onstabiel is",
            ),
            "support_wait": (
                "ek het {hold} gewag voordat iemand die foon opgetel het",
                "{hold} aan die foon gewag om met iemand te praat",
                "niemand het my e-pos vir {days} beantwoord nie",
                "dit vat 'n ewigheid om kliëntediens in die hande te kry",
                "die wagtyd by kliëntediens is belaglik",
                "na {days} nog steeds geen antwoord nie",
                "die chat sê 'n agent kom nou, en dan gebeur daar {hold} niks nie",
            ),
            "rude_staff": (
                "{staff} was onbeskof en het sommer die foon neergesit",
                "{staff} was glad nie behulpsaam nie en het nie eers probeer om my probleem op "
                "te los nie",
                "die personeel gee nie om nie",
                "ek is deur {staff} behandel asof ek dom is",
                "niemand by kliëntediens weet waarvan hulle praat nie",
                "{staff} was neerhalend en het my heeltyd onderbreek",
                "hulle het belowe om terug te bel en nooit gebel nie",
            ),
            "app": (
                "die Qelvo-app crash heeltyd",
                "sedert die laaste opdatering kan ek nie in die app aanmeld nie",
                "die webwerf is af elke keer as ek wil betaal",
                "die app meld my heeltyd af",
                "ek kan nie meer my verbruik in die app sien nie",
                "die nuwe app is 'n gemors, niks laai nie",
                "ek kan nie {product} in die app bestuur nie",
                "betaling op die webwerf gee 'n fout",
                "die app vries {often}",
                "na die opdatering wil die toep glad nie oopmaak nie",
            ),
            "price": (
                "veels te duur vir wat jy kry",
                "die prys het weer met {amount} gestyg",
                "{product} kos meer as by enige ander verskaffer",
                "ander verskaffers is baie goedkoper",
                "ek betaal {amount} per maand, dis te veel",
                "die jaarlikse prysverhoging is onaanvaarbaar",
                "te duur",
                "die promosie is verby en nou betaal ek 'n fortuin",
            ),
            "friendly_staff": (
                "{staff} was baie vriendelik en behulpsaam",
                "{staff} het moeite gedoen om my te help",
                "die personeel in die winkel is altyd beleefd en geduldig",
                "uitstekende kliëntediens, my probleem is dadelik opgelos",
                "{staff} het alles duidelik verduidelik",
                "baie gawe mense op die hulplyn",
                "die ondersteuningspan was wonderlik",
            ),
            "fast_setup": (
                "die installasie is {soon} gedoen",
                "{product} het {soon} al gewerk",
                "die tegnikus het {soon} gekom en alles het dadelik gewerk",
                "oorskakel na Qelvo was vinnig en maklik",
                "my SIM-kaart het {soon} aangekom en dadelik gewerk",
                "baie vinnige installasie",
                "aktivering het net 'n paar minute geneem",
            ),
        },
        fillers={
            "hold": ("45 minute", "meer as 'n uur", "twee uur", "amper 'n uur", "anderhalf uur"),
            "days": ("drie dae", "'n week", "meer as 'n week", "vyf dae", "twee weke"),
            "soon": (
                "die volgende dag",
                "binne twee dae",
                "binne 24 uur",
                "binne 'n week",
                "dieselfde dag",
            ),
            "often": (
                "elke aand",
                "'n paar keer per dag",
                "heeltyd",
                "elke paar uur",
                "elke naweek",
            ),
            "staff": (
                "die agent",
                "die man op die foon",
                "die dame in die winkel",
                "die tegnikus",
                "die persoon op die chat",
            ),
        },
        products={
            "fibre": ("my veselinternet", "my fiber", "my internet by die huis"),
            "mobile": ("my selfoonkontrak", "my sellulêre kontrak", "my SIM-kaart"),
            "prepaid": ("my voorafbetaalde SIM", "my voorafbetaalde bundel"),
            "tv": ("my TV-pakket", "my dekodeerder", "my TV- en internetpakket"),
        },
        contrastive=(", maar ", " maar "),
        additive=(" en ", ". "),
        empty=("niks", "geen kommentaar", "niks om by te voeg nie", "nee"),
        subjects={
            "billing": ("Verkeerde faktuur", "Onverwagte debiet"),
            "network": ("Internet val heeltyd uit", "Stadige verbinding"),
            "support_wait": ("Niemand antwoord nie", "Wag nog steeds vir 'n antwoord"),
            "rude_staff": ("Klagte oor 'n agent", "Klagte oor diens"),
            "app": ("App werk nie", "Kan nie aanmeld nie"),
            "price": ("Prysverhoging", "Te duur"),
        },
        greetings=("Hallo,", "Goeiemôre,", "Beste Qelvo,", "Hi,"),
        requests=(
            "Maak dit asseblief so gou moontlik reg.",
            "Kan iemand asseblief hierna kyk?",
            "Ek wil graag teruggebel word.",
            "Sorteer dit asseblief uit.",
            "Bel my by {phone}.",
            "Stuur vir my 'n e-pos by {email}.",
        ),
        signoffs=("Dankie", "Groete", "Vriendelike groete", "Baie dankie"),
    ),
    "ro": LanguageBank(
        clauses={
            "billing": (
                "mi-au luat {amount} în plus fără nicio explicație",
                "ultima factură a fost din nou greșită",
                "m-au taxat de două ori luna asta",
                "am pe factură o sumă de {amount} pe care nu am acceptat-o niciodată",
                "factura pentru {product} e mereu mai mare decât ce mi s-a promis",
                "încă aștept să-mi returneze {amount}",
                "greșeli la facturare în fiecare lună",
                "mă taxează în continuare pentru un serviciu pe care l-am anulat",
                "costuri neașteptate pe factură",
            ),
            "network": (
                "internetul pică {often}",
                "conexiunea se întrerupe tot timpul, mai ales seara",
                "viteza nu are nicio legătură cu ce plătesc",
                "întreruperi constante la {product}",
                "wifi-ul e îngrozitor de lent",
                "jumătate din timp n-am semnal acasă",
                "internetul n-a mers {days}",
                "filmele se opresc mereu din cauza conexiunii instabile",
            ),
            "support_wait": (
                "am stat {hold} la telefon până a răspuns cineva",
                "am așteptat {hold} în coadă ca să vorbesc cu un operator",
                "nimeni nu mi-a răspuns la email de {days}",
                "durează o veșnicie să dai de cineva la serviciul clienți",
                "timpul de așteptare la call center e ridicol",
                "după {days} tot niciun răspuns",
                "pe chat scrie că un operator vă va răspunde în curând, apoi nimic timp de {hold}",
            ),
            "rude_staff": (
                "{staff} a fost nepoliticos și mi-a închis telefonul în nas",
                "{staff} nu m-a ajutat deloc și nici nu a încercat să-mi rezolve problema",
                "angajaților nu le pasă deloc de clienți",
                "{staff} m-a tratat ca pe un prost",
                "nimeni de la serviciul clienți nu știe despre ce vorbește",
                "{staff} a fost arogant și m-a întrerupt tot timpul",
                "au promis că mă sună înapoi și nu m-a mai sunat nimeni",
                "personalul e nepoliticos și nu te ajută cu nimic",
            ),
            "app": (
                "aplicația Qelvo se blochează mereu",
                "de la ultimul update nu mă mai pot loga în aplicație",
                "site-ul nu merge de fiecare dată când vreau să plătesc",
                "aplicația mă deloghează tot timpul",
                "nu-mi mai văd consumul în aplicație",
                "aplicația nouă e un dezastru, nu se încarcă nimic",
                "nu pot gestiona {product} din aplicație",
                "plata pe site dă eroare",
                "aplicația se blochează {often}",
                "după actualizare aplicația nici nu mai pornește",
            ),
            "price": (
                "mult prea scump pentru ce primești",
                "prețul a crescut iar cu {amount}",
                "{product} costă mai mult decât la orice alt operator",
                "alți operatori sunt mult mai ieftini",
                "plătesc {amount} pe lună, e prea mult",
                "scumpirea anuală e inacceptabilă",
                "prea scump",
                "s-a terminat promoția și acum plătesc o avere",
            ),
            "friendly_staff": (
                "{staff} a fost foarte amabil și de ajutor",
                "{staff} a făcut tot posibilul să mă ajute",
                "personalul din magazin e mereu politicos și răbdător",
                "serviciu clienți excelent, mi-au rezolvat problema imediat",
                "{staff} mi-a explicat totul foarte clar",
                "oameni foarte drăguți la linia de asistență",
                "echipa de suport a fost minunată",
            ),
            "fast_setup": (
                "instalarea s-a făcut {soon}",
                "{product} a funcționat {soon}",
                "tehnicianul a venit {soon} și totul a mers din prima",
                "trecerea la Qelvo a fost rapidă și fără bătăi de cap",
                "cartela SIM a ajuns {soon} și a mers imediat",
                "instalare super rapidă",
                "activarea a durat doar câteva minute",
            ),
        },
        fillers={
            "hold": (
                "45 de minute",
                "mai mult de o oră",
                "două ore",
                "aproape o oră",
                "o oră și jumătate",
            ),
            "days": (
                "trei zile",
                "o săptămână",
                "mai bine de o săptămână",
                "cinci zile",
                "două săptămâni",
            ),
            "soon": (
                "a doua zi",
                "în două zile",
                "în mai puțin de 24 de ore",
                "în mai puțin de o săptămână",
                "în aceeași zi",
            ),
            "often": (
                "în fiecare seară",
                "de câteva ori pe zi",
                "tot timpul",
                "la câteva ore",
                "în fiecare weekend",
            ),
            "staff": (
                "operatorul",
                "tehnicianul",
                "consultantul de pe chat",
                "domnul de la magazin",
                "angajatul de la call center",
            ),
        },
        products={
            "fibre": ("abonamentul de fibră", "internetul de acasă", "fibra optică"),
            "mobile": ("abonamentul de mobil", "abonamentul de telefon", "cartela SIM"),
            "prepaid": ("cartela preplătită", "pachetul prepaid"),
            "tv": ("pachetul TV", "pachetul de TV și internet", "receiverul TV"),
        },
        contrastive=(", dar ", " dar ", ", însă "),
        additive=(" și ", ", iar ", ". "),
        empty=("nimic", "fără comentarii", "nu am nimic de adăugat", "nu"),
        subjects={
            "billing": ("Factură greșită", "Taxă neașteptată"),
            "network": ("Internetul pică", "Conexiune lentă"),
            "support_wait": ("Nu răspunde nimeni", "Încă aștept un răspuns"),
            "rude_staff": ("Reclamație operator", "Reclamație servicii"),
            "app": ("Aplicația nu merge", "Nu mă pot loga"),
            "price": ("Creștere de preț", "Prea scump"),
        },
        greetings=("Bună ziua,", "Salut,", "Bună,", "Stimată echipă Qelvo,"),
        requests=(
            "Vă rog să rezolvați cât mai repede.",
            "Poate cineva să verifice?",
            "Aș dori să fiu sunat înapoi.",
            "Vă rog să remediați problema.",
            "Sunați-mă la {phone}.",
            "Îmi puteți scrie la {email}.",
        ),
        signoffs=("Mulțumesc", "Cu stimă", "Mersi", "Toate cele bune"),
    ),
    "pt": LanguageBank(
        clauses={
            "billing": (
                "cobraram-me {amount} a mais sem qualquer explicação",
                "me cobraram {amount} a mais sem explicação nenhuma",
                "a última fatura veio errada outra vez",
                "fui cobrado duas vezes este mês",
                "tenho na fatura um valor de {amount} que nunca autorizei",
                "com {product} a fatura vem sempre mais alta do que o combinado",
                "ainda estou à espera de um reembolso de {amount}",
                "erros na faturação todos os meses",
                "continuam a cobrar-me um serviço que já cancelei",
                "cobranças inesperadas na conta",
            ),
            "network": (
                "a internet cai {often}",
                "a ligação está sempre a falhar, sobretudo à noite",
                "a velocidade nem chega perto do que eu pago",
                "falhas constantes com {product}",
                "o wi-fi é lentíssimo",
                "metade do tempo não tenho rede em casa",
                "fiquei sem internet durante {days}",
                "os vídeos estão sempre a travar porque a conexão é muito instável",
                "a internet vive caindo",
            ),
            "support_wait": (
                "estive {hold} em espera até alguém atender",
                "esperei {hold} ao telefone para falar com alguém",
                "ninguém respondeu ao meu email durante {days}",
                "é impossível falar com o apoio ao cliente",
                "a fila de espera do atendimento é ridícula",
                "ao fim de {days} continuo sem resposta",
                "no chat diz que um assistente vai atender em breve e depois nada durante {hold}",
            ),
            "rude_staff": (
                "{staff} foi mal-educado e desligou-me o telefone na cara",
                "{staff} não ajudou em nada e nem tentou resolver o meu problema",
                "os funcionários estão-se nas tintas para os clientes",
                "{staff} tratou-me como se eu fosse burro",
                "ninguém no apoio ao cliente sabe do que está a falar",
                "{staff} foi arrogante e interrompeu-me o tempo todo",
                "prometeram ligar de volta e nunca ligaram",
                "o atendimento é grosseiro e não resolve nada",
            ),
            "app": (
                "a app da Qelvo está sempre a bloquear",
                "desde a última atualização não consigo entrar na app",
                "o site vai abaixo sempre que tento pagar",
                "o aplicativo fica me deslogando toda hora",
                "já não consigo ver os meus consumos na app",
                "a nova app é uma confusão, não carrega nada",
                "não consigo gerir {product} na app",
                "o pagamento pelo site dá erro",
                "a app bloqueia {often}",
                "depois da atualização o aplicativo nem abre",
            ),
            "price": (
                "demasiado caro para o que oferece",
                "o preço voltou a subir {amount}",
                "{product} custa mais do que em qualquer outra operadora",
                "as outras operadoras são muito mais baratas",
                "pago {amount} por mês, é demasiado",
                "o aumento anual de preço é inaceitável",
                "muito caro",
                "acabou a promoção e agora pago uma fortuna",
            ),
            "friendly_staff": (
                "{staff} foi super simpático e prestável",
                "{staff} fez de tudo para me ajudar",
                "os funcionários da loja são sempre educados e pacientes",
                "atendimento excelente, resolveram o meu problema logo",
                "{staff} explicou tudo com muita clareza",
                "pessoas muito atenciosas na linha de apoio",
                "a equipa de suporte foi impecável",
            ),
            "fast_setup": (
                "a instalação foi feita {soon}",
                "{product} ficou a funcionar {soon}",
                "o técnico veio {soon} e ficou tudo a funcionar logo",
                "mudar para a Qelvo foi rápido e sem complicações",
                "o cartão SIM chegou {soon} e funcionou logo",
                "instalação super rápida",
                "a ativação demorou só uns minutos",
            ),
        },
        fillers={
            "hold": (
                "45 minutos",
                "mais de uma hora",
                "duas horas",
                "quase uma hora",
                "hora e meia",
            ),
            "days": ("três dias", "uma semana", "mais de uma semana", "cinco dias", "duas semanas"),
            "soon": (
                "no dia seguinte",
                "em dois dias",
                "em menos de 24 horas",
                "em menos de uma semana",
                "no mesmo dia",
            ),
            "often": (
                "todas as noites",
                "várias vezes por dia",
                "a toda a hora",
                "de poucas em poucas horas",
                "todos os fins de semana",
            ),
            "staff": (
                "o atendente",
                "o técnico",
                "o funcionário da loja",
                "o rapaz do apoio ao cliente",
                "o assistente do chat",
            ),
        },
        products={
            "fibre": ("a minha fibra", "a minha internet de casa", "o meu plano de fibra"),
            "mobile": ("o meu tarifário móvel", "o meu plano de celular", "o meu cartão SIM"),
            "prepaid": ("o meu cartão pré-pago", "o meu pacote pré-pago"),
            "tv": ("o meu pacote de TV", "a minha box de TV", "o meu pacote de TV e internet"),
        },
        contrastive=(", mas ", " mas ", ", porém "),
        additive=(" e ", ", e ainda ", ". "),
        empty=("nada", "sem comentários", "nada a acrescentar", "não"),
        subjects={
            "billing": ("Fatura errada", "Cobrança indevida"),
            "network": ("Internet sempre a cair", "Ligação lenta"),
            "support_wait": ("Ninguém atende", "Continuo sem resposta"),
            "rude_staff": ("Reclamação sobre atendente", "Reclamação sobre o atendimento"),
            "app": ("App não funciona", "Não consigo entrar"),
            "price": ("Aumento de preço", "Muito caro"),
        },
        greetings=("Olá,", "Bom dia,", "Boa tarde,", "Caros senhores,"),
        requests=(
            "Por favor resolvam isto o mais rápido possível.",
            "Alguém pode verificar?",
            "Gostaria que me ligassem de volta.",
            "Peço que corrijam a situação.",
            "Liguem-me para o {phone}.",
            "Podem contactar-me pelo {email}.",
        ),
        signoffs=("Obrigado", "Obrigada", "Cumprimentos", "Atenciosamente"),
    ),
    "ar": LanguageBank(
        clauses={
            "billing": (
                "تم خصم {amount} من رصيدي دون أي توضيح",
                "الفاتورة الأخيرة كانت خاطئة مرة أخرى",
                "تم تحصيل المبلغ مني مرتين هذا الشهر",
                "يوجد مبلغ {amount} في فاتورتي لم أوافق عليه أبداً",
                "فاتورة {product} دائماً أعلى من المتفق عليه",
                "ما زلت أنتظر استرداد {amount}",
                "أخطاء في الفواتير كل شهر",
                "ما زالوا يخصمون مني رسوم خدمة ألغيتها",
                "رسوم غير متوقعة في الفاتورة",
            ),
            "network": (
                "الإنترنت ينقطع {often}",
                "الاتصال يفصل باستمرار خصوصاً في المساء",
                "السرعة أقل بكثير مما أدفع مقابله",
                "انقطاعات مستمرة في {product}",
                "الواي فاي بطيء جداً",
                "لا توجد تغطية في البيت نصف الوقت",
                "الإنترنت كان مقطوعاً لمدة {days}",
                "الفيديو يتوقف طول الوقت بسبب ضعف الشبكة",
            ),
            "support_wait": (
                "انتظرت {hold} على الهاتف حتى رد أحد",
                "بقيت على الانتظار {hold} لأتكلم مع موظف",
                "لم يرد أحد على بريدي الإلكتروني لمدة {days}",
                "من المستحيل الوصول إلى خدمة العملاء",
                "مدة الانتظار في خدمة العملاء طويلة جداً",
                "بعد {days} ما زلت بدون رد",
                "في الشات يقولون إن موظفاً سيرد قريباً ثم لا شيء لمدة {hold}",
            ),
            "rude_staff": (
                "{staff} كان وقحاً وأغلق الخط في وجهي",
                "{staff} لم يساعدني أبداً ولم يحاول حل مشكلتي",
                "الموظفون لا يهتمون بالعملاء إطلاقاً",
                "{staff} عاملني وكأنني غبي",
                "لا أحد في خدمة العملاء يعرف ما يتحدث عنه",
                "{staff} كان متعجرفاً وقاطعني طوال الوقت",
                "وعدوا بالاتصال بي ولم يتصل أحد",
            ),
            "app": (
                "تطبيق Qelvo يتوقف عن العمل باستمرار",
                "منذ آخر تحديث لا أستطيع تسجيل الدخول إلى التطبيق",
                "الموقع لا يعمل كلما حاولت الدفع",
                "التطبيق يسجل خروجي باستمرار",
                "لم أعد أستطيع رؤية استهلاكي في التطبيق",
                "التطبيق الجديد فوضى، لا يتم تحميل أي شيء",
                "لا أستطيع إدارة {product} من التطبيق",
                "الدفع عبر الموقع يعطي خطأ",
                "التطبيق يعلق {often}",
                "بعد التحديث التطبيق لا يفتح أصلاً",
            ),
            "price": (
                "غالي جداً مقارنة بما تحصل عليه",
                "السعر ارتفع مرة أخرى بمقدار {amount}",
                "سعر {product} أعلى من أي شركة أخرى",
                "الشركات الأخرى أرخص بكثير",
                "أدفع {amount} شهرياً وهذا كثير جداً",
                "الزيادة السنوية في الأسعار غير مقبولة",
                "الأسعار مرتفعة جداً",
                "انتهى العرض والآن أدفع مبلغاً خيالياً",
            ),
            "friendly_staff": (
                "{staff} كان لطيفاً جداً ومتعاوناً",
                "{staff} بذل كل جهده لمساعدتي",
                "الموظفون في الفرع دائماً مهذبون وصبورون",
                "خدمة عملاء ممتازة، حلوا مشكلتي فوراً",
                "{staff} شرح لي كل شيء بوضوح",
                "أشخاص لطفاء جداً على خط الدعم",
                "فريق الدعم كان رائعاً",
            ),
            "fast_setup": (
                "تم التركيب {soon}",
                "تم تفعيل {product} {soon}",
                "الفني جاء {soon} وكل شيء اشتغل مباشرة",
                "الانتقال إلى Qelvo كان سريعاً وسهلاً",
                "وصلت الشريحة {soon} واشتغلت فوراً",
                "تركيب سريع جداً",
                "التفعيل استغرق بضع دقائق فقط",
            ),
        },
        fillers={
            "hold": ("45 دقيقة", "أكثر من ساعة", "ساعتين", "حوالي ساعة", "ساعة ونصف"),
            "days": ("ثلاثة أيام", "أسبوع", "أكثر من أسبوع", "خمسة أيام", "أسبوعين"),
            "soon": (
                "في اليوم التالي",
                "خلال يومين",
                "في أقل من 24 ساعة",
                "في أقل من أسبوع",
                "في نفس اليوم",
            ),
            "often": (
                "كل ليلة",
                "عدة مرات في اليوم",
                "طوال الوقت",
                "كل بضع ساعات",
                "كل عطلة نهاية أسبوع",
            ),
            "staff": (
                "الموظف",
                "الفني",
                "موظف خدمة العملاء",
                "الموظف في الفرع",
                "موظف الدعم في الشات",
            ),
        },
        products={
            "fibre": ("خدمة الفايبر", "الإنترنت المنزلي", "باقة الألياف الضوئية"),
            "mobile": ("باقة الموبايل", "خط الجوال", "شريحة الاتصال"),
            "prepaid": ("الباقة المسبقة الدفع", "الخط المدفوع مسبقاً"),
            "tv": ("باقة التلفزيون", "جهاز استقبال التلفزيون"),
        },
        contrastive=("، لكن ", " لكن ", "، ولكن "),
        additive=(" و", "، و"),
        empty=("لا شيء", "لا تعليق", "لا يوجد", "لا"),
        subjects={
            "billing": ("فاتورة خاطئة", "خصم غير متوقع"),
            "network": ("الإنترنت ينقطع باستمرار", "بطء الاتصال"),
            "support_wait": ("لا أحد يرد", "ما زلت أنتظر الرد"),
            "rude_staff": ("شكوى ضد موظف", "شكوى من الخدمة"),
            "app": ("التطبيق لا يعمل", "لا أستطيع تسجيل الدخول"),
            "price": ("زيادة السعر", "السعر مرتفع جداً"),
        },
        greetings=("مرحباً،", "السلام عليكم،", "صباح الخير،", "فريق Qelvo المحترم،"),
        requests=(
            "أرجو حل المشكلة في أسرع وقت.",
            "هل يمكن لأحد مراجعة ذلك؟",
            "أرجو الاتصال بي.",
            "أرجو تصحيح الخطأ.",
            "اتصلوا بي على {phone}.",
            "يمكنكم مراسلتي على {email}.",
        ),
        signoffs=("شكراً", "مع التحية", "شكراً لكم", "تحياتي"),
    ),
    "es": LanguageBank(
        clauses={
            "billing": (
                "me cobraron {amount} de más sin ninguna explicación",
                "la última factura volvió a venir mal",
                "me han cobrado dos veces este mes",
                "aparece un cargo de {amount} que nunca autoricé",
                "sigo esperando que me devuelvan {amount}",
                "me siguen cobrando un servicio que ya di de baja",
            ),
            "network": (
                "el internet se cae {often}",
                "la conexión va fatal, sobre todo por la noche",
                "la velocidad no tiene nada que ver con lo que pago",
                "cortes constantes con {product}",
                "me quedé sin internet durante {days}",
            ),
            "support_wait": (
                "estuve {hold} esperando al teléfono hasta que alguien contestó",
                "nadie respondió a mi correo en {days}",
                "es imposible hablar con atención al cliente",
                "después de {days} sigo sin respuesta",
            ),
            "rude_staff": (
                "{staff} fue maleducado y me colgó",
                "{staff} no me ayudó en nada y ni siquiera intentó resolverlo",
                "al personal le dan igual los clientes",
                "{staff} me trató como a un tonto",
            ),
            "app": (
                "la app de Qelvo se cuelga constantemente",
                "desde la última actualización no puedo entrar en la app",
                "la web se cae cada vez que intento pagar",
                "la app me cierra la sesión {often}",
                "no puedo gestionar {product} desde la app",
            ),
            "price": (
                "demasiado caro para lo que ofrecen",
                "el precio ha vuelto a subir {amount}",
                "pago {amount} al mes, es demasiado",
                "otras compañías son mucho más baratas",
            ),
            "friendly_staff": (
                "{staff} fue muy amable y atento",
                "{staff} hizo todo lo posible por ayudarme",
                "el personal de la tienda siempre es educado y paciente",
                "atención al cliente de diez, me lo solucionaron al momento",
            ),
            "fast_setup": (
                "la instalación se hizo {soon}",
                "{product} funcionaba {soon}",
                "el técnico vino {soon} y todo funcionó a la primera",
                "cambiarme a Qelvo fue rápido y sin complicaciones",
            ),
        },
        fillers={
            "hold": ("45 minutos", "más de una hora", "dos horas", "casi una hora", "hora y media"),
            "days": ("tres días", "una semana", "más de una semana", "cinco días", "dos semanas"),
            "soon": (
                "al día siguiente",
                "en dos días",
                "en menos de 24 horas",
                "en menos de una semana",
                "el mismo día",
            ),
            "often": (
                "todas las noches",
                "varias veces al día",
                "a todas horas",
                "cada pocas horas",
                "todos los fines de semana",
            ),
            "staff": (
                "el agente",
                "el técnico",
                "el chico de la tienda",
                "el operador",
                "el asesor del chat",
            ),
        },
        products={
            "fibre": ("mi fibra", "mi internet de casa"),
            "mobile": ("mi tarifa móvil", "mi línea móvil"),
            "prepaid": ("mi tarjeta prepago",),
            "tv": ("mi paquete de TV", "mi deco de TV"),
        },
        contrastive=(", pero ", " pero ", ", aunque "),
        additive=(" y ", ". Además, "),
        empty=("nada", "sin comentarios", "nada que añadir", "no"),
        subjects={
            "billing": ("Factura incorrecta", "Cargo indebido"),
            "network": ("Internet se cae", "Conexión lenta"),
            "support_wait": ("Nadie contesta", "Sigo sin respuesta"),
            "rude_staff": ("Queja sobre un agente", "Queja sobre la atención"),
            "app": ("La app no funciona", "No puedo iniciar sesión"),
            "price": ("Subida de precio", "Demasiado caro"),
        },
        greetings=("Hola,", "Buenos días,", "Buenas tardes,", "Estimado equipo de Qelvo,"),
        requests=(
            "Por favor, solucionadlo cuanto antes.",
            "¿Alguien puede revisarlo?",
            "Quiero que me llamen.",
            "Les ruego que lo corrijan.",
            "Llámenme al {phone}.",
            "Pueden escribirme a {email}.",
        ),
        signoffs=("Gracias", "Un saludo", "Saludos", "Muchas gracias"),
    ),
    "de": LanguageBank(
        clauses={
            "billing": (
                "mir wurden {amount} extra abgebucht, ohne jede Erklärung",
                "die letzte Rechnung war schon wieder falsch",
                "diesen Monat wurde doppelt abgebucht",
                "auf der Rechnung steht ein Betrag von {amount}, dem ich nie zugestimmt habe",
                "ich warte immer noch auf eine Erstattung von {amount}",
                "bei meinem {product} stimmt die Abrechnung nie",
            ),
            "network": (
                "das Internet bricht {often} ab",
                "die Verbindung ist ständig weg, vor allem abends",
                "die Geschwindigkeit ist weit weg von dem, was ich bezahle",
                "ständig Störungen mit meinem {product}",
                "das Internet war {days} lang komplett tot",
            ),
            "support_wait": (
                "ich hing {hold} in der Warteschleife",
                "auf meine E-Mail hat {days} lang niemand geantwortet",
                "die Hotline ist praktisch nicht erreichbar",
                "nach {days} immer noch keine Antwort",
            ),
            "rude_staff": (
                "{staff} war unhöflich und hat einfach aufgelegt",
                "{staff} war null hilfsbereit und hat nicht mal versucht, mein Problem zu lösen",
                "den Mitarbeitern sind die Kunden völlig egal",
                "{staff} hat mich behandelt, als wäre ich blöd",
            ),
            "app": (
                "die Qelvo-App stürzt ständig ab",
                "seit dem letzten Update kann ich mich nicht mehr in der App anmelden",
                "die Webseite funktioniert nie, wenn ich bezahlen will",
                "die App meldet mich {often} ab",
                "in der App kann ich bei meinem {product} nichts mehr ändern",
            ),
            "price": (
                "viel zu teuer für das, was man bekommt",
                "der Preis ist schon wieder um {amount} gestiegen",
                "ich zahle {amount} im Monat, das ist einfach zu viel",
                "andere Anbieter sind deutlich günstiger",
            ),
            "friendly_staff": (
                "{staff} war super freundlich und hilfsbereit",
                "{staff} hat sich richtig Mühe gegeben, mir zu helfen",
                "die Leute im Shop sind immer höflich und geduldig",
                "toller Kundenservice, mein Problem war sofort gelöst",
            ),
            "fast_setup": (
                "die Installation war {soon} erledigt",
                "der Techniker kam {soon} und alles lief sofort",
                "der Wechsel zu Qelvo ging schnell und problemlos",
                "die SIM-Karte kam {soon} und funktionierte sofort",
            ),
        },
        fillers={
            "hold": (
                "45 Minuten",
                "über eine Stunde",
                "zwei Stunden",
                "fast eine Stunde",
                "anderthalb Stunden",
            ),
            "days": ("drei Tage", "eine Woche", "über eine Woche", "fünf Tage", "zwei Wochen"),
            "soon": (
                "am nächsten Tag",
                "innerhalb von zwei Tagen",
                "innerhalb von 24 Stunden",
                "in weniger als einer Woche",
                "noch am selben Tag",
            ),
            "often": (
                "jeden Abend",
                "mehrmals am Tag",
                "ständig",
                "alle paar Stunden",
                "jedes Wochenende",
            ),
            "staff": (
                "der Mitarbeiter",
                "der Techniker",
                "die Dame im Shop",
                "der Typ an der Hotline",
                "die Person im Chat",
            ),
        },
        products={
            "fibre": ("Glasfaseranschluss", "Internet"),
            "mobile": ("Handyvertrag", "Mobilfunkvertrag"),
            "prepaid": ("Prepaid-Tarif",),
            "tv": ("TV-Paket", "Kabelanschluss"),
        },
        contrastive=(", aber ", ", doch "),
        additive=(" und ", ". "),
        empty=("nichts", "kein Kommentar", "nichts hinzuzufügen", "nein"),
        subjects={
            "billing": ("Falsche Rechnung", "Unbekannte Abbuchung"),
            "network": ("Internet bricht ständig ab", "Langsame Verbindung"),
            "support_wait": ("Niemand erreichbar", "Immer noch keine Antwort"),
            "rude_staff": ("Beschwerde über Mitarbeiter", "Beschwerde über den Service"),
            "app": ("App funktioniert nicht", "Login nicht möglich"),
            "price": ("Preiserhöhung", "Zu teuer"),
        },
        greetings=("Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Moin,"),
        requests=(
            "Bitte beheben Sie das so schnell wie möglich.",
            "Kann sich das bitte jemand ansehen?",
            "Ich bitte um Rückruf.",
            "Bitte korrigieren Sie das.",
            "Rufen Sie mich unter {phone} an.",
            "Sie erreichen mich unter {email}.",
        ),
        signoffs=("Danke", "Viele Grüße", "Mit freundlichen Grüßen", "Gruß"),
    ),
    "fr": LanguageBank(
        clauses={
            "billing": (
                "on m'a prélevé {amount} de plus sans aucune explication",
                "la dernière facture était encore fausse",
                "j'ai été prélevé deux fois ce mois-ci",
                "il y a un montant de {amount} sur ma facture que je n'ai jamais accepté",
                "j'attends toujours un remboursement de {amount}",
                "avec {product} la facture est toujours plus élevée que prévu",
            ),
            "network": (
                "internet coupe {often}",
                "la connexion saute sans arrêt, surtout le soir",
                "le débit n'a rien à voir avec ce que je paie",
                "des coupures permanentes avec {product}",
                "plus d'internet pendant {days}",
            ),
            "support_wait": (
                "j'ai attendu {hold} au téléphone avant qu'on me réponde",
                "personne n'a répondu à mon mail pendant {days}",
                "impossible de joindre le service client",
                "toujours aucune réponse après {days}",
            ),
            "rude_staff": (
                "{staff} a été impoli et m'a raccroché au nez",
                "{staff} n'a rien fait pour m'aider et n'a même pas essayé de régler mon problème",
                "le personnel se fiche complètement des clients",
                "{staff} m'a pris pour un idiot",
            ),
            "app": (
                "l'appli Qelvo plante tout le temps",
                "depuis la dernière mise à jour je n'arrive plus à me connecter à l'appli",
                "le site bugue à chaque fois que je veux payer",
                "l'appli me déconnecte {often}",
                "impossible de gérer {product} dans l'appli",
            ),
            "price": (
                "beaucoup trop cher pour ce qu'on a",
                "le prix a encore augmenté de {amount}",
                "je paie {amount} par mois, c'est trop",
                "les autres opérateurs sont bien moins chers",
            ),
            "friendly_staff": (
                "{staff} a été très aimable et serviable",
                "{staff} a tout fait pour m'aider",
                "le personnel en boutique est toujours poli et patient",
                "service client au top, mon problème a été réglé tout de suite",
            ),
            "fast_setup": (
                "l'installation a été faite {soon}",
                "le technicien est venu {soon} et tout a marché du premier coup",
                "passer chez Qelvo a été rapide et simple",
                "{product} fonctionnait {soon}",
            ),
        },
        fillers={
            "hold": (
                "45 minutes",
                "plus d'une heure",
                "deux heures",
                "presque une heure",
                "une heure et demie",
            ),
            "days": (
                "trois jours",
                "une semaine",
                "plus d'une semaine",
                "cinq jours",
                "deux semaines",
            ),
            "soon": (
                "le lendemain",
                "en deux jours",
                "en moins de 24 heures",
                "en moins d'une semaine",
                "le jour même",
            ),
            "often": (
                "tous les soirs",
                "plusieurs fois par jour",
                "sans arrêt",
                "toutes les deux heures",
                "tous les week-ends",
            ),
            "staff": (
                "le conseiller",
                "le technicien",
                "le vendeur en boutique",
                "le gars au téléphone",
                "l'agent du chat",
            ),
        },
        products={
            "fibre": ("ma fibre", "ma connexion internet"),
            "mobile": ("mon forfait mobile", "ma ligne mobile"),
            "prepaid": ("ma carte prépayée",),
            "tv": ("ma box TV", "mon offre TV"),
        },
        contrastive=(", mais ", " mais ", ", par contre "),
        additive=(" et ", ", et en plus ", ". "),
        empty=("rien", "pas de commentaire", "rien à ajouter", "non"),
        subjects={
            "billing": ("Facture erronée", "Prélèvement inconnu"),
            "network": ("Internet coupe sans arrêt", "Connexion lente"),
            "support_wait": ("Personne ne répond", "Toujours pas de réponse"),
            "rude_staff": ("Réclamation conseiller", "Réclamation service client"),
            "app": ("L'appli ne marche pas", "Impossible de me connecter"),
            "price": ("Hausse de prix", "Trop cher"),
        },
        greetings=("Bonjour,", "Bonsoir,", "Madame, Monsieur,", "Salut,"),
        requests=(
            "Merci de régler ça au plus vite.",
            "Quelqu'un peut-il vérifier ?",
            "Je souhaite être rappelé.",
            "Merci de corriger le problème.",
            "Rappelez-moi au {phone}.",
            "Vous pouvez m'écrire à {email}.",
        ),
        signoffs=("Merci", "Cordialement", "Bonne journée", "Merci d'avance"),
    ),
}
LANGUAGES: Final = tuple(BANKS)

# Answers that say nothing; these carry no language ("und"), the banks' `empty` lists do.
NO_LANGUAGE_ANSWERS: Final = ("", "-", "n/a", ".", "/", "?")
# Share of survey rows with no cause, one cause, two causes (joined by a connective).
SURVEY_CAUSE_COUNTS: Final = (0.10, 0.62, 0.28)
TICKET_CAUSE_COUNTS: Final = (0.0, 0.85, 0.15)

BadReason = Literal["score_out_of_range", "bad_date"]
BAD_VALUES: Final[dict[BadReason, tuple[str, str]]] = {
    "score_out_of_range": (schema.NPS_SCORE, "11"),
    "bad_date": (schema.CREATED_AT, "2025-02-30 10:15:00"),
}

_SURVEY_STREAM: Final = 0
_TICKET_STREAM: Final = 1
_CUSTOMER_STREAM: Final = 2
_BASE_SCORE: Final = 8.9
_SCORE_NOISE: Final = 1.2
_HOUR_WEIGHTS: Final = np.array(
    [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 8, 8, 8, 9, 9, 8, 6, 4, 2], dtype=float
)
_ID_ALPHABET: Final = string.ascii_letters + string.digits
_EMAIL_NAMES: Final = (
    "maria",
    "jan",
    "ana",
    "ahmed",
    "pieter",
    "elena",
    "joao",
    "sarah",
    "thomas",
    "lucia",
    "andrei",
    "fatima",
)
_CLOSE_AFTER: Final = np.timedelta64(4, "D")


@dataclass(frozen=True)
class _Profile:
    country: str
    language: str
    product: str


# --- small random helpers ------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


_K = TypeVar("_K", bound=str)


def _weighted(rng: np.random.Generator, options: Mapping[_K, float]) -> _K:
    keys = list(options)
    cumulative = np.cumsum([options[k] for k in keys])
    return keys[int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))]


@cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _customer_id(k: int) -> str:
    # A bijection of 0..8,999,999 that makes sequential customers look unrelated.
    return f"CU{1_000_000 + (k * 7919) % 9_000_000}"


def _profiles(seed: int, customers: np.ndarray) -> dict[int, _Profile]:
    """Country, language and product of each customer, the same in surveys and tickets."""
    profiles = {}
    countries = {c: m.weight for c, m in MARKETS.items()}
    products = {p: prod.weight for p, prod in PRODUCTS.items()}
    for k in np.unique(customers).tolist():
        rng = np.random.default_rng((seed, _CUSTOMER_STREAM, k))
        country = _weighted(rng, countries)
        language = _weighted(rng, MARKETS[country].languages)
        profiles[k] = _Profile(country, language, _weighted(rng, products))
    return profiles


def _timestamps(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` sorted second-resolution times over the period, busier by day than by night."""
    start = np.datetime64(PERIOD_START, "s")
    days = int((np.datetime64(PERIOD_END, "D") - np.datetime64(PERIOD_START, "D")).astype(int))
    day = rng.integers(0, days, n)
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    second = rng.integers(0, 3600, n)
    offsets = (day * 86_400 + hour * 3600 + second).astype("timedelta64[s]")
    return np.sort(start + offsets)


def _format_times(times: np.ndarray, *, sep: str, suffix: str) -> list[str]:
    return [t.replace("T", sep) + suffix for t in np.datetime_as_string(times, unit="s")]


def _iso(t: np.datetime64) -> str:
    return f"{np.datetime_as_string(t, unit='s')}Z"


def _draw_causes(
    rng: np.random.Generator,
    when: np.ndarray,
    profiles: Sequence[_Profile],
    counts: tuple[float, float, float],
    extra_boost: Sequence[Mapping[str, float]] | None = None,
    allowed: Sequence[str] = tuple(CAUSES),
) -> list[tuple[str, ...]]:
    """Draw 0-2 distinct causes per row, weighted by segment boosts and the emerging trend."""
    ids = list(allowed)
    emerging = when >= np.datetime64(EMERGING_SINCE, "s")
    weights = np.empty((len(profiles), len(ids)))
    for j, cause in enumerate(ids):
        base = CAUSES[cause].weight
        weights[:, j] = [
            base
            * MARKETS[p.country].boost.get(cause, 1.0)
            * PRODUCTS[p.product].boost.get(cause, 1.0)
            * (extra_boost[i].get(cause, 1.0) if extra_boost is not None else 1.0)
            for i, p in enumerate(profiles)
        ]
        if cause == EMERGING_CAUSE:
            weights[emerging, j] *= EMERGING_BOOST
    how_many = rng.choice(3, size=len(profiles), p=counts)
    drawn: list[tuple[str, ...]] = []
    for row, count in zip(weights, how_many.tolist(), strict=True):
        order = rng.choice(len(ids), size=count, replace=False, p=row / row.sum())
        drawn.append(tuple(ids[j] for j in order.tolist()))
    return drawn


# --- text composition ----------------------------------------------------------------------


def _clause(rng: np.random.Generator, profile: _Profile, cause: str, used: set[str]) -> str:
    """Fill a template of ``cause``; filler values in ``used`` are avoided, then added to it."""
    bank = BANKS[profile.language]
    template = _pick(rng, bank.clauses[cause])
    market = MARKETS[profile.country]
    values = {}
    for name in _fields(template):
        if name == "amount":
            n = market.amounts[int(rng.integers(len(market.amounts)))]
            values[name] = market.money(n, profile.language)
        else:
            options = bank.products[profile.product] if name == "product" else bank.fillers[name]
            values[name] = _pick(rng, [o for o in options if o not in used] or options)
            used.add(values[name])
    return template.format(**values)


def _compose(rng: np.random.Generator, profile: _Profile, causes: Sequence[str]) -> tuple[str, str]:
    """Join one clause per cause, mid-sentence form without final punctuation.

    Returns the text and the kind of connective used (``""`` for one clause). The two clauses
    never share a filler ("the agent was rude, but the agent was lovely").
    """
    bank = BANKS[profile.language]
    used: set[str] = set()
    text = _clause(rng, profile, causes[0], used)
    if len(causes) == 1:
        return text, ""
    contrast = CAUSES[causes[0]].positive != CAUSES[causes[1]].positive
    joiner = _pick(rng, bank.contrastive if contrast else bank.additive)
    second = _clause(rng, profile, causes[1], used)
    text += joiner + (_capitalize(second) if joiner.endswith(". ") else second)
    return text, "contrastive" if contrast else "additive"


def _survey_comment(
    rng: np.random.Generator, profile: _Profile, causes: Sequence[str]
) -> tuple[str, str]:
    """A survey comment, capitalized and punctuated as people type them; see :func:`_compose`."""
    text, connective = _compose(rng, profile, causes)
    if rng.random() < 0.88:
        text = _capitalize(text)
    return text + _weighted(rng, {".": 0.55, "": 0.35, "!": 0.1}), connective


def _empty_answer(rng: np.random.Generator, language: str) -> tuple[str, str]:
    """A comment that names no cause, with its language (``und`` when it has none)."""
    if rng.random() < 0.5:
        return _pick(rng, NO_LANGUAGE_ANSWERS), schema.UNDETERMINED_LANGUAGE
    return _pick(rng, BANKS[language].empty), language


def _ticket_text(
    rng: np.random.Generator, profile: _Profile, causes: Sequence[str]
) -> tuple[str, bool]:
    """A ticket description (greeting, complaint, request, sign-off) and whether it holds PII."""
    bank = BANKS[profile.language]
    body = _compose(rng, profile, causes)[0] + "."
    # After a salutation the complaint goes on in lower case ("Hallo, die Rechnung ...").
    parts = [_pick(rng, bank.greetings), body] if rng.random() < 0.7 else [_capitalize(body)]
    pii = False
    if rng.random() < 0.8:
        request = _pick(rng, bank.requests)
        pii = bool(_fields(request))
        phone = (
            f"+{MARKETS[profile.country].phone_code} 555 "
            f"{rng.integers(100, 1000)} {rng.integers(1000, 10_000)}"
        )
        email = f"{_pick(rng, _EMAIL_NAMES)}{rng.integers(10, 100)}@example.com"
        parts.append(request.format(phone=phone, email=email))
    if rng.random() < 0.5:
        parts.append(_pick(rng, bank.signoffs))
    return " ".join(parts), pii


# --- survey --------------------------------------------------------------------------------


def _score(rng: np.random.Generator, profile: _Profile, causes: Sequence[str]) -> int:
    mean = _BASE_SCORE + MARKETS[profile.country].score_shift
    mean += sum(CAUSES[c].effect for c in causes)
    return int(np.clip(round(mean + rng.normal(0.0, _SCORE_NOISE)), 0, 10))


def _problem(rng: np.random.Generator, score: int, causes: Sequence[str]) -> str:
    """The NPS+ problem pick: asked of passives and detractors, sometimes skipped."""
    if score > 8:
        return ""
    negative = [c for c in causes if not CAUSES[c].positive]
    u = rng.random()
    if negative:
        if u < 0.75:
            return CAUSES[negative[0]].problem or ""
        return "Other" if u < 0.85 else ""
    if u < 0.5:
        return ""
    return "Other" if u < 0.8 else _pick(rng, PROBLEM_OPTIONS[:-1])


def _survey(n: int, seed: int, n_bad: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if n < 0 or not 0 <= n_bad <= n:
        raise ValueError(f"need 0 <= n_bad <= n, got n={n}, n_bad={n_bad}")
    rng = np.random.default_rng((seed, _SURVEY_STREAM))
    when = _timestamps(rng, n)
    customers = rng.integers(0, max(1, math.ceil(1.25 * n)), n)
    profile_of = _profiles(seed, customers)
    profiles = [profile_of[k] for k in customers.tolist()]
    kind_weights = {t: kind.weight for t, kind in SURVEY_KINDS.items()}
    kinds = [_weighted(rng, kind_weights) for _ in range(n)]
    boosts = [SURVEY_KINDS[t].boost for t in kinds]
    drawn = _draw_causes(rng, when, profiles, SURVEY_CAUSE_COUNTS, boosts)

    rows: dict[str, list[str]] = {col: [] for col in (*SURVEY_COLUMNS, *SURVEY_SEGMENTS)}
    truth: dict[str, list[str]] = {"language": [], "causes": [], "connective": [], "bad": []}
    for i, (profile, causes, kind) in enumerate(zip(profiles, drawn, kinds, strict=True)):
        if causes:
            text, connective = _survey_comment(rng, profile, causes)
            language = profile.language
        else:
            text, language = _empty_answer(rng, profile.language)
            connective = ""
        score = _score(rng, profile, causes)
        has_csat = rng.random() < (0.9 if kind == schema.SurveyType.TRANSACTIONAL else 0.1)
        csat = int(np.clip(round(score / 2.2 + 1.0 + rng.normal(0.0, 0.6)), 1, 5))
        token = rng.integers(len(_ID_ALPHABET), size=15).tolist()
        rows[schema.ID].append("R_" + "".join(_ID_ALPHABET[j] for j in token))
        rows[schema.TEXT].append(text)
        rows[schema.NPS_SCORE].append(str(score))
        rows[schema.CSAT].append(str(csat) if has_csat else "")
        rows[schema.PROBLEM].append(_problem(rng, score, causes))
        rows[schema.SURVEY_TYPE].append(kind.value)
        rows[schema.CUSTOMER_ID].append(_customer_id(int(customers[i])))
        rows["country"].append(profile.country)
        rows["product"].append(PRODUCTS[profile.product].name)
        rows["channel"].append(_weighted(rng, SURVEY_KINDS[kind].channels))
        truth["language"].append(language)
        truth["causes"].append("|".join(causes))
        truth["connective"].append(connective)
        truth["bad"].append("")
    rows[schema.CREATED_AT] = _format_times(when, sep=" ", suffix="")

    reasons = list(BAD_VALUES)
    for j, i in enumerate(sorted(rng.choice(n, size=n_bad, replace=False).tolist())):
        reason = reasons[j % len(reasons)]
        column, value = BAD_VALUES[reason]
        rows[column][i] = value
        truth["bad"][i] = reason

    names = {**SURVEY_COLUMNS, **SURVEY_SEGMENTS}
    order = [
        schema.ID, schema.CREATED_AT, schema.SURVEY_TYPE, "channel", "country", "product",
        schema.CUSTOMER_ID, schema.NPS_SCORE, schema.PROBLEM, schema.CSAT, schema.TEXT,
    ]  # fmt: skip
    export = pd.DataFrame({names[col]: rows[col] for col in order})
    truth_frame = pd.DataFrame({SURVEY_COLUMNS[schema.ID]: rows[schema.ID], **truth})
    return export, truth_frame


@overload
def generate_survey(
    n: int = ..., seed: int = ..., *, n_bad: int | None = ..., with_truth: Literal[False] = ...
) -> pd.DataFrame: ...
@overload
def generate_survey(
    n: int = ..., seed: int = ..., *, n_bad: int | None = ..., with_truth: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def generate_survey(
    n: int = 2000, seed: int = 0, *, n_bad: int | None = None, with_truth: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a survey tool's export of ``n`` NPS+ answers.

    Parameters
    ----------
    n
        Number of rows, bad ones included.
    seed
        Seed of every random draw; the same seed gives the same frame.
    n_bad
        Rows deliberately broken for ingestion's quarantine (score ``"11"`` or an impossible
        date, alternating); default ``n // 200`` (0.5%).
    with_truth
        Also return the hidden truth frame.

    Returns
    -------
    export
        One string column per export column (:data:`SURVEY_COLUMNS`, :data:`SURVEY_SEGMENTS`),
        sorted by submission time, blanks as ``""``.
    truth
        Only with ``with_truth``: ``ResponseID``, ``language`` (``"und"`` for answers without
        words), ``causes`` (cause ids joined by ``"|"``, ``""`` for none), ``connective``
        (``"contrastive"``, ``"additive"`` or ``""``) and ``bad`` (a :data:`BAD_VALUES` reason
        or ``""``), row-aligned with the export.
    """
    export, truth = _survey(n, seed, n // 200 if n_bad is None else n_bad)
    return (export, truth) if with_truth else export


# --- tickets -------------------------------------------------------------------------------


def _minutes(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Log-normal durations in whole seconds, at least one minute, as ``timedelta64[s]``."""
    seconds = np.maximum(60.0, rng.lognormal(np.log(median * 60.0), sigma, n))
    return seconds.astype(np.int64).astype("timedelta64[s]")


# Median minutes and spread of first reply and of resolution, by ticket channel.
_FIRST_REPLY: Final[dict[str, tuple[float, float]]] = {
    "chat": (3.0, 0.8), "phone": (8.0, 0.7), "email": (300.0, 0.9),
}  # fmt: skip
_RESOLUTION: Final[dict[str, tuple[float, float]]] = {
    "chat": (120.0, 1.0), "phone": (240.0, 1.0), "email": (1800.0, 1.0),
}  # fmt: skip
_REOPEN_GAP: Final = (2880.0, 0.8)
_STUCK_SHARE: Final = 0.05  # tickets left unsolved whatever their age: the backlog


def _tickets(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if n < 0:
        raise ValueError(f"need n >= 0, got {n}")
    rng = np.random.default_rng((seed, _TICKET_STREAM))
    now = np.datetime64(PERIOD_END, "s")
    created = _timestamps(rng, n)
    customers = rng.integers(0, max(1, 3 * n), n)
    profile_of = _profiles(seed, customers)
    profiles = [profile_of[k] for k in customers.tolist()]
    drawn = _draw_causes(rng, created, profiles, TICKET_CAUSE_COUNTS, allowed=NEGATIVE_CAUSES)
    channels = [_weighted(rng, TICKET_CHANNELS) for _ in range(n)]

    rows: dict[str, list[str]] = {col: [] for col in TICKET_COLUMNS}
    rows[TICKET_SUBJECT], rows[TICKET_REOPENS] = [], []
    truth: dict[str, list[str | bool]] = {"language": [], "causes": [], "pii": []}
    for i, (profile, causes, channel) in enumerate(zip(profiles, drawn, channels, strict=True)):
        start = created[i]
        first = start + _minutes(rng, *_FIRST_REPLY[channel], 1)[0]
        solved = max(
            start + _minutes(rng, *_RESOLUTION[channel], 1)[0], first + np.timedelta64(5, "m")
        )
        reopens = int(rng.choice(3, p=(0.85, 0.12, 0.03)))
        last = solved + _minutes(rng, *_REOPEN_GAP, reopens).sum()
        if last > now:
            reopens, last = 0, solved
        if first > now:
            status = "open"
        elif solved > now or rng.random() < _STUCK_SHARE:
            status = "pending" if rng.random() < 0.4 else "open"
        else:
            status = "closed" if now - last > _CLOSE_AFTER else "solved"
        done = status in ("solved", "closed")
        text, pii = _ticket_text(rng, profile, causes)
        rows[schema.ID].append(str(40_001 + i))
        rows[schema.FIRST_RESPONSE_AT].append(_iso(first) if first <= now else "")
        rows[schema.RESOLVED_AT].append(_iso(solved) if done else "")
        rows[schema.LAST_RESOLVED_AT].append(_iso(last) if done else "")
        rows[TICKET_REOPENS].append(str(reopens if done else 0))
        rows[schema.STATUS].append(status)
        rows[schema.CHANNEL].append(channel)
        rows[schema.CUSTOMER_ID].append(_customer_id(int(customers[i])))
        rows[TICKET_SUBJECT].append(_pick(rng, BANKS[profile.language].subjects[causes[0]]))
        rows[schema.TEXT].append(text)
        truth["language"].append(profile.language)
        truth["causes"].append("|".join(causes))
        truth["pii"].append(pii)
    rows[schema.CREATED_AT] = _format_times(created, sep="T", suffix="Z")

    names = {**TICKET_COLUMNS, TICKET_SUBJECT: TICKET_SUBJECT, TICKET_REOPENS: TICKET_REOPENS}
    order = [
        schema.ID, schema.CREATED_AT, schema.FIRST_RESPONSE_AT, schema.RESOLVED_AT,
        schema.LAST_RESOLVED_AT, TICKET_REOPENS, schema.STATUS, schema.CHANNEL,
        schema.CUSTOMER_ID, TICKET_SUBJECT, schema.TEXT,
    ]  # fmt: skip
    export = pd.DataFrame({names[col]: rows[col] for col in order})
    truth_frame = pd.DataFrame({TICKET_COLUMNS[schema.ID]: rows[schema.ID], **truth})
    return export, truth_frame


@overload
def generate_tickets(
    n: int = ..., seed: int = ..., *, with_truth: Literal[False] = ...
) -> pd.DataFrame: ...
@overload
def generate_tickets(
    n: int = ..., seed: int = ..., *, with_truth: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def generate_tickets(
    n: int = 800, seed: int = 0, *, with_truth: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a help desk's export of ``n`` support tickets about the negative causes.

    First replies come minutes after creation on chat and phone, hours on email; tickets still
    unsolved at the end of the period are ``open`` or ``pending`` with a blank ``Solved``;
    some solved tickets were reopened (``Reopens`` > 0, ``Last solved`` after ``Solved``).
    Customer ids overlap with :func:`generate_survey`'s for the same seed, and a customer
    writes in the same language in both.

    Returns
    -------
    export
        One string column per export column (:data:`TICKET_COLUMNS` plus ``Subject`` and
        ``Reopens``), sorted by creation time, times as ISO 8601 UTC, blanks as ``""``.
    truth
        Only with ``with_truth``: ``Ticket ID``, ``language``, ``causes`` (joined by ``"|"``)
        and ``pii`` (whether the description holds a phone number or e-mail address).
    """
    export, truth = _tickets(n, seed)
    return (export, truth) if with_truth else export


# --- files ---------------------------------------------------------------------------------


def mapping_toml(source: schema.Source) -> str:
    """The column-mapping TOML that maps the demo export of ``source`` onto the schema."""
    columns, segments = (
        (SURVEY_COLUMNS, SURVEY_SEGMENTS)
        if source == schema.Source.SURVEY
        else (TICKET_COLUMNS, {})
    )
    lines = [
        f"# {COMPANY} demo {source} export -> cxtext canonical columns (cxtext.demo)",
        f"source = {json.dumps(str(source))}",
        "",
        "[columns]",
        *(f"{field_} = {json.dumps(col, ensure_ascii=False)}" for field_, col in columns.items()),
    ]
    if segments:
        lines += ["", "[segments]"]
        lines += [
            f"{name} = {json.dumps(col, ensure_ascii=False)}" for name, col in segments.items()
        ]
    return "\n".join(lines) + "\n"


# Seed phrases for the survey's problem list (NPS+ picks), in a few languages each; written
# fresh for the demo's theme training config, not drawn from the phrase banks above.
SEED_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "Billing / invoice": (
        "my invoice is wrong",
        "I was charged twice",
        "de factuur klopt niet",
        "factura este greșită",
        "a fatura veio errada",
    ),
    "Internet speed or outages": (
        "the internet is slow and keeps dropping",
        "het internet valt steeds weg",
        "internetul merge foarte greu",
        "a internet está sempre a falhar",
    ),
    "Waiting time customer service": (
        "I waited an hour on the phone",
        "lang in de wacht bij de klantenservice",
        "am așteptat mult la telefon",
        "esperei muito tempo pelo atendimento",
    ),
    "Staff attitude": (
        "the agent was rude",
        "de medewerker was onbeleefd",
        "angajatul a fost nepoliticos",
        "o funcionário foi mal-educado",
    ),
    "App or website": (
        "the app keeps crashing",
        "de app werkt niet",
        "aplicația nu funcționează",
        "a aplicação não abre",
    ),
    "Price": ("it is too expensive", "veel te duur", "prea scump", "é muito caro"),
}


def themes_toml() -> str:
    """Theme training config for the demo: broad themes, the problem list as seeds."""
    lines = [
        f"# {COMPANY} demo: theme training config (cxtext.demo). The survey's problem list",
        "# seeds themes; everything else is discovered.",
        "[themes]",
        "granularity = 2.0",
        "min_theme_size = 15",
    ]
    for name, phrases in SEED_PHRASES.items():
        quoted = ", ".join(json.dumps(p, ensure_ascii=False) for p in phrases)
        lines += [
            "",
            "[[seeds]]",
            f"name = {json.dumps(name)}",
            f"phrases = [{quoted}]",
            'polarity = "negative"  # the problem list holds complaints',
        ]
    return "\n".join(lines) + "\n"


def write_demo(
    out_dir: Path,
    *,
    n_survey: int = 2000,
    n_tickets: int = 800,
    seed: int = 0,
    n_bad: int | None = None,
) -> dict[str, Path]:
    """Write the demo data set into ``out_dir`` (created if missing).

    Files: ``survey.csv``, ``tickets.csv`` (UTF-8 exports), ``survey_mapping.toml``,
    ``tickets_mapping.toml`` (their column mappings) and ``survey_truth.csv``,
    ``tickets_truth.csv`` (ground truth for evaluation; not for ingestion). The same arguments
    give byte-identical files.

    Returns
    -------
    dict
        Path of each file by key: ``survey``, ``tickets``, ``survey_mapping``,
        ``tickets_mapping``, ``survey_truth``, ``tickets_truth``, ``themes_config`` (a
        theme training config seeding the survey's problem list, see :func:`themes_toml`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    survey, survey_truth = generate_survey(n_survey, seed, n_bad=n_bad, with_truth=True)
    tickets, tickets_truth = generate_tickets(n_tickets, seed, with_truth=True)
    paths = {
        "survey": out_dir / "survey.csv",
        "tickets": out_dir / "tickets.csv",
        "survey_mapping": out_dir / "survey_mapping.toml",
        "tickets_mapping": out_dir / "tickets_mapping.toml",
        "survey_truth": out_dir / "survey_truth.csv",
        "tickets_truth": out_dir / "tickets_truth.csv",
    }
    frames = {
        "survey": survey,
        "tickets": tickets,
        "survey_truth": survey_truth,
        "tickets_truth": tickets_truth,
    }
    for key, frame in frames.items():
        frame.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
    for key, source in (
        ("survey_mapping", schema.Source.SURVEY),
        ("tickets_mapping", schema.Source.TICKET),
    ):
        paths[key].write_text(mapping_toml(source), encoding="utf-8", newline="\n")
    paths["themes_config"] = out_dir / "themes.toml"
    paths["themes_config"].write_text(themes_toml(), encoding="utf-8", newline="\n")
    return paths
