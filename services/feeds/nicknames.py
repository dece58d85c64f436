"""Given names that are one name to the people who use them: a diminutive and its full form, or a name and its English
form, in name-key form.

String likeness finds ``Katie`` for ``Kate``; it cannot find ``Billy`` for ``William``, nor ``Jacob`` for ``Jakub``. These
tables hold the common English diminutives that share too few letters with their full form, and the English forms a
child of another country is often entered under. Matching reads them as one table, `DIMINUTIVES`.
"""
from __future__ import annotations

DIMINUTIVES: dict[str, tuple[str, ...]] = {
    "billy": ("william",), "bill": ("william",), "liam": ("william",), "ted": ("edward", "theodore"),
    "teddy": ("edward", "theodore"), "ned": ("edward",), "bob": ("robert",), "bobby": ("robert",), "rob": ("robert",),
    "dick": ("richard",), "rick": ("richard",), "jack": ("john",), "johnny": ("john",), "jim": ("james",), "jake": ("jacob", "jakob"),
    "ollie": ("oliver",), "olly": ("oliver",),
    "jimmy": ("james",), "harry": ("henry", "harrison", "harold"), "hal": ("henry",), "kuba": ("jakub",),
    "mikey": ("michael",), "mick": ("michael",), "zac": ("zachary",), "zack": ("zachary",), "zach": ("zachary",),
    "zachariah": ("zakariya",), "alfie": ("alfred",), "freddie": ("frederick", "alfred"), "archie": ("archibald",),
    "charlie": ("charles", "charlotte"), "chuck": ("charles",), "tony": ("anthony",), "sandy": ("alexander", "alexandra"),
    "lexi": ("alexandra",), "lexie": ("alexandra",), "millie": ("amelia", "mildred"), "milly": ("amelia",),
    "livvy": ("olivia",), "liv": ("olivia",), "izzy": ("isabella", "isabelle", "isobel"), "issy": ("isabella",),
    "lottie": ("charlotte",), "lizzie": ("elizabeth",), "lizzy": ("elizabeth",), "libby": ("elizabeth",),
    "betty": ("elizabeth",), "becky": ("rebecca",), "becca": ("rebecca",), "tori": ("victoria",), "vicky": ("victoria",),
    "tilly": ("matilda",), "tillie": ("matilda",), "maddie": ("madison", "madeleine"), "peggy": ("margaret",),
    "maggie": ("margaret",), "daisy": ("margaret",), "polly": ("mary",), "molly": ("mary",), "sally": ("sarah",),
    "kitty": ("katherine", "catherine"), "kate": ("katherine", "catherine"), "katie": ("katherine", "catherine"),
    "jenny": ("jennifer",), "annie": ("anne", "anna"), "nell": ("eleanor", "helen"), "nellie": ("eleanor", "helen"),
    "florrie": ("florence",), "flo": ("florence",), "gracie": ("grace",), "abbie": ("abigail",), "abi": ("abigail",),
    "jess": ("jessica",), "sammy": ("samuel",), "tommy": ("thomas",), "danny": ("daniel",), "benny": ("benjamin",),
    "joey": ("joseph",), "jamie": ("james",), "eddie": ("edward",), "freddy": ("frederick", "alfred"), "mike": ("michael",),
    "xander": ("alexander",), "nate": ("nathan", "nathaniel"), "ricky": ("richard",), "mo": ("muhammad", "mohammed"),
    "ellie": ("eleanor",), "evie": ("evelyn",), "hattie": ("harriet",), "josie": ("josephine",), "penny": ("penelope",),
    "gabby": ("gabriela", "gabrielle"), "immy": ("imogen",), "gabe": ("gabriel",),
    "emeka": ("chukwuemeka",), "seun": ("oluwaseun",), "tobi": ("oluwatobi",),
}

# Diminutives that begin their full form too little or too late for a likeness of strings to find.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "tom": ("thomas",), "tommy": ("thomas",), "joe": ("joseph",), "joey": ("joseph",), "mo": ("muhammad", "mohammed", "mohammad"),
    "ed": ("edward",), "eddie": ("edward",), "xander": ("alexander",), "immy": ("imogen",), "hattie": ("harriet",), "josie": ("josephine",),
    "gabby": ("gabriela", "gabriella"), "gabe": ("gabriel",), "seb": ("sebastian",), "ibby": ("ibrahim",), "penny": ("penelope",),
    "fred": ("frederick", "alfred"), "alf": ("alfred",), "nate": ("nathan", "nathaniel"), "beth": ("elizabeth", "bethany"),
    "will": ("william",), "bella": ("isabella", "isabelle", "arabella"), "evie": ("evelyn", "eve"), "ellie": ("eleanor", "elena"),
    "sandy": ("alexander", "alexandra"), "ricky": ("richard",), "rich": ("richard",), "benny": ("benjamin",),
}
# The English form a name of another language is often entered under.
ENGLISH_FORMS: dict[str, tuple[str, ...]] = {
    "jakub": ("jacob",), "kacper": ("casper", "jasper"), "szymon": ("simon",), "mateusz": ("matthew",), "matei": ("matthew",),
    "aleksander": ("alexander",), "antoni": ("anthony",), "filip": ("philip",), "oskar": ("oscar",), "andrei": ("andrew",),
    "stefan": ("stephen", "steven"), "zuzanna": ("susan", "susanna"), "oliwia": ("olivia",), "natalia": ("natalie",), "maja": ("maya",),
    "ioana": ("joanna",), "andreea": ("andrea",), "hanna": ("hannah",), "yusuf": ("joseph",), "ibrahim": ("abraham",), "musa": ("moses",),
    "maryam": ("mary", "miriam"), "mariam": ("mary", "miriam"), "yahya": ("john",), "ismail": ("ishmael",), "ilyas": ("elias",),
    "eesa": ("jesus",), "dawud": ("david",), "sofia": ("sophie", "sophia"), "sara": ("sarah",), "ines": ("agnes",), "elena": ("helen",),
    "oisin": ("ossian",), "cian": ("kian",), "aoife": ("eva",), "siobhan": ("joan",), "niamh": ("neve",), "ciaran": ("kieran",),
    "sean": ("john",), "giovanni": ("john",), "juan": ("john",), "jan": ("john",), "pedro": ("peter",), "piotr": ("peter",),
}
for table in (SHORT_FORMS, ENGLISH_FORMS):
    for name, forms in table.items():
        DIMINUTIVES[name] = tuple(dict.fromkeys((*DIMINUTIVES.get(name, ()), *forms)))
