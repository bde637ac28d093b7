"""The demo borough's catalogue: its organisations, departments, investment areas and
services, and the unit costs and spill-over links of its evidence (``warehouse.demo`` writes
them out as source files). Illustrative figures, calibrated on published sources: each unit
cost and link names its source.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNCIL_BODY = "Northbridge Borough Council (demo)"

ORGANISATIONS = [
    {"code": "NBC", "name": COUNCIL_BODY, "type": "council"},
    {"code": "NHS-NCL", "name": "NHS Northbridge Integrated Care Board (demo)", "type": "nhs"},
    {"code": "MPS", "name": "Metropolitan Police Service", "type": "police"},
]
DEPARTMENTS = [
    {"code": "ASC", "organisation": "NBC", "name": "Adult Social Care"},
    {"code": "CSC", "organisation": "NBC", "name": "Children's Services"},
    {"code": "PH", "organisation": "NBC", "name": "Public Health"},
    {"code": "HOUSING", "organisation": "NBC", "name": "Housing"},
    {"code": "COMMSAFE", "organisation": "NBC", "name": "Community Safety"},
    {"code": "ENV", "organisation": "NBC", "name": "Environment"},
    {"code": "NHS-ACUTE", "organisation": "NHS-NCL", "name": "NHS hospital care"},
    {"code": "NHS-PC", "organisation": "NHS-NCL", "name": "NHS primary care"},
    {"code": "POLICE", "organisation": "MPS", "name": "Police"},
]
AREAS = [
    {"code": "OLDER", "name": "Older people live independently and well",
     "outcome": "Older residents stay healthy, active and living in their own homes for longer."},
    {"code": "SAFE", "name": "Safe streets",
     "outcome": "Residents are safe and feel safe in their neighbourhood."},
    {"code": "HOMES", "name": "Decent homes",
     "outcome": "Council tenants live in warm, dry homes in good repair."},
    {"code": "CHILD", "name": "Children get the best start",
     "outcome": "Children are ready for school and families get help early."},
    {"code": "HEALTH", "name": "Healthy lives",
     "outcome": "Residents smoke less, move more and live longer in good health."},
    {"code": "CLEAN", "name": "Clean and green neighbourhoods",
     "outcome": "Streets are clean, waste is recycled and parks are well kept."},
]


@dataclass(frozen=True)
class Svc:
    code: str
    dept: str
    name: str
    statutory: bool
    sercop: str
    unit: str
    unit_cost: float  # £ per activity unit in 2016/17
    base_units: float
    areas: dict
    suppliers: tuple
    expense_types: tuple
    service_area: str


SERVICES = [
    Svc("LUNCH", "ASC", "Luncheon clubs for older people", False,
        "Adult social care: older people - prevention", "club place-year", 210, 1200,
        {"OLDER": 1.0},
        ("Age UK Northbridge", "Northbridge Community Kitchens CIC", "Silver Lunch Trust",
         "St Anne's Over-60s Club"),
        ("Grants to voluntary organisations", "Catering contracts"), "Luncheon Clubs"),
    Svc("FALLS", "ASC", "Falls prevention: strength and balance classes", False,
        "Adult social care: older people - prevention", "course place", 450, 750,
        {"OLDER": 0.8, "HEALTH": 0.2},
        ("Steady Steps Ltd", "Northbridge Leisure Trust", "Active Ageing CIC"),
        ("Contracted services", "Instructor fees"), "Falls Prevention"),
    Svc("REABLE", "ASC", "Reablement", True,
        "Adult social care: older people - short-term support", "reablement episode", 2900, 1450,
        {"OLDER": 1.0},
        ("Northbridge Reablement Service", "CarePath Homecare Ltd", "Medequip Assistive Ltd"),
        ("Contracted services", "Equipment and adaptations", "Agency staff"), "Reablement"),
    Svc("HOMECARE", "ASC", "Home care for older people", True,
        "Adult social care: older people - home care", "home-care hour", 19.2, 690000,
        {"OLDER": 1.0},
        ("Bluebell Homecare Ltd", "CarePath Homecare Ltd", "Northbridge Home Support",
         "Kindred Care Services", "Allied Homecare Ltd", "Ashgrove Care at Home"),
        ("Home care contracts", "Direct payments"), "Home Care"),
    Svc("RESCARE", "ASC", "Residential and nursing care for older people", True,
        "Adult social care: older people - residential care", "care-home week", 780, 26500,
        {"OLDER": 1.0},
        ("Highfield Care Homes Ltd", "Maple Lodge Nursing Home", "Northbridge Care Village",
         "Oakwood Residential Care", "Riverside Nursing Ltd"),
        ("Residential placements", "Nursing placements"), "Residential Care"),
    Svc("SMOKING", "PH", "Stop smoking service", False,
        "Public health: stop smoking services", "quit attempt", 310, 2600, {"HEALTH": 1.0},
        ("Quit Ready Northbridge", "Northbridge Pharmacies Network", "Breathe Easy CIC"),
        ("Contracted services", "Pharmacy payments"), "Stop Smoking"),
    Svc("ACTIVE", "PH", "Physical activity programmes", False,
        "Public health: physical activity", "participant", 95, 5200,
        {"HEALTH": 0.7, "OLDER": 0.3},
        ("Northbridge Leisure Trust", "Move More Together CIC", "Parkrun Volunteers Fund"),
        ("Contracted services", "Grants to voluntary organisations"), "Physical Activity"),
    Svc("HEALTHVIS", "PH", "Health visiting (0-5)", True,
        "Public health: children 0-5", "mandated check", 190, 21000, {"CHILD": 1.0},
        ("Northbridge Community Health NHS Trust",),
        ("NHS contract payments",), "Health Visiting"),
    Svc("CHILDCEN", "CSC", "Children's centres", True,
        "Children's services: Sure Start children's centres", "family registered", 520, 5200,
        {"CHILD": 1.0},
        ("Little Oaks Children's Centre", "Northbridge Family Hubs", "Bright Futures Trust"),
        ("Contracted services", "Premises costs"), "Children's Centres"),
    Svc("EARLYHELP", "CSC", "Early help and family support", False,
        "Children's services: family support", "family supported", 2600, 1400,
        {"CHILD": 0.7, "SAFE": 0.3},
        ("Family Action Northbridge", "Barnardo's", "Northbridge Parenting CIC"),
        ("Contracted services", "Grants to voluntary organisations"), "Early Help"),
    Svc("CSCPLACE", "CSC", "Looked-after children: placements", True,
        "Children's services: children looked after", "placement week", 1150, 15500,
        {"CHILD": 1.0},
        ("Horizon Fostering Ltd", "Northbridge Foster Care Agency", "Haven Children's Homes Ltd",
         "Orchard Residential Care Ltd"),
        ("Foster care placements", "Residential placements"), "Looked After Children"),
    Svc("REPAIRS", "HOUSING", "Responsive repairs (council homes)", True,
        "Housing revenue account: repairs", "repair job", 285, 45000, {"HOMES": 1.0},
        ("Northbridge Building Services Ltd", "RapidFix Maintenance", "Keystone Property Care",
         "Apex Plumbing and Heating"),
        ("Repairs and maintenance", "Materials"), "Responsive Repairs"),
    Svc("PLANNED", "HOUSING", "Planned maintenance: damp, heating, windows", True,
        "Housing revenue account: planned maintenance", "home improved", 6800, 2400,
        {"HOMES": 0.85, "HEALTH": 0.15},
        ("Warmhomes Contractors Ltd", "Northbridge Windows and Doors", "DryHome Solutions",
         "Keystone Property Care"),
        ("Planned maintenance", "Capital charges to revenue"), "Planned Maintenance"),
    Svc("YOUTH", "COMMSAFE", "Youth services", False,
        "Cultural and community: youth services", "young person engaged", 480, 4000,
        {"SAFE": 0.6, "CHILD": 0.4},
        ("Northbridge Youth Trust", "Street Voices CIC", "Boxing Clever Academy"),
        ("Grants to voluntary organisations", "Contracted services"), "Youth Services"),
    Svc("CCTV", "COMMSAFE", "CCTV and community safety patrols", False,
        "Community safety: CCTV and wardens", "patrol hour", 42, 36000, {"SAFE": 1.0},
        ("Sentinel Monitoring Ltd", "Northbridge Wardens Service"),
        ("Contracted services", "Equipment and adaptations"), "CCTV and Patrols"),
    Svc("ASBTEAM", "COMMSAFE", "Anti-social behaviour team", False,
        "Community safety: anti-social behaviour", "case", 380, 3000, {"SAFE": 1.0},
        ("Northbridge Mediation Service", "Victim Support"),
        ("Contracted services", "Grants to voluntary organisations"), "Anti-social Behaviour"),
    Svc("WASTE", "ENV", "Waste collection and recycling", True,
        "Environmental: waste collection", "tonne collected", 160, 82000, {"CLEAN": 1.0},
        ("Greenway Waste Services Ltd", "North London Waste Authority",
         "ReNew Recycling Ltd"),
        ("Waste contracts", "Disposal levies"), "Waste and Recycling"),
    Svc("STREETS", "ENV", "Street cleansing", True,
        "Environmental: street cleansing", "street-kilometre cleaned", 12.5, 520000,
        {"CLEAN": 1.0},
        ("Greenway Waste Services Ltd", "CleanStreets Northbridge"),
        ("Cleansing contracts", "Vehicles and plant"), "Street Cleansing"),
    Svc("PARKS", "ENV", "Parks and open spaces", False,
        "Cultural: open spaces", "hectare maintained", 13500, 290,
        {"CLEAN": 0.6, "HEALTH": 0.4},
        ("Evergreen Grounds Ltd", "Northbridge Parks Trust", "Tree Care Specialists"),
        ("Grounds maintenance", "Grants to voluntary organisations"), "Parks"),
]


# --- unit costs and spill-over links ---------------------------------------------------------
UNIT_COSTS = [
    ("FALL_ADMIT", "Emergency admission after a fall, aged 65+", "NHS-ACUTE", 5400, 3500, 10700,
     "NHS National Cost Collection 2023/24 non-elective; Leal et al. 2018 (hip fracture)"),
    ("AE_ATTEND", "A&E attendance", "NHS-ACUTE", 200, 150, 260,
     "NHS National Cost Collection 2023/24, emergency medicine"),
    ("GP_APPT", "GP appointment", "NHS-PC", 42, 35, 56, "PSSRU Unit Costs 2024 (GP)"),
    ("HOMECARE_HOUR", "Hour of home care", "ASC", 25.0, 23.2, 30.0,
     "Homecare Association minimum price 2022/23, uprated"),
    ("CAREHOME_YEAR", "Year of residential care, aged 65+", "ASC", 49350, 35700, 52000,
     "LaingBuisson 2023 (£949 a week); regional £686-£955"),
    ("RESP_ADMIT", "Emergency admission for a respiratory condition", "NHS-ACUTE", 2600, 1800,
     3600, "NHS National Cost Collection 2023/24"),
    ("SMOKE_ADMIT", "Smoking-attributable hospital admission", "NHS-ACUTE", 3000, 2200, 4100,
     "NHS National Cost Collection 2023/24; ASH ready reckoner"),
    ("CRIME", "Police time per recorded crime", "POLICE", 1300, 800, 2100,
     "Home Office economic and social costs of crime 2018, police costs, uprated"),
    ("CSC_ASSESS", "Children's social care assessment and plan", "CSC", 3100, 2200, 4300,
     "PSSRU Unit Costs 2024 (children's social care), illustrative"),
]
LINKS = [
    # id, service, outcome code, label, events per unit, rr, low, high, cost item, lag, drop,
    # grade, source. An outcome code EVENT:consequence ties the links of one service that follow
    # from the same events (one shared draw of the effect: indicators.spillover.inputs). A
    # luncheon-club place-year prevents falls while it is attended (drop-off 1: each year's
    # places act in that year; a sustained change repeats them every year).
    ("LUNCH-FALLADM", "LUNCH", "falls:admission", "Emergency admissions after a fall", 0.06,
     0.77, 0.71, 0.83, "FALL_ADMIT", 0, 1.0, "high",
     "Cochrane, Sherrington et al. 2019: exercise and rate of falls, RR 0.77 (0.71-0.83)"),
    ("LUNCH-AE", "LUNCH", "falls:ae_attendance", "A&E attendances after a fall", 0.15, 0.61,
     0.47, 0.79, "AE_ATTEND", 0, 1.0, "low",
     "Cochrane 2019: falls needing medical attention, RR 0.61 (0.47-0.79)"),
    ("LUNCH-HOMECARE", "LUNCH", "falls:home_care_hours",
     "Home-care hours after falls and isolation", 40, 0.77, 0.65, 0.92, "HOMECARE_HOUR", 1, 1.0,
     "moderate",
     "King's Fund (Torbay) 2013: care costs after a fall admission about 4x the admission"),
    ("LUNCH-CAREHOME", "LUNCH", "falls:care_home_admission", "Moves into residential care",
     0.012, 0.8, 0.6, 1.05, "CAREHOME_YEAR", 2, 1.0, "low",
     "Craig et al. 2013: 60% of fall admission costs fall on social care; each move stays "
     "2.2 years on average (Forder & Fernandez 2011)"),
    ("LUNCH-GP", "LUNCH", "isolation:gp_appointment", "GP appointments linked to loneliness",
     2.0, 0.9, 0.8, 1.0, "GP_APPT", 0, 1.0, "very low",
     "Observational studies of social isolation and GP use, illustrative"),
    ("FALLS-FALLADM", "FALLS", "falls:admission", "Emergency admissions after a fall", 0.08,
     0.77, 0.71, 0.83, "FALL_ADMIT", 0, 0.3, "high",
     "Cochrane, Sherrington et al. 2019: exercise and rate of falls, RR 0.77 (0.71-0.83)"),
    ("FALLS-HOMECARE", "FALLS", "falls:home_care_hours", "Home-care hours after falls", 30,
     0.77, 0.65, 0.92, "HOMECARE_HOUR", 1, 0.3, "moderate",
     "King's Fund (Torbay) 2013"),
    ("REABLE-HOMECARE", "REABLE", "home_care_hours", "Ongoing home-care hours", 180, 0.6, 0.5,
     0.75, "HOMECARE_HOUR", 0, 0.2, "moderate",
     "SCIE reablement evidence review 2020; Glendinning et al. 2010"),
    ("REABLE-READMIT", "REABLE", "readmission", "Emergency readmissions", 0.2, 0.85, 0.7, 1.02,
     "FALL_ADMIT", 0, 0.5, "low", "NICE NG74 evidence review, illustrative"),
    ("PLANNED-RESP", "PLANNED", "respiratory_admission",
     "Emergency admissions for respiratory illness (damp and mould)", 0.05, 0.85, 0.7, 1.0,
     "RESP_ADMIT", 1, 0.1, "low", "BRE cost of poor housing 2021, illustrative"),
    ("PLANNED-GP", "PLANNED", "gp_appointment", "GP appointments (cold, damp homes)", 1.5,
     0.9, 0.8, 1.0, "GP_APPT", 0, 0.1, "very low", "BRE cost of poor housing 2021"),
    ("SMOKING-ADMIT", "SMOKING", "smoking_admission", "Smoking-attributable admissions", 0.05,
     0.7, 0.6, 0.85, "SMOKE_ADMIT", 1, 0.1, "moderate",
     "NICE PH10 economic model; ASH ready reckoner"),
    ("YOUTH-CRIME", "YOUTH", "recorded_crime", "Recorded crimes by young people", 0.12, 0.9,
     0.8, 1.02, "CRIME", 0, 0.2, "low", "Early Intervention Foundation guidebook, illustrative"),
    ("EARLYHELP-CSC", "EARLYHELP", "csc_assessment", "Children's social care assessments",
     0.35, 0.8, 0.7, 0.95, "CSC_ASSESS", 1, 0.2, "moderate",
     "DfE Supporting Families evaluation 2022"),
    ("ACTIVE-GP", "ACTIVE", "gp_appointment", "GP appointments", 0.8, 0.9, 0.8, 1.0, "GP_APPT",
     0, 0.3, "very low", "Sport England social return on investment 2020, illustrative"),
]
