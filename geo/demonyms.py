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
Parisian:Paris|Londoner:London|New Yorker:New York|Kurdish:Kurdistan|Kurd:Kurdistan
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
