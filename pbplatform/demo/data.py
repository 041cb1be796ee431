"""The demo district: five neighbourhoods, about thirty proposals, savings and offers.

Amounts are in whole euros here; the loader converts to minor units.
"""

AREAS = [
    # name, code, budget in EUR
    ("Fennpfuhl", "FEN", 120_000),
    ("Karlshorst", "KAR", 100_000),
    ("Friedrichsfelde", "FRI", 110_000),
    ("Alt-Hohenschönhausen", "AHS", 130_000),
    ("Rummelsburg", "RUM", 90_000),
]
# Residents per area (rounded), so the statistics page shows turnout against population.
AREA_POPULATIONS = {"FEN": 32_000, "KAR": 29_000, "FRI": 50_000, "AHS": 47_000, "RUM": 25_000}
DISTRICT_BUDGET = 250_000

# title, area code (None: district-wide), category, cost in EUR, final status, description
PROPOSALS = [
    (
        "Benches and shade at Fennpfuhl pond",
        "FEN",
        "green",
        18_000,
        "approved",
        "Six benches and two shade sails on the east bank, where older residents walk daily.",
    ),
    (
        "Repair the Anton-Saefkow-Platz playground",
        "FEN",
        "play",
        45_000,
        "approved",
        "The climbing frame has been fenced off for a year; replace it and the soft flooring.",
    ),
    (
        "Bike racks at the Storkower Straße station",
        "FEN",
        "streets",
        12_000,
        "approved",
        "Forty covered racks; the existing twelve are always full by 8 am.",
    ),
    (
        "Community fridge at the neighbourhood centre",
        "FEN",
        "social",
        6_000,
        "approved",
        "A shared fridge against food waste, run by volunteers from the centre.",
    ),
    (
        "Outdoor table tennis in Fennpfuhl park",
        "FEN",
        "sport",
        9_000,
        "approved",
        "Two concrete tables beside the playground.",
    ),
    (
        "Street trees on Weißenseer Weg",
        "FEN",
        "environment",
        60_000,
        "approved",
        "Replace the twenty trees lost in the 2024 storms.",
    ),
    (
        "Karlshorst library reading garden",
        "KAR",
        "culture",
        25_000,
        "approved",
        "Turn the library's back yard into a shaded reading garden with seating.",
    ),
    (
        "Safe crossing at Treskowallee school",
        "KAR",
        "streets",
        70_000,
        "approved",
        "A raised crossing and a crossing guard's shelter for the primary school.",
    ),
    (
        "Youth music room equipment",
        "KAR",
        "culture",
        15_000,
        "approved",
        "Instruments and sound insulation for the youth club's rehearsal room.",
    ),
    (
        "Dog park by the Wuhlheide",
        "KAR",
        "green",
        30_000,
        "approved",
        "A fenced run so dogs stay out of the children's meadow.",
    ),
    (
        "Friedrichsfelde senior sports course",
        "FRI",
        "sport",
        8_000,
        "approved",
        "Weekly outdoor exercise led by a trainer, April to October.",
    ),
    (
        "Lighting on the path to Tierpark station",
        "FRI",
        "streets",
        40_000,
        "approved",
        "The path is dark from 5 pm in winter; twelve LED lamps.",
    ),
    (
        "Neighbourhood garden on Sewanstraße",
        "FRI",
        "green",
        22_000,
        "approved",
        "Raised beds, a tool shed and a water connection on the unused corner lot.",
    ),
    (
        "Wi-Fi in the neighbourhood centre",
        "FRI",
        "education",
        5_000,
        "approved",
        "So that homework help and job-search courses can go online.",
    ),
    (
        "Skate spot at Hohenschönhausen sports field",
        "AHS",
        "sport",
        55_000,
        "approved",
        "A small concrete skate area beside the football pitch.",
    ),
    (
        "Repair the Obersee promenade",
        "AHS",
        "green",
        80_000,
        "approved",
        "Broken paving and missing railings along the lake.",
    ),
    (
        "Homework club materials",
        "AHS",
        "education",
        4_000,
        "approved",
        "Books, laptops and printing for the volunteer homework club.",
    ),
    (
        "Drinking fountain at Rummelsburger Bucht",
        "RUM",
        "environment",
        14_000,
        "approved",
        "A public drinking fountain on the waterfront path.",
    ),
    (
        "Rummelsburg waterfront clean-up days",
        "RUM",
        "environment",
        3_000,
        "approved",
        "Gloves, grabbers and skips for four clean-up days a year.",
    ),
    (
        "Playground shade at Hauptstraße",
        "RUM",
        "play",
        28_000,
        "approved",
        "Sun sails over the sandpit; the playground has no shade at all.",
    ),
    (
        "District-wide repair café network",
        None,
        "social",
        35_000,
        "approved",
        "Tools and a coordinator for monthly repair cafés in five neighbourhoods.",
    ),
    (
        "Free swimming lessons for primary school children",
        None,
        "sport",
        90_000,
        "approved",
        "Every child should be able to swim by the age of ten.",
    ),
    (
        "Multilingual advice desk for tenants",
        None,
        "social",
        60_000,
        "approved",
        "Advice in Vietnamese, Russian, Arabic and English, two days a week.",
    ),
    (
        "Tree-watering sponsorships",
        None,
        "environment",
        20_000,
        "approved",
        "Water bags and a sign-up map so residents can adopt street trees.",
    ),
    # Not on the ballot: pending, rejected, merged and withdrawn proposals.
    (
        "More benches at the pond",
        "FEN",
        "green",
        5_000,
        "merged",
        "We need somewhere to sit by the water.",
    ),
    (
        "Heated outdoor swimming pool in Karlshorst",
        "KAR",
        "sport",
        4_500_000,
        "rejected",
        "An outdoor pool for the neighbourhood.",
    ),
    (
        "Football goals for the Friedrichsfelde meadow",
        "FRI",
        "sport",
        3_000,
        "pending",
        "Two portable goals so children can play without a club membership.",
    ),
    (
        "Book exchange boxes",
        "AHS",
        "culture",
        2_500,
        "withdrawn",
        "Weatherproof book boxes at the tram stops.",
    ),
    (
        "Night bus stop shelter",
        "RUM",
        "streets",
        16_000,
        "pending",
        "A shelter at the N94 stop where people wait in the rain after late shifts.",
    ),
]

