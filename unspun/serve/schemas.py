"""Request and response bodies of the HTTP API.

Requests are validated here so a bad field is a 422 naming the field, never an exception inside the index.
Responses mirror the `check` and `compare` JSON contracts of the CLI (see README); they are declared so that
``/openapi.json`` documents them, and the handlers return the contracts' own ``to_json()`` dicts.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictInt,
    StrictStr,
    Tag,
    field_validator,
)

from ..dates import span
from ..models import Record, number_as_text, text_digest

#: Most sources a single check may ask for: each one is a full alignment, so this bounds a request's cost.
MAX_TOP = 50


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain some non-space text")
    return value


#: A record's optional field: a string, or a number kept as its text, as JSONL input keeps one.
FieldText = Annotated[str | None, BeforeValidator(number_as_text)]


def _a_date(value: str | None) -> str | None:
    """A date given to order texts must be one: "yesterday" was taken and ordered nothing, without a word. (A stored
    record keeps any value, with a note, so that nothing it carries is lost.) A blank one is none, as it was."""
    if value is not None and not value.strip():
        return None
    if value is not None and span(value) is None:
        raise ValueError(f"{value!r} is not a date: give ISO 8601 (2024-03-05, 2024-03-05T10:00:00+01:00) or a "
                         "written date (March 5, 2024)")
    return value


#: The publication date of a text to check or compare: it names the original, so it must read as a date.
Published = Annotated[FieldText, AfterValidator(_a_date)]


class CheckRequest(BaseModel):
    """A text to check against the store; ``title`` names it in the answer, ``published`` orders it in time."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The text to check (plain text; use /v1/extract first for HTML).")
    title: FieldText = Field(None, description="A name for the text, reported as `path`.")
    published: Published = Field(None, description="Its publication date (ISO 8601), if known.")
    # Strict: pydantic's lax mode read true as 1 and "3" as 3, where every other field refuses what its type isn't.
    top: StrictInt = Field(5, ge=1, le=MAX_TOP, description="How many sources to report at most.")
    # An integer as POST /v1/documents takes it (stored as its text): a CMS's article numbers were a 422 here alone.
    exclude: list[StrictStr | StrictInt] = Field(default_factory=list, description="Ids of stored documents to "
                                                 "leave out (an integer id as its text, as documents are stored).")

    _blank = field_validator("text")(_not_blank)

    @field_validator("exclude")
    @classmethod
    def _ids(cls, value: list[str | int]) -> list[str]:
        return [str(x) for x in value]


class CompareRequest(BaseModel):
    """Two texts to align: A is the one suspected of reuse, B the one it may reuse."""

    model_config = ConfigDict(extra="forbid")

    a: str
    b: str
    a_published: Published = Field(None, description="A's publication date (ISO 8601), if known: with B's, the "
                                                     "earlier names the source, as `compare` does for dated pages.")
    b_published: Published = Field(None, description="B's publication date (ISO 8601), if known.")

    _blank = field_validator("a", "b")(_not_blank)


class ExtractRequest(BaseModel):
    """An HTML page whose main text (no menus, ads or comments) should be checked."""

    model_config = ConfigDict(extra="forbid")

    html: str
    url: str | None = None


class ExtractResponse(BaseModel):
    text: str
    title: str | None = None
    published: str | None = None
    lang: str | None = None
    url: str | None = None


class ReadResponse(BaseModel):
    text: str
    #: How bytes that are not UTF-8 were decoded (as `index` says it); None for UTF-8.
    note: str | None = None


class DocumentIn(BaseModel):
    """One document to add or replace: the fields of a JSONL input line."""

    model_config = ConfigDict(extra="forbid")

    id: StrictStr | StrictInt = Field(description="Identity in the store: adding the same id again replaces it "
                                                  "(a string or an integer, as in JSONL input; not a bool).")
    text: str
    url: FieldText = None
    published: FieldText = None
    source: FieldText = None
    title: FieldText = None
    lang: FieldText = None

    _blank = field_validator("text")(_not_blank)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value

    def record(self) -> Record:
        return Record(id=str(self.id), text=self.text, url=self.url, published=self.published, source=self.source,
                      title=self.title, lang=self.lang, origin="POST /v1/documents")


