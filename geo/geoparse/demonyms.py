"""Demonyms and nationality adjectives ("Iraqi", "Iranians", "Kurdish") mapped to places.

Both public geoparsing sets annotate demonyms as toponyms, and news uses them where it
means the country ("Iraqi officials", "Lebanese territory"), so recognition treats them
as mentions of the country (or region) they name. They never become an event location:
"an Iraqi base" says whose, not where. Hand-written from general knowledge (ISO country
list order), not taken from any evaluation text.
"""

from __future__ import annotations

__all__ = ["DEMONYMS", "demonym_place"]

# adjective / singular noun -> gazetteer name of the place (country unless noted)
_TABLE = """
Afghan:Afghanistan|Albanian:Albania|Algerian:Algeria|American:United States|Andorran:Andorra
Angolan:Angola|Argentine:Argentina|Argentinian:Argentina|Armenian:Armenia|Australian:Australia
Austrian:Austria|Azerbaijani:Azerbaijan|Azeri:Azerbaijan|Bahraini:Bahrain|Bangladeshi:Bangladesh
Belarusian:Belarus|Belgian:Belgium|Beninese:Benin|Bhutanese:Bhutan|Bolivian:Bolivia
Bosnian:Bosnia and Herzegovina|Brazilian:Brazil|British:United Kingdom|Briton:United Kingdom
Bulgarian:Bulgaria|Burkinabe:Burkina Faso|Burmese:Myanmar|Burundian:Burundi|Cambodian:Cambodia
Cameroonian:Cameroon|Canadian:Canada|Chadian:Chad|Chilean:Chile|Chinese:China|Colombian:Colombia
Congolese:Democratic Republic of the Congo|Costa Rican:Costa Rica|Croatian:Croatia|Croat:Croatia
Cuban:Cuba|Cypriot:Cyprus|Czech:Czechia|Danish:Denmark|Dane:Denmark|Djiboutian:Djibouti
Dominican:Dominican Republic|Dutch:Netherlands|Ecuadorian:Ecuador|Egyptian:Egypt
Emirati:United Arab Emirates|English:England|Eritrean:Eritrea|Estonian:Estonia|Ethiopian:Ethiopia
Fijian:Fiji|Filipino:Philippines|Finnish:Finland|Finn:Finland|French:France|Gabonese:Gabon
Gambian:Gambia|Georgian:Georgia|German:Germany|Ghanaian:Ghana|Greek:Greece|Guatemalan:Guatemala
Guinean:Guinea|Haitian:Haiti|Honduran:Honduras|Hungarian:Hungary|Icelandic:Iceland|Indian:India
Indonesian:Indonesia|Iranian:Iran|Iraqi:Iraq|Irish:Ireland|Israeli:Israel|Italian:Italy
Ivorian:Ivory Coast|Jamaican:Jamaica|Japanese:Japan|Jordanian:Jordan|Kazakh:Kazakhstan
Kenyan:Kenya|Kosovar:Kosovo|Kuwaiti:Kuwait|Kyrgyz:Kyrgyzstan|Lao:Laos|Laotian:Laos|Latvian:Latvia
Lebanese:Lebanon|Liberian:Liberia|Libyan:Libya|Lithuanian:Lithuania|Luxembourgish:Luxembourg
Macedonian:North Macedonia|Malagasy:Madagascar|Malawian:Malawi|Malaysian:Malaysia|Maldivian:Maldives
Malian:Mali|Maltese:Malta|Mauritanian:Mauritania|Mexican:Mexico|Moldovan:Moldova|Mongolian:Mongolia
Montenegrin:Montenegro|Moroccan:Morocco|Mozambican:Mozambique|Namibian:Namibia|Nepalese:Nepal
Nepali:Nepal|New Zealander:New Zealand|Nicaraguan:Nicaragua|Nigerien:Niger|Nigerian:Nigeria
North Korean:North Korea|Norwegian:Norway|Omani:Oman|Pakistani:Pakistan|Palestinian:Palestine
Panamanian:Panama|Paraguayan:Paraguay|Peruvian:Peru|Polish:Poland|Pole:Poland|Portuguese:Portugal
Qatari:Qatar|Romanian:Romania|Russian:Russia|Rwandan:Rwanda|Salvadoran:El Salvador|Saudi:Saudi Arabia
Scottish:Scotland|Scot:Scotland|Senegalese:Senegal|Serbian:Serbia|Serb:Serbia|Sierra Leonean:Sierra Leone
Singaporean:Singapore|Slovak:Slovakia|Slovenian:Slovenia|Somali:Somalia|South African:South Africa
South Korean:South Korea|South Sudanese:South Sudan|Spanish:Spain|Spaniard:Spain|Sri Lankan:Sri Lanka
Sudanese:Sudan|Swedish:Sweden|Swede:Sweden|Swiss:Switzerland|Syrian:Syria|Taiwanese:Taiwan
Tajik:Tajikistan|Tanzanian:Tanzania|Thai:Thailand|Togolese:Togo|Tunisian:Tunisia|Turkish:Turkey
Turk:Turkey|Turkmen:Turkmenistan|Ugandan:Uganda|Ukrainian:Ukraine|Uruguayan:Uruguay|Uzbek:Uzbekistan
Venezuelan:Venezuela|Vietnamese:Vietnam|Welsh:Wales|Yemeni:Yemen|Zambian:Zambia|Zimbabwean:Zimbabwe
European:Europe|African:Africa|Asian:Asia|Texan:Texas|Californian:California|Floridian:Florida
Parisian:Paris|Philippine:Philippines|Londoner:London|New Yorker:New York|Kurdish:Kurdistan|Kurd:Kurdistan
"""

