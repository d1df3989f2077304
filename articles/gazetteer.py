"""The region vocabulary and its gazetteer, as seeded by a data migration.

Editors extend both in the admin; this module is only the starting point. Names are matched
case-insensitively on word boundaries by the region suggester.
"""

REGIONS: dict[str, tuple[str, ...]] = {
    "Libya": (
        "Libya", "Libyan", "Libyans", "Tripoli", "Benghazi", "Tobruk", "Misrata", "Misurata",
        "Sirte", "Derna", "Fezzan", "Sabha", "Sebha", "Zawiya", "Ajdabiya", "Cyrenaica",
        "Tripolitania", "Ghadames", "Kufra", "Al-Watiya", "Mitiga", "Haftar", "LNA",
        "Libyan National Army", "Dbeibah", "Government of National Unity",
    ),
    "Gaza": (
        "Gaza", "Gaza Strip", "Gaza City", "Gazan", "Gazans", "Rafah", "Khan Younis",
        "Khan Yunis", "Deir al-Balah", "Deir el-Balah", "Jabalia", "Jabaliya", "Nuseirat",
        "Beit Hanoun", "Beit Lahia", "Bureij", "Maghazi", "Shati", "Al-Shifa", "Kerem Shalom",
        "Netzarim",
    ),
    "West Bank": (
        "West Bank", "Ramallah", "Jenin", "Nablus", "Hebron", "Tulkarm", "Bethlehem", "Jericho",
        "Qalqilya", "Tubas", "Salfit", "Palestinian Authority", "Judea and Samaria",
    ),
    "Israel": (
        "Israel", "Israeli", "Israelis", "Tel Aviv", "Jerusalem", "Haifa", "Netanya",
        "Ashkelon", "Ashdod", "Sderot", "Eilat", "Beersheba", "Knesset", "Netanyahu", "IDF",
    ),
    "Lebanon": (
        "Lebanon", "Lebanese", "Beirut", "Sidon", "Saida", "Tyre", "Nabatieh", "Baalbek",
        "Bekaa", "Hezbollah", "Litani", "Dahiyeh",
    ),
    "Syria": (
        "Syria", "Syrian", "Syrians", "Damascus", "Aleppo", "Idlib", "Homs", "Hama", "Latakia",
        "Tartus", "Deir ez-Zor", "Deir Ezzor", "Raqqa", "Daraa", "Sweida", "Suwayda", "Qamishli",
        "Hasakah", "Palmyra", "Golan",
    ),
    "Iraq": (
        "Iraq", "Iraqi", "Iraqis", "Baghdad", "Basra", "Mosul", "Erbil", "Kirkuk", "Najaf",
        "Karbala", "Fallujah", "Ramadi", "Sulaymaniyah", "Anbar", "Kurdistan Region",
    ),
    "Iran": (
        "Iran", "Iranian", "Iranians", "Tehran", "Isfahan", "Mashhad", "Tabriz", "Shiraz", "Qom",
        "Natanz", "Fordow", "Bushehr", "Khamenei", "IRGC", "Revolutionary Guards",
    ),
    "Yemen": (
        "Yemen", "Yemeni", "Yemenis", "Sanaa", "Sana'a", "Aden", "Hodeidah", "Marib", "Taiz",
        "Mukalla", "Hadramout", "Houthi", "Houthis", "Saada",
    ),
    "Sudan": (
        "Sudan", "Sudanese", "Khartoum", "Omdurman", "Darfur", "El Fasher", "Port Sudan",
        "Kordofan", "Rapid Support Forces", "RSF", "Wad Madani", "El Geneina",
    ),
    "Egypt": (
        "Egypt", "Egyptian", "Egyptians", "Cairo", "Alexandria", "Sinai", "Suez", "Port Said",
        "Ismailia", "Luxor", "Aswan", "Sharm el-Sheikh", "Giza", "Sisi",
    ),
    "Jordan": (
        "Jordan", "Jordanian", "Jordanians", "Amman", "Zarqa", "Irbid", "Aqaba", "Mafraq",
        "Zaatari",
    ),
    "Tunisia": ("Tunisia", "Tunisian", "Tunisians", "Tunis", "Sfax", "Sousse", "Kairouan", "Bizerte"),
    "Algeria": ("Algeria", "Algerian", "Algerians", "Algiers", "Oran", "Constantine", "Annaba"),
    "Morocco": (
        "Morocco", "Moroccan", "Moroccans", "Rabat", "Casablanca", "Marrakesh", "Marrakech",
        "Tangier", "Fez", "Western Sahara",
    ),
    "Türkiye": (
        "Türkiye", "Turkiye", "Turkey", "Turkish", "Ankara", "Istanbul", "Izmir", "Gaziantep",
        "Erdogan", "Erdoğan",
    ),
    "Saudi Arabia": (
        "Saudi Arabia", "Saudi", "Saudis", "Riyadh", "Jeddah", "Mecca", "Makkah", "Medina",
        "Madinah", "Dammam", "NEOM", "Kingdom of Saudi Arabia",
    ),
    "Qatar": ("Qatar", "Qatari", "Qataris", "Doha"),
    "United Arab Emirates": (
        "United Arab Emirates", "UAE", "Emirati", "Emiratis", "Abu Dhabi", "Dubai", "Sharjah",
    ),
    "Kuwait": ("Kuwait", "Kuwaiti", "Kuwaitis", "Kuwait City"),
    "Bahrain": ("Bahrain", "Bahraini", "Bahrainis", "Manama"),
    "Oman": ("Oman", "Omani", "Omanis", "Muscat", "Salalah"),
}
