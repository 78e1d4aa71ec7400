"""The sample council's settings: its size, teams, services, reasons, outcomes and the chances behind each
optional column (see :mod:`reportlib.sample`)."""

from __future__ import annotations

import datetime as dt

SEED = 20210720

FIRST_FY, LAST_FY = 2015, 2020
EXTRACT = dt.date(2021, 6, 30)          # the day the export was taken: no date after it

CHANGE = dt.date(2020, 8, 18)           # Children's Services' revised stage 1 process

#: The export's columns before the optional ones were added (``generate(optional=False)``).
BASE_COLUMNS = ["case_ref", "kind", "procedure", "stage", "received", "acknowledged", "responded", "team", "service",
                "delay_reason", "outcome", "extended", "complainant_name", "contact_email"]

OPTIONAL_COLUMNS = ["subject", "remedy", "compensation", "refused_reason", "ombudsman", "complainant",
                    "ombudsman_body", "panel_date", "advocacy"]

COLUMNS = BASE_COLUMNS[:12] + OPTIONAL_COLUMNS + BASE_COLUMNS[12:]

PROCEDURES = ("childrens", "adults", "corporate")

KINDS = ("complaint", "comment", "compliment")

#: Expected volumes per financial year 2015/16 .. 2020/21 (complaints: stage 1 cases).
#: Each year's count is Poisson-ish around these; Q1 2021/22 gets a quarter of 2020/21's.
VOLUMES = {
    "childrens": {"complaint": [64, 66, 69, 71, 70, 83], "comment": [18, 16, 14, 17, 17, 10],
                  "compliment": [120, 131, 140, 151, 162, 176]},
    "adults": {"complaint": [112, 118, 121, 114, 117, 127], "comment": [10, 9, 10, 9, 9, 8],
               "compliment": [100, 112, 124, 139, 157, 197]},
    "corporate": {"complaint": [540, 565, 590, 620, 630, 420], "comment": [66, 63, 60, 58, 62, 15],
                  "compliment": [45, 41, 37, 33, 29, 23]},
}

#: case_ref prefixes: procedure, then a code for comments and compliments (complaints have none).
PREFIX = {"childrens": "CSC", "adults": "ASC", "corporate": "COR"}

KIND_CODE = {"complaint": "", "comment": "CMT-", "compliment": "CPL-"}

CHILDRENS_TEAMS = {"Court Team": 0.21, "Care Management Team 1": 0.18, "Care Management Team 2": 0.16,
                   "Children in Care": 0.13, "Disabled Children": 0.08, "Fostering": 0.09, "Early Help": 0.08,
                   "MASH": 0.07}

PRESSURED_TEAMS = ("Court Team", "Care Management Team 1", "Care Management Team 2")

ADULTS_TEAMS = {"Older People": 0.40, "Learning Disabilities": 0.22, "Mental Health": 0.18, "Reablement": 0.20}

#: Corporate services (weight of corporate cases, the team that handles them).
CORPORATE_SERVICES = {
    "Highways and Transport": (0.30, "Highways Maintenance"),
    "Waste and Recycling": (0.21, "Waste Services"),
    "Council Tax and Benefits": (0.14, "Revenues and Benefits"),
    "Libraries": (0.05, "Library Services"),
    "Planning": (0.09, "Development Management"),
    "Customer Services": (0.11, "Contact Centre"),
    "Children's Services": (0.10, None),  # education and SEND transport: corporate, not statutory
}

CORPORATE_CHILDRENS_TEAMS = {"Education": 0.6, "SEND Transport": 0.4}

REASONS = ["Other work pressures", "Staff absence", "Complex case", "Awaiting information",
           "Investigator availability", ""]

#: Delay reason weights (same order as REASONS) for late responses.
REASON_WEIGHTS = {
    "stage 1": [0.50, 0.15, 0.13, 0.08, 0.07, 0.07],
    "pressured team": [0.82, 0.07, 0.05, 0.02, 0.01, 0.03],   # children's court and care management teams
    "other childrens team": [0.30, 0.18, 0.22, 0.14, 0.07, 0.09],   # and education, SEND transport
    "later stage": [0.40, 0.10, 0.18, 0.11, 0.16, 0.05],      # independent investigations
}

OUTCOMES = ["upheld", "partly upheld", "not upheld", "withdrawn"]

OUTCOME_WEIGHTS = {1: [0.24, 0.30, 0.40, 0.06], 2: [0.18, 0.32, 0.47, 0.03], 3: [0.12, 0.28, 0.58, 0.02]}

