"""What the Bamako 2018 report found, as theme slugs of the library (fixtures/themes.json).

The demo must reproduce these findings and the report builder must find them by itself.
"""

LONG_TERM_THREE = {"state-absence", "governance-justice", "poverty-youth-unemployment"}
STRENGTHS = {"local-knowledge", "local-legitimacy", "rapid-response", "cultural-sensitivity"}
NATIONAL = {
    "civic-education",
    "youth-employment",
    "reintegration",
    "cve-strategy",
    "information-sharing",
    "dialogue-frameworks",
    "women-youth-participation",
}
INTERNATIONAL = {
    "beyond-military",
    "state-presence",
    "national-reconciliation",
    "women-youth-grassroots",
    "visit-regions",
    "capacity-building",
}