def _one_or_many(body: object) -> str:
    return "list" if isinstance(body, list) else "document"


#: The body of POST /v1/documents: one document or a list. Told apart by the body's JSON type, so that a document
#: missing its text is told only that (it was also told "Input should be a valid list", as if it were a bad list).
DocumentsIn = Annotated[Annotated[DocumentIn, Tag("document")] | Annotated[list[DocumentIn], Tag("list")],
                        Discriminator(_one_or_many)]


class DocumentOut(BaseModel):
    id: str
    text: str
    url: str | None = None
    published: str | None = None
    source: str | None = None
    title: str | None = None
    lang: str | None = None
    #: `unspun.models.text_digest` of ``text``: a check's source with another digest was found in another text.
    digest: str

    @classmethod
    def of(cls, r: Record) -> DocumentOut:
        return cls(id=r.id, text=r.text, url=r.url, published=r.published, source=r.source, title=r.title,
                   lang=r.lang, digest=text_digest(r.text))


class Problem(BaseModel):
    origin: str
    reason: str
    #: How many inputs it stands for (a skip note counts, say, a WARC's responses that are not pages).
    count: int = 1


class AddResponse(BaseModel):
    indexed: int
    #: Of those, how many replaced a stored document.
    replaced: int
    #: Documents whose id was given earlier in the same request (the last one is kept), indexed or unchanged.
    repeated: int = 0
    #: Documents stored already exactly as sent (text and every field): left as they were, not counted as indexed.
    unchanged: int = 0
    skipped: list[Problem]
    failed: list[Problem]
    #: Documents indexed with a remark on their text (invalid code points replaced).
    notes: list[Problem] = []


class DeleteResponse(BaseModel):
    id: str
    deleted: bool


class ErrorOut(BaseModel):
    """An error's body: a sentence, or (422) where each field is wrong, as FastAPI locates them."""

    detail: str | list[dict]


class Health(BaseModel):
    status: str
    version: str
    documents: int
    writable: bool
    semantic: bool
    #: The most characters a check or a comparison takes (``--max-text``): the document page checks no more.
    max_text: int
    #: Stored passages without a saved vector, which no check finds by meaning until they have one (a writer's run
    #: saves them when it ends; one stopped before it did leaves them to `unspun index --db DB`).
    unembedded: int


# --- the contracts, declared for the OpenAPI schema ------------------------------------------------------------


class CheckPassage(BaseModel):
    query: tuple[int, int]
    source: tuple[int, int]
    kind: str
    similarity: float


class Coverage(BaseModel):
    query: float
    source: float


class CheckInserted(BaseModel):
    """Runs inserted into reused text, with no counterpart on the other side, in the checked text and the source."""

    query: list[tuple[int, int]]
    source: list[tuple[int, int]]


class CheckSource(BaseModel):
    id: str
    score: float
    published: str | None
    coverage: Coverage
    passages: list[CheckPassage]
    inserted: CheckInserted
    #: `unspun.models.text_digest` of the source's text as checked (GET /v1/documents/{id} gives the stored one's).
    digest: str


class CheckResponse(BaseModel):
    """The `check --format json` contract."""

    path: str | None
    chars: int
    sources: list[CheckSource]
    original: str | None
    evidence: list[str]


class Side(BaseModel):
    path: str | None
    chars: int


class ComparePassage(BaseModel):
    a: tuple[int, int]
    b: tuple[int, int]
    kind: str
    similarity: float


class CompareCoverage(BaseModel):
    a: float
    b: float


class CompareInserted(BaseModel):
    """Runs inserted into reused text, with no counterpart on the other side, in A and in B."""

    a: list[tuple[int, int]]
    b: list[tuple[int, int]]


class CompareResponse(BaseModel):
    """The `compare --format json` contract."""

    a: Side
    b: Side
    passages: list[ComparePassage]
    coverage: CompareCoverage
    source: str | None
    evidence: list[str]
    inserted: CompareInserted
