"""The publishing guard (DESIGN §5): what may appear on the public site.

`review(text, html=...)` lists, in Chinese, every reason to refuse a text: adult or gambling
advertising words, a list of site names, hidden text, links to hosts outside the allow-list,
scripts, frames, event handlers and `javascript:`/`data:` addresses. Spam is written to slip past
word lists, so the text is normalised once before anything is matched: NFKC (full-width letters),
combining marks, zero-width and other format characters removed, Cyrillic and Greek look-alikes
folded to Latin, traditional characters mapped to simplified (for the characters of the word
list), case folded. Chinese words then match with up to a few non-Chinese characters pushed in
between their characters (色·情, 赌-博, 色q情) and with any character written in pinyin.

`sanitise(html)` cleans rich text to the news allow-list with nh3; `require_clean(field, text)`
raises `Refused`, a ValidationError carrying the reasons under the field.

The hosts links may point to come from the setting `SANQU_PUBLIC_LINK_HOSTS` (a host matches an
entry equal to it or ending in "." + entry), by default the government's own (`gov.cn`).
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, NavigableString, Tag
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_LINK_HOSTS = ("gov.cn",)

# --- Rich text allow-list ------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "sub", "sup", "h2", "h3", "h4",
    "ul", "ol", "li", "blockquote", "a", "img", "figure", "figcaption", "span",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),  # no attribute on every element (nh3 would otherwise allow lang and title)
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Removed together with everything inside them.
REMOVED_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "noscript", "noembed", "noframes", "template", "textarea", "select", "title", "xmp", "svg", "math",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}
_NUMBER_ATTRIBUTES = {"width", "height", "colspan", "rowspan", "start"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _NUMBER_ATTRIBUTES:
        return value if value.isascii() and value.isdigit() and len(value) <= 4 else None
    if attribute in {"href", "src"} and re.match(r"\s*[/\\]{2}", value):
        return None  # protocol-relative: another host, whatever the page's scheme
    if attribute == "scope":
        return value if value in {"row", "col", "rowgroup", "colgroup"} else None
    return value


def sanitise(html: str) -> str:
    """Rich text cleaned to the news allow-list: nothing in it can run, style or frame anything."""
    cleaned = html
    for _pass in range(4):  # cleaning can expose markup a second pass would change; stop when stable
        again = nh3.clean(
            cleaned,
            tags=ALLOWED_TAGS,
            clean_content_tags=REMOVED_WITH_CONTENT,
            attributes=ALLOWED_ATTRIBUTES,
            attribute_filter=_keep_attribute,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
        if again == cleaned:
            break
        cleaned = again
    return cleaned


# --- Refusing ------------------------------------------------------------------------------------


class Refused(ValidationError):
    """Content the guard refuses: `message_dict` is {field: [reasons]}."""


def require_clean(field_name: str, text: str, *, html: bool = False) -> None:
    reasons = review(text, html=html)
    if reasons:
        raise Refused({field_name: reasons})


# --- Normalisation -------------------------------------------------------------------------------

_ZERO_WIDTH = {0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFFA0}
_SEPARATOR_HANZI = {"丨": "|", "丶": "、", "〡": "|"}  # CJK characters spam uses as punctuation
# Look-alikes of Latin letters: Cyrillic, then Greek, then Latin letters outside ASCII.
_HOMOGLYPHS = str.maketrans(
    "авьсԁеёһніїјкӏмноԛрѕтуүԝхпгαβϲεηιϳκμνορτυχωϝıłøɡɑſ",
    "abbcdeehhiijklmhoqpstyywxnrabceniikuvoptuxwfilogas",
)
# Traditional → simplified, for the characters of the word lists below.
_TRADITIONAL = str.maketrans(
    "賭場樂時機輪盤娛開戶電遊藝錢網視頻黃線無碼優傳凍製廠體約蕩亂倫愛級種連鏈亞韓歐國產區賽車門絡註"
    "買圍陽魚莊閒閑聞會員費點擊觀麗騷婦處來裏裡獎號現價導頁載廣發財贏輸萬億淫妓嫖聊拍偷紅彩",
    "赌场乐时机轮盘娱开户电游艺钱网视频黄线无码优传冻制厂体约荡乱伦爱级种连链亚韩欧国产区赛车门络注"
    "买围阳鱼庄闲闲闻会员费点击观丽骚妇处来里里奖号现价导页载广发财赢输万亿淫妓嫖聊拍偷红彩",
)


def _fold(character: str) -> str:
    if unicodedata.category(character) == "Cf" or ord(character) in _ZERO_WIDTH:
        return ""
    if character in _SEPARATOR_HANZI:
        return _SEPARATOR_HANZI[character]
    folded = unicodedata.normalize("NFKC", character)
    folded = "".join(c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c)[0] != "M")
    folded = unicodedata.normalize("NFKC", folded).casefold()
    if folded in _SEPARATOR_HANZI:
        return _SEPARATOR_HANZI[folded]
    return folded.translate(_HOMOGLYPHS).translate(_TRADITIONAL)


_FOLDED: dict[str, str] = {}


def normalise(text: str) -> str:
    """The text as the guard matches it (see the module docstring)."""
    out = []
    for character in text:
        folded = _FOLDED.get(character)
        if folded is None:
            folded = _fold(character)
            if len(_FOLDED) < 65536:
                _FOLDED[character] = folded
        out.append(folded)
    return "".join(out)


# --- Advertising words ---------------------------------------------------------------------------

# Written simplified; digits and Latin letters in a word match literally.
ADULT_WORDS = (
    "色情", "情色", "黄色网站", "黄色视频", "黄色电影", "黄片", "成人视频", "成人电影", "成人网站",
    "成人影院", "成人直播", "自拍偷拍", "国产自拍", "偷拍", "偷窥视频", "午夜福利", "午夜影院", "午夜剧场",
    "福利姬", "在线看片", "免费看片", "无码", "av女优", "日本女优", "av在线", "日本av", "成人av",
    "麻豆", "蜜桃传媒", "果冻传媒", "天美传媒", "星空传媒", "精东传媒", "国产传媒", "91制片厂",
    "91视频", "吃瓜爆料", "吃瓜网", "黑料", "裸聊", "裸照", "裸体直播", "裸贷", "一夜情", "约炮",
    "淫荡", "淫乱", "淫秽", "乱伦", "三级片", "激情视频", "激情网",
    "艳舞", "包夜", "楼凤", "外围女", "嫖娼", "卖淫", "在线二区", "亚洲精品", "日韩精品",
    "欧美精品", "精品国产", "亚洲在线", "欧美日韩", "种子链接", "种子连接", "磁力链接",
)  # fmt: skip
GAMBLING_WORDS = (
    "赌博", "赌场", "赌球", "赌钱", "网赌", "博彩", "百家乐", "六合彩", "时时彩", "北京赛车",
    "真人荷官", "荷官", "老虎机", "轮盘", "澳门赌场", "葡京", "开户送",
    "彩金", "首存送", "返水", "电子游艺", "押注", "外围投注", "皇冠体育", "金沙娱乐",
    "棋牌下载", "捕鱼游戏",
)  # fmt: skip
LATIN_WORDS = (
    "porn", "porno", "pornhub", "xvideos", "xhamster", "xnxx", "redtube", "youporn", "onlyfans",
    "hentai", "jav", "sexy", "nude", "camgirl", "xxx",
    "casino", "baccarat", "bet365", "1xbet", "sportsbook", "roulette", "jackpot",
    "seqing", "huangpian", "dubo", "bocai", "duchang", "baijiale", "liuhecai", "laohuji",
    "yiyeqing", "yuepao", "luoliao", "toupai", "madou",
)  # fmt: skip
# A word may be written with any of its characters in pinyin (色qing, du博).
_PINYIN = {
    "色": "se", "情": "qing", "赌": "du", "博": "bo", "彩": "cai", "场": "chang", "黄": "huang",
    "裸": "luo", "聊": "liao", "约": "yue", "炮": "pao", "偷": "tou", "拍": "pai", "淫": "yin",
    "乱": "luan", "伦": "lun", "百": "bai", "家": "jia", "乐": "le", "荷": "he", "官": "guan",
    "援": "yuan", "交": "jiao", "嫖": "piao", "娼": "chang", "片": "pian", "麻": "ma", "豆": "dou",
    "爱": "ai", "性": "xing", "球": "qiu", "钱": "qian",
}  # fmt: skip
# A word preceded or followed by one of these characters is part of an ordinary phrase
# (特色情况, 红色情怀, 感情色彩). Words common inside ordinary phrases (性爱 in 个性爱好, 口交 in
# 路口交通, 援交 in 支援交流, 下注 in 指导下注重) are not on the lists at all.
_INNOCENT_BEFORE = {
    "色情": set("特出角景本神脸绿红彩物颜白黑蓝金银灰肤夜春秋月音声成货起失变古国亮暮姿血气菜酒秀")
}
_INNOCENT_AFTER = {"情色": set("彩调泽")}

_HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# What may be pushed between the characters of a word: not Chinese, not a line break, not the
# punctuation of lists and sentences (种植玉米、麻、豆类 lists crops; it does not advertise 麻豆).
_GAP = f"[^{_HANZI}\\n、，。；：！？,;:!?]{{0,8}}?"
_HAS_HANZI = re.compile(f"[{_HANZI}]")
_LEET = {"o": "o0", "i": "i1l!", "l": "l1i", "e": "e3", "a": "a4@", "s": "s5$", "t": "t7"}


def _word_pattern(word: str) -> str:
    parts = []
    for character in word:
        if _HAS_HANZI.match(character):
            options = [re.escape(character)]
            if character in _PINYIN:  # the pinyin as a word of its own: "du" in "education" is not 赌
                options.append(f"(?<![a-z]){_PINYIN[character]}(?![a-z])")
            parts.append("(?:" + "|".join(options) + ")")
        else:
            parts.append(re.escape(character))
    return _GAP.join(parts)


def _latin_pattern(word: str) -> str:
    letters = [f"[{re.escape(_LEET.get(c, c))}]" for c in word]
    return "(?<![a-z0-9])" + "[-_.*·]?".join(letters) + "(?![a-z])"


_AD_WORDS = ADULT_WORDS + GAMBLING_WORDS
# Led by a look-ahead on the characters a word can start with, so most positions fail at once.
_AD_FIRST = {word[0] for word in _AD_WORDS} | {
    _PINYIN[word[0]][0] for word in _AD_WORDS if word[0] in _PINYIN
}
_AD_PATTERN = re.compile(
    f"(?=[{re.escape(''.join(sorted(_AD_FIRST)))}])(?:"
    + "|".join(f"({_word_pattern(word)})" for word in _AD_WORDS)
    + ")"
)
_LATIN_PATTERN = re.compile("|".join(f"({_latin_pattern(word)})" for word in LATIN_WORDS))


def _advertising(folded: str) -> list[str]:
    found: dict[str, str] = {}
    for match in _AD_PATTERN.finditer(folded):
        word = _AD_WORDS[(match.lastindex or 1) - 1]
        if not _HAS_HANZI.search(match.group()):
            continue  # all-pinyin forms are the Latin list's business, with word boundaries
        before = folded[match.start() - 1] if match.start() else ""
        after = folded[match.end() : match.end() + 1]
        if before in _INNOCENT_BEFORE.get(word, ()) or after in _INNOCENT_AFTER.get(word, ()):
            continue
        found.setdefault(word, match.group())
    for match in _LATIN_PATTERN.finditer(folded):
        found.setdefault(LATIN_WORDS[(match.lastindex or 1) - 1], match.group())
    return [
        f"“{word}”"
        if written == word
        else _("“%(word)s”（写作“%(written)s”）") % {"word": word, "written": written}
        for word, written in found.items()
    ]


# --- Lists of site names, hosts ------------------------------------------------------------------

_PIPES = re.compile(r"[|¦│‖∣]")
_LIST_SEPARATORS = re.compile(r"[|¦│‖∣,，、;；/\s]+")
_SITE_LIKE = re.compile(
    r"(网$|网站|传媒|影院|影视|视频|在线|官网|导航|tv\b|www\.|\.(?:com|net|cc|top|xyz|vip)\b)"
)
_TLDS = (
    "com|net|org|cn|cc|top|xyz|vip|info|me|tv|co|io|app|site|online|club|shop|live|fun|icu|link|win"
    "|bet|casino|porn|xxx|sex|hk|tw|jp|us|uk|ru|biz|pw|ws|la|in|asia|mobi"
)
_DOMAIN = re.compile(
    rf"(?<![a-z0-9@._-])((?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?[.。])+(?:{_TLDS}))(?![a-z0-9-])"
)
_URL_IN_TEXT = re.compile(r"(?:https?:)?//[^\s<>\"'，。、）)]+|www\.[^\s<>\"'，。、）)]+")


def _excerpt(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _site_lists(folded: str) -> list[int]:
    """The numbers of the lines (split on newlines) that list site names."""
    reasons = []
    for number, line in enumerate(folded.split("\n")):
        segments = [s.strip() for s in _PIPES.split(line) if s.strip()]
        short = [s for s in segments if len(s) <= 24]
        if len(segments) >= 5 and len(short) >= 0.75 * len(segments):
            reasons.append(number)
            continue
        site_like = [s for s in _LIST_SEPARATORS.split(line) if s and _SITE_LIKE.search(s)]
        if len(site_like) >= 5:
            reasons.append(number)
    return reasons


def link_hosts() -> tuple[str, ...]:
    configured = getattr(settings, "SANQU_PUBLIC_LINK_HOSTS", None)
    if configured is None:
        return DEFAULT_LINK_HOSTS
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(host.strip().lower().strip(".") for host in configured if host.strip())


def host_allowed(host: str) -> bool:
    host = host.lower().strip(".")
    return any(host == allowed or host.endswith("." + allowed) for allowed in link_hosts())


def _host_of(url: str) -> str | None:
    """The host a URL leads to, or None for a relative or mailto address."""
    url = url.replace("\\", "/").replace("。", ".").strip()
    if url.startswith("www."):
        url = "//" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "?"
    if parts.scheme and parts.scheme not in {"http", "https", "ftp", "ws", "wss"}:
        return None
    return host.strip(".") if host else None


# --- HTML ----------------------------------------------------------------------------------------

_EXECUTABLE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet"}
_URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
    "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "archive", "ping", "manifest", "srcdoc",
}  # fmt: skip
_TEXT_ATTRIBUTES = {"title", "alt", "content", "aria-label", "placeholder", "value", "summary"}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th",
    "blockquote", "figure", "figcaption", "section", "article", "header", "footer", "title", "hr",
}  # fmt: skip
_DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|livescript|data|mocha):")
_RAW_TAG = re.compile(r"<(script|iframe|frame|object|embed|applet)(?![a-z])")
_RAW_HANDLER = re.compile(r"<[a-z][^<>]*?[\s/\"'](on[a-z]{3,})\s*=")
_RAW_SCHEME = re.compile(r"(javascript|vbscript|livescript):")
_CSS_URL = re.compile(r"(?:url\(\s*|@import\s*)([^)\s;]+)")
_LOOKS_LIKE_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]|&#|&[a-zA-Z]+;")


def _declarations(style: str) -> dict[str, str]:
    found = {}
    for declaration in normalise(html_lib.unescape(style)).split(";"):
        name, _colon, value = declaration.partition(":")
        if _colon:
            found[re.sub(r"\s+", "", name)] = " ".join(value.replace("!important", "").split())
    return found


_NAMED_COLOURS = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "snow": (255, 250, 250), "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245), "ghostwhite": (248, 248, 255), "transparent": (-1, -1, -1),
}  # fmt: skip
_WHITE = (255, 255, 255)


def _colour(value: str) -> tuple[int, int, int] | None:
    value = value.strip().lower()
    if value in _NAMED_COLOURS:
        return _NAMED_COLOURS[value]
    if match := re.fullmatch(r"#?([0-9a-f]{3}|[0-9a-f]{6})", value):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    if match := re.fullmatch(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+%?))?\s*\)", value):
        if match.group(4) and match.group(4).rstrip("%") in {"0", "0.0", ".0"}:
            return (-1, -1, -1)
        return (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return None


def _same_colour(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return a != (-1, -1, -1) and all(abs(x - y) <= 16 for x, y in zip(a, b, strict=True))


def _length_is_zero(value: str) -> bool:
    return bool(re.fullmatch(r"[-+]?0*\.?0*(px|pt|em|rem|%|vw|vh|ex|ch)?", value.strip()))


def _far_negative(value: str) -> bool:
    match = re.match(r"-\s*(\d+(?:\.\d+)?)\s*(px|pt|em|rem|%|vw|vh|cm|mm|in)?", value.strip())
    if not match:
        return False
    amount, unit = float(match.group(1)), match.group(2) or "px"
    return amount >= (100 if unit in {"%", "vw", "vh"} else 20 if unit in {"em", "rem", "cm", "in"} else 200)


def _hides(css: dict[str, str]) -> bool:
    if css.get("display") == "none" or css.get("visibility") in {"hidden", "collapse"}:
        return True
    if css.get("opacity", "1").strip() in {"0", "0.0", ".0", "0%"}:
        return True
    if _length_is_zero(css.get("font-size", "1")) or css.get("font-size", "") in {"1px", "0.1px"}:
        return True
    if re.search(r"scale\(\s*0(\.0*)?\s*[,)]", css.get("transform", "")):
        return True
    if re.search(r"rect\(\s*0", css.get("clip", "")) or "inset(50%" in css.get("clip-path", ""):
        return True
    for side in ("left", "top", "right", "bottom", "text-indent", "margin-left", "margin-top"):
        if side in css and _far_negative(css[side]):
            return True
    squeezed = any(_length_is_zero(css.get(d, "1")) for d in ("width", "height", "max-height", "max-width"))
    return squeezed and css.get("overflow") in {"hidden", "clip"}


def _hiding_selectors(soup: BeautifulSoup) -> list[str]:
    """Simple selectors that a <style> block hides (`.x {display: none}`)."""
    selectors: list[str] = []
    for block in soup.find_all("style"):
        for rule in re.finditer(r"([^{}]+)\{([^{}]*)\}", block.get_text()):
            if _hides(_declarations(rule.group(2))):
                selectors.extend(s.strip() for s in rule.group(1).split(",") if s.strip())
    return selectors


@dataclass
class _Findings:
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, detail: str = "") -> None:
        details = self.reasons.setdefault(kind, [])
        if detail and detail not in details:
            details.append(detail)


def _own_text(element: Tag) -> str:
    return "".join(s for s in element.find_all(string=True) if not isinstance(s, Comment))


def _review_markup(soup: BeautifulSoup, findings: _Findings) -> list[str]:
    """Checks the elements; returns the attribute texts a reader or a search engine sees."""
    texts: list[str] = []
    hidden_by_style: set[int] = set()
    for selector in _hiding_selectors(soup):
        try:
            hidden_by_style.update(id(element) for element in soup.select(selector))
        except Exception:  # noqa: S112 - a selector soupsieve cannot read hides nothing we can see
            continue
    reported: set[int] = set()
    for element in soup.find_all(True):
        name = element.name.lower()
        attributes = {key.lower(): value for key, value in element.attrs.items()}
        if name in _EXECUTABLE_TAGS and not (
            name == "embed" and "embedtype" in attributes and "src" not in attributes
        ):
            findings.add("script", f"<{name}>")
        if name == "meta" and str(attributes.get("http-equiv", "")).lower() == "refresh":
            findings.add("redirect")
        if name == "form":
            findings.add("form")
        if name == "base":
            findings.add("script", "<base>")
        for key, raw in attributes.items():
            value = " ".join(raw) if isinstance(raw, list) else str(raw)
            if key.startswith("on"):
                findings.add("handler", key)
            if key in _URL_ATTRIBUTES:
                _review_url(value, findings, image=name in {"img", "source", "picture"})
            if key == "style" and re.search(
                r"expression\s*\(|javascript:|behavior\s*:|-moz-binding", normalise(value)
            ):
                findings.add("script", "style")
            if key in _TEXT_ATTRIBUTES and name != "input":
                texts.append(value)
        if id(element) in reported or name in {"style", "script", "head"}:
            continue
        if _is_hidden(element, attributes, hidden_by_style):
            text = _own_text(element).strip()
            if text:
                findings.add("hidden", f"“{_excerpt(text, 30)}”")
                reported.update(id(child) for child in element.find_all(True))
    return texts


def _is_hidden(element: Tag, attributes: Mapping[str, object], hidden_by_style: set[int]) -> bool:
    if id(element) in hidden_by_style or "hidden" in attributes:
        return True
    if str(attributes.get("aria-hidden", "")).lower() == "true":
        # A decorative mark (an arrow, an initial) may be hidden from screen readers; a block of text not.
        return element.name in _BLOCKS or len(re.findall(r"\w", _own_text(element))) >= 6
    if element.name in {"template", "noscript"}:
        return True
    css = _declarations(str(attributes.get("style", "")))
    if _hides(css):
        return True
    colour = _colour(css.get("color", "")) or _colour(str(attributes.get("color", "")))
    if colour is None or not element.find(string=True, recursive=False):
        return False
    return _same_colour(colour, _background(element))


def _background(element: Tag) -> tuple[int, int, int]:
    node: Tag | None = element
    while node is not None and isinstance(node, Tag):
        css = _declarations(str(node.get("style", "")))
        for value in (css.get("background-color"), css.get("background"), node.get("bgcolor")):
            if value:
                for token in [str(value), *str(value).split()]:
                    colour = _colour(token)
                    if colour is not None and colour != (-1, -1, -1):
                        return colour
        node = node.parent
    return _WHITE


def _review_url(value: str, findings: _Findings, *, image: bool = False) -> None:
    for url in (
        [u.strip().split(" ")[0] for u in value.split(",")] if "," in value and " " in value else [value]
    ):
        compact = re.sub(r"[\s\x00-\x1f]+", "", normalise(url))
        if _DANGEROUS_SCHEME.match(compact):
            findings.add("scheme", f"“{_excerpt(compact, 30)}”")
            continue
        host = _host_of(compact)
        if host and not host_allowed(host):
            findings.add("image-host" if image else "host", host)


def _visible_text(soup: BeautifulSoup) -> Iterator[str]:
    for node in soup.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if node.parent is None or node.parent.name not in {"script", "style"}:
                yield str(node)
        elif isinstance(node, Tag) and node.name in _BLOCKS:
            yield "\n"


# --- Review --------------------------------------------------------------------------------------

_MESSAGES = {
    "words": lambda d: _("含有色情或赌博广告词：%(words)s") % {"words": d},
    "sites": lambda d: _("含有网站名称罗列：%(text)s") % {"text": d},
    "hidden": lambda d: _("含有隐藏文字：%(text)s") % {"text": d},
    "host": lambda d: _("含有指向未列入白名单网站的链接：%(hosts)s") % {"hosts": d},
    "image-host": lambda d: _("含有来自未列入白名单网站的图片：%(hosts)s") % {"hosts": d},
    "script": lambda d: _("含有脚本或内嵌框架：%(what)s") % {"what": d},
    "handler": lambda d: _("含有事件处理属性：%(names)s") % {"names": d},
    "scheme": lambda d: _("含有脚本或数据地址：%(urls)s") % {"urls": d},
    "redirect": lambda d: _("含有自动跳转到其他页面的标记"),
    "form": lambda d: _("含有表单"),
}


def _joined(details: Iterable[str], quoted: bool, limit: int = 6) -> str:
    items = list(details)
    shown = [f"“{item}”" if quoted else item for item in items[:limit]]
    joined = "、".join(shown)
    return _("%(items)s等") % {"items": joined} if len(items) > limit else joined


def _sweep_raw(text: str, findings: _Findings) -> None:
    """Markup a browser could read differently from our parser (inside <style>, <noscript>, MathML)."""
    spaced = normalise(html_lib.unescape(text))
    compact = re.sub(r"[\s\x00-\x1f]+", "", spaced)
    for tag in _RAW_TAG.findall(compact):
        findings.add("script", f"<{tag}>")
    for handler in _RAW_HANDLER.findall(spaced):
        findings.add("handler", handler)
    for scheme in _RAW_SCHEME.findall(compact):
        findings.add("scheme", f"“{scheme}:”")
    for url in _CSS_URL.findall(spaced):
        _review_url(url.strip("'\" "), findings)


def review(text: str, *, html: bool = False) -> list[str]:
    """Why `text` may not be published, one Chinese sentence per reason; empty when it may."""
    findings = _Findings()
    readable = text
    if html or _LOOKS_LIKE_MARKUP.search(text):
        with warnings.catch_warnings():
            # A text that is only a link makes BeautifulSoup ask whether a URL was meant for a file:
            # here it is text to review, as it is.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(text, "html.parser")
        attribute_texts = _review_markup(soup, findings)
        _sweep_raw(text, findings)
        readable = "".join(_visible_text(soup)) + "\n" + "\n".join(attribute_texts)
    folded = normalise(readable)
    for word in _advertising(folded):
        findings.add("words", word)
    lines = readable.split("\n")
    for number in _site_lists(folded):
        findings.add("sites", f"“{_excerpt(lines[number])}”")
    for url in _URL_IN_TEXT.findall(folded):
        _review_url(url, findings)
    for match in _DOMAIN.finditer(folded):
        host = match.group(1).replace("。", ".")
        if not host_allowed(host):
            findings.add("host", host)
    reasons = []
    for kind, details in findings.reasons.items():
        if kind == "words":
            reasons.append(_MESSAGES[kind](_joined(details, quoted=False, limit=8)))
        else:
            reasons.append(_MESSAGES[kind](_joined(details, quoted=False)))
    return reasons
