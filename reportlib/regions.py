"""The UK regions whose bank holidays reportlib knows: params ``region:`` -> subdivision code in the
``holidays`` package. A module of its own, with no imports, so the CLI can name them cheaply."""

REGIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
DEFAULT_REGION = "england-and-wales"
