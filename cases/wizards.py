"""The pages of the schema forms: what each page shows, and what is visible now.

Every schema is entered on pages: TILB, AFSL and ANM on one page each, IVÆR in a
wizard of four steps and a summary (its steps are kept in a ``Kladde`` row as they
are filled in, the way open-forms keeps ``SubmissionStep`` rows, so a half-filled
IVÆR survives logging out). Which questions are shown comes from one place, the
rule engine's ``visible_fields``; this module only lays the answer out on a page
and clears the answers of questions that are not shown (R-GEN-2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.forms import BoundField
from django.utils.datastructures import MultiValueDict

from cases.forms import AnmodningForm, SkemaForm, empty_value, form_data, skema_form
from cases.templatetags.smdb_tags import display_value
from smdb import rules
from smdb.fields import (
    AFSLUTNING,
    ANMODNING,
    IVAERKSAETTELSE,
    SCHEMAS,
    TILBUDSTILKNYTNING,
    Field,
    FieldType,
    Schema,
)
from smdb.rules import variabler as rules_v
from smdb.rules.dato import Hindring, dagetal_tekst
from smdb.rules.ivaerksaettelse import beregninger_hindret, garantiaarsager_ikke_for_alder
from smdb.rules.visibility import er_tom

# --- Pages and steps -----------------------------------------------------------------


@dataclass(frozen=True)
class Trin:
    """One page: some fields of one schema, in the order of ``smdb.fields``."""

    schema: Schema
    slug: str
    titel: str
    variables: tuple[str, ...]
    #: Answers the page exists to give (Afslut tilbudstilknytning: 4-TILB). The schema
    #: allows them empty, the page does not: sent without one it would save and send
    #: the schema unchanged (issue 23).
    paakraevet: tuple[str, ...] = ()

    @property
    def fields(self) -> list[Field]:
        by_var = self.schema.by_variable()
        return [by_var[v] for v in self.variables]

    def form_class(self, *, with_version: bool = False) -> type[SkemaForm]:
        return skema_form(
            self.schema, self.variables, with_version=with_version, paakraevet=self.paakraevet
        )


def _trin(schema: Schema, steps: tuple[tuple[str, str, str], ...]) -> tuple[Trin, ...]:
    """Cut ``schema``'s fields into steps, each (slug, title, first variable): a
    step runs up to the next step's first variable, so every field is in exactly
    one step and the order is that of ``smdb.fields``."""
    variables = [f.variable for f in schema.fields if not f.on_forloeb]
    starts = [variables.index(first) for _, _, first in steps] + [len(variables)]
    assert starts[0] == 0 and starts == sorted(starts), "steps must cover the schema in order"
    return tuple(
        Trin(schema, slug, titel, tuple(variables[starts[i] : starts[i + 1]]))
        for i, (slug, titel, _) in enumerate(steps)
    )


#: Iværksæt behandling, as the issue lays it out; a summary to confirm follows.
IVAERKSAETTELSE_TRIN = _trin(
    IVAERKSAETTELSE,
    (
        ("laegesamtale", "Lægesamtale og dato", "OenskerBorgerTilbudLaegesamtaleKode"),
        (
            "screening",
            "Screening, formål, henvisning, bolig og børn",
            "ScreeningsvaerktoejAnvendtIvaerksaetKode",
        ),
        ("stofbrug", "Stofbrug", "PersonTagetIkkeOrdineredeStofferSenesteMaanedIndikator"),
        (
            "injektion",
            "Injektion, test og substitution",
            "PersonNogensindeInjiceretEllerInjicererForTidenKode",
        ),
    ),
)
OPSUMMERING = "opsummering"


def _side(schema: Schema, slug: str, titel: str) -> Trin:
    """A one-page form over every field of ``schema`` the caseworker types."""
    return _trin(schema, ((slug, titel, schema.stored_fields[0].variable),))[0]


TILBUDSTILKNYTNING_SIDE = _side(TILBUDSTILKNYTNING, "tilknytning", TILBUDSTILKNYTNING.action)
#: "Afslut tilbudstilknytning": only the slut date (4-TILB).
TILKNYTNING_SLUT_SIDE = Trin(
    TILBUDSTILKNYTNING,
    "slut",
    "Afslut tilbudstilknytning",
    ("TilbudTilknyttetBehandlingSlutDato",),
    paakraevet=("TilbudTilknyttetBehandlingSlutDato",),
)
AFSLUTNING_SIDE = _side(AFSLUTNING, "afslutning", AFSLUTNING.action)
#: Every IVÆR field on one page: what the summary confirms.
IVAERKSAETTELSE_ALLE = _side(IVAERKSAETTELSE, "alle", IVAERKSAETTELSE.action)
#: Registrér anmodning: the new anmodning's questions, the CPR number (6-ANM) first,
#: which the page cannot do without (R-GEN-6). 8-ANM is the user's myndighed.
ANMODNING_NY_SIDE = Trin(
    ANMODNING,
    "ny",
    "Registrér anmodning",
    AnmodningForm.variables,
    paakraevet=(rules_v.CPR,),
)
#: Rediger anmodning: the ANM form without the CPR number and 8-ANM (they belong to
#: the forløb; a wrong CPR number means deleting the forløb bagfra and starting over).
ANMODNING_SIDE = _side(ANMODNING, "anmodning", "Ret anmodning")


def trin_for_slug(slug: str) -> Trin | None:
    return next((t for t in IVAERKSAETTELSE_TRIN if t.slug == slug), None)


def trin_for_variable(variable: str) -> Trin | None:
    return next((t for t in IVAERKSAETTELSE_TRIN if variable in t.variables), None)


#: Legends for the questions that share one Felt-ID and are shown as one group.
GRUPPER = {
    "18-IVÆR": "Antal dage med ikke-ordinerede stoffer den seneste måned (0-30 dage pr. stof)",
    "20-IVÆR": "Borgerens hovedstof",
}


# --- Visibility --------------------------------------------------------------------


def ryd_skjulte_svar(
    schema_key: str, values: Mapping[str, Any], forloeb: rules.Forloeb | None
) -> tuple[dict[str, Any], frozenset[str]]:
    """``values`` with the answers of questions that are not shown cleared (R-GEN-2),
    and the variables shown. Repeated until nothing changes, since clearing one
    answer can hide another question."""
    fields = SCHEMAS[schema_key].by_variable()
    out = dict(values)
    for _ in range(len(fields) + 1):
        shown = rules.visible_fields(schema_key, out, forloeb)
        hidden = [var for var, value in out.items() if var in fields and var not in shown]
        answered = [var for var in hidden if not er_tom(var, out[var])]
        if not answered:
            for var in hidden:
                out[var] = empty_value(fields[var])
            return out, shown
        for var in answered:
            out[var] = empty_value(fields[var])
    raise AssertionError("visibility did not settle")


def klargjorte_svar(
    schema_key: str, values: Mapping[str, Any], forloeb: rules.Forloeb
) -> dict[str, Any]:
    """Answers as they are saved: hidden ones cleared (R-GEN-2) and, for IVÆR, the
    computed 32-IVÆR and 23-IVÆR filled in by the rule engine."""
    out, _ = ryd_skjulte_svar(schema_key, values, forloeb)
    if schema_key == IVAERKSAETTELSE.key:
        out.update(rules.computed_values(forloeb.with_schema(schema_key, out)))
    return out


def values_to_data(schema: Schema, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Stored values -> form data (field name -> strings), to show them in a form."""
    by_var = schema.by_variable()
    out = {}
    for variable, value in values.items():
        f = by_var.get(variable)
        if f is not None and not f.computed and (strings := form_data(f, value)):
            out[f.name] = strings
    return out


