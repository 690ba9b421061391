"""Word lists and sentence templates for the benchmark corpus.

Plain data, kept apart from the generator so that `corpus.py` reads as logic. Templates use
`{slot}` placeholders that `corpus.py` fills from the pools below; a slot name that ends in a
digit (`{actor2}`) draws from the pool without the digit.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Dmitry", "Kenan", "Justus", "Nargiza", "Edward", "Aylin", "Mehmet", "Elif", "Olga", "Sergey",
    "Anna", "Li", "Wei", "Mei", "Hiroshi", "Yuki", "Min-jun", "Seo-yeon", "Arjun", "Priya",
    "Ahmed", "Fatima", "Omar", "Layla", "Reza", "Shirin", "Giorgi", "Nino", "Aram", "Anahit",
    "Rustam", "Dilnoza", "Askar", "Aigerim", "Bakyt", "Gulnara", "Thomas", "Claire", "Pierre",
    "Sophie", "Hans", "Katrin", "Marco", "Giulia", "Pablo", "Lucia", "James", "Emily", "Michael",
    "Sarah", "David", "Rachel", "Ivan", "Natalia", "Tomasz", "Agnieszka", "Jan", "Eva", "Nikos",
    "Eleni", "Kwame", "Amina", "Chinedu", "Ngozi", "Carlos", "Mariana", "Samir", "Yasmin",
    "Emre", "Zeynep", "Orhan", "Selin", "Ilya", "Ekaterina", "Farid", "Leyla", "Tural", "Aysel",
    "Jonas", "Ingrid", "Mikko", "Aino", "Ravi", "Ananya", "Hamid", "Parisa", "Kiran", "Tariq",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Trenin", "Ağazade", "Nam", "Murataliyeva", "Lemon", "Yılmaz", "Kaya", "Demir", "Şahin",
    "Çelik", "Ivanova", "Petrov", "Smirnov", "Kuznetsova", "Zhang", "Wang", "Chen", "Liu",
    "Tanaka", "Suzuki", "Kim", "Park", "Sharma", "Gupta", "Khan", "Hussain", "Rahimi", "Tehrani",
    "Beridze", "Kapanadze", "Petrosyan", "Hakobyan", "Aliyev", "Mammadova", "Nurlanov",
    "Abenova", "Tashkentova", "Karimov", "Usmanov", "Dubois", "Martin", "Lefèvre", "Müller",
    "Schmidt", "Wagner", "Rossi", "Bianchi", "García", "Fernández", "Smith", "Johnson",
    "Williams", "Brown", "Taylor", "Anderson", "Kowalski", "Nowak", "Novák", "Svoboda",
    "Papadopoulos", "Georgiou", "Mensah", "Okafor", "Adeyemi", "Silva", "Santos", "Haddad",
    "Khalil", "Öztürk", "Arslan", "Doğan", "Koç", "Volkov", "Sokolova", "Hasanov", "Quliyeva",
    "Lindqvist", "Korhonen", "Virtanen", "Nair", "Reddy", "Farouk", "Mansour", "Bauer",
    "Horvat", "Kovačević", "Popescu", "Ionescu", "Hoxha", "Dimitrov", "Stoyanova", "Tkachenko",
    "Shevchenko", "Bondarenko", "Esposito", "Moreau", "O'Neill", "MacLeod", "Jensen", "Nielsen",
)  # fmt: skip

HONORIFICS: tuple[str, ...] = ("", "", "", "Dr. ", "Prof. ", "Assoc. Prof. Dr. ", "Amb. ")

WRITER_ROLES: tuple[str, ...] = (
    "Research Fellow", "Senior Research Fellow", "Analyst", "Senior Analyst", "Editor",
    "Managing Editor", "Programme Director", "Non-resident Fellow", "Research Assistant",
    "Head of the Eurasia Programme", "Head of the Security Programme",
)  # fmt: skip

EXPERT_ROLES: tuple[str, ...] = (
    "Director of the {inst}", "Senior Fellow at the {inst}", "Professor at the {inst}",
    "Research Fellow at the {inst}", "Head of the Foreign Policy Department at the {inst}",
    "Former Ambassador, now Adviser at the {inst}", "Chairman of the Scientific Council of the {inst}",
    "Associate Professor at the {inst}", "Programme Lead at the {inst}",
)  # fmt: skip

INSTITUTION_FORMS: tuple[str, ...] = (
    "{city} Center for Strategic Studies", "{city} Institute of International Relations",
    "University of {city}", "{city} School of Economics", "{city} Policy Institute",
    "{city} Center for Security Studies", "Institute for Eurasian Studies, {city}",
    "{city} Council on Foreign Affairs", "{city} State University",
)  # fmt: skip

CITIES: tuple[str, ...] = (
    "Ankara", "Istanbul", "Moscow", "Beijing", "Shanghai", "Washington", "London", "Berlin",
    "Paris", "Brussels", "Vienna", "Warsaw", "Kyiv", "Tbilisi", "Baku", "Yerevan", "Almaty",
    "Astana", "Bishkek", "Tashkent", "Tehran", "Delhi", "Tokyo", "Seoul", "Singapore", "Cairo",
    "Riyadh", "Doha", "Nairobi", "Lagos", "Geneva", "Stockholm", "Helsinki", "Lancaster",
    "Texas", "Toronto", "Canberra", "Rome", "Madrid", "Prague",
)  # fmt: skip

PHOTO_SOURCES: tuple[str, ...] = (
    "South China Morning Post", "Reuters", "AP", "AFP", "TASS", "Anadolu Agency", "Xinhua",
    "Wikimedia Commons", "the author", "the interviewee", "the Kremlin press service",
    "NATO", "the European Commission",
)  # fmt: skip

TOPICS: tuple[str, ...] = (
    "Military cooperation", "Early warning systems", "Russia–China relations",
    "Strategic stability", "Energy security", "Arms control", "Sanctions", "Trade policy",
    "Transport corridors", "Regional integration", "Nuclear deterrence", "Missile defence",
    "Natural gas", "Oil markets", "Pipelines", "Renewable energy", "Climate policy",
    "Water security", "Food security", "Foreign direct investment", "Belt and Road Initiative",
    "Infrastructure finance", "Digital economy", "Cybersecurity", "Disinformation",
    "Artificial intelligence", "Space policy", "Maritime security", "Border disputes",
    "Territorial disputes", "Frozen conflicts", "Peacekeeping", "Counterterrorism",
    "Radicalisation", "Migration", "Refugees", "Human rights", "Rule of law", "Elections",
    "Democratisation", "Authoritarianism", "Civil society", "Media freedom", "Corruption",
    "Public health", "Pandemic response", "Eurasian Economic Union",
    "Shanghai Cooperation Organisation", "NATO enlargement", "European security",
    "Transatlantic relations", "Defence industry", "Arms trade", "Military modernisation",
    "Hybrid warfare", "Intelligence", "Diplomacy", "Mediation", "Humanitarian aid",
    "Development assistance", "Sovereign debt", "Inflation", "Central banking",
    "Currency policy", "Labour markets", "Remittances", "Tourism", "Agriculture",
    "Rare earths", "Critical minerals", "Semiconductors", "Supply chains", "Connectivity",
    "Ports and shipping", "Arctic policy", "Caspian Sea", "Black Sea security",
    "Eastern Mediterranean", "Nagorno-Karabakh", "Syrian conflict", "War in Ukraine",
    "Iran nuclear programme", "Korean Peninsula", "Taiwan Strait", "South China Sea",
    "Kurdish question", "Religion and politics", "Soft power", "Education policy",
    "Public opinion", "Youth", "Gender equality", "Urbanisation", "Nuclear energy",
    "Hydropower", "Electricity grids", "Sovereign wealth funds", "Fiscal policy",
    "Privatisation", "State-owned enterprises", "Geoeconomics", "Great power competition",
    "Multipolarity", "International law", "United Nations", "G20", "BRICS", "OSCE",
    "Non-proliferation", "Chemical weapons", "Drones", "Naval power", "Air defence",
    "Military exercises", "Defence budgets", "Cyber norms", "Data protection",
    "Telecommunications", "Election interference", "Populism", "Nationalism", "Minority rights",
    "Diaspora politics", "Water disputes", "Disaster risk", "Energy transition", "Hydrogen",
    "Coal", "LNG", "Nuclear weapons", "Alliances", "Neutrality", "Economic sanctions relief",
    "Export controls", "Technology transfer", "Space launch", "Satellite navigation",
    "Grain exports", "Fertilisers", "Wheat", "Pipeline politics", "Hostage diplomacy",
    "Summit diplomacy", "Track II diplomacy", "Confidence-building measures",
    "Religious freedom", "Judicial reform", "Media regulation", "Sports diplomacy",
    "Cultural heritage",
)  # fmt: skip

REGIONS: tuple[str, ...] = (
    "Russia", "China", "United States", "East Asia", "Turkey", "Central Asia", "South Caucasus",
    "Middle East", "Europe", "European Union", "Ukraine", "Iran", "India", "Japan",
    "South Korea", "North Korea", "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Azerbaijan",
    "Georgia", "Armenia", "Pakistan", "Afghanistan", "Syria", "Iraq", "Israel", "Gulf States",
    "Saudi Arabia", "Egypt", "Africa", "Latin America", "Balkans", "Black Sea", "Arctic",
    "South Asia", "Southeast Asia", "Eastern Europe", "Mediterranean", "Global",
)  # fmt: skip

ACTORS: tuple[str, ...] = (
    "Russia", "China", "the United States", "Turkey", "Iran", "India", "Japan", "South Korea",
    "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Azerbaijan", "Georgia", "Armenia", "Ukraine",
    "Pakistan", "Saudi Arabia", "Israel", "Egypt", "Germany", "France", "the United Kingdom",
    "NATO", "the European Union", "the African Union", "ASEAN", "the Kremlin", "Beijing",
    "Washington", "Ankara", "Brussels", "Tehran", "Moscow", "Baku", "Astana", "Delhi",
)  # fmt: skip

NOUNS: tuple[str, ...] = (
    "cooperation", "security", "stability", "deterrence", "trade", "investment",
    "infrastructure", "energy policy", "partnership", "negotiations", "agreement", "framework",
    "dialogue", "tension", "rivalry", "leverage", "influence", "capability", "doctrine",
    "strategy", "diplomacy", "initiative", "assistance", "budget", "economy", "growth",
    "migration policy", "border regime", "neighbourhood", "supply chain", "alliance",
    "balance of power", "coordination", "competition", "integration", "sovereignty",
    "legitimacy", "reform agenda", "transit route", "market access", "credibility",
    "early warning capability", "air defence network", "naval presence", "export strategy",
    "regulatory regime", "sanctions policy", "defence posture", "public debate",
    "decision-making process", "security architecture", "arms race", "confidence",
    "interdependence", "status quo", "political will", "institutional capacity",
)  # fmt: skip

ADJECTIVES: tuple[str, ...] = (
    "strategic", "regional", "bilateral", "multilateral", "economic", "military", "political",
    "nuclear", "long-term", "fragile", "growing", "limited", "pragmatic", "asymmetric",
    "comprehensive", "technical", "informal", "structural", "gradual", "unprecedented",
    "cautious", "ambitious", "durable", "contested", "practical", "persistent", "new",
    "existing", "broader", "narrow", "deep", "selective", "coordinated", "sustained",
)  # fmt: skip

VERBS: tuple[str, ...] = (
    "strengthens", "undermines", "complicates", "reshapes", "signals", "reflects", "limits",
    "expands", "deepens", "challenges", "tests", "redefines", "supports", "constrains",
    "accelerates", "weakens", "shapes", "secures", "questions", "prioritises", "balances",
    "reinforces", "exposes", "anchors", "sustains", "jeopardises",
)  # fmt: skip

CONNECTORS: tuple[str, ...] = (
    "However,", "At the same time,", "In practice,", "For that reason,", "Moreover,",
    "Yet", "In the long run,", "Nevertheless,", "As a result,", "In this sense,",
    "For now,", "Above all,", "By contrast,", "Still,", "In the short term,",
)  # fmt: skip

OBSERVERS: tuple[str, ...] = (
    "analysts", "officials", "diplomats", "observers", "experts", "investors", "critics",
    "policymakers", "military planners", "economists", "local communities", "voters",
)  # fmt: skip

SAY_VERBS: tuple[str, ...] = (
    "argue", "expect", "warn", "note", "believe", "fear", "suggest", "acknowledge", "doubt",
)  # fmt: skip

TREND_WORDS: tuple[str, ...] = (
    "Developing", "Deepening", "Growing", "Changing", "Stalling", "Improving", "Weakening",
    "Strengthening", "Evolving", "at a Turning Point", "Under Pressure", "Here to Stay",
)  # fmt: skip

HEADINGS: tuple[str, ...] = (
    "Background", "The economic dimension", "The security dimension", "What comes next",
    "Regional reactions", "Risks and constraints", "Conclusion", "Key findings",
    "Policy options", "A look at the numbers", "The view from {actor}", "Implications for {actor}",
)  # fmt: skip

SENTENCES: tuple[str, ...] = (
    "{actor} {verb} the {adj} {noun} with {actor2}.",
    "{conn} the {adj} {noun} of {actor} {verb} the {noun2} in {region}.",
    "The {noun} between {actor} and {actor2} {verb} the {adj} {noun2} of the region.",
    "Many {observers} {say} that {actor} {verb} its {noun} because of {adj} {noun2}.",
    "{conn} {actor} is unlikely to abandon its {adj} {noun} in {region}.",
    "This {verb} a {adj} shift in how {actor} approaches {noun}.",
    "According to {observers} in {city}, the {noun} has become more {adj} since {year}.",
    "{actor} and {actor2} held {num} rounds of talks on {noun} in {year}.",
    "Trade between {actor} and {actor2} grew by {num} per cent, which {verb} their {noun}.",
    "The {adj} {noun} is not a threat in itself, but it {verb} the {noun2} of {actor}.",
    "{conn} {observers} in {region} {say} that the {noun} will remain {adj}.",
    "Nobody in {city} expects the {noun} to change quickly, and {actor} {verb} that view.",
    "The {rare} project {verb} the {adj} {noun} along the {rare2} corridor.",
    "A {adj} {noun} requires {political} will in both {actor} and {actor2}.",
    "{conn} the {noun} {verb} the interests of {actor}, not only those of {actor2}.",
    "Officials in {city} describe the {noun} as {adj} and {adj2}.",
    "The {year} agreement on {noun} {verb} the {adj} {noun2} that {actor} had sought.",
    "What matters most is whether {actor} {verb} its {noun} in {region}.",
    "{actor} spends about {num} per cent of its budget on {noun}, a {adj} share.",
    "The debate in {city} about {noun} {verb} a {adj} consensus.",
)  # fmt: skip

QUESTIONS: tuple[str, ...] = (
    "How do you assess the {noun} between {actor} and {actor2}?",
    "What will be the possible reaction of {actor}?",
    "To what extent will {actor} profit from its {noun} with {actor2}?",
    "Is it possible that {actor} and {actor2} will continue to integrate their {noun}?",
    "Which kind of response do you expect from {actor}?",
    "How do you see the future of the {adj} {noun} in {region}?",
    "Could you tell us more about the {adj} {noun} that {actor} has proposed?",
    "What are the main obstacles to {noun} in {region}?",
    "Does the {noun} of {actor} {verb_base} the {noun2} of {actor2}?",
    "Why has {actor} chosen a {adj} approach to {noun}?",
    "What role does {actor} play in the {noun} of {region}?",
    "How has the {noun} changed since {year}?",
)  # fmt: skip

LEDES: tuple[str, ...] = (
    "In an interview with our centre, {name} analyses the {adj} {noun} between {actor} "
    "and {actor2}.",
    "We spoke with {name} about {noun} in {region} and what it means for {actor}.",
    "{name} discusses why {actor} {verb} the {adj} {noun} and what comes next.",
)  # fmt: skip

BIO_SENTENCES: tuple[str, ...] = (
    "{name} works on {noun} and {noun2} in {region}.",
    "Before joining the {inst}, {name} worked in {city} for {num} years.",
    "{name} has written widely on {adj} {noun} and {topic}.",
    "{name} holds a doctorate from the University of {city}.",
    "Their current research looks at {topic} and {topic2}.",
)  # fmt: skip

POLITICAL: tuple[str, ...] = ("political", "economic", "institutional", "public")

ANALYSIS_TITLES: tuple[str, ...] = (
    "The Limits of {Noun} in {region}",
    "Why {actor} {verb} Its {Noun} in {region}",
    "What {actor}’s {Noun} Means for {actor2}",
    "{Adj} {Noun}: {actor} and {actor2} after {year}",
    "{topic}: {Adj} Lessons from {region}",
    "Between {actor} and {actor2}: The {Adj} Politics of {topic}",
    "Is {actor} Losing Its {Noun} in {region}?",
    "Rethinking {topic} in {region}",
)  # fmt: skip

NEWS_TITLES: tuple[str, ...] = (
    "{actor} and {actor2} Sign Agreement on {topic}",
    "{actor} Announces New {Noun} for {region}",
    "Talks on {topic} Resume in {city}",
    "{actor} Hosts Summit on {topic}",
)  # fmt: skip

REPORT_TITLES: tuple[str, ...] = (
    "{topic} in {region}: Trends and Scenarios, {year}",
    "Annual Review of {topic}, {year}",
    "{region} Outlook {year}: {topic} and {topic2}",
)  # fmt: skip

CLAIMS: tuple[str, ...] = (
    "{Noun} Between {actor} and {actor2} is {trend}",
    "{actor} Will Not Give Up Its {Noun} in {region}",
    "{topic} is the Key to {region}’s Future",
    "{actor} and {actor2} Can Cooperate on {topic}",
    "The {Adj} {Noun} of {actor} is {trend}",
)  # fmt: skip
