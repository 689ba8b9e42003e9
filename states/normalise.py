"""Normalise an SMS reply before reading it (policy item 1).

Applicants type on every kind of handset: full-width digits, circled digits, keycap emoji, traditional
characters, stray ideographic spaces. All of that is folded here, once, so the grammar only has to know one
spelling of each word. Look-alikes (l, I, !) are deliberately left alone: reading them as 1 would turn a typo
into a confirmation.
"""

from __future__ import annotations

import re
import unicodedata

# Dingbat circled digits survive NFKC (unlike ①), so they are mapped by hand before emoji are stripped.
_DINGBAT_DIGITS = {
    start + i: str(i + 1) if i < 9 else "10" for start in (0x2776, 0x2780, 0x278A) for i in range(10)
}

# Emoji, pictographs, variation selectors, keycap combiner, zero-width joiners and tag characters: decoration
# that carries no meaning for the reader (1️⃣ is "1" + U+FE0F + U+20E3, so stripping leaves the digit).
_DECORATION = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe00-\ufe0f\u20e3"
    "\u200b-\u200f\u2060\ufeff\U000e0000-\U000e007f\u3030\u303d]"
)
_WHITESPACE = re.compile(r"\s+")

# Traditional (and a few Cantonese) characters that occur in replies, folded to the simplified form the
# lexicon is written in. Deliberately small: only characters the grammar or value parser looks at.
_TRAD = "數確認對係問題錯誤號額無沒冇訂發別請轉詐騙謝貸萬個幫嗎麼為這聯繫電話們費證証碼銀資將還後復閱鏈結網點擊連該應寫經過時間長陸貳參圓億兩塊錢項騷擾煩滾罵驗帳賬匯續務員戶護隱刪親屬媽兒識會給訊條實際變換準與絡稱詢辦線機構關開說讓歲夠審進來達處補據傳買賣種養蓋裝貨農學醫療車業營運從當舊專頭錄張陳劉黃趙吳鄭馬楊孫葉許鄧韓盧龍歐陽幾讀聽覺總權撤銷絕報舉擔爺婦態樣願試難剛纔邊講囉鐘啟儲務齊貼簡單須結問絲麵飯廠場產險單髮慮點"
_SIMP = "数确认对系问题错误号额无没没订发别请转诈骗谢贷万个帮吗么为这联系电话们费证证码银资将还后复阅链结网点击连该应写经过时间长陆贰叁圆亿两块钱项骚扰烦滚骂验账账汇续务员户护隐删亲属妈儿识会给讯条实际变换准与络称询办线机构关开说让岁够审进来达处补据传买卖种养盖装货农学医疗车业营运从当旧专头录张陈刘黄赵吴郑马杨孙叶许邓韩卢龙欧阳几读听觉总权撤销绝报举担爷妇态样愿试难刚才边讲啰钟启储务齐贴简单须结问丝面饭厂场产险单发虑点"
_QUOTES_AND_DIGITS = str.maketrans("‘’‛`´", "'''''") | _DINGBAT_DIGITS
_FOLD = str.maketrans(_TRAD, _SIMP) | _QUOTES_AND_DIGITS


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return _DECORATION.sub("", text).lower()


def fold_cased(text: str) -> str:
    """NFKC with emoji removed, but case, script and whitespace kept, so values stay as written.

    Character for character it lines up with the folded form (the traditional table is one-to-one).
    """
    return _DECORATION.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES_AND_DIGITS))


def normalise(text: str) -> str:
    """Return the reply folded for matching, with every Unicode whitespace character removed.

    NFKC (１→1, Ｔ→t, ①→1), keycap and decorative emoji removed, Latin lower-cased, traditional characters
    simplified. Pure and cheap: one NFKC pass, one translate, two regex substitutions.
    """
    return _WHITESPACE.sub("", _fold(text))


def normalise_spaced(text: str) -> str:
    """Like `normalise`, but runs of whitespace become one space, so English words keep their boundaries."""
    return _WHITESPACE.sub(" ", _fold(text)).strip()


def normalise_both(text: str) -> tuple[str, str]:
    """Return (compact, spaced) forms with a single fold; the reader needs both for every reply."""
    spaced = _WHITESPACE.sub(" ", _fold(text)).strip()
    return spaced.replace(" ", ""), spaced