DEMONYMS: dict[str, str] = {}
for _pair in _TABLE.replace("\n", "|").split("|"):
    if ":" in _pair:
        _adj, _place = _pair.split(":")
        DEMONYMS[_adj.strip()] = _place.strip()
        # plural nouns: "Iraqis", "Britons", "Kurds"; adjectives in -ese/-ish/-ch do not pluralise
        if not _adj.endswith(("ese", "ish", "ch", "ss", "sh")):
            DEMONYMS.setdefault(_adj.strip() + "s", _place.strip())


def demonym_place(word: str) -> str | None:
    """The place a demonym names ("Iraqi" -> "Iraq"), or ``None``; case-sensitive on purpose
    ("turkish delight" in lower case is not a mention)."""
    return DEMONYMS.get(word)


# Areas the city/country gazetteer lacks: continents and world regions news names often,
# with a representative point (GeoNames continent points where one exists), and the AP
# abbreviations of US states and Canadian provinces ("Calif.", "B.C.").
AREAS: dict[str, tuple[str, float, float, str]] = {
    "europe": ("Europe", 48.69, 9.14, ""), "asia": ("Asia", 29.84, 89.30, ""),
    "africa": ("Africa", 7.19, 21.09, ""), "north america": ("North America", 46.07, -100.55, ""),
    "south america": ("South America", -14.60, -57.66, ""), "latin america": ("Latin America", -14.60, -57.66, ""),
    "oceania": ("Oceania", -18.31, 138.52, ""), "antarctica": ("Antarctica", -78.16, 16.41, "AQ"),
    "middle east": ("Middle East", 33.14, 35.86, ""), "eu": ("European Union", 48.69, 9.14, ""),
    "european union": ("European Union", 48.69, 9.14, ""), "soviet union": ("Soviet Union", 55.75, 37.62, "RU"),
    "ussr": ("Soviet Union", 55.75, 37.62, "RU"), "holy see": ("Vatican City", 41.90, 12.45, "VA"),
    "dprk": ("North Korea", 40.0, 127.0, "KP"), "korean peninsula": ("Korean Peninsula", 38.0, 127.5, ""),
    "mediterranean": ("Mediterranean Sea", 35.0, 18.0, ""), "caribbean": ("Caribbean", 15.0, -73.0, ""),
    "balkans": ("Balkans", 43.0, 21.0, ""), "scandinavia": ("Scandinavia", 62.0, 15.0, ""),
    "persian gulf": ("Persian Gulf", 26.0, 52.0, ""), "red sea": ("Red Sea", 20.0, 38.5, ""),
    "gulf of aden": ("Gulf of Aden", 12.5, 48.0, ""), "horn of africa": ("Horn of Africa", 8.0, 45.0, ""),
    "sahel": ("Sahel", 15.0, 5.0, ""), "levant": ("Levant", 33.5, 36.0, ""),
    "west bank": ("West Bank", 31.95, 35.25, "PS"), "gaza strip": ("Gaza Strip", 31.42, 34.36, "PS"),
    "golan heights": ("Golan Heights", 33.0, 35.75, "SY"), "kurdistan": ("Kurdistan", 36.2, 44.0, "IQ"),
    "iraqi kurdistan": ("Kurdistan", 36.2, 44.0, "IQ"), "pacific": ("Pacific Ocean", 0.0, -160.0, ""),
    "atlantic": ("Atlantic Ocean", 30.0, -40.0, ""), "arctic": ("Arctic", 80.0, 0.0, ""),
}
_STATE_ABBREVIATIONS = """Ala.:Alabama|Ariz.:Arizona|Ark.:Arkansas|Calif.:California|Colo.:Colorado|Conn.:Connecticut
Del.:Delaware|Fla.:Florida|Ga.:Georgia|Ill.:Illinois|Ind.:Indiana|Kan.:Kansas|Ky.:Kentucky|La.:Louisiana
Md.:Maryland|Mass.:Massachusetts|Mich.:Michigan|Minn.:Minnesota|Miss.:Mississippi|Mo.:Missouri|Mont.:Montana
Neb.:Nebraska|Nev.:Nevada|N.H.:New Hampshire|N.J.:New Jersey|N.M.:New Mexico|N.Y.:New York|N.C.:North Carolina
N.D.:North Dakota|Okla.:Oklahoma|Ore.:Oregon|Pa.:Pennsylvania|R.I.:Rhode Island|S.C.:South Carolina
S.D.:South Dakota|Tenn.:Tennessee|Vt.:Vermont|Va.:Virginia|Wash.:Washington|W.Va.:West Virginia|Wis.:Wisconsin
Wyo.:Wyoming|B.C.:British Columbia|BC:British Columbia|Alta.:Alberta|Ont.:Ontario|Que.:Quebec|Sask.:Saskatchewan
Man.:Manitoba|N.S.:Nova Scotia|D.C.:Washington, D.C."""
STATE_ABBREVIATIONS: dict[str, str] = dict(
    pair.split(":") for pair in _STATE_ABBREVIATIONS.replace("\n", "|").split("|"))


def area(key: str) -> tuple[str, float, float, str] | None:
    """(name, latitude, longitude, country code or "") of a world region by normalised key."""
    return AREAS.get(key)
