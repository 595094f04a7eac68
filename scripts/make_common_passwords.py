"""Regenerates parcours/data/common-passwords.txt: the 30,000 most common passwords of zxcvbn's
frequency list (MIT licence; from leaked-password corpora), then French ones and words of this
service that a French list would hold. Run once when the list should change:

    pip download --no-deps zxcvbn && python scripts/make_common_passwords.py <unpacked zxcvbn dir>
"""

import sys
from pathlib import Path

FRENCH_AND_SERVICE_WORDS = [
    "doudou", "chouchou", "loulou", "nounours", "coucou", "jetaime", "bisous", "bisounours", "poupette",
    "cheval", "chocolat", "princesse", "amour", "bebe", "maman", "papa", "famille", "vacances", "ecole",
    "college", "lycee", "eleve", "enfant", "enfants", "educonnect", "parcours", "education", "academie",
    "motdepasse", "azertyuiop", "qsdfghjklm", "wxcvbn",
]

if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = list(dict.fromkeys(FREQUENCY_LISTS["passwords"] + FRENCH_AND_SERVICE_WORDS))
    header = [
        "# Common passwords refused as new passwords (NIST SP 800-63B 3.1.1.2), lower case, one a line.",
        "# The 30,000 most frequent of zxcvbn's list (https://github.com/dropbox/zxcvbn, MIT licence),",
        "# then French and service words. Made by scripts/make_common_passwords.py.",
    ]
    target = Path(__file__).resolve().parent.parent / "parcours" / "data" / "common-passwords.txt"
    target.write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"{len(words)} words written to {target}")
