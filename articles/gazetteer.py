"""The region vocabulary and its gazetteer, as seeded by a data migration, and what the region
suggester (:mod:`articles.suggest`) knows about the names beyond the vocabulary.

:data:`REGIONS` maps each region to its names: places, aliases and spellings, demonyms, and the
people, armed groups and institutions that stand for it. The migration seeds it into the
database; editors extend it in the admin, and the suggester reads the database's version. A
name listed under several regions (Tripoli: Libya and Lebanon; Golan: Syria and Israel) is
ambiguous, and the suggester gives it to the region that the rest of the article supports.

The other tables qualify names and are applied on top of whatever gazetteer the database holds;
a name they list that is not in the gazetteer is ignored, and a name the editors add that they
do not list is a place name, matched case-insensitively (or exactly, when written in capitals,
as an acronym). Entries are matched regardless of case, accents and apostrophes.
"""

# fmt: off
REGIONS: dict[str, tuple[str, ...]] = {
    "Libya": (
        "Libya", "Libyan", "Libyans", "Tripoli", "Benghazi", "Tobruk", "Misrata", "Misurata",
        "Sirte", "Derna", "Fezzan", "Sabha", "Sebha", "Zawiya", "Ajdabiya", "Cyrenaica",
        "Tripolitania", "Ghadames", "Kufra", "Al-Watiya", "Watiya", "Mitiga", "Zintan", "Gharyan",
        "Bani Walid", "Zuwara", "Ras Lanuf", "Es Sider", "Brega", "Sharara", "Abu Salim",
        "Haftar", "LNA", "Libyan National Army", "Dbeibah", "Dbeibeh",
        "Government of National Unity", "Aguila Saleh", "UNSMIL",
    ),
    "Gaza": (
        "Gaza", "Gaza Strip", "Gaza City", "Gazan", "Gazans", "Rafah", "Khan Younis",
        "Khan Yunis", "Deir al-Balah", "Deir el-Balah", "Jabalia", "Jabaliya", "Nuseirat",
        "Beit Hanoun", "Beit Lahia", "Beit Lahiya", "Bureij", "Maghazi", "Shati", "Al-Shifa",
        "Kerem Shalom", "Netzarim", "Mawasi", "Al-Mawasi", "Shujaiya", "Shejaiya", "Zeitoun",
        "Philadelphi Corridor", "Nasser Hospital", "Kamal Adwan", "Hamas", "Sinwar",
    ),
    "West Bank": (
        "West Bank", "Ramallah", "Jenin", "Nablus", "Hebron", "Tulkarm", "Tulkarem", "Bethlehem",
        "Jericho", "Qalqilya", "Qalqiliya", "Tubas", "Salfit", "Huwara", "Turmus Ayya", "Sinjil",
        "Nur Shams", "Balata", "Qalandia", "Masafer Yatta", "East Jerusalem", "Jordan Valley",
        "Judea and Samaria", "Palestinian Authority", "Mahmoud Abbas",
    ),
    "Israel": (
        "Israel", "Israeli", "Israelis", "Tel Aviv", "Jerusalem", "Haifa", "Netanya",
        "Ashkelon", "Ashdod", "Sderot", "Eilat", "Beersheba", "Kiryat Shmona", "Metula",
        "Nahariya", "Galilee", "Negev", "Dimona", "Rishon LeZion", "Petah Tikva", "Herzliya",
        "Ben Gurion Airport", "Golan", "Golan Heights", "Knesset", "Netanyahu", "IDF",
        "Israel Defense Forces", "Shin Bet", "Herzog",
    ),
    "Lebanon": (
        "Lebanon", "Lebanese", "Beirut", "Tripoli", "Sidon", "Saida", "Tyre", "Nabatieh",
        "Baalbek", "Bekaa", "Litani", "Dahiyeh", "Dahieh", "Marjayoun", "Bint Jbeil", "Khiam",
        "Naqoura", "Hermel", "Jounieh", "Byblos", "Zahle", "Bab al-Tabbaneh", "Jabal Mohsen",
        "Masnaa", "UNIFIL", "Hezbollah", "Nasrallah", "Naim Qassem", "Joseph Aoun", "Nawaf Salam",
        "Mikati", "Nabih Berri",
    ),
    "Syria": (
        "Syria", "Syrian", "Syrians", "Damascus", "Aleppo", "Idlib", "Homs", "Hama", "Latakia",
        "Tartus", "Deir ez-Zor", "Deir Ezzor", "Raqqa", "Daraa", "Sweida", "Suwayda", "Qamishli",
        "Hasakah", "Hasakeh", "Palmyra", "Kobani", "Manbij", "Afrin", "Quneitra", "Douma",
        "Ghouta", "Jableh", "Al-Hol", "Qalamoun", "Golan", "Golan Heights", "Assad",
        "Ahmed al-Sharaa", "Sharaa", "Hayat Tahrir al-Sham", "HTS", "Syrian Democratic Forces",
        "SDF",
    ),
    "Iraq": (
        "Iraq", "Iraqi", "Iraqis", "Baghdad", "Basra", "Mosul", "Erbil", "Kirkuk", "Najaf",
        "Karbala", "Fallujah", "Ramadi", "Sulaymaniyah", "Anbar", "Kurdistan Region", "Nineveh",
        "Tikrit", "Samarra", "Diyala", "Duhok", "Dohuk", "Sinjar", "Halabja", "KRG",
        "Kurdistan Regional Government", "Sudani", "Popular Mobilization Forces", "PMF",
        "Muqtada al-Sadr",
    ),
    "Iran": (
        "Iran", "Iranian", "Iranians", "Tehran", "Isfahan", "Mashhad", "Tabriz", "Shiraz", "Qom",
        "Natanz", "Fordow", "Bushehr", "Bandar Abbas", "Ahvaz", "Khuzestan", "Kerman", "Karaj",
        "Chabahar", "Arak", "Khamenei", "IRGC", "Revolutionary Guards", "Revolutionary Guard",
        "Islamic Revolutionary Guard Corps", "Quds Force", "Pezeshkian", "Araghchi", "Raisi",
    ),
    "Yemen": (
        "Yemen", "Yemeni", "Yemenis", "Sanaa", "Sana'a", "Aden", "Hodeidah", "Hudaydah", "Marib",
        "Taiz", "Mukalla", "Hadramout", "Hadramawt", "Hadramaut", "Saada", "Hajjah", "Ibb",
        "Shabwa", "Abyan", "Lahj", "Mocha", "Socotra", "Dhamar", "Houthi", "Houthis",
        "Ansar Allah", "Al-Masirah", "Presidential Leadership Council",
    ),
    "Sudan": (
        "Sudan", "Sudanese", "Khartoum", "Omdurman", "Bahri", "Darfur", "El Fasher", "Al-Fashir",
        "Port Sudan", "Kordofan", "El-Obeid", "Kassala", "Gedaref", "Atbara", "Nyala", "Zamzam",
        "Gezira", "Wad Madani", "El Geneina", "Geneina", "Rapid Support Forces", "RSF", "Burhan",
        "Hemedti", "Dagalo",
    ),
    "Egypt": (
        "Egypt", "Egyptian", "Egyptians", "Cairo", "Alexandria", "Sinai", "North Sinai",
        "El-Arish", "Arish", "Suez", "Suez Canal", "Port Said", "Ismailia", "Luxor", "Aswan",
        "Sharm el-Sheikh", "Hurghada", "Giza", "Alamein", "Ain Sokhna", "Minya", "Assiut",
        "Sisi", "Madbouly", "Abdelatty",
    ),
    "Jordan": (
        "Jordan", "Jordanian", "Jordanians", "Amman", "Zarqa", "Irbid", "Aqaba", "Mafraq",
        "Zaatari", "Karak", "Madaba", "Jerash", "Petra", "Jordan Valley", "King Abdullah II",
        "Safadi",
    ),
    "Tunisia": (
        "Tunisia", "Tunisian", "Tunisians", "Tunis", "Sfax", "Sousse", "Kairouan", "Bizerte",
        "Monastir", "Gabes", "Djerba", "Gafsa", "Sidi Bouzid", "Kais Saied", "Saied", "Ennahda",
    ),
    "Algeria": (
        "Algeria", "Algerian", "Algerians", "Algiers", "Oran", "Constantine", "Annaba",
        "Tlemcen", "Setif", "Bejaia", "Tamanrasset", "Tindouf", "Kabylie", "Hassi Messaoud",
        "Sonatrach", "Tebboune",
    ),
    "Morocco": (
        "Morocco", "Moroccan", "Moroccans", "Rabat", "Casablanca", "Marrakesh", "Marrakech",
        "Tangier", "Fez", "Meknes", "Agadir", "Oujda", "Tetouan", "Al Haouz", "Laayoune",
        "Dakhla", "Western Sahara", "Sahrawi", "Polisario", "Mohammed VI", "Akhannouch",
        "Bourita",
    ),
    "Türkiye": (
        "Türkiye", "Turkiye", "Turkey", "Turkish", "Turks", "Ankara", "Istanbul", "Izmir",
        "Gaziantep", "Hatay", "Antakya", "Kahramanmaras", "Adiyaman", "Diyarbakir", "Adana",
        "Antalya", "Bursa", "Konya", "Mersin", "Ceyhan", "Incirlik", "Bosphorus", "Erdogan",
        "Erdoğan", "Imamoglu", "Hakan Fidan", "PKK",
    ),
    "Saudi Arabia": (
        "Saudi Arabia", "Saudi", "Saudis", "Riyadh", "Jeddah", "Jiddah", "Mecca", "Makkah",
        "Medina", "Madinah", "Dammam", "Dhahran", "Khobar", "Tabuk", "Abha", "Taif", "Jazan",
        "Najran", "Yanbu", "AlUla", "Al-Ula", "NEOM", "Neom", "Kingdom of Saudi Arabia", "KSA",
        "Aramco", "Mohammed bin Salman", "MBS", "Khalid bin Salman", "Faisal bin Farhan",
    ),
    "Qatar": (
        "Qatar", "Qatari", "Qataris", "Doha", "Lusail", "Al Udeid", "QatarEnergy", "Al Thani",
    ),
    "United Arab Emirates": (
        "United Arab Emirates", "UAE", "Emirati", "Emiratis", "Abu Dhabi", "Dubai", "Sharjah",
        "Ajman", "Fujairah", "Ras Al Khaimah", "Mohamed bin Zayed", "Mohammed bin Zayed",
        "Tahnoun bin Zayed",
    ),
    "Kuwait": ("Kuwait", "Kuwaiti", "Kuwaitis", "Kuwait City", "Jahra", "Failaka", "Bubiyan"),
    "Bahrain": ("Bahrain", "Bahraini", "Bahrainis", "Manama", "Muharraq", "Riffa", "Sakhir"),
    "Oman": (
        "Oman", "Omani", "Omanis", "Muscat", "Salalah", "Duqm", "Sohar", "Musandam", "Dhofar",
        "Albusaidi",
    ),
}

