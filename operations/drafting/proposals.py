"""What the drafting pipeline proposes: a Draft of operations, each with its period, countries and figures, every
figure with its number phrase and quote (the shape the review form and the corpus scorer read)."""

from dataclasses import asdict, dataclass, field


@dataclass
class FigureProposal:
    """One figure the text states: metric, value, qualifier, country, the number phrase and the clause."""

    metric: str
    value: int
    qualifier: str
    country: str | None
    stated_as: str
    quote: str
    start: int  # of stated_as in the text
    end: int
    quote_start: int
    quote_end: int
    sum_of: list = field(default_factory=list)


@dataclass
class CountryProposal:
    iso2: str
    role: str  # "participant" or "command_centre"
    mention: str
    start: int
    end: int


@dataclass
class OperationProposal:
    name: str | None
    start_date: str | None = None
    end_date: str | None = None
    period_phrase: str = ""
    countries_reported: int | None = None
    countries: list = field(default_factory=list)
    figures: list = field(default_factory=list)

    @property
    def countries_named(self) -> list[str]:
        return [country.iso2 for country in self.countries]

    def as_prediction(self) -> dict:
        """The shape of the extraction corpus's expected.json (see docs/drafting.md); nothing here reads that corpus."""
        return {
            "name": self.name,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "countries_reported": self.countries_reported,
            "countries_named": self.countries_named,
            "command_centres": [c.iso2 for c in self.countries if c.role == "command_centre"],
            "figures": [
                {
                    key: value
                    for key, value in asdict(figure).items()
                    if key in ("metric", "value", "qualifier", "country", "stated_as", "quote", "sum_of")
                    and (key != "sum_of" or value)
                }
                for figure in self.figures
            ],
        }


@dataclass
class Draft:
    text: str
    language: str
    operations: list = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return any(operation.figures for operation in self.operations)