# --- A page bound to answers ---------------------------------------------------------


@dataclass
class Felt:
    """One question on the page as the template shows it."""

    field: Field
    synlig: bool
    bound: BoundField | None = None  # None for a computed, read-only value
    beregnet: Any = None
    #: Why the computed value cannot be shown as a number (a refused date, an
    #: iværksættelse before the anmodning): ``smdb.rules.beregninger_hindret``.
    hindring: Hindring | None = None
    #: Must be answered before the schema can be saved (the rule engine's
    #: required_fields): marked with * and aria-required / required (issue 11).
    paakraevet: bool = False
    #: Options that cannot be valid for the answers given: code -> why (ValgSelect).
    utilgaengelige: dict[str, str] = field(default_factory=dict)
    #: In a group whose labels share a beginning and an end (18-IVÆR "Antal dage med
    #: ... seneste måned"): (shared start, own part, shared end). The page shows only
    #: the own part; the accessible label stays whole, Felt-ID first.
    kort: tuple[str, str, str] | None = None

    @property
    def dom_id(self) -> str:
        return f"felt-{self.field.name}"

    @property
    def input_id(self) -> str:
        """The id the question's help and error texts are named from. A radio or tick
        box group has no one input (Django gives it no id_for_label): its auto_id."""
        if self.bound is None:
            return f"id_{self.field.name}"
        return self.bound.id_for_label or self.bound.auto_id

    @property
    def anker(self) -> str:
        """Where the error summary's link jumps: the input, a group's first box, or
        the tilbud search."""
        if self.widget in ("janej", "flere"):
            return f"{self.bound.auto_id}_0"
        if self.widget == "tilbud":
            return "tilbud-soeg"
        return self.input_id

    @property
    def widget(self) -> str:
        if self.field.computed:
            return "beregnet"
        if self.field.variable == "TilbudId":
            return "tilbud"
        if self.field.type is FieldType.CODE_LIST:
            return "flere"
        if self.field.type is FieldType.BOOL:
            return "afkryds" if self.bound.widget_type == "checkbox" else "janej"
        return "input"

    @property
    def tegn_max(self) -> int | None:
        """The length limit of a long text, shown with a live counter."""
        if self.bound is not None and "data-tegn-max" in self.bound.field.widget.attrs:
            return self.field.max_length
        return None

    @property
    def describedby(self) -> str:
        ids = []
        if self.field.help_text and self.widget != "tilbud":
            ids.append(f"{self.input_id}_helptext")
        if self.tegn_max:
            ids.append(f"{self.input_id}_taeller")
        if self.bound is not None and self.bound.errors:
            ids.append(f"{self.input_id}_fejl")
        return " ".join(ids)

    @property
    def input_html(self) -> str:
        """The input of a one-box question, marked when it has an error: red border
        (is-invalid), aria-invalid, and described by its help and its error text
        (Django's own aria-describedby names an ``_error`` id this page has not)."""
        attrs = {}
        if self.utilgaengelige:
            self.bound.field.widget.utilgaengelige = self.utilgaengelige
        if self.describedby:
            attrs["aria-describedby"] = self.describedby
        if self.paakraevet:
            attrs["aria-required"] = "true"
        if self.bound.errors:
            css = self.bound.field.widget.attrs.get("class", "")
            attrs["class"] = f"{css} is-invalid".strip()
        return self.bound.as_widget(attrs=attrs)

    @property
    def beregnet_tekst(self) -> str:
        if self.beregnet is None:
            return ""
        if self.field.variable == rules_v.ALDER:
            if self.hindring is not None or self.beregnet < 0:
                return (self.hindring or Hindring.DATO_AFVIST).tekst  # R-GEN-6
            return f"{self.beregnet} år"
        # Never "-13462 dage" (issue 23): the reason instead (R-GEN-3, R-IVAER-3).
        return dagetal_tekst(self.beregnet, self.hindring)


