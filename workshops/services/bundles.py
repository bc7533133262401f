"""Venue bundles: a whole workshop as one signed, encrypted file, moved between instances.

A facilitator runs a workshop on a laptop in the room (phones on the local Wi-Fi) and
moves it to the network's server afterwards, or the other way round. The bundle holds the
workshop's structure (sessions, its organisations, the reference data it points to),
its pseudonymous participants, contributions, votes, themes, sources (interviews, ACLED
events, survey mappings, place spellings) and report drafts with their versions. It holds
no accounts, no staff memberships, no device tokens and no uploaded raw files: people sign
in on each instance with their own account; phones join the other instance anew.

Rows are matched on natural keys, never on database ids: a country's code, a zone's or
region's country and name, an organisation's name, the workshop's slug, a participant's
public id, a contribution's client id, a vote's participant and contribution, a draft's
language, a section's key, a version's number, and so on. Importing a bundle twice adds
nothing. A row that exists on both sides with different content is a conflict: it is
reported (which table, which row, which fields) and the row already here is kept. Links
(a contribution's themes, a session's participants) are only ever added. The import runs
in one transaction: a bundle that cannot be read changes nothing.

File format: ``PXBUNDLE`` + format byte + scrypt salt (16 bytes) + AES-GCM nonce (12
bytes), then the AES-256-GCM ciphertext of the zlib-compressed JSON; the header is the
associated data, so changing any byte of the file makes it unreadable. The key is derived
from the organiser's passphrase with scrypt (n=2**15, r=8, p=1): without the passphrase
the file is noise, and a wrong passphrase and a tampered file are both refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops import changes
from workshops.choices import StaffRole
from workshops.models import (
    AcledEvent,
    BreakoutSession,
    Contribution,
    Country,
    Interview,
    Network,
    Organisation,
    Participant,
    Region,
    RegionAlias,
    ReportDraft,
    ReportSection,
    SectionVersion,
    SurveyMapping,
    Theme,
    Vote,
    Workshop,
    WorkshopMembership,
    Zone,
    ZoneRegion,
)
from workshops.models.core import generate_join_code

MAGIC = b"PXBUNDLE"
FORMAT = 1
SALT_BYTES = 16
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES + NONCE_BYTES
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_KEY_LENGTH = 12
MAX_KEY_LENGTH = 200
# A bundle of a large workshop is a few megabytes; refuse to inflate more than this.
MAX_PAYLOAD_BYTES = 200 * 1024 * 1024
FILE_SUFFIX = ".pxbundle"

# Carried to a new row, never compared: they change without anyone changing the content.
NOT_COMPARED = frozenset({"updated_at", "search_text", "join_code"})
# Never leave the instance: device tokens (phones join the other instance anew).
NOT_CARRIED = frozenset({"id", "token_hash"})


class BundleError(Exception):
    """A bundle that cannot be made or read; the message is translated, for people."""


# --- Encryption -------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes) -> bytes:
    try:
        secret = passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise BundleError(_("The key contains characters that cannot be used.")) from None
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(secret)


def seal(payload: dict, passphrase: str) -> bytes:
    """The encrypted, authenticated file for ``payload``."""
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = MAGIC + bytes([FORMAT]) + salt + nonce
    plain = zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 6)
    return header + AESGCM(_derive(passphrase, salt)).encrypt(nonce, plain, header)


def open_sealed(data: bytes, passphrase: str) -> dict:
    """The payload of a bundle file; ``BundleError`` for a wrong key or a changed file."""
    if len(data) <= HEADER_BYTES or not data.startswith(MAGIC):
        raise BundleError(_("This file is not a Peace Exchange bundle."))
    if data[len(MAGIC)] != FORMAT:
        raise BundleError(_("This bundle was made by another version of Peace Exchange."))
    header = data[:HEADER_BYTES]
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT_BYTES]
    nonce = header[-NONCE_BYTES:]
    try:
        plain = AESGCM(_derive(passphrase, salt)).decrypt(nonce, data[HEADER_BYTES:], header)
    except InvalidTag:
        raise BundleError(
            _("The key is wrong, or the file was changed after it was made. Nothing was imported.")
        ) from None
    inflater = zlib.decompressobj()
    raw = inflater.decompress(plain, MAX_PAYLOAD_BYTES)
    if inflater.unconsumed_tail:
        raise BundleError(_("This bundle is too large to import."))
    payload = json.loads(raw)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BundleError(_("This bundle was made by another version of Peace Exchange."))
    return payload


# --- What a bundle holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One model in the bundle: its natural key, its references to other tables (by their
    natural keys), references by name to rows that stay on each instance (accounts,
    networks: set when the name exists here, never compared), and its many-to-many links."""

    name: str
    model: type[models.Model]
    key: tuple[str, ...]
    rows: Callable[[Workshop | None], models.QuerySet]
    refs: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, tuple[Callable[[], type[models.Model]], str]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def fields(self) -> list[models.Field]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in NOT_CARRIED
            and f.name not in self.refs
            and f.name not in self.by_name
            and not f.is_relation
        ]