# Country names: how a story names the country, as a place ("in Libya") or as an actor
# ("Israel said"), which is why the suggester weighs them a little below other place names.
COUNTRIES: frozenset[str] = frozenset({
    "Libya", "Israel", "Lebanon", "Syria", "Iraq", "Iran", "Yemen", "Sudan", "Egypt", "Jordan",
    "Tunisia", "Algeria", "Morocco", "Türkiye", "Turkiye", "Turkey", "Saudi Arabia",
    "Kingdom of Saudi Arabia", "KSA", "Qatar", "United Arab Emirates", "UAE", "Kuwait",
    "Bahrain", "Oman",
})

# Demonyms and adjectives: "Israeli strikes", "Turkish drones" name who acts more often than
# where, so they count for less than place names.
DEMONYMS: frozenset[str] = frozenset({
    "Libyan", "Libyans", "Gazan", "Gazans", "Israeli", "Israelis", "Lebanese", "Syrian",
    "Syrians", "Iraqi", "Iraqis", "Iranian", "Iranians", "Yemeni", "Yemenis", "Sudanese",
    "Egyptian", "Egyptians", "Jordanian", "Jordanians", "Tunisian", "Tunisians", "Algerian",
    "Algerians", "Moroccan", "Moroccans", "Sahrawi", "Turkish", "Turks", "Saudi", "Saudis",
    "Qatari", "Qataris", "Emirati", "Emiratis", "Kuwaiti", "Kuwaitis", "Bahraini", "Bahrainis",
    "Omani", "Omanis",
})

