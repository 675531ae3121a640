"""Event type in ACLED's vocabulary (event_type, sub_event_type), from weapon and action words.

The first matching rule wins, so the rules run from the most telling (a suicide bomb, an
IED) to the most generic (an attack).
"""

from __future__ import annotations

import re

__all__ = ["EVENT_TYPES", "event_type_of"]

EVENT_TYPES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"\bsuicide\s+(?:bomb|attack|car|vest|blast)", re.I), "Explosions/Remote violence", "Suicide bomb"),
    (re.compile(r"\b(?:IEDs?|roadside bomb|improvised explosive|landmines?|land mines?|car bomb|explosive device|"
                r"booby[- ]trap|bomb exploded|bomb went off|mine exploded)", re.I),
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    (re.compile(r"\b(?:drones?|air ?strikes?|air ?raids?|warplanes?|jets|aerial|bombers?|helicopter gunships?|"
                r"UAVs?)\b", re.I), "Explosions/Remote violence", "Air/drone strike"),
    (re.compile(r"\b(?:rockets?|missiles?|shell(?:ing|ed|s)|mortars?|artillery|projectiles?|katyusha)\b", re.I),
     "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    (re.compile(r"\bgrenades?\b", re.I), "Explosions/Remote violence", "Grenade"),
    (re.compile(r"\b(?:explosions?|blasts?|bombings?|bomb)\b", re.I), "Explosions/Remote violence",
     "Remote explosive/landmine/IED"),
    (re.compile(r"\bstrikes?\b", re.I), "Explosions/Remote violence", "Air/drone strike"),
    (re.compile(r"\b(?:clash(?:es|ed)?|fighting|gunfights?|firefights?|battles?|exchanged fire)\b", re.I),
     "Battles", "Armed clash"),
    (re.compile(r"\b(?:kidnapp\w*|abduct\w*|hostages?)\b", re.I), "Violence against civilians",
     "Abduction/forced disappearance"),
    (re.compile(r"\b(?:riot\w*|mob)\b", re.I), "Riots", "Violent demonstration"),
    (re.compile(r"\b(?:protest\w*|demonstrat\w*|rall(?:y|ies))\b", re.I), "Protests", "Peaceful protest"),
    (re.compile(r"\b(?:gunmen|shot dead|shot and killed|massacre\w*|executed|stabb\w*)\b", re.I),
     "Violence against civilians", "Attack"),
    (re.compile(r"\b(?:attack\w*|ambush\w*|raid\w*|assault\w*|stormed)\b", re.I), "Battles", "Armed clash"),
]


def event_type_of(text: str) -> tuple[str, str]:
    """(ACLED event_type, sub_event_type) of the first matching rule; ("", "") when none."""
    for pattern, etype, subtype in EVENT_TYPES:
        if pattern.search(text):
            return etype, subtype
    return "", ""