def _of_workshop(model: type[models.Model], path: str = "workshop"):
    return lambda w: model.objects.none() if w is None else model.objects.filter(**{path: w})


def _organisations(w: Workshop | None) -> models.QuerySet:
    if w is None:
        return Organisation.objects.all()
    ids = Organisation.objects.filter(
        Q(organised_workshops=w) | Q(workshops=w) | Q(participants__workshop=w)
    ).values("pk")
    return Organisation.objects.filter(pk__in=ids)


def _themes(w: Workshop | None) -> models.QuerySet:
    return Theme.objects.filter(workshop=None) if w is None else Theme.objects.for_workshop(w)


USER = (get_user_model, "username")
NETWORK = (lambda: Network, "slug")

TABLES: tuple[Table, ...] = (
    Table("country", Country, ("code",), lambda w: Country.objects.all()),
    Table(
        "region",
        Region,
        ("country", "name"),
        lambda w: Region.objects.all(),
        {"country": "country"},
    ),
    Table(
        "organisation",
        Organisation,
        ("name",),
        _organisations,
        {"home_region": "region", "country": "country"},
        {"member_of": NETWORK},
    ),
    Table(
        "workshop",
        Workshop,
        ("slug",),
        lambda w: Workshop.objects.none() if w is None else Workshop.objects.filter(pk=w.pk),
        {"country": "country", "organiser": "organisation"},
        links={"organisations": "organisation"},
    ),
    Table("zone", Zone, ("workshop", "name"), _of_workshop(Zone), {"workshop": "workshop"}),
    Table(
        "zone_region",
        ZoneRegion,
        ("workshop", "region"),
        _of_workshop(ZoneRegion),
        {"workshop": "workshop", "zone": "zone", "region": "region"},
    ),
    Table("theme", Theme, ("workshop", "slug"), _themes, {"workshop": "workshop"}),
    Table(
        "session",
        BreakoutSession,
        ("workshop", "order", "title"),
        _of_workshop(BreakoutSession),
        {"workshop": "workshop"},
        links={"participants": "participant"},
    ),
    Table(
        "participant",
        Participant,
        ("public_id",),
        _of_workshop(Participant),
        {"workshop": "workshop", "organisation": "organisation", "region": "region"},
    ),
    Table(
        "interview",
        Interview,
        ("workshop", "date", "pseudonym"),
        _of_workshop(Interview),
        {"workshop": "workshop", "region": "region", "voice": "participant"},
        {"created_by": USER},
    ),
    Table(
        "contribution",
        Contribution,
        ("workshop", "client_id"),
        _of_workshop(Contribution),
        {
            "workshop": "workshop",
            "session": "session",
            "author": "participant",
            "zone": "zone",
            "region": "region",
            "merged_into": "contribution",
            "interview": "interview",
        },
        {"created_by": USER},
        {"themes": "theme"},
    ),
    Table(
        "vote",
        Vote,
        ("participant", "contribution"),
        _of_workshop(Vote, "contribution__workshop"),
        {"participant": "participant", "contribution": "contribution"},
    ),
    Table(
        "acled_event",
        AcledEvent,
        ("workshop", "event_id_cnty"),
        _of_workshop(AcledEvent),
        {"workshop": "workshop", "region": "region", "zone": "zone"},
    ),
    Table(
        "survey_mapping",
        SurveyMapping,
        ("workshop", "form_key"),
        _of_workshop(SurveyMapping),
        {"workshop": "workshop"},
    ),
    Table(
        "region_alias",
        RegionAlias,
        ("workshop", "key"),
        _of_workshop(RegionAlias),
        {"workshop": "workshop", "region": "region"},
    ),
    Table(
        "report_draft",
        ReportDraft,
        ("workshop", "language"),
        _of_workshop(ReportDraft),
        {"workshop": "workshop"},
    ),
    Table(
        "report_section",
        ReportSection,
        ("draft", "key"),
        _of_workshop(ReportSection, "draft__workshop"),
        {"draft": "report_draft"},
    ),
    Table(
        "section_version",
        SectionVersion,
        ("section", "number"),
        _of_workshop(SectionVersion, "section__draft__workshop"),
        {"section": "report_section"},
        {"author": USER},
    ),
)
TABLE = {t.name: t for t in TABLES}