# People, armed groups, parties, companies and institutions: they act far from home (Hezbollah
# in Syria, Houthis in the Red Sea, the IDF in Gaza), so they count for less than places.
ACTORS: frozenset[str] = frozenset({
    "Haftar", "LNA", "Libyan National Army", "Dbeibah", "Dbeibeh", "Government of National Unity",
    "Aguila Saleh", "UNSMIL", "Hamas", "Sinwar", "Palestinian Authority", "Mahmoud Abbas",
    "Knesset", "Netanyahu", "IDF", "Israel Defense Forces", "Shin Bet", "Herzog", "UNIFIL",
    "Hezbollah", "Nasrallah", "Naim Qassem", "Joseph Aoun", "Nawaf Salam", "Mikati",
    "Nabih Berri", "Assad", "Ahmed al-Sharaa", "Sharaa", "Hayat Tahrir al-Sham", "HTS",
    "Syrian Democratic Forces", "SDF", "KRG", "Kurdistan Regional Government", "Sudani",
    "Popular Mobilization Forces", "PMF", "Muqtada al-Sadr", "Khamenei", "IRGC",
    "Revolutionary Guards", "Revolutionary Guard", "Islamic Revolutionary Guard Corps",
    "Quds Force", "Pezeshkian", "Araghchi", "Raisi", "Houthi", "Houthis", "Ansar Allah",
    "Al-Masirah", "Presidential Leadership Council", "Rapid Support Forces", "RSF", "Burhan",
    "Hemedti", "Dagalo", "Sisi", "Madbouly", "Abdelatty", "King Abdullah II", "Safadi",
    "Kais Saied", "Saied", "Ennahda", "Sonatrach", "Tebboune", "Polisario", "Mohammed VI",
    "Akhannouch", "Bourita", "Erdogan", "Erdoğan", "Imamoglu", "Hakan Fidan", "PKK", "Aramco",
    "Mohammed bin Salman", "MBS", "Khalid bin Salman", "Faisal bin Farhan", "QatarEnergy",
    "Al Thani", "Mohamed bin Zayed", "Mohammed bin Zayed", "Tahnoun bin Zayed", "Albusaidi",
})

