"""One mask for a citizen ID or SSN everywhere (issue 15: 3301**********1234): the pages' filter,
the proofs, the decisions' PDFs and the public lists all use ``privacy.mask_id``; no module
slices an SSN by hand."""

import pathlib
import re

from jingban.core import privacy
from jingban.oversight.dishonesty import rules as dishonesty
from jingban.web.pages import templates

SSN = "330106199001011234"
ROOT = pathlib.Path(privacy.__file__).parents[1]
# a number cut by hand and starred (``ssn[:6] + "*" * 8``, ``x[:4] ~ "****"``), or a second mask_ssn
STARS = r'(\*{4,}|"\*" \*)'
HAND_MASK = re.compile(rf"{STARS}.*\[-?\d*:|\[-?\d*:\d*\].*{STARS}|def mask_ssn")


def test_the_mask_is_four_stars_four():
    assert privacy.mask_id(SSN) == "3301**********1234"
    assert privacy.mask_id("USA33010600000012X") == "USA3**********012X"
    assert privacy.mask_id("12345678") == "********"  # too short to show any of it


def test_the_page_filter_and_the_public_list_use_it():
    rendered = templates.env.from_string("{{ s | mask_ssn }}|{{ s | pii('id') }}").render(s=SSN, may={})
    assert rendered == "3301**********1234|3301**********1234"
    assert dishonesty.mask_key("person", SSN) == privacy.mask_id(SSN)
    assert dishonesty.mask_key("employer", "91330106MA2XXXXX1B") == "91330106MA2XXXXX1B"


def test_no_module_masks_an_ssn_by_hand():
    files = [p for p in ROOT.rglob("*") if p.suffix in (".py", ".html") and p.name != "privacy.py"]
    found = [f"{path.relative_to(ROOT)}:{n}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if HAND_MASK.search(line)]
    assert found == []