def _plain(value):
    """A field's value as JSON keeps it exactly (datetimes to the microsecond, in UTC)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _key_text(key: list) -> str:
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


class _Keys:
    """Natural keys of the rows already seen, per table, by database id."""

    def __init__(self):
        self.by_pk: dict[str, dict[int, list]] = defaultdict(dict)

    def of(self, table: str, pk: int | None) -> list | None:
        if pk is None:
            return None
        try:
            return self.by_pk[table][pk]
        except KeyError:
            # Points at a row outside the bundle: a damaged database, not a user error.
            raise BundleError(_("This workshop refers to data outside it.")) from None


def _records(table: Table, rows: Iterable[models.Model], keys: _Keys, named: dict) -> list:
    """Each row as a record; remembers each row's natural key in ``keys``. Self references
    (a contribution merged into another) are resolved after every row of the table."""
    rows = sorted(rows, key=lambda r: r.pk)
    records, seen = [], Counter()
    for row in rows:
        values = {f.name: _plain(f.value_from_object(row)) for f in table.fields()}
        refs = {
            name: None if target == table.name else keys.of(target, getattr(row, name + "_id"))
            for name, target in table.refs.items()
        }
        key = [refs[k] if k in table.refs else values[k] for k in table.key]
        # Two rows with the same natural key (two sessions both called "Plenary" at the
        # same place in the order): numbered in the order they were made.
        seen[_key_text(key)] += 1
        key.append(seen[_key_text(key)])
        keys.by_pk[table.name][row.pk] = key
        by_name = {name: named.get((name, getattr(row, name + "_id"))) for name in table.by_name}
        records.append({"key": key, "f": values, "r": refs, "n": by_name, "pk": row.pk})
    for record, row in zip(records, rows, strict=True):
        for name, target in table.refs.items():
            if target == table.name:
                record["r"][name] = keys.of(target, getattr(row, name + "_id"))
    return records


def _names(table: Table, rows: list[models.Model]) -> dict:
    """Usernames and network slugs of the rows' by-name references, in one query each."""
    found = {}
    for name, (model, attribute) in table.by_name.items():
        ids = {getattr(r, name + "_id") for r in rows} - {None}
        for pk, value in model().objects.filter(pk__in=ids).values_list("pk", attribute):
            found[(name, pk)] = value
    return found