def _forkort(felter: list[Felt]) -> None:
    """Set ``kort`` when every label in the group starts and ends with the same words."""
    words = [f.field.label.split() for f in felter]
    if len(words) < 2:
        return
    start = 0
    while all(len(w) > start + 1 and w[start] == words[0][start] for w in words):
        start += 1
    end = 0
    while all(len(w) > start + end + 1 and w[-end - 1] == words[0][-end - 1] for w in words):
        end += 1
    if not (start and end):
        return
    for felt, w in zip(felter, words, strict=True):
        own = " ".join(w[start : len(w) - end])
        felt.kort = (" ".join(w[:start]), own[:1].upper() + own[1:], " ".join(w[len(w) - end :]))


@dataclass
class Blok:
    """A question, or a group of questions with one Felt-ID (18-IVÆR, 20-IVÆR): the
    unit the page replaces when a question appears or disappears."""

    felter: list[Felt]
    legend: str = ""
    felt_id: str = ""

    @property
    def dom_id(self) -> str:
        if self.legend:
            return "gruppe-" + self.felt_id.lower().replace("æ", "ae")
        return self.felter[0].dom_id

    @property
    def synlig(self) -> bool:
        return any(f.synlig for f in self.felter)

    @property
    def betinget(self) -> bool:
        return any(f.field.conditional or f.field.computed for f in self.felter)

    @property
    def synlige_navne(self) -> frozenset[str]:
        return frozenset(f.field.name for f in self.felter if f.synlig)


