"""Given names that are one name to the people who use them: a diminutive and its full form, in name-key form.

String likeness finds ``Katie`` for ``Kate``; it cannot find ``Billy`` for ``William``. This
table holds the common English diminutives that share too few letters with their full form.
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
    "jess": ("jessica",), "emeka": ("chukwuemeka",), "seun": ("oluwaseun",), "tobi": ("oluwatobi",),
}