def _link_pairs(table: Table, name: str, pks: Iterable[int]) -> list[tuple[int, int]]:
    relation = table.model._meta.get_field(name)
    through = relation.remote_field.through
    source = relation.m2m_field_name() + "_id"
    target = relation.m2m_reverse_field_name() + "_id"
    return list(through.objects.filter(**{source + "__in": list(pks)}).values_list(source, target))


# Shared by every workshop of an instance: an import compares with all of their rows.
SHARED = frozenset({"country", "region", "organisation"})


def _read(workshop: Workshop | None, keys: _Keys, *, importing: bool = False) -> dict:
    """Every table's records for ``workshop``; when ``importing``, every shared row."""
    tables: dict[str, list] = {}
    for table in TABLES:
        rows = list(table.rows(None if importing and table.name in SHARED else workshop))
        records = _records(table, rows, keys, _names(table, rows))
        tables[table.name] = records
    for table in TABLES:
        by_pk = {r["pk"]: r for r in tables[table.name]}
        for name, target in table.links.items():
            for record in by_pk.values():
                record.setdefault("m", {})[name] = []
            for source, other in _link_pairs(table, name, by_pk):
                by_pk[source]["m"][name].append(keys.of(target, other))
            for record in by_pk.values():
                record["m"][name].sort(key=_key_text)
    return tables


def export_payload(workshop: Workshop) -> dict:
    tables = _read(workshop, _Keys())
    for records in tables.values():
        for record in records:
            del record["pk"]
    return {
        "format": FORMAT,
        "workshop": workshop.slug,
        "title": workshop.title,
        "made_at": timezone.now().isoformat(),
        "tables": tables,
    }


def export_bundle(*, workshop: Workshop, passphrase: str) -> bytes:
    """The workshop as one encrypted file (see the module's docstring)."""
    check_passphrase(passphrase)
    return seal(export_payload(workshop), passphrase)


def check_passphrase(passphrase: str) -> None:
    if not MIN_KEY_LENGTH <= len(passphrase) <= MAX_KEY_LENGTH:
        raise BundleError(
            _("The key must be %(min)s to %(max)s characters long.")
            % {"min": MIN_KEY_LENGTH, "max": MAX_KEY_LENGTH}
        )
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise BundleError(_("The key contains characters that cannot be used.")) from None


def bundle_filename(workshop_slug: str) -> str:
    return f"{workshop_slug}-{timezone.now():%Y%m%d-%H%M}{FILE_SUFFIX}"


# --- Import ---------------------------------------------------------------------------------


@dataclass
class Conflict:
    table: str
    key: str
    fields: list[str]


@dataclass
class ImportResult:
    workshop: Workshop
    created_workshop: bool = False
    added: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    links_added: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    new_join_code: bool = False

    @property
    def added_total(self) -> int:
        return sum(self.added.values()) + self.links_added


def describe_key(key: list) -> str:
    """A natural key for people: its parts joined, references by their own keys."""

    def parts(value) -> list[str]:
        if isinstance(value, list):  # a referenced row's key: its parts, then its number
            return [p for v in value[:-1] for p in parts(v)]
        return [] if value is None else [str(value)]

    shown = " / ".join(p for value in key[:-1] for p in parts(value))
    return shown if key[-1] == 1 else f"{shown} (#{key[-1]})"


def _comparable(record: dict) -> tuple[dict, dict]:
    values = {k: v for k, v in record["f"].items() if k not in NOT_COMPARED}
    return values, record["r"]


def _differences(ours: dict, theirs: dict) -> list[str]:
    our_values, our_refs = _comparable(ours)
    their_values, their_refs = _comparable(theirs)
    names = {k for k in our_values | their_values if our_values.get(k) != their_values.get(k)}
    names |= {k for k in our_refs | their_refs if our_refs.get(k) != their_refs.get(k)}
    return sorted(names)


