"""The national science and technology standard classification (국가과학기술표준분류), top level.

Technology areas picked from it carry its code, so an offer and a need in the same coded area
share it whatever language each is written in; its Korean and English names make one label
("보건의료 / Health and medicine") that reads in both. Shipped with the package
(`data/science_technology_classification.csv`): nothing is downloaded. See docs/search.md.
"""

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ClassifiedArea:
    code: str
    ko: str
    en: str

    @property
    def label(self) -> str:
        """The name of the area in an event's list: Korean and English, so it reads in both."""
        return f"{self.ko} / {self.en}"


@cache
def classification() -> tuple[ClassifiedArea, ...]:
    """Every area of the classification, in its order."""
    source = resources.files("forum") / "data" / "science_technology_classification.csv"
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    return tuple(ClassifiedArea(row["code"], row["ko"], row["en"]) for row in rows)


@cache
def by_code() -> dict[str, ClassifiedArea]:
    return {area.code: area for area in classification()}


def find(name: str) -> ClassifiedArea | None:
    """The area a typed name stands for: its code, label, Korean or English name (any case)."""
    folded = " ".join(name.split()).casefold()
    for area in classification():
        if folded in {area.code.casefold(), area.label.casefold(), area.ko, area.en.casefold()}:
            return area
    return None
