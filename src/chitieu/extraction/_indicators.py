"""Which catalogue indicator a figure is about, from the words before it.

Each rule names an indicator, the phrases that announce it, the units a level
figure of it comes in, and words that must (or must not) appear in the
sentence. The phrase nearest the figure wins; a longer phrase ending at the
same place beats a shorter one ("giá trị sản xuất công nghiệp" beats
"công nghiệp").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from operator import attrgetter

from chitieu._text import fold


@dataclass(frozen=True)
class Rule:
    code: str
    phrases: tuple[str, ...]
    units: tuple[str, ...]
    needs: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    growth: bool = False
    share: bool = False
    blocks: bool = False
    also: tuple[str, ...] = ()
    # The words ``needs`` may stand anywhere in the figure's paragraph before it: an FDI
    # paragraph names FDI once, then breaks it down ("Trong đó, 19 dự án cấp mới…").
    topic: bool = False


_IC = (
    "cong nghiep - xay dung",
    "cong nghiep va xay dung",
    "cn - xd",
    "cn-xd",
    "khu vuc ii",
    "cong nghiep, xay dung",
)
_I = ("cong nghiep", "cn", "rieng cong nghiep", "nganh cong nghiep")
_C = ("xay dung", "xd")
_S = ("dich vu", "khu vuc iii", "thuong mai - dich vu", "thuong mai, dich vu")
_A = (
    "nong, lam nghiep va thuy san",
    "nong, lam nghiep, thuy san",
    "nong lam nghiep va thuy san",
    "nong, lam, thuy san",
    "nong lam thuy san",
    "nong, lam nghiep va thuy san",
    "nlts",
    "khu vuc i",
    "nong, lam nghiep",
    "nong nghiep, lam nghiep va thuy san",
    "nong lam nghiep",
    "nong lam ngu nghiep",
    "nong lam nghiep thuy san",
)
_T = ("thue san pham", "thue san pham tru tro cap san pham")
_GRDP = (
    "grdp",
    "tong san pham tren dia ban",
    "tang truong kinh te",
    "quy mo kinh te",
    "quy mo nen kinh te",
    "kinh te cua tinh",
    "nen kinh te",
    "kinh te tinh",
    "quy mo grdp",
    "toc do tang grdp",
    "toc do tang truong grdp",
    "tang truong grdp",
    "toc do tang truong",
    "tang truong",
)
_SHARE_CUES = ("co cau", "ty trong", "chiem")
# What a sector adds to growth is said in percentage points: "đóng góp 0,82 điểm phần
# trăm", "làm giảm 0,18 điểm phần trăm tăng trưởng".
_CONTRIBUTES = ("dong gop", "lam giam", "lam tang", "keo giam", "keo tang", "gop phan")
_LABOUR = ("lao dong", "co cau lao dong")
_PCT = ("%",)
_FDI_ADDED = (
    "dieu chinh",
    "tang von",
    "dieu chinh tang von",
    "dieu chinh von",
    "tang von dau tu",
    "dieu chinh tang von dau tu",
)
_MONEY = ("VND", "USD")

# Phrases naming something narrower than a catalogue indicator: a figure about
# them has no indicator, even if a broader phrase stands further back.
_NARROWER = (
    "cong nghiep che bien",
    "che bien, che tao",
    "khai khoang",
    "phan phoi dien",
    "cung cap nuoc",
    "khu vuc doanh nghiep",
    "doanh nghiep nha nuoc",
    "ngoai nha nuoc",
    "khu vuc fdi",
    "khu vuc co von dau tu nuoc ngoai",
    "doanh thu",
    "cong ty",
    "tap doan",
    "nang suat lao dong nganh",
    "san luong",
    "gia tri san xuat nong",
    "gtsx toan nganh",
    "gia tri san xuat nganh nong",
    "gia tri san xuat xay dung",
    "gia tri san xuat dich vu",
    "gtsx nong",
    "gtsx xay dung",
    "gtsx dich vu",
    "luong khach quoc te",
    "khach quoc te",
    "khach noi dia",
    "von dau tu trong nuoc",
    "du an trong nuoc",
    "dau tu trong nuoc",
    # Capital contributed or shares bought by foreign investors is counted apart from
    # registered FDI ("góp vốn, mua cổ phần", "vốn góp"); withdrawn projects too.
    "gop von",
    "von gop",
    "mua co phan",
    "thu hoi",
    "du an ddi",
    "lam nghiep",
    "thuy san",
    "nong nghiep",
    "chan nuoi",
    "trong trot",
)

# Phrases naming a part or a kind of something the catalogue counts as a whole.
_PARTS = (
    "thu tu hoat dong xuat nhap khau",
    "thu thue xuat nhap khau",
    "thu tu dau",
    "con hieu luc",
    "quay tro lai hoat dong",
    "tam ngung",
    "giai the",
    "doanh nghiep dang hoat dong",
    "cham dut hoat dong",
    "xuat khau lao dong",
    "lam viec o nuoc ngoai",
    "nhom hang",
    "nhom giao thong",
    "an uong",
    "luong thuc",
    "thuc pham",
    "giai ngan",
    "dau tu cong",
    "nong thon moi nang cao",
    "nong thon moi kieu mau",
)

# A province's stock of FDI ("lũy kế", "… dự án còn hiệu lực với tổng vốn đầu tư …") is
# every project licensed over the years and still valid, not what a period attracted.
_STOCK = ("luy ke", "con hieu luc")

RULES: tuple[Rule, ...] = (
    Rule("", _NARROWER, (), blocks=True),
    Rule("", _PARTS, (), blocks=True),
    # Sectors: growth, share of GRDP, share of employment, contribution.
    *(
        rule
        for suffix, phrases in (
            ("INDUSTRY_CONSTRUCTION", _IC),
            ("INDUSTRY", _I),
            ("CONSTRUCTION", _C),
            ("SERVICES", _S),
            ("AGRICULTURE", _A),
        )
        for rule in (
            Rule(f"LABOUR_SHARE_{suffix}", phrases, _PCT, needs=_LABOUR, share=True)
            if suffix not in ("INDUSTRY", "CONSTRUCTION")
            else None,
            Rule(f"GRDP_SHARE_{suffix}", phrases, _PCT, share=True),
            Rule(f"GRDP_CONTRIBUTION_{suffix}", phrases, ("điểm %",), needs=_CONTRIBUTES)
            if suffix != "CONSTRUCTION"
            else None,
            Rule(f"GRDP_GROWTH_{suffix}", phrases, _PCT, growth=True, avoid=("nang suat",)),
            # A sector's value added in đồng is no catalogue indicator, and no GRDP either.
            Rule("", phrases, ("VND",)),
        )
        if rule is not None
    ),
    Rule("GRDP_GROWTH_PRODUCT_TAX", _T, _PCT, growth=True),
    Rule("GRDP_CONTRIBUTION_PRODUCT_TAX", _T, ("điểm %",), needs=_CONTRIBUTES),
    Rule("", _T, ("VND",)),
    # GRDP itself; growth first, so that "GRDP tăng 13%" is growth, not a change in đồng.
    Rule("GRDP_GROWTH", _GRDP, _PCT, growth=True),
    Rule(
        "GRDP_PER_CAPITA_USD",
        ("binh quan dau nguoi", "dau nguoi", "thu nhap binh quan", "binh quan/nguoi"),
        ("USD", "USD/người"),
    ),
    # Per head in đồng is no catalogue indicator; it must not pass for total GRDP.
    Rule(
        "",
        ("binh quan dau nguoi", "dau nguoi", "thu nhap binh quan", "binh quan/nguoi"),
        ("VND", "VND/người"),
    ),
    # Product taxes have no share indicator; "thuế sản phẩm chiếm 9,2%" is no sector's share.
    Rule("", _T, _PCT, share=True),
    Rule(
        "GRDP_GROWTH_RANK",
        (
            "tang truong kinh te",
            "toc do tang truong",
            "tang truong grdp",
            "tang truong",
            "toc do tang grdp",
        ),
        ("hạng",),
    ),
    Rule("GRDP_RANK", _GRDP, ("hạng",)),
    Rule("GRDP_CONSTANT", _GRDP, ("VND",), needs=("gia so sanh",)),
    Rule("GRDP_CURRENT", _GRDP, ("VND",)),
    Rule("GRDP_CURRENT_USD", _GRDP, ("USD",)),
    Rule("TFP_CONTRIBUTION", ("tfp", "nang suat cac nhan to tong hop"), _PCT),
    Rule("ICOR", ("icor", "he so icor"), ("lần", "")),
    Rule("LABOUR_PRODUCTIVITY_GROWTH", ("nang suat lao dong",), _PCT, growth=True),
    Rule("LABOUR_PRODUCTIVITY", ("nang suat lao dong",), ("VND", "VND/lao động", "VND/người")),
    Rule(
        "IIP_GROWTH",
        ("iip", "chi so san xuat cong nghiep", "chi so san xuat toan nganh"),
        _PCT,
        growth=True,
    ),
    Rule(
        "INDUSTRIAL_OUTPUT_CURRENT",
        (
            "gia tri san xuat cong nghiep",
            "gtsx cong nghiep",
            "gia tri san xuat toan nganh cong nghiep",
        ),
        ("VND",),
        avoid=("gia so sanh",),
    ),
    Rule("STATE_BUDGET_DOMESTIC_REVENUE", ("thu noi dia",), ("VND",)),
    Rule(
        "STATE_BUDGET_REVENUE",
        (
            "thu ngan sach",
            "tong thu ngan sach",
            "thu nsnn",
            "thu ngan sach nha nuoc",
            "tong thu nsnn",
        ),
        ("VND",),
    ),
    Rule(
        "STATE_BUDGET_EXPENDITURE",
        ("chi ngan sach", "tong chi ngan sach", "chi nsdp", "chi ngan sach dia phuong"),
        ("VND",),
    ),
    Rule(
        "SOCIAL_INVESTMENT",
        (
            "von dau tu phat trien toan xa hoi",
            "von dau tu toan xa hoi",
            "dau tu toan xa hoi",
            "von dau tu phat trien",
        ),
        ("VND",),
    ),
    Rule("FDI_RANK", ("fdi", "dau tu truc tiep nuoc ngoai", "thu hut dau tu"), ("hạng",)),
    Rule("PCI_RANK", ("pci", "nang luc canh tranh cap tinh"), ("hạng",)),
    # FDI: projects newly licensed and their capital, projects that raised their capital
    # and the capital added are four indicators; none of them is the total attracted.
    Rule(
        "FDI_PROJECTS_ADJUSTED",
        _FDI_ADDED,
        ("dự án",),
        needs=("fdi", "nuoc ngoai"),
        topic=True,
    ),
    Rule(
        "FDI_CAPITAL_ADDITIONAL",
        (*_FDI_ADDED, "tang them", "von tang them"),
        ("USD",),
        needs=("fdi", "nuoc ngoai"),
        avoid=_STOCK,
        topic=True,
    ),
    Rule(
        "FDI_PROJECTS_NEW",
        ("fdi", "du an fdi", "dau tu truc tiep nuoc ngoai", "von dau tu nuoc ngoai", "cap moi"),
        ("dự án",),
        needs=("fdi", "nuoc ngoai"),
        avoid=_STOCK,
        topic=True,
    ),
    Rule(
        "FDI_CAPITAL_NEW",
        ("fdi", "von dang ky", "dau tu truc tiep nuoc ngoai", "von dau tu nuoc ngoai", "cap moi"),
        ("USD",),
        needs=("fdi", "nuoc ngoai"),
        avoid=_STOCK,
        topic=True,
    ),
    Rule(
        "INVESTMENT_ATTRACTED_USD",
        ("von dau tu quy doi", "thu hut", "tong von dau tu", "thu hut dau tu", "von dau tu"),
        ("USD",),
        avoid=_STOCK,
    ),
    Rule(
        "TRADE_VALUE", ("xuat nhap khau", "xuat, nhap khau", "kim ngach xuat nhap khau"), ("USD",)
    ),
    Rule("EXPORT_VALUE", ("xuat khau", "kim ngach xuat khau"), ("USD",)),
    Rule("IMPORT_VALUE", ("nhap khau", "kim ngach nhap khau"), ("USD",)),
    Rule(
        "RETAIL_SALES",
        (
            "tong muc ban le",
            "ban le hang hoa",
            "tong muc ban le hang hoa va doanh thu dich vu tieu dung",
            "ban le hang hoa va doanh thu dich vu tieu dung",
            "doanh thu dich vu tieu dung",
        ),
        ("VND",),
    ),
    Rule(
        "TOURISTS",
        ("khach du lich", "du khach", "luot khach", "don khach"),
        ("lượt", "người", "khách", "lượt khách"),
    ),
    Rule(
        "AGRI_OUTPUT_PER_HA",
        (
            "tren 1 ha",
            "/01ha",
            "/1 ha",
            "/1ha",
            "01 ha",
            "tren mot ha",
            "1 ha dat",
            "/ha dat",
            "1ha dat",
            "01ha dat",
            "dat san xuat nong nghiep",
        ),
        ("VND", "VND/ha", "VND/ha/năm"),
    ),
    Rule("INDUSTRIAL_PARK_OCCUPANCY", ("kcn", "khu cong nghiep"), _PCT, needs=("lap day",)),
    Rule("INDUSTRIAL_CLUSTER_OCCUPANCY", ("ccn", "cum cong nghiep"), _PCT, needs=("lap day",)),
    Rule("IP_WASTEWATER_TREATMENT", ("kcn", "khu cong nghiep"), _PCT, needs=("nuoc thai",)),
    Rule("IC_WASTEWATER_TREATMENT", ("ccn", "cum cong nghiep"), _PCT, needs=("nuoc thai",)),
    Rule("INDUSTRIAL_PARK_AREA", ("khu cong nghiep", "kcn"), ("ha",)),
    Rule("INDUSTRIAL_CLUSTER_AREA", ("cum cong nghiep", "ccn"), ("ha",)),
    Rule("INDUSTRIAL_PARKS", ("khu cong nghiep", "kcn"), ("khu",)),
    Rule("INDUSTRIAL_CLUSTERS", ("cum cong nghiep", "ccn"), ("cụm",)),
    Rule(
        "NEW_ENTERPRISES",
        ("thanh lap moi", "dang ky thanh lap", "doanh nghiep thanh lap"),
        ("doanh nghiệp",),
    ),
    Rule(
        "NEW_ENTERPRISES_CAPITAL",
        ("thanh lap moi", "dang ky thanh lap", "von dang ky"),
        ("VND",),
        needs=("doanh nghiep", "dn"),
    ),
    Rule("HDI", ("hdi", "chi so phat trien con nguoi"), ("", "chỉ số", "lần")),
    Rule("LIFE_EXPECTANCY", ("tuoi tho",), ("năm",)),
    Rule("POVERTY_RATE_DIFFICULT_COMMUNES", ("dac biet kho khan",), _PCT, needs=("ngheo",)),
    Rule(
        "POVERTY_REDUCTION",
        ("ho ngheo giam binh quan", "giam binh quan"),
        (*_PCT, "điểm %"),
        needs=("ngheo",),
    ),
    Rule("POVERTY_RATE", ("ty le ho ngheo", "ho ngheo", "ty le ngheo"), _PCT),
    Rule("TRAINED_LABOUR_CERTIFIED_RATE", ("van bang", "chung chi"), _PCT, needs=("dao tao",)),
    Rule("TRAINED_LABOUR_RATE", ("qua dao tao", "lao dong qua dao tao"), _PCT),
    Rule("URBAN_UNEMPLOYMENT_RATE", ("that nghiep",), _PCT),
    Rule(
        "NEW_JOBS",
        ("viec lam moi", "tao viec lam", "giai quyet viec lam", "co viec lam moi"),
        ("người", "lao động"),
    ),
    Rule("HEALTH_INSURANCE_COVERAGE", ("bhyt", "bao hiem y te"), _PCT),
    Rule("SOCIAL_INSURANCE_COVERAGE", ("bhxh", "bao hiem xa hoi"), _PCT),
    Rule("E_HEALTH_RECORD_COVERAGE", ("ho so suc khoe",), _PCT),
    Rule("HOSPITAL_BEDS_PER_10K", ("giuong benh",), ("giường", "giường/10.000 dân")),
    Rule("DOCTORS_PER_10K", ("bac si",), ("bác sĩ", "bác sĩ/10.000 dân")),
    Rule("URBANISATION_RATE", ("do thi hoa", "dan so do thi"), _PCT),
    Rule("NEW_RURAL_COMMUNE_RATE", ("nong thon moi",), _PCT),
    Rule("NEW_RURAL_COMMUNES", ("nong thon moi",), ("xã",)),
    Rule("NEW_RURAL_DISTRICTS", ("nong thon moi",), ("huyện",)),
    Rule("SCHOOLS_STANDARD_L2", ("muc do 2",), _PCT, needs=("chuan quoc gia",)),
    Rule("SCHOOLS_STANDARD_L1", ("chuan quoc gia", "muc do 1"), _PCT, needs=("truong",)),
    Rule("CULTURAL_VILLAGE_RATE", ("danh hieu van hoa",), _PCT),
    Rule("CIVILISED_URBAN_RATE", ("van minh do thi",), _PCT),
    Rule("CULTURAL_FACILITY_COMMUNE_RATE", ("thiet che van hoa",), _PCT),
    Rule("FOREST_COVER", ("che phu rung",), _PCT),
    Rule("RURAL_CLEAN_WATER_RATE", ("nong thon",), _PCT, needs=("nuoc",)),
    Rule(
        "URBAN_CLEAN_WATER_RATE",
        ("thanh thi", "do thi"),
        _PCT,
        needs=("nuoc",),
        avoid=("chat thai",),
    ),
    Rule("CLEAN_WATER_RATE", ("nuoc sach", "nuoc sinh hoat", "nuoc hop ve sinh"), _PCT),
    Rule(
        "URBAN_WASTE_TREATED", ("thanh thi", "do thi"), _PCT, needs=("chat thai",), also=("xu ly",)
    ),
    Rule("RURAL_WASTE_TREATED", ("nong thon",), _PCT, needs=("chat thai",), also=("xu ly",)),
    Rule("URBAN_WASTE_COLLECTION", ("do thi", "thanh thi"), _PCT, needs=("chat thai",)),
    Rule("RURAL_WASTE_COLLECTION", ("nong thon",), _PCT, needs=("chat thai",)),
    Rule("WASTE_COLLECTED_TREATED", ("chat thai ran", "rac thai"), _PCT),
    Rule("SERIOUS_POLLUTERS_TREATED", ("o nhiem moi truong nghiem trong",), _PCT),
    Rule("ELECTRICITY_INTENSITY_REDUCTION", ("tieu hao nang luong", "nang luong dien"), _PCT),
    # CPI figures are changes of the price index: a growth indicator in all but name.
    Rule("CPI", ("cpi", "chi so gia tieu dung"), _PCT, growth=True),
)


def _phrase_pattern(phrase: str) -> str:
    parts = [re.escape(word) for word in phrase.split()]
    # Words of a phrase may be split by a line break, a comma or a short
    # parenthesis: "giá trị sản xuất (GTSX) công nghiệp".
    # A hyphen joins the sectors of a compound name as a comma does: "nông-lâm nghiệp",
    # "nông - lâm - ngư nghiệp".
    gap = r"(?:\s*[-–]\s*|[\s,]+)(?:\([^()]{1,25}\)[\s,]+)?"
    joined = gap.join(parts).replace(r"\-", r"\s*[-–]\s*")
    after = r"(?![a-z0-9])" if phrase[-1].isalnum() else ""
    return joined + after


@dataclass(frozen=True, slots=True)
class Hit:
    rule: Rule
    start: int
    end: int
    order: int = 0


def _phrase_rules() -> dict[str, list[tuple[int, Rule]]]:
    by_phrase: dict[str, list[tuple[int, Rule]]] = {}
    for order, rule in enumerate(RULES):
        for phrase in rule.phrases:
            by_phrase.setdefault(phrase, []).append((order, rule))
    return by_phrase


_BY_PHRASE = _phrase_rules()
# One pattern per phrase, starting with its first letters so the regex engine can
# jump to candidates; word boundaries before it are checked by hand.
_PATTERNS = {phrase: re.compile(_phrase_pattern(phrase)) for phrase in _BY_PHRASE}
_WORDS = re.compile(r"(?<![a-z0-9])[a-z0-9]+")


def _phrases_by_first_words() -> dict[str, tuple[list[str], dict[str, list[str]]]]:
    """Phrases by their first word: (those tried whatever follows, those by second word).

    A word of the text then tries only the phrases that can start there, and looks at
    the word after it only when some phrase needs it.
    """
    table: dict[str, tuple[list[str], dict[str, list[str]]]] = {}
    for phrase in _BY_PHRASE:
        if phrase[0].isalnum():
            first, *second = _WORDS.findall(phrase)[:2]
            alone, by_second = table.setdefault(first, ([], {}))
            if second:
                by_second.setdefault(second[0], []).append(phrase)
            else:
                alone.append(phrase)
    return table


_Node = dict[str, "_Node"]


def _trie(words: set[str]) -> str:
    """An alternation of ``words`` sharing their prefixes: a letter is tried once, not per word."""
    tree: _Node = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def render(node: _Node) -> str:
        branches = [re.escape(key) + render(child) for key, child in sorted(node.items()) if key]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(tree)


_BY_FIRST_WORDS = _phrases_by_first_words()
# Every first word is whole (a word boundary follows it), so at most one of them
# matches at a place, and the shared-prefix form finds the same words.
_FIRST_WORDS = re.compile(r"(?<![a-z0-9])" + _trie(set(_BY_FIRST_WORDS)) + r"(?![a-z0-9])")
_NEXT_WORD = re.compile(r"[^a-z0-9]{1,4}([a-z0-9]+)")
_UNWORDED = [phrase for phrase in _BY_PHRASE if not phrase[0].isalnum()]
_IN_DOCUMENT_ORDER = attrgetter("start", "order")
_IN_RULE_ORDER = attrgetter("order", "start")


class PhraseIndex:
    """Every rule phrase in a folded document, found once, looked up by position."""

    def __init__(self, folded: str) -> None:
        hits: list[Hit] = []
        # Try phrases only where their first two words stand; one pattern finds the
        # first words, so Python only sees the few candidates.
        by_first = _BY_FIRST_WORDS
        for word in _FIRST_WORDS.finditer(folded):
            alone, by_second = by_first[word.group()]
            phrases = alone
            if by_second:
                following = _NEXT_WORD.match(folded, word.end())
                if following is not None and following.group(1) in by_second:
                    phrases = alone + by_second[following.group(1)]
            for phrase in phrases:
                match = _PATTERNS[phrase].match(folded, word.start())
                if match is not None:
                    start, end = match.span()
                    for order, rule in _BY_PHRASE[phrase]:
                        hits.append(Hit(rule, start, end, order))
        for phrase in _UNWORDED:
            for match in _PATTERNS[phrase].finditer(folded):
                hits.extend(
                    Hit(rule, match.start(), match.end(), order)
                    for order, rule in _BY_PHRASE[phrase]
                )
        hits.sort(key=_IN_DOCUMENT_ORDER)
        self._hits = hits
        self._starts = [h.start for h in hits]

    def within(self, start: int, end: int) -> list[Hit]:
        """The hits lying wholly inside ``[start, end)``, in document then rule order."""
        first = bisect.bisect_left(self._starts, start)
        last = bisect.bisect_left(self._starts, end)
        return sorted([h for h in self._hits[first:last] if h.end <= end], key=_IN_RULE_ORDER)


def choose(
    hits: list[Hit],
    *,
    sentence: str,
    unit: str,
    measure: str,
    share_context: bool,
    subject_end: int | None = None,
    topic: str = "",
) -> tuple[str, Hit] | None:
    """The indicator of a figure and the phrase that named it, from the phrases before it.

    Returns None when no phrase fits, and ("", hit) when the nearest fitting
    phrase names something the catalogue does not hold.
    """
    sentence = " ".join(sentence.split())
    ranked = sorted(hits, key=lambda h: (h.end, h.end - h.start), reverse=True)
    if subject_end is not None:
        # A table row's label names its subject first and its complements after a
        # preposition ("Đóng góp của nhân tố TFP | vào tăng trưởng kinh tế"); within the
        # subject, a rule needing more words is more specific, then the last phrase wins.
        ranked = sorted(
            (h for h in hits if h.start < subject_end),
            key=lambda h: (not (h.rule.needs or h.rule.also), -h.end, -(h.end - h.start)),
        )
    longest_at: dict[int, int] = {}
    for hit in ranked:
        # "GTSX công nghiệp" that does not fit must not fall back to its "công nghiệp".
        if hit.end in longest_at and hit.end - hit.start < longest_at[hit.end]:
            continue
        code = _fits(hit.rule, sentence, unit, measure, share_context, topic)
        if code is not None:
            return _more_specific(ranked, hit, sentence, unit, measure, share_context) or (
                code,
                hit,
            )
        longest_at.setdefault(hit.end, hit.end - hit.start)
    return None


def _more_specific(
    ranked: list[Hit], chosen: Hit, sentence: str, unit: str, measure: str, share_context: bool
) -> tuple[str, Hit] | None:
    """A rule that needs more words, named close before the chosen phrase, is the better fit.

    "Tỷ lệ dân số nông thôn được sử dụng nước sinh hoạt": "nước sinh hoạt" is nearer the
    figure, but "nông thôn" with water in the sentence names the rural rate.
    """
    if chosen.rule.needs or chosen.rule.also or not chosen.rule.code:
        return None
    for hit in ranked:
        if (
            hit.start == chosen.start
            or hit.rule.phrases == chosen.rule.phrases
            or chosen.end - hit.end > 60
            or hit.end > chosen.end
        ):
            continue
        if (hit.rule.needs or hit.rule.also) and not hit.rule.blocks:
            code = _fits(hit.rule, sentence, unit, measure, share_context)
            if code:
                return code, hit
    return None


_COMPLEMENT = re.compile(r"\s(?:vao|de|cho|doi voi|so voi|trong tong)\s")


def subject_end(folded: str, start: int, end: int) -> int:
    """Where a label's subject ends: before its first complement ("vào", "để", "cho"…)."""
    match = _COMPLEMENT.search(folded, start, end)
    return match.start() if match else end


