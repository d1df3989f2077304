"""A deterministic synthetic corpus of dump files: Middle East news articles from templates.

``generate(directory, articles, seed, repeat_share, files)`` writes ``corpus-NNNN.txt`` files
(about 2,000 articles each, rendered by ``articles.dumps.render_dump``) and ``manifest.json``.

What the corpus holds, so that each benchmark can rely on it:

- Every article is distinct (distinct ``articles.dumps.fingerprint``) except the deliberate
  exact repeats (``repeat_share``, 10% by default): a repeat is a copy of an earlier article.
- About 5% near-duplicates (``near_share``): an earlier article with one paragraph added or one
  word changed. They are distinct articles to the importer; ``near_duplicates.json`` lists where
  each one and its original are (file name and block position, as ``Occurrence`` stores them).
- A little more than half of the articles (55% of the originals) are about Gaza and say "Gaza";
  the others never do, so a search for "Gaza" is broad and its expected hit count is known.

Article *i* is generated from its own ``random.Random(f"{seed}-{i}")`` and which slots are
repeats or near-duplicates is drawn from one sequence, so a corpus of N articles is the first N
articles of any larger corpus with the same seed, and a repeat can be regenerated instead of
kept in memory: generation streams to disk whatever the size.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

GENERATOR_VERSION = 2
DEFAULT_ARTICLES = 50_000
ARTICLES_PER_FILE = 2000
DEFAULT_SEED = 20250101
DEFAULT_REPEAT_SHARE = 0.10
DEFAULT_NEAR_SHARE = 0.05
GAZA_SHARE = 0.55
MANIFEST = "manifest.json"
NEAR_DUPLICATES = "near_duplicates.json"


# --- Vocabulary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    key: str
    names: tuple[str, ...]  # how the text names the region ("Gaza", "the Gaza Strip")
    adjective: str
    places: tuple[str, ...]
    actors: tuple[str, ...]
    topics: tuple[str, ...]
    goals: tuple[str, ...]


# fmt: off
REGIONS = (
    Region(
        "gaza",
        names=("Gaza", "the Gaza Strip", "Gaza"),
        adjective="Palestinian",
        places=(
            "Gaza City", "Rafah", "Khan Younis", "Deir al-Balah", "Jabalia", "Nuseirat",
            "Beit Lahia", "Beit Hanoun", "al-Mawasi", "Bureij", "Maghazi", "Shujaiya",
        ),
        actors=(
            "Hamas", "the Israeli army", "UNRWA", "the Gaza health ministry",
            "the Palestinian Civil Defense", "Israeli Prime Minister Benjamin Netanyahu",
            "Hamas official Bassem Naim", "the Gaza Humanitarian Foundation",
            "Israel's Defense Ministry", "the Palestinian Authority", "Egyptian mediators",
            "Qatari mediators", "Islamic Jihad", "the Israeli Security Cabinet",
        ),
        topics=(
            "the ceasefire talks", "aid deliveries", "the hostage negotiations",
            "the evacuation orders", "the reconstruction plan", "the humanitarian corridor",
            "the famine warnings", "the Rafah crossing", "the fuel shortage",
            "the return of displaced families", "the prisoner exchange", "the water crisis",
        ),
        goals=(
            "a permanent ceasefire", "the release of hostages", "more aid trucks",
            "the reopening of the Rafah crossing", "an Israeli withdrawal",
            "international guarantees", "fuel for hospitals", "a prisoner exchange",
        ),
    ),
    Region(
        "libya",
        names=("Libya", "Libya", "the North African country"),
        adjective="Libyan",
        places=(
            "Tripoli", "Benghazi", "Tobruk", "Misrata", "Sirte", "Derna", "Sabha", "Zawiya",
            "Ghadames", "al-Kufra",
        ),
        actors=(
            "the Libyan National Army (LNA)", "LNA commander Khalifa Haftar",
            "the Government of National Unity", "Prime Minister Abdul Hamid Dbeibah",
            "the House of Representatives", "the Presidential Council",
            "the National Oil Corporation", "the UN Support Mission in Libya",
            "Speaker Aguila Saleh", "the High Council of State",
        ),
        topics=(
            "the oil blockade", "the elections roadmap", "the militia clashes",
            "the central bank dispute", "the migrant crossings", "the unified budget",
            "the withdrawal of foreign forces", "the flood reconstruction",
        ),
        goals=(
            "a unified government", "fresh elections", "the withdrawal of foreign fighters",
            "a deal on oil revenues", "air-defense systems", "a new central bank governor",
        ),
    ),
    Region(
        "lebanon",
        names=("Lebanon", "Lebanon", "southern Lebanon"),
        adjective="Lebanese",
        places=(
            "Beirut", "Tyre", "Sidon", "Baalbek", "Nabatieh", "Tripoli in northern Lebanon",
            "Marjayoun", "Bint Jbeil", "Hermel", "Jounieh",
        ),
        actors=(
            "Hezbollah", "the Lebanese army", "President Joseph Aoun",
            "Prime Minister Nawaf Salam", "Parliament Speaker Nabih Berri", "UNIFIL",
            "the Lebanese Forces party", "the Free Patriotic Movement", "the caretaker cabinet",
        ),
        topics=(
            "the border clashes", "the disarmament plan", "the financial recovery law",
            "the deposit crisis", "the reconstruction of the south", "the presidential vote",
            "the electricity crisis", "the port blast investigation",
        ),
        goals=(
            "the disarmament of Hezbollah", "an IMF agreement", "reconstruction funds",
            "an Israeli withdrawal from five hilltops", "a border demarcation deal",
        ),
    ),
    Region(
        "syria",
        names=("Syria", "Syria", "the war-torn country"),
        adjective="Syrian",
        places=(
            "Damascus", "Aleppo", "Idlib", "Homs", "Hama", "Deir Ezzor", "Latakia", "Raqqa",
            "Daraa", "Sweida", "Qamishli", "Tartus",
        ),
        actors=(
            "the Syrian government", "President Ahmed al-Sharaa", "the Syrian Democratic Forces",
            "the Kurdish-led administration", "Syria's foreign ministry", "Druze leaders",
            "the transitional justice commission", "the Syrian Observatory for Human Rights",
        ),
        topics=(
            "the sanctions relief", "the return of refugees", "the constitutional declaration",
            "the integration of armed factions", "the wheat harvest", "the fuel imports",
            "the security campaign", "the reconstruction conference",
        ),
        goals=(
            "the lifting of sanctions", "international recognition", "reconstruction funds",
            "the integration of the SDF into the army", "the return of refugees",
        ),
    ),
    Region(
        "yemen",
        names=("Yemen", "Yemen", "the Arab world's poorest country"),
        adjective="Yemeni",
        places=(
            "Sanaa", "Aden", "Hodeidah", "Marib", "Taiz", "Mukalla", "Saada", "Shabwa", "Lahj",
            "Abyan",
        ),
        actors=(
            "the Houthis", "the Presidential Leadership Council", "the Yemeni government",
            "the Saudi-led coalition", "UN envoy Hans Grundberg",
            "the Southern Transitional Council", "the Central Bank in Aden",
        ),
        topics=(
            "the Red Sea attacks", "the currency collapse", "the truce talks",
            "the salaries dispute", "the cholera outbreak", "the roadmap for peace",
            "the detainee swap", "the fuel shipments",
        ),
        goals=(
            "a nationwide truce", "the payment of public salaries", "a detainee swap",
            "the reopening of roads", "a UN-led roadmap",
        ),
    ),
    Region(
        "iraq",
        names=("Iraq", "Iraq", "the oil-rich country"),
        adjective="Iraqi",
        places=(
            "Baghdad", "Mosul", "Basra", "Erbil", "Kirkuk", "Najaf", "Karbala", "Sulaimaniyah",
            "Fallujah", "Ramadi",
        ),
        actors=(
            "the Iraqi government", "Prime Minister Mohammed Shia al-Sudani",
            "the Coordination Framework", "the Kurdistan Regional Government",
            "the Popular Mobilization Forces", "the Sadrist movement",
            "Iraq's electoral commission",
        ),
        topics=(
            "the budget dispute", "the oil exports", "the parliamentary elections",
            "the water shortage", "the withdrawal of US-led forces", "the salary crisis",
            "the power cuts", "the Kurdish oil pipeline",
        ),
        goals=(
            "a new oil export deal", "the departure of foreign troops", "budget transfers",
            "a water-sharing agreement", "early elections",
        ),
    ),
    Region(
        "iran",
        names=("Iran", "Iran", "the Islamic Republic"),
        adjective="Iranian",
        places=(
            "Tehran", "Isfahan", "Tabriz", "Mashhad", "Shiraz", "Bandar Abbas", "Qom", "Ahvaz",
            "Natanz", "Bushehr",
        ),
        actors=(
            "the Iranian government", "President Masoud Pezeshkian",
            "Foreign Minister Abbas Araghchi", "the Revolutionary Guards",
            "Supreme Leader Ali Khamenei", "the International Atomic Energy Agency",
            "Iran's parliament",
        ),
        topics=(
            "the nuclear talks", "the uranium enrichment", "the sanctions", "the inspections",
            "the currency slide", "the energy shortages", "the snapback mechanism",
            "the prisoner swap",
        ),
        goals=(
            "sanctions relief", "a new nuclear deal", "the return of inspectors",
            "the release of frozen assets", "guarantees against military strikes",
        ),
    ),
    Region(
        "sudan",
        names=("Sudan", "Sudan", "the northeast African country"),
        adjective="Sudanese",
        places=(
            "Khartoum", "Omdurman", "Port Sudan", "El Fasher", "Nyala", "Wad Madani", "Kassala",
            "El Obeid", "Darfur", "Kordofan",
        ),
        actors=(
            "the Sudanese army", "the Rapid Support Forces (RSF)",
            "army chief Abdel Fattah al-Burhan", "RSF commander Mohamed Hamdan Dagalo",
            "the Sovereignty Council", "the civilian Tagadum coalition",
            "the World Food Programme",
        ),
        topics=(
            "the siege of El Fasher", "the famine", "the Jeddah talks", "the cholera outbreak",
            "the humanitarian truce", "the refugee exodus", "the drone strikes",
            "the fighting in Kordofan",
        ),
        goals=(
            "a humanitarian truce", "safe passage for civilians", "the opening of aid corridors",
            "the return to civilian rule", "a ceasefire monitoring mechanism",
        ),
    ),
    Region(
        "egypt",
        names=("Egypt", "Egypt", "the most populous Arab country"),
        adjective="Egyptian",
        places=(
            "Cairo", "Alexandria", "Port Said", "Ismailia", "Suez", "Aswan", "Luxor",
            "Sharm el-Sheikh", "Hurghada", "the New Administrative Capital",
        ),
        actors=(
            "the Egyptian government", "President Abdel Fattah al-Sisi",
            "Prime Minister Mostafa Madbouly", "Egypt's central bank", "the Suez Canal Authority",
            "Foreign Minister Badr Abdelatty",
        ),
        topics=(
            "the Suez Canal revenues", "the IMF program", "the inflation figures",
            "the gas imports", "the grand Nile dam dispute", "the subsidy reform",
            "the tourism season", "the power rationing",
        ),
        goals=(
            "a new IMF tranche", "Gulf investments", "a binding deal on the Nile dam",
            "a return of Red Sea shipping", "cheaper gas imports",
        ),
    ),
    Region(
        "west_bank",
        names=("the West Bank", "the occupied West Bank", "the West Bank"),
        adjective="Palestinian",
        places=(
            "Ramallah", "Jenin", "Nablus", "Hebron", "Tulkarm", "Bethlehem", "Jericho", "Qalqilya",
            "Tubas", "the Jordan Valley",
        ),
        actors=(
            "the Palestinian Authority", "President Mahmoud Abbas", "the Israeli army",
            "Israeli settlers", "the Palestinian Red Crescent",
            "Israeli Finance Minister Bezalel Smotrich", "the Palestinian health ministry",
        ),
        topics=(
            "the settler attacks", "the military raids", "the settlement expansion",
            "the withheld tax revenues", "the refugee camp demolitions", "the olive harvest",
            "the checkpoint closures", "the annexation plans",
        ),
        goals=(
            "the transfer of tax revenues", "an end to the raids", "a halt to settlement building",
            "international protection", "recognition of a Palestinian state",
        ),
    ),
)
CITIES = (
    "Cairo", "Doha", "Geneva", "Moscow", "Washington", "Riyadh", "Ankara", "Amman", "Muscat",
    "Paris", "Brussels", "New York", "Abu Dhabi", "Istanbul", "Rome",
)
MEDIATORS = (
    "Egypt and Qatar", "the United States", "Saudi Arabia", "Oman", "the United Nations",
    "the African Union", "Türkiye", "the European Union",
)
ORGS = (
    "the UN", "the World Health Organization", "the International Committee of the Red Cross",
    "Doctors Without Borders", "the UN refugee agency", "the World Food Programme",
    "Amnesty International", "Human Rights Watch", "UNICEF", "the Norwegian Refugee Council",
    "the UN human rights office", "the International Organization for Migration",
)
ORG_ACTIONS = (
    "delivered food parcels to thousands of families", "evacuated dozens of patients",
    "suspended operations after a convoy came under fire", "reopened two clinics",
    "documented new violations", "distributed water and hygiene kits",
    "lost contact with local staff", "set up temporary shelters",
    "vaccinated children against polio",
)
SOURCE_KINDS = (
    "senior official", "military source", "diplomatic source", "security source",
    "government source", "informed source", "Western diplomat", "local official",
)
# Citations of outlets ("told Reuters") and the same cues without one ("told reporters"): real
# articles cite an outlet a few times, not in every sentence (OUTLET_SHARE of the cues do).
OUTLET_SHARE = 0.3
TOLD = (
    "told Reuters", "told Asharq Al-Awsat", "told AFP", "told The Associated Press",
    "told Asharq Al-Awsat", "told Bloomberg", "told Asharq Al-Awsat",
)
TOLD_OTHER = (
    "told reporters", "told a news conference", "said in a statement", "said on condition of "
    "anonymity", "told local radio", "said in televised remarks",
)
REPORTED = (
    "Bloomberg had reported", "Reuters reported", "The Wall Street Journal had reported",
    "AFP reported", "Asharq Al-Awsat reported", "The New York Times had reported",
    "Bloomberg reported", "Axios had reported",
)
REPORTED_OTHER = (
    "Local media reported", "State television reported", "Israeli media had reported",
    "Regional media reported", "Several outlets had reported", "Officials had said",
)
ACCORDING = (
    "according to AFP", "according to Reuters", "according to Asharq Al-Awsat sources",
    "according to the Associated Press", "according to a Reuters tally",
)
ACCORDING_OTHER = (
    "according to local health officials", "according to the UN", "according to witnesses",
    "according to medical sources", "according to civil defense officials",
    "according to a government statement",
)
VERIFIERS = ("Reuters", "AFP", "Asharq Al-Awsat", "The Associated Press")
GROUPS = (
    "residents", "displaced families", "aid workers", "medics", "fishermen", "traders", "students",
    "farmers", "teachers", "truck drivers", "local leaders", "volunteers",
)
HARDSHIPS = (
    "nights without electricity", "long queues for bread", "shortages of medicine",
    "hours of shelling", "overcrowded shelters", "contaminated water", "soaring food prices",
    "roads cut off by rubble", "schools turned into shelters",
)
CLAIMS = (
    "they had received no warning", "conditions had worsened in recent days",
    "aid had not reached them for weeks", "they feared a new wave of displacement",
    "prices had doubled since the start of the month", "they would not leave their homes again",
)
OUTCOMES = (
    "resume", "collapse", "be delayed", "move forward", "be reviewed", "be suspended",
    "be expanded", "stall",
)
EVENTS = (
    "an overnight air strike", "a car bomb", "a deadly raid", "heavy shelling", "a drone attack",
    "clashes between rival groups", "a mass protest", "an attack on an aid convoy",
    "a storm that flooded shelters", "a prison break",
)
CONDITIONS = (
    "the guarantees they demand are met", "donors release the promised funds",
    "the fighting stops", "the crossings reopen", "a new government is formed", "the talks resume",
    "fuel deliveries are allowed in",
)
CONSEQUENCES = (
    "spiral out of control", "trigger a new exodus", "worsen within weeks", "undermine the truce",
    "push millions into hunger", "derail the political process",
)
ISSUES = (
    "the sequencing of the withdrawal", "who will control the crossings",
    "the release of detainees", "security guarantees", "the distribution of revenues",
    "the timetable for elections", "the disarmament of armed groups",
)
ANALYSES = (
    "growing pressure from regional allies", "a shift in Washington's priorities",
    "fears of a wider regional war", "the exhaustion of the warring parties",
    "domestic political calculations", "the collapse of earlier mediation efforts",
)
GOODS = (
    "flour", "cooking gas", "rice", "sugar", "fuel", "baby formula", "vegetables", "medicine",
    "bottled water",
)
FACILITIES = (
    "bakeries", "water points", "fuel stations", "clinics", "aid distribution sites", "banks",
    "registration centers",
)
SHORTAGES = (
    "the fuel shortage", "the cash crunch", "the bread shortage", "the water crisis",
    "the power outages", "the medicine shortage",
)
OCCUPATIONS = (
    "teacher", "nurse", "taxi driver", "shopkeeper", "engineer", "farmer", "fisherman", "student",
    "pharmacist", "mother of five", "father of three",
)
DELEGATIONS = (
    "a delegation of tribal elders", "visiting European diplomats", "a group of lawmakers",
    "representatives of aid groups", "a US congressional delegation", "local council members",
)
PERIODS = ("week", "month", "year")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
FIRST_NAMES = (
    "Ahmed", "Mohammed", "Fatima", "Layla", "Omar", "Khaled", "Yousef", "Mariam", "Hassan", "Nour",
    "Samir", "Rania", "Tariq", "Huda", "Ali", "Salma", "Karim", "Amal", "Ibrahim", "Reem",
    "Mahmoud", "Hanan", "Walid", "Dina",
)
LAST_NAMES = (
    "Al-Masri", "Haddad", "Nasser", "Saleh", "Abu Shaaban", "Khalil", "Darwish", "Hamdan",
    "Qassem", "Barakat", "Mansour", "Zayed", "Odeh", "Farhat", "Al-Najjar", "Suleiman", "Jaber",
    "Awad", "Al-Tamimi", "Younis",
)
PHOTOGRAPHERS = (
    "Jehad Alshrafi", "Ahmed Saad", "Heiko Junge", "Hatem Khaled", "Mohammed Salem",
    "Ramadan Abed", "Abdel Kareem Hana", "Hussein Malla", "Bilal Hussein", "Esam Omran Al-Fetori",
    "Khalil Ashawi", "Thaier Al-Sudani", "Majdi Mohammed", "Ayman Henna", "Khaled Abdullah",
    "Hamad I Mohammed",
)
LOCAL_AGENCIES = ("NTB", "ANSA", "Anadolu", "SANA", "WAFA", "Xinhua", "dpa", "Kyodo")
QUOTES = (
    "We cannot wait any longer", "There is no safe place left",
    "The international community must act now",
    "We will not accept any deal that ignores our demands",
    "This is a clear violation of international law", "Our teams are working around the clock",
    "Nobody knows what tomorrow will bring", "We want our children to go back to school",
    "The situation is catastrophic", "We are ready for dialogue, but not at any price",
    "Such misleading reports aim to divert attention from the real problem",
    "We lost everything in one night", "The coming days will be decisive",
)
CAPTION_SUBJECTS = (
    "Displaced Palestinians", "A boy", "Rescuers", "Mourners", "Protesters", "Fighters", "A woman",
    "Medics", "People", "Security forces", "Children", "Smoke", "Residents", "Aid workers",
    "Soldiers", "Men",
)
CAPTION_ACTIONS = (
    "gather near the rubble of a destroyed building", "wait for food at a distribution point",
    "walk past damaged shops", "carry the body of a relative during a funeral",
    "inspect the site of an air strike", "queue to fill water containers",
    "rise after a strike on a residential block", "take part in a rally against the government",
    "stand guard at a checkpoint", "sit outside a makeshift tent", "unload aid from a truck",
    "search for survivors under the debris",
)
SAID = ("said", "said", "added", "stressed", "warned", "noted", "explained")
SWAPS = {
    "said": "added", "added": "said", "killed": "wounded", "wounded": "killed", "warned": "said",
    "stressed": "said", "residents": "locals", "officials": "sources", "Monday": "Tuesday",
    "Tuesday": "Wednesday", "Wednesday": "Thursday", "Thursday": "Friday", "Friday": "Saturday",
    "Saturday": "Sunday", "Sunday": "Monday", "week": "month", "month": "week", "hours": "days",
    "families": "households", "people": "civilians", "talks": "negotiations", "would": "could",
}
# fmt: on

TITLES = (
    "{Actor_t} Says {Topic_t} in {Place} Will {Outcome_t} Within {n_small} Days",
    "{n} Killed in {Place} as {Topic_t} Stall in {City}",
    "UN Warns {Topic_t} in {Region_t} Could Collapse Without New Funding",
    "{Actor_t} Denies Seeking {Goal_t} After Talks in {City}",
    "{Actor_t} Tells Asharq Al-Awsat {Topic_t} Will Continue Despite Pressure",
    "Residents of {Place} Flee as Fighting Spreads Across {Region_t}",
    "{Actor_t} Accuses {Actor2_t} of Blocking {Topic_t}",
    "Aid Groups Say {Topic_t} in {Place} Has Reached a Breaking Point",
    "What Is Behind the Latest Escalation in {Place}, {Region_t}?",
    "{Actor_t} Seeks {Goal_t} Ahead of Key Meeting in {City}",
    "{n_big} Families Displaced From {Place} in One Week, UN Says",
    "Mediators in {City} Push for {Goal_t} as {Topic_t} Falter",
    "{Region_adj} Officials Expect Breakthrough on {Topic_t} Before End of {Month}",
    "{Actor_t} Rejects Reports on {Topic_t}, Calls Them Misleading",
    "Report: {Actor_t} Weighs {Goal_t} in Exchange for Guarantees",
    "Strike on {Place} Kills {n} Despite Calls for Calm in {Region_t}",
)
LEADS = (
    "{Actor} said on {weekday} that {topic} in {region} would {outcome}, as {event} hit {place}.",
    "{Org} warned on {weekday} that {region} faces a deepening crisis, with {group} in {place} "
    "enduring {hardship}.",
    "At least {n} people were killed in {place} on {weekday} in one of the deadliest days in "
    "{region} since {month}, {according}.",
    "{A_source_kind} in {region} {told} on {weekday} that {actor} was preparing to seek {goal}.",
    "{Actor} and {actor2} traded accusations on {weekday} over {topic} in {region}, a day after "
    "{event} in {place}.",
    "Efforts to revive {topic} in {region} gathered pace on {weekday}, with officials in {city} "
    "saying {actor} was ready to discuss {goal}.",
)
SENTENCES = (
    "{Actor} said on {weekday} that {topic} would {outcome} within {n_small} days, despite "
    "objections from {actor2}.",
    "{A_source_kind} in {place}, speaking on condition of anonymity, {told} that {actor} was "
    "seeking {goal}.",
    "{Reported} that {actor} was seeking {goal} ahead of talks in {city} next {period}.",
    "At least {n} people were killed and {n2} others wounded in {place} on {weekday}, {according}.",
    "“{quote},” {a_source_kind} {told}.",
    "Residents of {place} described {hardship}, and {group} said {claim}.",
    "{Org} warned that {topic} could {consequence} if {condition}.",
    "{Actor} did not comment on the reports during a meeting on {weekday} with {delegation} in "
    "{place}.",
    "Talks mediated by {mediators} in {city} have stalled over {issue}, two sources {told}.",
    "Since {month}, more than {n_big} people have been displaced from {place} and surrounding "
    "areas, UN figures show.",
    "{Actor} accused {actor2} of obstructing {topic}, a charge that was swiftly denied.",
    "{Verifier} could not independently verify the figures.",
    "Prices of {goods} in {place} have risen {n_pct} percent since {month}, traders {told}.",
    "The statement came hours after {event} in {place}, the {ordinal} such incident this {period}.",
    "Diplomats in {city} said {actor} had signaled readiness to discuss {goal}, but only after "
    "{condition}.",
    "In {place}, {group} queued for hours at {facility} as {shortage} worsened.",
    "Observers {told} that the move reflected {analysis}.",
    "{Org} said in a statement that its teams in {place} had {org_action} on {weekday}.",
    "“{quote},” said {person}, a {age}-year-old {occupation} from {place}.",
    "{Reported} last {period} that {actor2} had quietly proposed {goal}, {according}.",
    "The {region_adj} side insists that {topic} cannot be separated from {issue}.",
    "“{quote},” {actor} {said} in a televised address on {weekday}.",
    "Local officials in {place} put the cost of the damage at more than ${n} million.",
    "{Group} in {place} {told} that {claim}.",
    "A week before the talks in {city}, {actor} met {delegation} and pressed for {goal}.",
    "The {ordinal} round of negotiations is expected to open in {city} on {weekday}, {according}.",
    "Speaking on condition of anonymity, the {source_kind} stressed that {topic} had nothing to "
    "do with {issue}.",
    "{Org} has repeatedly called for {goal}, saying {group} in {place} are paying the price.",
    "Footage shared on social media showed {event} in {place}, though {verifier} could not "
    "confirm when it was filmed.",
    "The toll could rise further, {according}, as rescuers in {place} kept searching the rubble.",
)
FILLERS = (
    "{Verifier} could not independently verify the account.",
    "{Actor} did not respond to a request for comment.",
    "The situation in {place} remains tense.",
    "No group has claimed responsibility so far.",
)
# Words a headline leaves in lowercase.
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or"}
    | {"over", "the", "to", "with", "via"}
)


# --- Generation ------------------------------------------------------------------------------


class _Slots(dict):
    """Fills template slots at random: ``{place}`` a place of the article's region, ``{Place}``
    the same capitalized, ``{Topic_t}`` the topic in headline form."""

    def __init__(self, rng: random.Random, region: Region) -> None:
        super().__init__()
        self.rng = rng
        self.region = region

    def __missing__(self, key: str) -> str:
        base = key.lower()
        headline = base.endswith("_t")
        if headline:
            base = base[:-2]
        value = self._pick(base)
        if headline:
            value = _headline(value)
        elif key[0].isupper():
            value = value[0].upper() + value[1:]
        return value

    def _pick(self, name: str) -> str:
        rng, region = self.rng, self.region
        choice = rng.choice
        match name:
            case "actor":
                self.actor = choice(region.actors)
                return self.actor
            case "actor2":
                # Not the actor the sentence already names: "A accused A" reads badly.
                return choice([a for a in region.actors if a != getattr(self, "actor", None)])
            case "a_source_kind":
                kind = choice(SOURCE_KINDS)
                return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
            case "topic":
                return choice(region.topics)
            case "goal":
                return choice(region.goals)
            case "place":
                return choice(region.places)
            case "region":
                return choice(region.names)
            case "region_adj":
                return region.adjective
            case "n":
                return str(rng.randint(3, 120))
            case "n2":
                return str(rng.randint(5, 300))
            case "n_small":
                return str(rng.randint(2, 14))
            case "n_big":
                return f"{rng.randint(1, 90) * 1000 + rng.randint(0, 9) * 100:,}"
            case "n_pct":
                return str(rng.randint(10, 300))
            case "age":
                return str(rng.randint(19, 78))
            case "person":
                return f"{choice(FIRST_NAMES)} {choice(LAST_NAMES)}"
            case "told" | "reported" | "according":
                outlet = rng.random() < OUTLET_SHARE
                return choice(_CITES[name][0] if outlet else _CITES[name][1])
            case "weekday":
                return choice(WEEKDAYS)
            case "month":
                return choice(MONTHS)
            case _:
                return choice(_LISTS[name])


_CITES = {
    "told": (TOLD, TOLD_OTHER),
    "reported": (REPORTED, REPORTED_OTHER),
    "according": (ACCORDING, ACCORDING_OTHER),
}
_LISTS = {
    "city": CITIES,
    "mediators": MEDIATORS,
    "org": ORGS,
    "org_action": ORG_ACTIONS,
    "source_kind": SOURCE_KINDS,
    "verifier": VERIFIERS,
    "group": GROUPS,
    "hardship": HARDSHIPS,
    "claim": CLAIMS,
    "outcome": OUTCOMES,
    "event": EVENTS,
    "condition": CONDITIONS,
    "consequence": CONSEQUENCES,
    "issue": ISSUES,
    "analysis": ANALYSES,
    "goods": GOODS,
    "facility": FACILITIES,
    "shortage": SHORTAGES,
    "occupation": OCCUPATIONS,
    "delegation": DELEGATIONS,
    "period": PERIODS,
    "ordinal": ORDINALS,
    "quote": QUOTES,
    "said": SAID,
}


def _headline(text: str) -> str:
    words = text.removeprefix("the ").removeprefix("The ").split()
    return " ".join(
        w if (i and w in SMALL_WORDS) or not w[0].isalpha() else w[0].upper() + w[1:]
        for i, w in enumerate(words)
    )


@dataclass(frozen=True)
class _Article:
    region: str
    title: str
    captions: tuple[str, ...]
    paragraphs: tuple[str, ...]
    published_at: datetime | None


def _title(rng: random.Random, slots: _Slots) -> str:
    for _ in range(50):
        title = rng.choice(TITLES).format_map(slots)
        if 8 <= len(title.split()) <= 15:
            return title
    return title


def _credit(rng: random.Random) -> tuple[str, str]:
    """A photo credit and how it follows the caption text (" " or ". ")."""
    photographer = rng.choice(PHOTOGRAPHERS)
    style = rng.randrange(8)
    if style == 0:
        return "(AFP)", " "
    if style == 1:
        return f"(AP Photo/{photographer})", " "
    if style == 2:
        return f"{photographer}/{rng.choice(LOCAL_AGENCIES)}/via REUTERS", " "
    if style == 3:
        return f"REUTERS/{photographer}", " "
    if style == 4:
        return "(Reuters)", " "
    if style == 5:
        return "(EPA)", " "
    if style == 6:
        return "AFP file photo", ". "
    return "(File \u2013 Reuters)", " "  # an en dash, as printed


def _caption(rng: random.Random, slots: _Slots) -> str:
    subject = rng.choice(CAPTION_SUBJECTS)
    action = rng.choice(CAPTION_ACTIONS)
    if subject in {"A boy", "A woman", "Smoke"}:
        verb, _, rest = action.partition(" ")
        verb = {"carry": "carries"}.get(verb, verb + ("es" if verb.endswith("sh") else "s"))
        action = f"{verb} {rest}"
    date = f"{slots['weekday']}, {slots['month']} {rng.randint(1, 28)}, {rng.randint(2022, 2025)}"
    credit, joiner = _credit(rng)
    text = f"{subject} {action} in {slots['place']}, {slots.region.names[0]}, {date}."
    if joiner == " ":
        return f"{text} {credit}"
    return f"{text[:-1]}. {credit}"


def _paragraph(rng: random.Random, slots: _Slots, first: str | None = None) -> str:
    target = rng.randint(40, 90)
    sentences: list[str] = []
    count = 0
    if first is not None:
        sentences.append(first)
        count = len(first.split())
    tries = 0
    while count < target and tries < 40:
        sentence = rng.choice(SENTENCES).format_map(slots)
        words = len(sentence.split())
        if count + words > 90:
            tries += 1
            continue
        sentences.append(sentence)
        count += words
    while count < 40:
        sentence = rng.choice(FILLERS).format_map(slots)
        sentences.append(sentence)
        count += len(sentence.split())
    return " ".join(sentences)


def _article(seed: int, index: int, attempt: int = 0) -> _Article:
    rng = random.Random(f"{seed}-{index}-{attempt}" if attempt else f"{seed}-{index}")
    region = REGIONS[0] if rng.random() < GAZA_SHARE else rng.choice(REGIONS[1:])
    slots = _Slots(rng, region)
    title = _title(rng, slots)
    captions = tuple(
        _caption(rng, slots) for _ in range(rng.choices((0, 1, 2, 3), (2, 5, 2, 1))[0])
    )
    lead = rng.choice(LEADS).format_map(slots)
    paragraphs = [_paragraph(rng, slots, first=lead)]
    paragraphs += [_paragraph(rng, slots) for _ in range(rng.randint(6, 14) - 1)]
    if not any(cue in p for p in paragraphs for cue in _OUTLET_CUES):
        told = rng.choice(TOLD)
        paragraphs[-1] += f" Officials in {slots['place']} {told} they expected more talks."
    published_at = None
    if rng.random() < 0.3:
        published_at = datetime(
            rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28),
            rng.randint(0, 23), rng.choice((0, 15, 30, 45)), tzinfo=UTC,
        )  # fmt: skip
    return _Article(region.key, title, captions, tuple(paragraphs), published_at)


_OUTLET_CUES = (*TOLD, *REPORTED, *ACCORDING)


def _near_duplicate(original: _Article, rng: random.Random) -> tuple[_Article, str]:
    """The original with one paragraph added, or one word changed."""
    paragraphs = list(original.paragraphs)
    region = next(r for r in REGIONS if r.key == original.region)
    if rng.random() < 0.5:
        position = rng.randint(1, len(paragraphs))
        paragraphs.insert(position, _paragraph(rng, _Slots(rng, region)))
        change = "paragraph added"
    else:
        change = "word changed"
        for _ in range(20):
            index = rng.randrange(len(paragraphs))
            words = paragraphs[index].split(" ")
            candidates = [i for i, w in enumerate(words) if w in SWAPS]
            if candidates:
                i = rng.choice(candidates)
                words[i] = SWAPS[words[i]]
                paragraphs[index] = " ".join(words)
                break
        else:
            index = rng.randrange(len(paragraphs))
            paragraphs[index] = paragraphs[index].replace(" ", " reportedly ", 1)
    article = _Article(
        original.region, original.title, original.captions, tuple(paragraphs),
        original.published_at,
    )  # fmt: skip
    return article, change


def _record(article: _Article):
    from articles.dumps import ArticleRecord

    return ArticleRecord(
        title=article.title,
        captions=article.captions,
        paragraphs=article.paragraphs,
        published_at=article.published_at,
    )


def _mentions_gaza(article: _Article) -> bool:
    return any("Gaza" in text for text in (article.title, *article.captions, *article.paragraphs))


# --- Files and manifest ----------------------------------------------------------------------


def default_articles() -> int:
    """BENCH_ARTICLES from the environment, else 50,000."""
    value = os.environ.get("BENCH_ARTICLES", "").replace("_", "").replace(",", "").strip()
    return int(value) if value else DEFAULT_ARTICLES


def default_files(articles: int) -> int:
    return max(1, math.ceil(articles / ARTICLES_PER_FILE))


def _file_count(articles: int, files: int | None) -> int:
    """The files a corpus is really split into: equal runs of articles, the last one shorter."""
    per_file = math.ceil(articles / min(files or default_files(articles), articles))
    return math.ceil(articles / per_file)


def file_name(number: int) -> str:
    return f"corpus-{number:04d}.txt"


def _wanted(articles: int, seed: int, repeat_share: float, near_share: float, files: int):
    return {
        "generator_version": GENERATOR_VERSION,
        "articles": articles,
        "seed": seed,
        "repeat_share": repeat_share,
        "near_share": near_share,
        "files": files,
    }


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((Path(directory) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def matches(manifest: dict | None, directory: Path, **wanted) -> bool:
    """Whether ``directory`` holds the corpus ``wanted`` describes, files intact (by size)."""
    if manifest is None or manifest.get("parameters") != wanted:
        return False
    for entry in manifest["files"]:
        path = Path(directory) / entry["name"]
        if not path.is_file() or path.stat().st_size != entry["bytes"]:
            return False
    return True


def ensure_for(args, *, articles: int | None = None, directory=None, log=None) -> dict:
    """:func:`ensure` with the corpus options of ``python -m bench`` (``--articles``,
    ``--seed``, ...); ``articles`` and ``directory`` for another corpus of the same kind."""
    articles = articles or args.articles
    return ensure(
        directory or args.corpus_dir,
        articles=articles,
        seed=args.seed,
        repeat_share=args.repeat_share,
        near_share=args.near_share,
        files=args.files if articles == args.articles else None,
        log=log,
    )


def ensure(
    directory: Path,
    articles: int,
    seed: int = DEFAULT_SEED,
    repeat_share: float = DEFAULT_REPEAT_SHARE,
    files: int | None = None,
    near_share: float = DEFAULT_NEAR_SHARE,
    log=None,
) -> dict:
    """The manifest of the corpus in ``directory``, generated first unless already there."""
    files = _file_count(articles, files)
    wanted = _wanted(articles, seed, repeat_share, near_share, files)
    manifest = read_manifest(directory)
    if matches(manifest, directory, **wanted):
        if log:
            log(f"Corpus in {directory} is up to date ({articles:,} articles, seed {seed}).")
        return manifest
    if log:
        log(f"Generating {articles:,} articles (seed {seed}) in {files} files in {directory} ...")

    def progress(done: int, total: int) -> None:
        if log and done < total and done % 5 == 0:
            log(f"  {done}/{total} files written")

    manifest = generate(
        directory, articles, seed, repeat_share, files, near_share=near_share, progress=progress
    )
    if log:
        log(f"  done in {manifest['generation_seconds']:.1f} s, {_mb(manifest['bytes'])} MB.")
    return manifest


def generate(
    directory: Path,
    articles: int,
    seed: int = DEFAULT_SEED,
    repeat_share: float = DEFAULT_REPEAT_SHARE,
    files: int | None = None,
    *,
    near_share: float = DEFAULT_NEAR_SHARE,
    progress=None,
) -> dict:
    """Write the corpus to ``directory`` (its old corpus files removed) and return the manifest.

    Articles are streamed to disk through ``render_dump`` one file at a time; what is kept in
    memory is one fingerprint per distinct article (to guarantee distinctness) and the indexes
    of the originals (to pick what to repeat).
    """
    from articles.dumps import fingerprint, render_dump

    if articles < 1:
        raise ValueError("articles must be at least 1")
    if not 0 <= repeat_share + near_share < 1:
        raise ValueError("repeat_share + near_share must be in [0, 1)")
    files = _file_count(articles, files)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in (*directory.glob("corpus-*.txt"), directory / MANIFEST):
        old.unlink(missing_ok=True)
    started = time.perf_counter()

    plan = random.Random(f"{seed}-plan")
    originals: list[int] = []  # article numbers of the originals
    attempts: dict[int, int] = {}  # originals regenerated to avoid a fingerprint collision
    location: dict[int, tuple[str, int]] = {}  # original number -> (file, position)
    seen: set[bytes] = set()
    near_pairs: list[dict] = []
    counts = {"unique": 0, "exact_repeats": 0, "near_duplicates": 0}
    gaza_blocks = gaza_distinct = 0
    per_file = math.ceil(articles / files)

    def original(number: int) -> _Article:
        return _article(seed, number, attempts.get(number, 0))

    def fresh(number: int) -> tuple[_Article, object]:
        attempt = 0
        while True:
            article = _article(seed, number, attempt)
            record = _record(article)
            key = bytes.fromhex(fingerprint(record))
            if key not in seen:
                seen.add(key)
                if attempt:
                    attempts[number] = attempt
                return article, record
            attempt += 1

    def articles_of(number_from: int, number_to: int, name: str) -> Iterator[object]:
        nonlocal gaza_blocks, gaza_distinct
        for number in range(number_from, number_to):
            position = number - number_from
            draw = plan.random()
            if originals and draw < repeat_share:
                article = original(plan.choice(originals))
                record = _record(article)
                counts["exact_repeats"] += 1
            elif originals and draw < repeat_share + near_share:
                base = plan.choice(originals)
                rng = random.Random(f"{seed}-{number}-near")
                for _ in range(100):
                    article, change = _near_duplicate(original(base), rng)
                    record = _record(article)
                    key = bytes.fromhex(fingerprint(record))
                    if key not in seen:
                        break
                seen.add(key)
                counts["near_duplicates"] += 1
                counts["unique"] += 1
                gaza_distinct += _mentions_gaza(article)
                file, at = location[base]
                near_pairs.append(
                    {
                        "change": change,
                        "copy": {"file": name, "position": position},
                        "original": {"file": file, "position": at},
                    }
                )
            else:
                article, record = fresh(number)
                originals.append(number)
                location[number] = (name, position)
                counts["unique"] += 1
                gaza_distinct += _mentions_gaza(article)
            gaza_blocks += _mentions_gaza(article)
            yield record

    entries = []
    for file_number in range(files):
        start = file_number * per_file
        stop = min(articles, start + per_file)
        name = file_name(file_number)
        path = directory / name
        digest = hashlib.sha256()
        size = 0
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for chunk in render_dump(articles_of(start, stop, name)):
                handle.write(chunk)
                data = chunk.encode("utf-8")
                digest.update(data)
                size += len(data)
        entries.append(
            {"name": name, "articles": stop - start, "bytes": size, "sha256": digest.hexdigest()}
        )
        if progress:
            progress(len(entries), files)

    (directory / NEAR_DUPLICATES).write_text(json.dumps(near_pairs, indent=1) + "\n")
    manifest = {
        "parameters": _wanted(articles, seed, repeat_share, near_share, files),
        "articles": articles,
        "distinct_articles": counts["unique"],
        "exact_repeats": counts["exact_repeats"],
        "near_duplicates": counts["near_duplicates"],
        "gaza_articles": gaza_blocks,
        "gaza_distinct_articles": gaza_distinct,
        "bytes": sum(entry["bytes"] for entry in entries),
        "files": entries,
        "near_duplicates_file": NEAR_DUPLICATES,
        "generation_seconds": round(time.perf_counter() - started, 2),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    # The manifest is written last: a corpus without one is incomplete and is regenerated.
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def paths(directory: Path, manifest: dict) -> list[Path]:
    return [Path(directory) / entry["name"] for entry in manifest["files"]]


def describe(manifest: dict) -> str:
    return (
        f"{manifest['articles']:,} articles in {len(manifest['files'])} files "
        f"({_mb(manifest['bytes'])} MB): {manifest['distinct_articles']:,} distinct, "
        f"{manifest['exact_repeats']:,} exact repeats, "
        f"{manifest['near_duplicates']:,} near-duplicates, "
        f"{manifest['gaza_articles']:,} mention Gaza"
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f}"