def _valid(payload: dict) -> dict[str, list]:
    tables = payload.get("tables")
    if not isinstance(tables, dict) or not isinstance(payload.get("workshop"), str):
        raise BundleError(_("This bundle is damaged: nothing was imported."))
    for name, records in tables.items():
        if name not in TABLE or not isinstance(records, list):
            raise BundleError(_("This bundle is damaged: nothing was imported."))
    return tables


class _Importer:
    def __init__(self, payload: dict, owner):
        self.tables = _valid(payload)
        self.slug = payload["workshop"]
        self.owner = owner
        # Natural key (as text) → database id here, per table.
        self.here: dict[str, dict[str, int]] = defaultdict(dict)

    def run(self) -> ImportResult:
        workshop = Workshop.objects.filter(slug=self.slug).first()
        result = ImportResult(workshop=workshop)
        existing = _read(workshop, _Keys(), importing=True)
        for table in TABLES:
            self._table(table, existing[table.name], result)
        self._links(existing, result)
        result.workshop = Workshop.objects.get(slug=self.slug)
        if workshop is None:
            result.created_workshop = True
            if self.owner is not None:
                WorkshopMembership.objects.create(
                    workshop=result.workshop, user=self.owner, role=StaffRole.ORGANISER
                )
        return result

    def _table(self, table: Table, existing: list, result: ImportResult) -> None:
        ours = {_key_text(r["key"]): r for r in existing}
        pending = []
        for record in self.tables.get(table.name, []):
            key = _key_text(record["key"])
            mine = ours.get(key)
            if mine is None:
                pending.append(record)
                continue
            self.here[table.name][key] = mine["pk"]
            differences = _differences(mine, record)
            if differences:
                result.conflicts.append(
                    Conflict(table.name, describe_key(record["key"]), differences)
                )
            else:
                result.unchanged[table.name] += 1
        # Rows pointing at rows of the same table (merged contributions) wait for them.
        while pending:
            ready = [r for r in pending if self._self_refs_known(table, r)]
            if not ready:
                raise BundleError(_("This bundle is damaged: nothing was imported."))
            self._create(table, ready, result)
            pending = [r for r in pending if _key_text(r["key"]) not in self.here[table.name]]

    def _self_refs_known(self, table: Table, record: dict) -> bool:
        return all(
            record["r"].get(name) is None or _key_text(record["r"][name]) in self.here[table.name]
            for name, target in table.refs.items()
            if target == table.name
        )

    def _ref(self, target: str, key: list | None) -> int | None:
        if key is None:
            return None
        try:
            return self.here[target][_key_text(key)]
        except KeyError:
            raise BundleError(_("This bundle is damaged: nothing was imported.")) from None

    def _create(self, table: Table, records: list, result: ImportResult) -> None:
        fields = {f.name: f for f in table.fields()}
        named = self._named(table, records)
        rows = []
        for record in records:
            values = {}
            for name, value in record["f"].items():
                if name not in fields:
                    raise BundleError(_("This bundle is damaged: nothing was imported."))
                values[name] = fields[name].to_python(value)
            for name, target in table.refs.items():
                values[name + "_id"] = self._ref(target, record["r"].get(name))
            for name in table.by_name:
                values[name + "_id"] = named.get((name, record["n"].get(name)))
            row = table.model(**values)
            if (
                isinstance(row, Workshop)
                and Workshop.objects.filter(join_code=row.join_code).exists()
            ):
                row.join_code = generate_join_code()
                result.new_join_code = True
            if isinstance(row, Contribution):
                row.refresh_search_text()
            rows.append(row)
        try:
            with transaction.atomic():
                table.model.objects.bulk_create(rows)
        except IntegrityError:
            raise BundleError(
                _("This bundle clashes with data already here (%(table)s): nothing was imported.")
                % {"table": table.model._meta.verbose_name_plural}
            ) from None
        for record, row in zip(records, rows, strict=True):
            self.here[table.name][_key_text(record["key"])] = row.pk
        result.added[table.name] += len(rows)

    def _named(self, table: Table, records: list) -> dict:
        found = {}
        for name, (model, attribute) in table.by_name.items():
            values = {r["n"].get(name) for r in records} - {None}
            for pk, value in (
                model().objects.filter(**{attribute + "__in": values}).values_list("pk", attribute)
            ):
                found[(name, value)] = pk
        return found

    def _links(self, existing: dict, result: ImportResult) -> None:
        for table in TABLES:
            for name, target in table.links.items():
                relation = table.model._meta.get_field(name)
                through = relation.remote_field.through
                source = relation.m2m_field_name() + "_id"
                other = relation.m2m_reverse_field_name() + "_id"
                wanted = set()
                for record in self.tables.get(table.name, []):
                    pk = self._ref(table.name, record["key"])
                    for linked in record.get("m", {}).get(name, []):
                        wanted.add((pk, self._ref(target, linked)))
                have = set(_link_pairs(table, name, {pk for pk, _ in wanted}))
                missing = sorted(wanted - have)
                through.objects.bulk_create([through(**{source: a, other: b}) for a, b in missing])
                result.links_added += len(missing)