# Phrases that contain a gazetteer name but point to no region. They are matched like names,
# so the longer phrase wins and the name inside it does not count.
EXCLUSIONS: tuple[str, ...] = (
    "Gaza Humanitarian Foundation", "Jordan River", "River Jordan", "Mount Sinai",
    "Al Jazeera", "Al-Jazeera", "Dead Sea Scrolls", "Turkey Point", "Turkey Trot", "Oman Air",
    "Medina Spirit",
)

# People whose names contain a gazetteer name. Like exclusions they count for nothing, and an
# article that names one of them uses the gazetteer name inside for the person throughout
# ("Rep. Jim Jordan ... Jordan, an Ohio Republican").
PEOPLE: tuple[str, ...] = (
    "Michael Jordan", "Jim Jordan", "Jordan Bardella", "Jordan Peterson", "Jordan Henderson",
    "Jordan Spieth", "Vernon Jordan", "Tyre Nichols", "Alexandria Ocasio-Cortez",
)

# Names that are also common English words ("turkey", "tyre", "fez", "mecca", "muscat",
# "shiraz"): they count only when capitalized.
CAPITALIZED: frozenset[str] = frozenset({
    "Turkey", "Tyre", "Fez", "Mecca", "Medina", "Muscat", "Shiraz", "Aleppo", "Tubas", "Petra",
    "Arak", "Bahri", "Jordan", "Constantine", "Nyala", "Mocha",
})

# Names that are also given names or surnames ("Jim Jordan", "Tyre Nichols", "Emperor
# Constantine"). When an article uses one of them for a person anywhere (a capitalized word
# or a title such as "Rep." next to it), none of its mentions in that article count.
ALSO_PERSON: frozenset[str] = frozenset({
    "Jordan", "Tyre", "Constantine", "Medina", "Saida", "Petra", "Aden",
})
# fmt: on