#: Target working days by (procedure, stage).
TARGETS = {("childrens", 1): 20, ("corporate", 1): 20, ("adults", 1): 25,
           ("childrens", 2): 65, ("corporate", 2): 25, ("childrens", 3): 30, ("corporate", 3): 20}

#: Share of responded cases escalated to the next stage, by (procedure, next stage). Children's
#: stage 2 is about twice the 12-15% of a typical authority so that every quarter has a few
#: completed investigations to give a share of: with 70-90 complaints a year, 15% would be
#: under three a quarter.
ESCALATION = {("childrens", 2): 0.30, ("childrens", 3): 0.30, ("corporate", 2): 0.10, ("corporate", 3): 0.06}

#: The optional columns (drawn after everything above, from their own generator).
#: Corporate cases about these services that a landlord council would log as housing: about a third
#: of them, 8% of corporate cases; Housing Repairs the larger part.
HOUSING_FROM = ("Customer Services", "Council Tax and Benefits")

SUBJECTS = ["Communication", "Delay", "Staff conduct", "Quality of service", "Decision or policy",
            "Charges and payments", "Repairs"]

#: Subject weights (same order as SUBJECTS) by procedure, or for corporate cases by service.
SUBJECT_WEIGHTS = {
    "childrens": [0.28, 0.12, 0.20, 0.20, 0.20, 0.00, 0.00],
    "adults": [0.22, 0.10, 0.12, 0.30, 0.12, 0.14, 0.00],
    "corporate": [0.18, 0.20, 0.08, 0.32, 0.16, 0.06, 0.00],
    "Council Tax and Benefits": [0.15, 0.15, 0.04, 0.08, 0.13, 0.45, 0.00],
    "Housing Repairs": [0.12, 0.16, 0.05, 0.10, 0.02, 0.00, 0.55],
    "Housing Management": [0.25, 0.10, 0.12, 0.25, 0.16, 0.02, 0.10],
}

#: Chance of each remedy on an upheld response (80% of it on a partly upheld one), in the standard order;
#: financial doubles in adult social care (refunds of charges) and is 2.5 times as likely at stages 2 and 3.
REMEDY_CHANCES = {"apology": 0.85, "explanation": 0.45, "financial": 0.05, "service improvement": 0.15,
                  "action taken": 0.22, "other": 0.03}

#: Share of complaints refused, by procedure and year, and why.
REFUSED_SHARE = 0.04

REFUSAL_REASONS = {
    "childrens": {"Legal proceedings": 0.30, "Dealt with under another procedure": 0.25, "Out of time": 0.20,
                  "Not a complaint (service request)": 0.17, "Persistent or vexatious": 0.08},
    "adults": {"Not a complaint (service request)": 0.30, "Out of time": 0.28,
               "Dealt with under another procedure": 0.25, "Legal proceedings": 0.10, "Persistent or vexatious": 0.07},
    "corporate": {"Not a complaint (service request)": 0.45, "Dealt with under another procedure": 0.25,
                  "Out of time": 0.15, "Legal proceedings": 0.08, "Persistent or vexatious": 0.07},
}

#: Chance that an answered complaint's last response is taken to the Ombudsman: once the council's
#: procedure is over (corporate stage 2 or 3, adults' single stage, children's stage 3), or before
#: that (premature: not investigated).
OMBUDSMAN_CHANCE = {"corporate": 0.07, "adults": 0.03, "childrens": 0.15, "premature": 0.004}

#: The Ombudsman's decisions on the complaints it has finished with.
DECISIONS = {"not investigated": 0.52, "upheld": 0.27, "not upheld": 0.21}

#: Who made a children's social care complaint.
COMPLAINANT_WEIGHTS = {"child or young person": 0.15, "parent or carer": 0.60, "advocate": 0.10, "other": 0.15}

#: Chance that an advocate was offered or provided, by who made the complaint (``advocacy``), and that it is not
#: recorded at all.
ADVOCACY_CHANCE = {"advocate": 1.0, "child or young person": 0.60}

#: When the children's review panel met, as a share of the working days from the request to the response.
PANEL_SHARE = (0.5, 0.8)
HOUSING_SHARE, HOUSING_REPAIRS = 0.32, 0.55
ADVOCACY_OTHERWISE, ADVOCACY_UNRECORDED = 0.05, 0.04