# Savings proposals: title, saving per year in EUR, description, impact statement.
SAVINGS = [
    (
        "Switch street lighting to LED on a faster schedule",
        40_000,
        "Replace the remaining sodium lamps within two years instead of six.",
        "Highways: investment of EUR 120,000 pays back in three years; no service reduction.",
    ),
    (
        "Share one fleet of council cars between departments",
        25_000,
        "Pool the departments' cars and book them centrally.",
        "Facilities: feasible from next April; fleet reduced from 18 to 12 cars.",
    ),
    (
        "Close the district office on Saturdays",
        30_000,
        "Saturday opening is little used; move the hours to a weekday evening.",
        "Citizens' services: Saturdays serve about 40 visitors; evening hours keep access.",
    ),
    (
        "Stop printing the district newsletter",
        18_000,
        "Publish it online and at libraries only.",
        "Communications: about 9 % of households have no internet access; print copies stay in "
        "libraries.",
    ),
]
SAVINGS_TARGET = 50_000
SAVINGS_SHARE_PCT = 20

# Officer cost estimates that differ from the proposer's (title -> EUR); others keep theirs.
OFFICER_COSTS = {
    "Repair the Anton-Saefkow-Platz playground": 52_000,
    "Safe crossing at Treskowallee school": 76_000,
    "Repair the Obersee promenade": 85_000,
    "Lighting on the path to Tierpark station": 44_000,
}

# How likely a voter of the area is to choose each ballot proposal (0..1). The order of these
# numbers decides the ranking; "Street trees on Weißenseer Weg" ranks third in Fennpfuhl,
# where only its accepted offers make it fit the money left after the first two.
POPULARITY = {
    "Repair the Anton-Saefkow-Platz playground": 0.85,
    "Benches and shade at Fennpfuhl pond": 0.75,
    "Street trees on Weißenseer Weg": 0.65,
    "Bike racks at the Storkower Straße station": 0.45,
    "Community fridge at the neighbourhood centre": 0.4,
    "Outdoor table tennis in Fennpfuhl park": 0.3,
    "Safe crossing at Treskowallee school": 0.8,
    "Karlshorst library reading garden": 0.6,
    "Dog park by the Wuhlheide": 0.35,
    "Youth music room equipment": 0.45,
    "Lighting on the path to Tierpark station": 0.8,
    "Neighbourhood garden on Sewanstraße": 0.55,
    "Friedrichsfelde senior sports course": 0.5,
    "Wi-Fi in the neighbourhood centre": 0.3,
    "Repair the Obersee promenade": 0.75,
    "Skate spot at Hohenschönhausen sports field": 0.55,
    "Homework club materials": 0.5,
    "Playground shade at Hauptstraße": 0.7,
    "Drinking fountain at Rummelsburger Bucht": 0.6,
    "Rummelsburg waterfront clean-up days": 0.35,
    "Free swimming lessons for primary school children": 0.7,
    "District-wide repair café network": 0.5,
    "Multilingual advice desk for tenants": 0.45,
    "Tree-watering sponsorships": 0.4,
}
# Savings: chance a voter votes for, and against (the rest abstain).
SAVINGS_STANCE = {
    "Switch street lighting to LED on a faster schedule": (0.6, 0.1),
    "Share one fleet of council cars between departments": (0.45, 0.15),
    "Close the district office on Saturdays": (0.2, 0.45),
    "Stop printing the district newsletter": (0.3, 0.25),
}