def _fits(
    rule: Rule, sentence: str, unit: str, measure: str, share_context: bool, topic: str = ""
) -> str | None:
    if rule.blocks:
        return ""
    scope = f"{topic} {sentence}" if rule.topic else sentence
    if rule.needs and not any(word in scope for word in rule.needs):
        return None
    if rule.also and not any(word in sentence for word in rule.also):
        return None
    if rule.avoid and any(word in sentence for word in rule.avoid):
        return None
    return rule.code if _unit_fits(rule, unit, measure, share_context, sentence) else None


def _unit_fits(rule: Rule, unit: str, measure: str, share_context: bool, sentence: str) -> bool:
    if measure == "rank" or "hạng" in rule.units:
        return measure == "rank" and "hạng" in rule.units
    if rule.units == ("điểm %",):
        # Points added to growth: "đóng góp 0,82 điểm %" and "làm giảm 0,18 điểm %" alike.
        return unit == "điểm %" and measure != "share_pct"
    if "điểm %" in rule.units and unit != "điểm %" and "%" not in rule.units:
        return False
    if measure == "share_pct":
        return rule.share or (unit in rule.units and not rule.growth)
    if measure == "change_pct":
        # "Tỷ lệ hộ nghèo giảm 0,8%" is a change of the rate itself (a rate is a "tỷ lệ").
        return rule.growth or (not rule.share and ("%" not in rule.units or "ty le" in sentence))
    if measure in ("multiple", "change_abs") and rule.growth:
        return False
    if measure == "change_abs" and unit in ("VND", "USD", "dự án") and rule.units:
        # "tăng thêm 2,7 tỷ USD" changes an amount in USD, not a count of projects.
        return any(own.split("/")[0] == unit for own in rule.units)
    if measure in ("plan_pct", "multiple", "change_abs"):
        return (
            "hạng" not in rule.units
            and "điểm %" not in rule.units
            and (not rule.share or share_context)
        )
    if measure == "rank":
        return "hạng" in rule.units
    if unit == "%" and rule.share:
        return share_context
    if unit == "%" and rule.growth:
        return not share_context
    return unit in rule.units


_GROWTH_CODES = frozenset(rule.code for rule in RULES if rule.growth)
# Names of catalogue indicators whose value is itself a rate of change.
_GROWTH_NAMES = ("toc do tang", "tang truong", "chi so gia")


def is_rate_of_change(code: str, name_vi: str) -> bool:
    """Whether an indicator's value is a change ("tăng 13,85%" states GRDP growth itself)."""
    return code in _GROWTH_CODES or any(word in fold(name_vi) for word in _GROWTH_NAMES)


def states_value(measure: str, *, code: str, name_vi: str) -> bool:
    """Whether a figure of this measure is the indicator's own value, as read.

    A change of a share or of a rate ("chiếm 13,1%, giảm 1,9%") is not the
    share; a share of something is not a growth rate.
    """
    if measure in ("level", "rank"):
        return True
    if measure == "change_pct":
        return is_rate_of_change(code, name_vi)
    if measure == "share_pct":
        return not is_rate_of_change(code, name_vi)
    return False
