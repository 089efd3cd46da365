"""Match unit names as written in a notice to the unit directory.

Tolerant of case and diacritics, "UBND" / "Ủy ban nhân dân", "Uỷ"/"Ủy", a trailing "thị xã" / "huyện" /
"tỉnh", a role in front ("Thủ trưởng", "Chủ tịch"), a remark in parentheses, and the usual
abbreviations (TC-KH, TN&MT, LĐ-TB&XH, VH-TT, GD&ĐT ...). Collectives expand to their members.
Names that match nothing are returned as proposals: the directory is never changed here.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple, Sequence

from bot.text.fold import strip_marks


class UnitEntry(NamedTuple):
    name: str
    aliases: Sequence[str] = ()
    kind: str = "department"
    members: Sequence[str] = ()


@dataclass
class UnitMatch:
    matched: dict[str, list[str]] = field(default_factory=dict)  # name as written → directory names
    unknown: list[str] = field(default_factory=list)  # proposals for new units

    def units_for(self, name: str) -> list[str]:
        return self.matched.get(name, [])


strip_diacritics = strip_marks  # the one folding of diacritics (bot.text)


# full forms → one short form (applied on lower-case text without diacritics)
_EXPANSIONS = [
    (r"uy ban nhan dan", "ubnd"), (r"hoi dong nhan dan", "hdnd"),
    (r"uy ban mat tran to quoc(?: viet nam)?|mat tran to quoc(?: viet nam)?|ubmttq(?:vn)?|mttq(?:vn)?", "mttq"),
    (r"van hoa\W+the thao\W+(?:va\W+)?du lich|vh\W?tt\W?(?:&\W?)?dl", "vhttdl"),
    (r"van hoa\W+(?:va\W+)?thong tin", "vhtt"),
    (r"tai chinh\W+(?:va\W+)?ke hoach", "tckh"),
    (r"tai nguyen\W+(?:va\W+)?moi truong", "tnmt"),
    (r"lao dong\W+thuong binh\W+(?:va\W+)?xa hoi", "ldtbxh"),
    (r"giao duc\W+(?:va\W+)?dao tao", "gddt"),
    (r"nong nghiep\W+(?:va\W+)?phat trien nong thon", "nnptnt"),
    (r"nong nghiep\W+(?:va\W+)?moi truong", "nnmt"),
    (r"ke hoach\W+(?:va\W+)?dau tu", "khdt"),
    (r"kinh te\W+(?:va\W+)?ha tang", "ktht"),
    (r"quan ly do thi", "qldt"),
    (r"thong tin\W+(?:va\W+)?truyen thong", "tttt"),
    (r"khoa hoc\W+(?:va\W+)?cong nghe", "khcn"),
    (r"giao thong\W+van tai", "gtvt"),
    (r"bao hiem xa hoi", "bhxh"),
    (r"ban chi huy quan su|ban chqs", "bchqs"),
    (r"trung tam y te", "ttyt"),
    (r"kho bac nha nuoc", "kbnn"),
    (r"giao duc nghe nghiep\W+giao duc thuong xuyen|gdnn\W+gdtx", "gdnntx"),
    (r"ban quan ly du an", "ban qlda"),
    (r"hdnd va ubnd", "hdnd ubnd"),
]
_EXPANSIONS_RX = [(re.compile(rf"(?<![a-z0-9]){a}(?![a-z0-9])"), b) for a, b in _EXPANSIONS]
_TRAILING_PLACE = re.compile(r"\s+(?:thi xa|huyen|tinh|thanh pho|quan|tp)$")
_ROLE = re.compile(r"^(?:thu truong|chu tich|pho chu tich|lanh dao|giam doc|truong|nguoi dung dau|thuong truc)\s+")
_UBND_LOCAL = re.compile(r"^ubnd\s+(?=(?:xa|phuong|thi tran)\b)")


@lru_cache(maxsize=16384)  # pure; match_units re-keys the whole directory on every call
def unit_key(name: str) -> str:
    """A comparison key: lower case, no diacritics, abbreviations unified, punctuation gone."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = strip_diacritics(text)
    text = re.sub(r"\s+", " ", text)
    # "tn&mt", "lđ-tb&xh", "tc-kh": glue letters joined by & or - without spaces
    text = re.sub(r"(?<=[a-z])\s*&\s*(?=[a-z])", "&", text)
    for rx, short in _EXPANSIONS_RX:
        text = rx.sub(short, text)
    text = re.sub(r"(?<=[a-z])[&\-](?=[a-z])", "", text)
    for rx, short in _EXPANSIONS_RX:  # again, for glued abbreviations such as "vh-tt"
        text = rx.sub(short, text)
    text = re.sub(r"[^a-z0-9()]+", " ", text)
    text = re.sub(r"\b(?:va)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


@lru_cache(maxsize=16384)  # pure, and callers only read the list
def _variants(name: str) -> list[str]:
    """Keys from strict to loose: as is, without the place word, without parentheses, without a role."""
    base = unit_key(name)
    keys = [base]
    no_paren = re.sub(r"\s*\([^)]*\)\s*", " ", base).strip()
    for key in (base, no_paren):
        for candidate in (key, _TRAILING_PLACE.sub("", key)):
            role_free = _ROLE.sub("", candidate)
            for k in (candidate, role_free, _UBND_LOCAL.sub("", candidate), _UBND_LOCAL.sub("", role_free)):
                k = re.sub(r"\s+", " ", k.replace("(", " ").replace(")", " ")).strip()
                if k and k not in keys:
                    keys.append(k)
    return keys


_COMMUNES = re.compile(r"^(?:ubnd |chu tich ubnd |thu truong )?(?:cac )?(?:xa|phuong|thi tran)(?: (?:xa|phuong|thi tran))*(?: (?:co )?lien quan)?$")  # noqa: E501
_DEPARTMENTS = re.compile(r"^(?:thu truong |lanh dao )?cac (?:so |phong |ban |nganh |co quan |don vi )*(?:so|phong|ban|nganh|co quan|don vi|doan the)(?: (?:so|phong|ban|nganh|doan the))*(?: thi xa| huyen| tinh| thanh pho)?$")  # noqa: E501
_KIND_GROUPS = {
    "communes": {"commune", "ward", "town", "xa", "phuong"},
    "departments": {"department", "office", "agency", "center", "council"},
}


_LEVEL_WORDS = {"tinh": "tinh", "thanh pho": "city", "thi xa": "town", "huyen": "town", "quan": "town",
                "xa": "commune", "phuong": "commune", "thi tran": "commune"}


def _level(name: str) -> str | None:
    """The administrative level a name ends with: "Công an tỉnh" → tinh, "Công an thị xã" → town."""
    key = strip_diacritics(name.lower()).strip()
    # "xã hội" (social: Bảo hiểm xã hội, Lao động - Thương binh và Xã hội) is no level
    m = re.search(r"(?<![a-z])(tinh|thanh pho|thi xa|huyen|quan|xa(?! hoi)|phuong|thi tran)(?= [A-Za-z0-9]| *$)", key)
    if not m or m.start() == 0:
        return None
    return _LEVEL_WORDS[m.group(1)]


# "các sở, ban, ngành": only the directory's units of those classes, never a company or a commune
_CLASS_HEADS = {"so": "so ", "phong": "phong ", "ban": "ban "}
_COMPANY = re.compile(r"^(?:cong ty|doanh nghiep|tap doan|hop tac xa|ngan hang|chi nhanh)\b")


def _department_members(key: str, entries: list[UnitEntry], kinds: set[str]) -> set[str]:
    named = [head for word, head in _CLASS_HEADS.items() if re.search(rf"(?<![a-z]){word}(?![a-z])", key)]
    generic = re.search(r"(?<![a-z])(?:nganh|co quan|don vi|doan the)(?![a-z])", key)
    out = set()
    for e in entries:
        folded = unit_key(e.name)
        if e.kind not in kinds or _COMPANY.match(folded):
            continue
        if generic or not named or any(folded.startswith(h) for h in named):
            out.add(e.name)
    return out


def match_units(names: list[str], directory: Sequence[UnitEntry | tuple]) -> UnitMatch:
    entries = [e if isinstance(e, UnitEntry) else UnitEntry(*e) for e in directory]
    by_name = {e.name: e for e in entries}
    index: dict[str, set[str]] = {}
    for entry in entries:
        for alias in [entry.name, *(entry.aliases or ())]:
            for key in _variants(alias)[:1] + [k for k in _variants(alias)[1:] if k]:
                index.setdefault(key, set()).add(entry.name)
    exact: dict[str, set[str]] = {}
    for entry in entries:
        for alias in [entry.name, *(entry.aliases or ())]:
            exact.setdefault(unit_key(alias), set()).add(entry.name)

    def expand(unit_name: str, seen: set[str] | None = None) -> list[str]:
        entry = by_name[unit_name]
        if entry.kind == "collective" and entry.members:
            seen = seen or set()
            out: list[str] = []
            for member in entry.members:
                if member in seen:
                    continue
                seen.add(member)
                out.extend(expand(member, seen) if member in by_name else [member])
            return list(dict.fromkeys(out))
        return [unit_name]

    levels = {e.name: _level(e.name) for e in entries}

    def same_level(name: str, hits: set[str]) -> set[str]:
        """"Công an tỉnh" never stands for "Công an thị xã": a level word, once written, must agree."""
        written = _level(name)
        if written is None:
            return hits
        return {h for h in hits if levels.get(h) in (None, written)}

    def lookup(name: str) -> set[str]:
        return same_level(name, _lookup(name))

    def _lookup(name: str) -> set[str]:
        keys = _variants(name)
        hit = exact.get(keys[0])
        if hit:
            return hit
        for key in keys:
            hit = index.get(key)
            if hit and len(hit) == 1:
                return hit
        for key in keys:
            hit = index.get(key)
            if hit:
                return hit
        # generic collectives the directory does not list: all communes / all departments
        for group, pattern in (("communes", _COMMUNES), ("departments", _DEPARTMENTS)):
            if any(pattern.match(k) for k in keys[:3]):
                kinds = _KIND_GROUPS[group]
                if group == "departments":
                    members = _department_members(keys[0], entries, kinds)
                else:
                    members = {e.name for e in entries if e.kind in kinds}
                if members:
                    return members
        # a small typo: only when one directory key is clearly the closest
        # ... and never a number: "UBND Phường 2" is not "UBND Phường 1"
        numbers = re.findall(r"\d+", keys[0])
        close = difflib.get_close_matches(
            keys[0], [k for k in index if re.findall(r"\d+", k) == numbers], n=2, cutoff=0.9)
        if len(close) == 1 and len(index[close[0]]) == 1:
            return index[close[0]]
        return set()

    result = UnitMatch()
    for name in names:
        hits = lookup(name)
        if not hits:
            if name not in result.unknown:
                result.unknown.append(name)
            result.matched[name] = []
            continue
        expanded: list[str] = []
        for hit in sorted(hits, key=lambda n: [e.name for e in entries].index(n)):
            expanded.extend(expand(hit))
        result.matched[name] = list(dict.fromkeys(expanded))
    return result


# --- the entry point for one name (/status UNIT, invites) ------------------------------------

def find_units(name: str, directory: Sequence[UnitEntry | tuple]) -> list[str]:
    """The directory names one written name stands for, by the rules above: [] for none, several
    for a collective (its members), a group ("UBND các xã") or a name that fits several units."""
    return match_units([name], directory).units_for(name)

