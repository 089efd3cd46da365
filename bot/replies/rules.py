"""The reply grammar: ordered rules, each a small function over the normalised text.

The order is the precedence, and it encodes what a careful clerk does:

    nothing      stickers, emoji, empty                         -> other
    extension    a request for time wins over "không kịp"       -> extension
    irony        "xong đâu mà xong"                             -> not_done
    question     asking back wins over anything reported        -> question
    awaiting     "xong rồi, chờ ký ban hành", "đang xin chữ ký"  -> in_progress
    blocked      a named outside cause (not "bận")              -> blocked
    promise      "chưa xong nhưng chiều nay xong"               -> in_progress
    sub-step     "xong phần khảo sát, còn báo cáo đang viết"    -> in_progress
    done         an unnegated, unconditional, past "xong"       -> done
    progress     "đang làm", "70%", "3/7 xã"                    -> in_progress
    not done     "chưa", "không kịp", "0%"                      -> not_done
    acknowledge  "ok ạ", "dạ em nhận", thanks                   -> other
    fallback     nothing fired                                  -> other, not confident

"done" comes late on purpose: every guard that could turn a "xong" into something else runs
first, so the grammar never records done when the officer did not say so.

Text is normalised (see plain.py): "Đã xong r ạ" arrives here as "da xong roi a".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from bot.replies.extract import fraction, percent


@dataclass(frozen=True)
class Verdict:
    intent: str
    confident: bool = True
    cause: tuple[int, int] | None = None  # where the cause was found in the text (blocked)


class AnyOf:
    """Alternative patterns, tried in order. An alternative given as (triggers, pattern) is only
    tried when one of its trigger phrases occurs in the text. Each phrase is reduced to its last
    word and tested against the text's set of words (a set lookup is far cheaper than a regex,
    and most replies contain none of the triggers: this keeps classify() fast). A trigger with
    a symbol ("%") is tested as a plain substring."""

    def __init__(self, *alternatives: str | tuple[tuple[str, ...], str]):
        self.alternatives = []
        self._always: list[int] = []  # alternatives without triggers
        self._by_word: dict[str, list[int]] = {}  # trigger word -> alternatives it opens
        self._by_symbol: list[tuple[int, tuple[str, ...]]] = []
        for index, alt in enumerate(alternatives):
            phrases, pattern = alt if isinstance(alt, tuple) else ((), alt)
            words = frozenset(p.split()[-1] for p in phrases if _PLAIN_PHRASE.match(p))
            symbols = tuple(p for p in phrases if not _PLAIN_PHRASE.match(p))
            self.alternatives.append((bool(phrases), words, symbols, re.compile(pattern)))
            if not phrases:
                self._always.append(index)
            for word in words:
                self._by_word.setdefault(word, []).append(index)
            if symbols:
                self._by_symbol.append((index, symbols))
        self._triggers = frozenset(self._by_word)

    def _candidates(self, s: str) -> list[re.Pattern]:
        """The alternatives worth trying on `s`, in their given order."""
        chosen = set(self._always)
        for word in self._triggers.intersection(_words(s)):
            chosen.update(self._by_word[word])
        for index, symbols in self._by_symbol:
            if _has_any(s, symbols):
                chosen.add(index)
        return [self.alternatives[i][3] for i in sorted(chosen)]

    def search(self, s: str) -> re.Match | None:
        for pattern in self._candidates(s):
            m = pattern.search(s)
            if m:
                return m
        return None

    def finditer(self, s: str):
        for pattern in self._candidates(s):
            yield from pattern.finditer(s)

    def sub(self, repl, s: str) -> str:
        for pattern in self._candidates(s):
            s = pattern.sub(repl, s)
        return s


_PLAIN_PHRASE = re.compile(r"^[a-z ]+$")


def _has_any(s: str, symbols: tuple[str, ...]) -> bool:
    for symbol in symbols:
        if symbol in s:
            return True
    return False


@lru_cache(maxsize=64)
def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


_any = AnyOf


END = r"(?: (?:a|anh|chi|em|nhe|nhi|oi|ha|vay|the|day|ta|nua|ban|dong chi))*(?: [?.!])*\s*$"
NEG = r"(?:chua|khong|chang|cha|deo|dau co|khong the|chua the|kho)"
DONE_WORD = re.compile(r"\b(?:xong|hoan thanh|hoan tat)\b")


# --- nothing to read -----------------------------------------------------------------------

_HAS_WORDS = re.compile(r"[a-z0-9]")
_CHECK_MARKS = re.compile(r"[✅✔☑]")


def rule_nothing(s: str) -> Verdict | None:
    """Stickers and emoji say nothing about the task. A lone tick might mean done, so ask."""
    if _HAS_WORDS.search(s):
        return None
    return Verdict("other", confident=not _CHECK_MARKS.search(s))


# --- irony ---------------------------------------------------------------------------------

_IRONY = _any(
    (('dau ma',), r"\b(?:xong|hoan thanh|lam) (?:\w+ )?dau ma (?:xong|hoan thanh|lam)\b"),  # xong đâu mà xong
    (('dau',), r"\b(?:xong|hoan thanh) (?:\w+ ){0,2}dau\b(?! (?:tuan|thang|nam|quy|gio))"),  # (đã) xong gì đâu
    (('dau',), r"\b(?:da|co) (?:\w+ )?(?:trinh|nop|gui|lam|bao cao) (?:\w+ )?dau\b(?! (?:tuan|thang|nam|quy|gio))"),  # đã nộp đâu                     # (đã) xong đâu: Vietnamese "not yet"
    (('dau co',), r"\bdau co (?:\w+ )?(?:xong|hoan thanh|lam)\b"),      # đâu có xong
    ((' ma',), r"\b(?:xong|hoan thanh) (?:gi|cai gi) ma\b"),         # xong gì mà xong
    (('sao',), r"\b(?:lam sao|sao ma|the nao ma|sao) (?:\w+ )?(?:xong|hoan thanh) (?:duoc|noi)\b"),
    (('duoc', 'noi'), r"\b(?:xong|hoan thanh) (?:the nao|sao|kieu gi) (?:duoc|noi)\b"),
    (('con lau',), r"\bcon lau (?:moi )?(?:xong|hoan thanh)\b"),
    (('uoc', 'gia ma'), r"\b(?:uoc gi|gia ma|uoc chi) (?:\w+ ){0,2}(?:xong|hoan thanh)\b"),
    (('moi la',), r"\b(?:xong|hoan thanh) (?:\w+ ){0,3}moi la\b"),      # xong được mới lạ
    (('tot',), r"\bxong (?:roi )?thi (?:da )?tot\b"),                 # xong rồi thì đã tốt
    (('lam gi',), r"\blam gi (?:da |co |da co )?(?:\w+ )?(?:xong|hoan thanh)\b"),  # làm gì đã xong
)


def rule_irony(s: str) -> Verdict | None:
    """Irony uses the word "xong" to deny it: it must be caught before any "xong" counts."""
    return Verdict("not_done") if _IRONY.search(s) else None


# --- extension -----------------------------------------------------------------------------

_NO_EXTENSION = re.compile(r"\b(?:khong|chua|chang) (?:can|xin|phai|de nghi|muon) (?:\w+ ){0,2}(?:gia han|them|lui)\b")
_EXTENSION = _any(
    (('gia han',), r"\bgia han\b"),
    (('xin',), r"\bxin (?:them|han|lui|khat|hoan|(?:phep )?(?:nop|gui|bao cao) (?:muon|tre|cham|sau|vao)|den|toi|sang|qua|phep lui|phep gia)\b"),
    (('lui',), r"\blui (?:han|thoi han|lai|sang|den|toi|ra|qua|\d)"),
    (('khat',), r"\bkhat\b"),
    (('han',), r"\b(?:dieu chinh|doi|keo dai|dat lai|nang) (?:lai )?(?:thoi )?han\b"),
    (('muon', 'tre', 'cham', 'sau han'), r"\b(?:nop|gui|bao cao|trinh|tra) (?:\w+ ){0,2}(?:muon|tre|cham|sau han)\b"),
    (('muon', 'tre', 'cham'), r"\b(?:muon|tre|cham) (?:them )?(?:\d+|vai|mot|it|1|2|3) (?:ngay|hom|tuan|buoi)\b"),
    (('cho ',), r"\bcho (?:em|phong em|don vi|chung em|minh|toi) (?:xin )?(?:them|\d|toi|den|sang|qua|khat|lui|nop (?:muon|tre|cham|sau|vao|sang|den|toi))"),
    (('them',), r"\bthem (?:\d+|vai|it|mot it|chut|1|2|3|4|5|6|7|10) ?(?:ngay|hom|tuan|thang|buoi)\b"),
    (('thoi gian',), r"\bthem (?:it )?thoi gian\b"),
    (('hoan', 'doi'), r"\b(?:hoan|doi|dời) (?:lai )?(?:sang|den|toi)\b"),
    (('de nghi', 'kien nghi', 'xin'), r"\b(?:de nghi|kien nghi|xin) (?:\w+ ){0,4}(?:lui|gia han|dieu chinh|cho them|keo dai|hoan)\b"),
)


def rule_extension(s: str) -> Verdict | None:
    """A request for more time. Checked before not_done: "không kịp, xin thêm 3 ngày" asks."""
    s = _NO_EXTENSION.sub(" ", s)  # "không cần gia hạn" is not a request
    return Verdict("extension") if _EXTENSION.search(s) else None


# --- question ------------------------------------------------------------------------------

_QUESTION = _any(
    r"\?",
    (('gio', 'nao', 'dau', 'ai', 'sao', 'lai', 'gi', 'vay', 'nhieu', 'khong', 'chua'),
     r"\b(?:bao gio|khi nao|hom nao|ngay nao|luc nao|thang nao|o dau|cho nao|gui ai|nop ai|nop dau|gui dau"
    r"|phong nao|don vi nao|ben nao|co quan nao|the nao|nhu nao|nhu the nao|la sao|tai sao|vi sao|sao lai"
    r"|mau nao|mau gi|la gi|gi vay|lam sao|bao nhieu|nhu vay a|phai khong|dung khong|duoc chua)\b"),
    (("ai ",), r"(?<!co )(?<!khong )\bai (?:chu tri|phu trach|lam|la dau moi|tong hop|ky)\b"),
    (('sao',), r"\bsao (?:a|anh|chi|ha)\b"),
    (('hoi',), r"\b(?:cho em hoi|(?<!de )em hoi|xin hoi|muon hoi|muonmuon hoi|hoi chut|hoi ti|hoi xiu)\b"),
    (('gui lai',), r"\b(?:anh|chi|dong chi) (?:\w+ )?gui lai\b|\bgui lai (?:\w+ ){0,4}(?:giup|cho em|voi)\b"),
    (('giup', 'gui cho em', 'cho em xin', 'xin lai', 'chia se', 'huong dan', 'giai thich'), r"\b(?:gui giup|gui cho em|cho em xin|xin lai|chia se|cung cap giup|huong dan (?:em|giup)|giup em voi|xem giup|chi giup|giai thich)\b"),
    (('khong',), r"\b(?:co|can|phai|duoc|kip|nen|dung|ok|con|kip|hop le) (?:\w+ )*khong" + END, ),  # có cần ký số không ạ
    (('chua',), r"\b(?:xong|nhan|duoc|nop|gui|co|biet|ky|duyet|het|chot|xem|doc|trinh|ok|on) chua" + END),
    (('chua',), r"^(?:\w+ )?(?:anh|chi|dong chi|thu truong) (?:da )?(?:nhan|xem|doc|duyet|ky|thay|co|check)\b.*\bchua" + END),
    (('ha',), r"\bha(?: (?:anh|chi|em|a|ban))*(?: [?.!])*\s*$"),  # "xong rồi hả anh"
    (('aq',), r"\baq\b"),  # "xong rồi à?" (typed with diacritics: "à" asks, "ạ" is polite)
    # a choice: "gửi qua mail hay giấy ạ" (but not "hay quá", which is praise)
    ((" hay ",), r"\w hay (?:la )?(?!qua(?: (?:a|anh|chi|nhi|em))*\s*$|(?:day|hon|lam|that|ghe|nhi)\b)\w+(?: \w+){0,4}(?: (?:a|anh|chi|nhi|vay|the|em|ha))+\s*$"),
    # "nộp cho ai ạ", "gửi về đâu": whom to send to
    (('ai',), r"\b(?:nop|gui|bao cao|trinh|chuyen|lien he|hoi) (?:\w+ ){0,2}(?:cho |ve |len |toi |voi )?ai" + END),
    (('dau',), r"\bmau (?:bao cao |bieu )?(?:o )?dau\b|\b(?:file|bieu mau|van ban|tai lieu|thong bao|cong van|ke hoach) (?:\w+ ){0,3}(?:o )?dau" + END),
)


# "khi nào xong em báo anh": a promise built from question words
_WHEN_DONE_I_REPORT = re.compile(r"\b(?:khi nao|bao gio|luc nao) (?:\w+ ){0,3}(?:xong|hoan thanh|co)(?: thi)? (?:em|minh|toi|se|phong em)\b")


def rule_question(s: str) -> Verdict | None:
    """The officer asks back (deadline, template, who leads, where to send): nothing is reported."""
    if not _QUESTION.search(_WHEN_DONE_I_REPORT.sub(" ", s)):
        return None
    # "em xong rồi, gửi bản giấy hay bản mềm ạ?" mixes a report with a question: ask with buttons.
    return Verdict("question", confident=not _done_claims(s))


# --- awaiting a signature or issuance ------------------------------------------------------

# The work is written but not yet signed or issued: the unit still has it in hand. Not done (nothing
# has gone out) and not blocked (nobody outside is in the way). "cho" is "chờ" typed plainly.
_AWAITING = _any(
    (('ky', 'ban hanh', 'phat hanh', 'dong dau', 'vao so'),  # plain.py writes an accented "chờ"/"đợi" as "chodoi"
     r"\b(?:con |dang |van )?(?:cho|doi|chodoi) (?:\w+ ){0,3}(?:ky|chu ky|ban hanh|phat hanh|dong dau|vao so)\b"),
    (('chu ky',), r"\b(?:dang |con )?(?:xin|trinh|lay) (?:\w+ ){0,1}chu ky\b"),
)


def rule_awaiting(s: str) -> Verdict | None:
    """"xong rồi, chờ ký ban hành", "đang xin chữ ký thủ trưởng": in progress, never done."""
    return Verdict("in_progress") if _AWAITING.search(s) else None


# --- blocked -------------------------------------------------------------------------------

_NOT_BLOCKED = _any(
    (('vuong', 'kho khan', 'tro ngai', 'van de', 'thieu'), r"\b(?:khong|chua|het|chang|ko|khong con) (?:co |con |gap |bi )?(?:gi |van de gi )?(?:vuong|vuong mac|kho khan|tro ngai|van de|thieu)(?: gi)?\b"),
    (('vuong mac', 'kho khan', 'tro ngai'), r"\b(?:da )?(?:giai quyet|thao go|xu ly|khac phuc) (?:xong )?(?:het )?(?:\w+ )?(?:vuong mac|kho khan|tro ngai)\b"),
)
_BUSY_CAUSE = r"(?!ban\b|em\b|minh\b|toi\b|phong em\b|chung em\b|lu bu)"
_BLOCKED = _any(
    (('vuong', 'kho khan', 'tro ngai', 'ach tac', 'ket', 'phu thuoc'), r"\b(?:vuong|vuong mac|kho khan|tro ngai|ach tac|bi ket|dang ket|ket lai|phu thuoc)\b"),
    (('thieu',), r"\bthieu (?!gi\b)\w+"),
    (('kinh phi', 'von', 'ngan sach', 'tien'), r"\b(?:chua|khong|het|chua duoc|khong duoc|khong du|chua du|cham) (?:\w+ ){0,3}(?:kinh phi|von|ngan sach|tien)\b"),
    (('mat bang',), r"\b(?:chua|khong|vuong|tranh chap|cham) (?:\w+ ){0,4}mat bang|\bmat bang (?:\w+ ){0,3}(?:chua|vuong|tranh chap|khong)\b"),
    (('chodoi',), r"\bchodoi\b"),
    (('y kien', 'duyet', 'chi dao', 'tham dinh', 'cap tren', 'lanh dao ky', 'so lieu'), r"\b(?:doi|cho) (?:\w+ ){0,2}(?:y kien|phe duyet|chi dao|ket qua tham dinh|tham dinh|cap tren|lanh dao ky|so lieu)\b(?! (?:giup|voi|cho em))"),
    (('chua',), r"\b(?:chua (?:co|nhan|nhan duoc|du|thu thap du)) (?:\w+ ){0,3}(?:so lieu|du lieu|ho so|tai lieu|thong tin)\b"),
    r"\b(?:xa|phuong|phong|so|don vi|ban|nganh|ben|cac|huyen|tinh|chi cuc|trung tam|nha thau|nha dau tu|cap tren|lanh dao|thuong truc|chu tich|ubnd|dan|sep) "
    r"(?:\S+ ){0,4}chua (?:gui|cung cap|bao cao|phan hoi|tra loi|co y kien|cho y kien|ban giao|phoi hop|thong nhat|duyet|phe duyet|ky|cap|ung|giai ngan|chi dao|chuyen)\b",
    (('chua',), r"\bchua (?:duoc )?(?:chuyen muc dich|giao dat|thu hoi|boi thuong|ban giao|cap phep|phe duyet|tham dinh|bo tri|phan bo|giai ngan|cap von|co chu truong|co quyet dinh|co huong dan)\b"),
    (('loi', 'su co', 'treo', 'sap', 'truc trac', 'mat mang', 'mat dien', 'dang nhap', 'truy cap'),
     r"\b(?:loi|su co|treo|sap|truc trac) (?:\w+ )?(?:he thong|phan mem|mang|may chu|trang|cong|duong truyen)\b"
    r"|\b(?:he thong|phan mem|mang|may chu|duong truyen|trang|cong thong tin) (?:\w+ ){0,5}(?:loi|treo|sap|truc trac|cham)\b|\bmat (?:mang|dien)\b|\bkhong (?:dang nhap|truy cap|vao) (?:duoc )?(?:he thong|phan mem|trang)"),
    (('mua', 'baolu', 'bao', 'lu', 'ngap', 'trieu cuong', 'sat lo', 'thoi tiet', 'lut'),
     r"\bmua (?:lon|to|nhieu|bao|lu|keo dai|lien tuc|suot|qua|hoai|dam|gio)\b|\b(?:troi|do|vi|gap|con|tai) mua\b"
    r"|\bbaolu\b|\bbao (?:lu|so \d)\b|\blu (?:lut|ve|len)\b|\bnuoc lu\b|\bngap\b|\btrieu cuong\b|\bsat lo\b|\bthoi tiet\b"),
    (('khieu', 'to cao', 'tranh chap', 'dan '), r"\b(?:khieu nai|to cao|khieu kien|tranh chap)\b|\bdan (?:\w+ )?(?:phan doi|khong dong y|chua dong y|ngan can|khong chiu|chua chiu|kien)\b"),
    (('tam dung', 'tam ngung', 'dinh chi', 'thi cong'), r"\b(?:tam dung|tam ngung|dinh chi|ngung thi cong|dung thi cong)\b"),
    (('vi ', 'do '), r"\b(?:vi|(?<!tien )(?<!muc )do|tai vi|boi vi|ly do) " + _BUSY_CAUSE + r"(?:\w+ ){0,5}(?:chua|khong|thieu|het|loi|vuong|cham)\b"),
)


def rule_blocked(s: str) -> Verdict | None:
    """Held up by a named outside cause. Being busy ("bận họp") is not an outside cause."""
    s = _NOT_BLOCKED.sub(lambda m: " " * len(m.group()), s)  # keep offsets for the cause
    m = _BLOCKED.search(s)
    return Verdict("blocked", cause=(m.start(), m.end())) if m else None


# --- claims of completion ------------------------------------------------------------------

_CLAUSE_START = re.compile(r"(?:^|[,.;:!?] |\b(?:nhung|con|tuy nhien|song) )")
_NEGATED = re.compile(r"\b" + NEG + r"(?: \w+){0,3}\s*$")  # "chưa có ai làm xong"
# words before "xong" that make it a plan, a wish or a condition, never a report
_CONDITIONAL = re.compile(
    r"\b(?:se|sap|gan|chac|co le|hy vong|du kien|neu|khi|bao gio|khi nao|de|phai|can|co gang|phan dau"
    r"|dam bao|muon|muonmuon|kip|cho|chodoi|doi|truoc khi|sau khi|moi duoc|thi|la|ky vong|uoc|mong|dinh|tinh|tuong"
    r"|coi nhu|gan nhu|hau nhu"
    r"|mai|ngay mai|sang mai|chieu mai|ngaykia|ngay kia|tuan sau|thang sau|lat nua|ti nua|chut nua)(?: \w+){0,2}\s*$")
# time words that make "xong" a forecast unless "đã ... " or "... rồi" makes it past
_FUTURE_TIME = re.compile(
    r"\b(?:chieu nay|toi nay|trua nay|tuan nay|cuoi tuan|thu \d|chu nhat"
    r"|trong tuan|trong ngay|hom nay|cuoi thang|\d+/\d+)(?: \w+){0,2}\s*$")
_PAST_BEFORE = re.compile(r"\b(?:da|vua|moi)(?: \w+){0,1}\s*$")
_AFTER_CONDITIONAL = re.compile(
    r"^ (?:em se|se|em bao|bao lai|em gui|em nop|la em)\b"
    r"|^(?: \w+){0,2} (?:thi|moi (?:bao|gui|nop|trinh|lam))\b"   # "xong cái này thì ...", "xong rồi mới báo"
    r"|^ (?:viec|cai|phan) (?:khac|kia)\b")                        # another task, not this one
_AFTER_PLAN = re.compile(r"^ (?:trong|vao|den|toi|cham nhat|truoc (?:ngay|\d|thu|cuoi|mai|chieu|tuan|thang))\b")
_AFTER_NOT_CLAIM = re.compile(r"^ (?:chua|dau|khong|duoc khong)\b")
_OTHER_DONE = _any(
    (('trinh', 'nop', 'ban hanh', 'hoan thien'), r"\b(?:da|vua) (?:\w+ )?(?:trinh|nop|ban hanh|ky ban hanh|hoan thien)\b"),
    (('roi',), r"\b(?:trinh|nop) (?:\w+ ){0,3}roi\b"),
    (('da gui', 'da chuyen'), r"\bda (?:gui|chuyen) (?:\w+ ){0,4}(?:bao cao|van ban|ho so|ket qua|sang|len|ve|qua|cho|toi|den)\b"),
    (('bao cao', 'roi'), r"\b(?:da|vua) (?:gui|bao cao) roi\b|\bda bao cao\b(?! (?:anh|chi|dong chi|thu truong|lanh dao)\b)|\bbao cao (?:\w+ )?roi\b|\bgui (?:bao cao |van ban )?roi\b"),
    # sent another way: "em nộp qua phần mềm quản lý văn bản rồi", "đã chuyển bản cứng lên Văn phòng"
    (('roi',), r"\b(?:nop|gui|chuyen|day|up|tai) (?:\w+ ){0,2}(?:qua|len|tren|bang|theo) (?:\w+ ){0,6}roi\b"),
    (('da thuc hien', 'da lam'), r"\bda (?:thuc hien|lam) (?:xong|roi)\b|\bda thuc hien(?: a| anh| chi| nhe| roi)*(?: [.!])*\s*$"),
)
_OTHER_DONE_GUARD = re.compile(r"\b(?:xin|de nghi|hoi|chua)\b")


# "chưa đạt 100%", "mục tiêu 100%", "100% là không thể": a target, not a result
_NOT_FULL = re.compile(
    r"\b(?:chua|gan|sap|khong|kho|phan dau|muc tieu|ke hoach|du kien|chi tieu) (?:\w+ ){0,2}(?:dat |duoc )?100 ?(?:%|phan tram)"
    r"|100 ?(?:%|phan tram) (?:\w+ ){0,2}(?:khong|chua|kho)\b")


@lru_cache(maxsize=32)  # several rules ask about the same text within one classify()
def _done_claims(s: str) -> tuple[tuple[int, int], ...]:
    """Spans where the officer says the work is finished (not negated, planned or asked)."""
    claims = []
    for m in DONE_WORD.finditer(s):
        before = s[:m.start()]
        clause = before[max((c.end() for c in _CLAUSE_START.finditer(before)), default=0):]
        clause = " ".join(clause.split()[-5:])  # the guards look at most five words back
        after = s[m.end():m.end() + 60]
        if _NEGATED.search(clause) or _CONDITIONAL.search(clause):
            continue
        if _AFTER_NOT_CLAIM.match(after) or _AFTER_CONDITIONAL.match(after):
            continue
        if _FUTURE_TIME.search(clause) and not _PAST_BEFORE.search(clause) and not after.startswith(" roi"):
            continue
        if _AFTER_PLAN.match(after) and not _PAST_BEFORE.search(clause):
            continue  # "hoàn thành trước 15/5": a promise
        claims.append((m.start(), m.end()))
    for m in _OTHER_DONE.finditer(s):
        clause_after = s[m.end():m.end() + 40]
        if _OTHER_DONE_GUARD.search(s[max(0, m.start() - 12):m.start()]) or re.match(r"^(?: \w+){0,4} (?:xin|de nghi)\b", clause_after):
            continue  # "đã gửi văn bản xin ý kiến" is a step, not the result
        claims.append((m.start(), m.end()))
    pct = percent(s)
    if pct == 100 and not _NOT_FULL.search(s):
        claims.append((0, 0))
    frac = fraction(s)
    if frac and frac[0] == frac[1] and frac[1] > 1:
        claims.append((0, 0))
    return tuple(claims)


# --- promise: not yet, but soon ------------------------------------------------------------

_NOT_YET = re.compile(r"\bchua (?:\w+ )?(?:xong|hoan thanh|nop|gui|trinh|bao cao)\b")
_SOON = re.compile(
    r"\b(?:chieu nay|sang nay|toi nay|trua nay|mai|ngay mai|sang mai|chieu mai|lat nua|ti nua|chut nua|se|sap|gan"
    r"|du kien|trong hom nay|trong ngay|trong tuan|tuan nay|cuoi tuan|hom nay|ngaykia)(?: \w+){0,3} (?:xong|hoan thanh|nop|gui|trinh|bao cao)\b")


def rule_promise(s: str) -> Verdict | None:
    """'chưa xong nhưng chiều nay xong': not finished yet, but in hand, so in progress."""
    return Verdict("in_progress") if _NOT_YET.search(s) and _SOON.search(s) else None


# --- sub-step done -------------------------------------------------------------------------

# "xong phần mình" / "phần việc của phòng em" is the unit's whole part, not a sub-step
_OWN_PART = re.compile(r"^ phan (?:viec )?(?:cua )?(?:minh|em|phong|don vi|toi|chung em|ben em|duoc giao)\b")
_SUBSTEP_AFTER = re.compile(
    r"^ (?:(?:duoc |xong )?(?:phan|buoc|giai doan|khau|dot|1 phan|mot phan|so bo|ban nhap|du thao|ban du thao"
    r"|khao sat|thu thap|de cuong|lay y kien|phase|hang muc|muc|goi|lan|ky|ve co ban|co ban)\b)")
_SUBSTEP_BEFORE = re.compile(r"\b(?:du thao|ban nhap|so bo|buoc \w+|dot \w+|phan \w+|khao sat|de cuong|giai doan \w+|co ban)(?: \w+){0,2}\s*$")
_STILL_OPEN = _any(
    (('dang',), r"\bdang (?!ban\b|nghi\b|om\b|di cong tac|hop\b|dangtai)\w+"),
    (('con ',), r"(?<!khong )\bcon (?:lai |phan |buoc |khau |\d|1 |mot |vai |it |mot so |nhieu |thieu |cho |chodoi |dang |phai |chua |(?:\w+ ){0,4}(?:chua|dang|phai|thieu)\b)"),
    (('tra', 'lam lai', 'sua'), r"\b(?:tra lai|tra ve|bi tra|lam lai|sua lai|phai sua|chinh sua lai)\b"),  # returned: open again
    (('chua',), r"\b(?:nhung|van|con|ma) (?:van |con )?chua\b"),
    (('chua',), r"\bchua (?:gui|nop|trinh|ky|bao cao|xong|hoan thanh|lam|ban hanh|duyet|tong hop)\b"),
    (('cac ',), r"\bcac (?:phan|buoc|noi dung|muc) (?:khac|con lai)\b"),
)


def rule_substep(s: str) -> Verdict | None:
    """Only a part is finished ("dự thảo xong rồi, đang lấy ý kiến"): in progress, not done."""
    claims = _done_claims(s)
    if not claims:
        return None
    for a, b in claims:
        if a == b:
            continue  # a figure ("100%", "7/7 xã"), not a word
        after = s[b:]
        if _SUBSTEP_AFTER.match(after) and not _OWN_PART.match(after):
            return Verdict("in_progress")
        if _SUBSTEP_BEFORE.search(s[:a]):
            return Verdict("in_progress")
    frac, pct = fraction(s), percent(s)
    if (frac and frac[0] < frac[1]) or (pct is not None and pct < 100):
        return Verdict("in_progress")
    if _STILL_OPEN.search(s):
        return Verdict("in_progress")
    return None


# --- done ----------------------------------------------------------------------------------

def rule_done(s: str) -> Verdict | None:
    """Finished or submitted, said plainly: "đã xong", "xong r", "ht", "đã trình", "100%"."""
    return Verdict("done") if _done_claims(s) else None


# --- in progress ---------------------------------------------------------------------------

_IN_PROGRESS = _any(
    (('dang',), r"\bdang (?!ban\b|nghi\b|om\b|di cong tac|di hoc|hop\b|dangtai)\w+"),
    (('sap', 'gan', 'nhu'), r"\b(?:sap|gan|gan nhu|hau nhu|coi nhu) (?:xong|hoan thanh|het|nop|gui|trinh)\b"),
    (('du kien', 'tien hanh', 'bat dau', 'tiep tuc', 'trien khai', 'giao', 'van '), r"(?<!chua )(?<!khong )(?<!se )\b(?:du kien|tien hanh|bat dau|tiep tuc|trien khai|da giao|giao cho|van (?:lam|dang|tiep))\b"),
    (('y kien',), r"\b(?:xin|lay|gop) y kien\b"),  # consulting others is a step on the way
    (('%', 'phan tram'), r"\b(?:gan|sap|hon|khoang|tam|duoc) (?:dat )?[1-9]\d{0,2} ?(?:%|phan tram)"),
    (('xong',), r"(?<!da )\bxong (?:thi )?(?:em |minh |toi )?(?:se )?(?:bao|gui|nop|trinh)\b"),  # "làm xong em báo lại"
    (('nua', 'phan'), r"\b(?:1|mot) (?:nuaphan|nua)\b|\bnuaphan\b|\bduoc (?:1|mot) phan\b|\bxong (?:1|mot) phan\b"),
    (('xong', 'hoan thanh', 'nop', 'gui', 'trinh'), r"\b(?:se|chieu nay|toi nay|mai|ngay mai|tuan nay|cuoi tuan|lat nua|ti nua|chut nua"
     r"|thu \d|chu nhat|tuan sau|cuoi thang|truoc ngay|\d+/\d+) (?:\w+ ){0,2}(?:xong|hoan thanh|nop|gui|trinh)\b"),
)
# weak: "làm rồi" may mean finished, "làm tiếp" ongoing; only when nothing is negated
_WEAK_PROGRESS = re.compile(
    r"(?<!de em )(?<!em se )\b(?:ra soat|tong hop|soan thao|xay dung|hoan thien|thuc hien|lam) (?:\w+ )?(?:roi|tiep)\b")
_ANY_NEG = re.compile(r"\b(?:chua|khong)\b")


def rule_in_progress(s: str) -> Verdict | None:
    """Ongoing work, a progress figure below 100%, or a completion that is still ahead."""
    pct, frac = percent(s), fraction(s)
    if pct is not None and 0 < pct < 100:
        return Verdict("in_progress")
    if frac and 0 < frac[0] < frac[1]:
        return Verdict("in_progress")
    if _IN_PROGRESS.search(s):
        return Verdict("in_progress")
    if _WEAK_PROGRESS.search(s) and not _ANY_NEG.search(s):
        return Verdict("in_progress", confident=False)  # "em làm rồi": safe reading, but ask
    return None


# --- not done ------------------------------------------------------------------------------

_NOT_DONE = _any(
    r"\bchua\b",
    (('khong',), r"\bkhong (?:kip|xong|hoan thanh|lam|thuc hien|trien khai|the|duoc)\b"),
    (('chang', 'cha ', 'ai'), r"\b(?:chang|cha|khong ai|chua ai) (?:\w+ )?(?:xong|hoan thanh|lam)\b"),
    (('0',), r"(?<![\d.,])\b0 ?(?:%|phan tram)"),
    (('quen', 'chiu', 'bo '), r"\b(?:quen mat|quen|chiu|bo do|bo ngo)\b"),
    (('khong',), r"^(?:da |vang |bao cao anh |bao cao chi )*khong" + END),
    (('dau', 'khong noi'), r"\b(?:xong|hoan thanh) (?:\w+ )?(?:duoc )?(?:dau|khong noi)\b"),
)


def rule_not_done(s: str) -> Verdict | None:
    """Not started or not finished, with no figure and no request."""
    return Verdict("not_done") if _NOT_DONE.search(s) else None


# --- acknowledgements ----------------------------------------------------------------------

_ACK = _any(
    (('ok', 'vang', 'u', 'nhan', 'ro', 'nam', 'biet', 'cam on', 'hihi', 'haha', 'hehe', 'hi', 'chao', 'dong y', 'nhat tri', 'thong nhat', 'tuan thu', 'chap hanh', 'da de', 'luu y'),
     r"\b(?:ok|vang|u|nhan|da nhan|em nhan|ro|da ro|nam|nam duoc|em biet|biet roi|cam on|hihi|haha|hehe|hi"
    r"|chao|xin chao|dong y|nhat tri|thong nhat|tuan thu|chap hanh|da de|luu y)\b"),
    (('em', 'bao'),
     r"\b(?:de em|em se|em xin phep|em kiem tra|em xem|em bao lai|bao lai|bao anh sau|bao sau)\b"),
    (('chuc', 'xin loi', 'cam on'),
     r"\b(?:chuc|chuc mung|xin loi|cam on)\b"),
)


def rule_acknowledge(s: str) -> Verdict | None:
    """'ok ạ', 'dạ em nhận', thanks, 'em sẽ báo lại': received, nothing reported yet."""
    return Verdict("other") if _ACK.search(s) else None


def rule_fallback(s: str) -> Verdict:
    """Nothing fired: call it other, and let the bot ask with buttons."""
    return Verdict("other", confident=False)


RULES: tuple[Callable[[str], Verdict | None], ...] = (
    rule_nothing,
    rule_extension,
    rule_irony,
    rule_question,
    rule_awaiting,
    rule_blocked,
    rule_promise,
    rule_substep,
    rule_done,
    rule_in_progress,
    rule_not_done,
    rule_acknowledge,
)


def judge(s: str) -> Verdict:
    """The first rule that fires decides."""
    for rule in RULES:
        verdict = rule(s)
        if verdict is not None:
            return verdict
    return rule_fallback(s)


# --- mixed messages ------------------------------------------------------------------------

_PART_BREAK = re.compile(r" [,;.] | (?:nhung|con|rieng|tuy nhien) (?=\w+ \w+)")


def part_intents(s: str) -> tuple[str, ...]:
    """The intents of a message's clauses, in order, when they differ ("xong phần 1, phần 2 xin
    thêm 1 tuần" → in_progress, extension); () for a message that says one thing. The message's own
    intent is still judge(s) on the whole: a clause never turns the whole into "done"."""
    parts = [p.strip() for p in _PART_BREAK.split(s) if len(p.split()) >= 2]
    if len(parts) < 2:
        return ()
    found: list[str] = []
    for part in parts:
        verdict = judge(part)
        # a clause's "done" is a part of an unfinished whole: never said, not even beside
        if verdict.confident and verdict.intent not in ("other", "done") and verdict.intent not in found:
            found.append(verdict.intent)
    return tuple(found) if len(found) > 1 else ()