@dataclass
class Side:
    """One page of a schema form bound to answers: the form, what is shown, and
    the computed values.

    ``form`` holds what was sent (or saved); ``andre_svar`` are the schema's answers
    on other pages (the other IVÆR steps, a tilknytning's other fields), so that
    visibility and computed values see the whole schema. ``forloeb`` is the forløb
    as the rule engine sees it, without this schema's edit.
    """

    trin: Trin
    form: SkemaForm
    forloeb: rules.Forloeb
    andre_svar: Mapping[str, Any] = field(default_factory=dict)
    #: Violations that belong to no field on this page (shown on top).
    oevrige_fejl: list = field(default_factory=list)

    @classmethod
    def bind(
        cls,
        trin: Trin,
        data: Mapping | None,
        forloeb: rules.Forloeb,
        *,
        andre_svar: Mapping[str, Any] | None = None,
        with_version: bool = False,
        form: SkemaForm | None = None,
    ) -> Side:
        if form is None:
            if data is not None and not isinstance(data, MultiValueDict):
                data = MultiValueDict(
                    {k: v if isinstance(v, list) else [v] for k, v in data.items()}
                )
            form = trin.form_class(with_version=with_version)(data=data or MultiValueDict())
            form.is_valid()
        return cls(trin=trin, form=form, forloeb=forloeb, andre_svar=dict(andre_svar or {}))

    @cached_property
    def _state(self) -> tuple[dict[str, Any], frozenset[str]]:
        values = {**self.andre_svar, **self.form.values()}
        return ryd_skjulte_svar(self.trin.schema.key, values, self.forloeb)

    @property
    def values(self) -> dict[str, Any]:
        """The whole schema's answers with hidden ones cleared."""
        return self._state[0]

    @property
    def synlige(self) -> frozenset[str]:
        return self._state[1]

    @cached_property
    def beregnede(self) -> dict[str, Any]:
        if self.trin.schema is not IVAERKSAETTELSE:
            return {}
        return rules.computed_values(self.forloeb.with_schema(IVAERKSAETTELSE.key, self.values))

    @cached_property
    def beregninger_hindret(self) -> dict[str, Hindring]:
        if self.trin.schema is not IVAERKSAETTELSE:
            return {}
        forloeb = self.forloeb.with_schema(IVAERKSAETTELSE.key, self.values)
        return beregninger_hindret(forloeb, today=rules.today_dk())

    @cached_property
    def utilgaengelige_svar(self) -> dict[str, dict[str, str]]:
        """Per variable, the codes the rule engine would refuse for the answers so
        far, with why; shown disabled. Now 4-IVÆR by age (R-IVAER-5)."""
        alder = self.beregnede.get(rules_v.ALDER)
        if alder is None:
            return {}
        return {rules_v.GARANTI_AARSAG: garantiaarsager_ikke_for_alder(alder)}

    @cached_property
    def paakraevede(self) -> frozenset[str]:
        return rules.required_fields(self.trin.schema.key, self.values, self.forloeb) | set(
            self.trin.paakraevet
        )

    @property
    def har_paakraevede(self) -> bool:
        return any(f.paakraevet and f.synlig for b in self.blokke for f in b.felter)

    @cached_property
    def blokke(self) -> list[Blok]:
        felter = []
        for f in self.trin.fields:
            synlig = f.variable in self.synlige
            if f.computed:
                felter.append(
                    Felt(
                        f,
                        synlig,
                        beregnet=self.beregnede.get(f.variable),
                        hindring=self.beregninger_hindret.get(f.variable),
                    )
                )
            else:
                felter.append(
                    Felt(
                        f,
                        synlig,
                        bound=self.form[f.name],
                        paakraevet=f.variable in self.paakraevede,
                        utilgaengelige=self.utilgaengelige_svar.get(f.variable, {}),
                    )
                )
        blokke: list[Blok] = []
        for felt in felter:
            last = blokke[-1] if blokke else None
            group = GRUPPER.get(felt.field.felt_id)
            if group and last is not None and last.felt_id == felt.field.felt_id:
                last.felter.append(felt)
            else:
                blokke.append(
                    Blok([felt], legend=group or "", felt_id=felt.field.felt_id if group else "")
                )
        for blok in blokke:
            if blok.legend:
                _forkort(blok.felter)
        return blokke

    def drop_skjulte_fejl(self) -> None:
        """An answer to a question not shown now is dropped (R-GEN-2: it is cleared
        before saving), so what could not be read there is no error either; else the
        page would refuse without showing why (issue 15)."""
        errors = self.form.errors
        for f in self.trin.fields:
            if f.name in errors and f.variable not in self.synlige:
                del errors[f.name]

    @property
    def synlige_navne(self) -> str:
        """The shown conditional questions, posted back by the page so that a live
        update replaces only what changed."""
        return ",".join(sorted(n for b in self.blokke if b.betinget for n in b.synlige_navne))

    def aendrede_blokke(self, foer: str) -> list[Blok]:
        """Blocks to replace after an answer changed: those whose shown questions
        differ from ``foer`` (the page's ``synlige_navne`` before), and computed values."""
        foer_set = frozenset(filter(None, foer.split(",")))
        out = []
        for blok in self.blokke:
            if not blok.betinget:
                continue
            names = frozenset(f.field.name for f in blok.felter)
            computed = any(f.field.computed for f in blok.felter)
            if computed or (foer_set & names) != blok.synlige_navne:
                out.append(blok)
        return out

    def fejl(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary at the top of the page."""
        out = []
        for felt in (f for b in self.blokke for f in b.felter):
            if felt.bound is not None and felt.synlig:
                for error in felt.bound.errors:
                    # A rule violation already starts with its Felt-ID; a parse error not.
                    if felt.field.felt_id and error.startswith(felt.field.felt_id):
                        out.append((felt.anker, error))
                    else:
                        out.append((felt.anker, f"{felt.field.full_label}: {error}"))
        for error in self.form.non_field_errors():
            out.append(("", error))
        for v in self.oevrige_fejl:
            out.append(("", f"{v.felt_id}: {v.message} ({v.rule})" if v.felt_id else v.message))
        return out


def laesefejl(schema: Schema, data: Mapping[str, list[str]], shown) -> list[rules.Violation]:
    """What the schema's form cannot read in ``data`` (a draft, the summary's post),
    on the questions ``shown``: "fem" in a day count. As R-GEN-2 violations ("an
    answer of the wrong type is no answer"), so a summary lists them with the rule
    violations, each naming its field (issue 15)."""
    form = skema_form(schema, tuple(f.variable for f in schema.stored_fields))(
        data=MultiValueDict(dict(data))
    )
    out = []
    for f in form.schema_fields():
        if f.variable in shown:
            for error in form.errors.get(f.name, []):
                out.append(
                    rules.Violation(
                        "R-GEN-2", f.ident, f"{f.label}: {error}", schema.key, f.variable
                    )
                )
    return out


def kladde_values(schema: Schema, data: Mapping[str, list[str]]) -> dict[str, Any]:
    """A draft's answers, read by the schema's whole form (unreadable ones empty)."""
    form = skema_form(schema, tuple(f.variable for f in schema.stored_fields))(
        data=MultiValueDict(dict(data))
    )
    form.is_valid()
    return form.values()


def flet_kladde(
    trin: Trin, data: Mapping[str, list[str]], form: SkemaForm, forloeb: rules.Forloeb
) -> dict[str, list[str]]:
    """A draft's data with this step's answers put in, and every answer to a
    question no longer shown removed, on any step (an answer on one step can hide
    a question on another)."""
    page = {f.name for f in trin.fields}
    merged = {k: v for k, v in data.items() if k not in page}
    merged.update(form.raw_data())
    _, shown = ryd_skjulte_svar(trin.schema.key, kladde_values(trin.schema, merged), forloeb)
    by_name = {f.name: f for f in trin.schema.fields}
    return {k: v for k, v in merged.items() if k in by_name and by_name[k].variable in shown}


@dataclass
class Afsnit:
    """One step of the IVÆR summary: its answers as shown."""

    trin: Trin
    url: str
    rader: list[tuple[Field, str]]


def opsummering(values: Mapping[str, Any], forloeb: rules.Forloeb, url, pk: int) -> list[Afsnit]:
    """The summary of an IVÆR: per step, each question shown and its answer; an
    unanswered question only when it must be answered (the 17 day counts of
    18-IVÆR are mostly empty and would bury the rest)."""
    shown = rules.visible_fields(IVAERKSAETTELSE.key, values, forloeb)
    required = rules.required_fields(IVAERKSAETTELSE.key, values, forloeb)
    hindret = beregninger_hindret(
        forloeb.with_schema(IVAERKSAETTELSE.key, values), today=rules.today_dk()
    )

    def vist(f: Field) -> str:
        if f.variable in hindret:  # no negative count (issue 23, R-IVAER-3)
            return hindret[f.variable].tekst
        return display_value(f, values.get(f.variable))

    return [
        Afsnit(
            trin,
            url(pk, trin.slug),
            [
                (f, vist(f))
                for f in trin.fields
                if f.variable in shown
                and (f.variable in required or not er_tom(f.variable, values.get(f.variable)))
            ],
        )
        for trin in IVAERKSAETTELSE_TRIN
    ]
