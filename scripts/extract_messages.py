"""Extract every message marked at source into translations/messages.pot and bring the Welsh
catalogue up to date with it (``make extract-messages``): new messages arrive untranslated (the
suite then fails until they have Welsh), messages no longer used are dropped."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from config.language import EXTRACT_KEYWORDS

ROOT = Path(__file__).resolve().parents[1]


def extract() -> Catalog:
    """Every marked message, as babel.cfg maps the files and ``EXTRACT_KEYWORDS`` marks them."""
    template = Catalog(project="Childcare Direct", version="1")
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, **EXTRACT_KEYWORDS}
    for file, line, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=keywords,  # type: ignore[arg-type]
    ):
        template.add(message, locations=[(file, line)], auto_comments=comments, context=context)
    return template


def main() -> None:
    template = extract()
    with (ROOT / "translations" / "messages.pot").open("wb") as handle:
        write_po(handle, template, width=0, omit_header=True)
    path = ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        welsh = read_po(handle, locale="cy")
    welsh.update(template, no_fuzzy_matching=True)
    with path.open("wb") as handle:
        write_po(handle, welsh, width=0, ignore_obsolete=True)
    print(f"{len(template)} messages; {sum(1 for m in welsh if m.id and not m.string)} without Welsh")


if __name__ == "__main__":
    main()