def import_payload(payload: dict, *, owner=None) -> ImportResult:
    try:
        with transaction.atomic():
            result = _Importer(payload, owner).run()
            changes.bump(result.workshop.pk, states=True)  # rows come by bulk_create
            return result
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
        # Only a bundle made with the key gets here (the file is authenticated): one made
        # by a broken or foreign program. Nothing was written (the transaction).
        raise BundleError(_("This bundle is damaged: nothing was imported.")) from None


def import_bundle(*, data: bytes, passphrase: str, owner=None, slug: str | None = None):
    """Add what the bundle holds that is not here yet; report conflicts (keeps ours).
    ``slug``: refuse a bundle of another workshop. ``owner`` becomes the organiser of a
    workshop the import creates."""
    payload = open_sealed(data, passphrase)
    if slug is not None and payload.get("workshop") != slug:
        raise BundleError(
            _("This bundle holds another workshop (%(slug)s): nothing was imported.")
            % {"slug": payload.get("workshop")}
        )
    return import_payload(payload, owner=owner)


def conflict_line(conflict: Conflict) -> str:
    model = TABLE[conflict.table].model
    names = [str(model._meta.get_field(name).verbose_name) for name in conflict.fields]
    return _("%(what)s “%(key)s” differs in %(fields)s; the row already here was kept.") % {
        "what": capfirst(model._meta.verbose_name),
        "key": conflict.key,
        "fields": ", ".join(names),
    }


def summary_lines(result: ImportResult, *, conflicts: bool = True) -> list[str]:
    """What an import did, for people (the command's output, the page's message); the
    page lists the conflicts itself (``conflicts=False``)."""
    added, unchanged = sum(result.added.values()), sum(result.unchanged.values())
    lines = [
        (
            _("Workshop “%(title)s” created.")
            if result.created_workshop
            else _("Workshop “%(title)s” was already here.")
        )
        % {"title": result.workshop.title},
        ngettext("%(count)d row added.", "%(count)d rows added.", added) % {"count": added},
        ngettext("%(count)d row already here.", "%(count)d rows already here.", unchanged)
        % {"count": unchanged},
        ngettext("%(count)d link added.", "%(count)d links added.", result.links_added)
        % {"count": result.links_added},
    ]
    if result.new_join_code:
        lines.append(_("The join code was in use here: the workshop has a new join code."))
    count = len(result.conflicts)
    if count and conflicts:
        lines.append(
            ngettext(
                "%(count)d conflict (the bundle's version was not used):",
                "%(count)d conflicts (the bundle's version was not used):",
                count,
            )
            % {"count": count}
        )
        lines += ["  " + conflict_line(c) for c in result.conflicts]
    return lines