# Proposals that came in offline: title -> (channel, contact name or None).
OFFLINE_INTAKE = {
    "Friedrichsfelde senior sports course": ("letter", "Erika Brandt"),
    "Wi-Fi in the neighbourhood centre": ("email", None),
    "Homework club materials": ("phone", "Nguyen Thi Lan"),
    "Rummelsburg waterfront clean-up days": ("meeting", None),
    "Night bus stop shelter": ("phone", "Jens Kowalski"),
    "Close the district office on Saturdays": ("letter", None),
}

# An abusive proposal residents flag and an officer hides (and rejects).
ABUSIVE = (
    "Get the idiots from the youth club out of the park",
    "FEN",
    "other",
    1_000,
    "They are a plague. Fence them out and let the dogs loose on them.",
)

REJECTION_REASONS = {
    "Heated outdoor swimming pool in Karlshorst": "The cost (about EUR 4.5 million) is far "
    "above the whole citizens' budget, and the "
    "district has no site for an outdoor pool. The proposal is passed on to the Senate's "
    "swimming pool plan.",
    ABUSIVE[0]: "Insulting language about a group of residents; this breaks the rules of "
    "the citizens' budget.",
}

# Co-production offers: (key, proposal title, offerer: "resident NNN" or a name the officer
# enters, kind, quantity, unit, description, value in EUR or None for hours x rate,
# what happens in review, what happens after the results).
OFFERS = [
    (
        "trees-money",
        "Street trees on Weißenseer Weg",
        "Wohnungsgenossenschaft Fennpfuhl eG",
        "money",
        "20000",
        "EUR",
        "Co-finance for the trees from the housing cooperative's "
        "neighbourhood fund, paid when the planting starts.",
        None,
        "accept",
        "partly",
    ),
    (
        "trees-watering",
        "Street trees on Weißenseer Weg",
        "resident 7",
        "volunteer_hours",
        "400",
        "hours",
        "Our street group waters the young trees through the "
        "first three summers (about 400 hours).",
        None,
        "accept",
        "fulfil",
    ),
    (
        "fridge-care",
        "Community fridge at the neighbourhood centre",
        "resident 12",
        "maintenance",
        "52",
        "weeks",
        "Cleaning and stock checks of the fridge every week for a year.",
        1_500,
        "accept",
        "lapse",
    ),
    (
        "garden-plants",
        "Karlshorst library reading garden",
        "resident 2",
        "materials",
        "120",
        "plants",
        "Perennials and shrubs from our allotment association.",
        2_000,
        "accept",
        "fulfil",
    ),
    (
        "dogpark-fence",
        "Dog park by the Wuhlheide",
        "resident 22",
        "equipment_venue",
        "1",
        "fence",
        "A second-hand fence from our club grounds.",
        None,
        "decline",
        None,
    ),
    (
        "garden-hours",
        "Neighbourhood garden on Sewanstraße",
        "resident 3",
        "volunteer_hours",
        "200",
        "hours",
        "Building the raised beds with neighbours.",
        None,
        "withdraw",
        None,
    ),
    (
        "skate-design",
        "Skate spot at Hohenschönhausen sports field",
        "resident 4",
        "professional_service",
        "1",
        "design",
        "A skate park design by a local landscape architect, free of charge.",
        None,
        None,
        None,
    ),
    (
        "repair-cafe-money",
        "District-wide repair café network",
        "Elektro Schulz GmbH",
        "money",
        "5000",
        "EUR",
        "Tools and spare parts for the repair cafés.",
        None,
        "accept",
        None,
    ),
]
DECLINE_REASON = (
    "Fences in public parks must meet the playground safety standard and be "
    "built by a certified contractor; a second-hand fence cannot be used."
)
LAPSE_NOTE = (
    "The volunteer group has dissolved. The neighbourhood centre takes over the "
    "weekly cleaning from its own budget; the fridge opens as planned."
)
