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
_DINGBAT_DIGITS = {start + i: str(i + 1) if i < 9 else "10" for start in (0x2776, 0x2780, 0x278A) for i in range(10)}

# Emoji, pictographs, variation selectors, keycap combiner, zero-width joiners and tag characters: decoration
# that carries no meaning for the reader (1️⃣ is "1" + U+FE0F + U+20E3, so stripping leaves the digit).
_DECORATION = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe00-\ufe0f\u20e3"
    "\u200b-\u200f\u2060\ufeff\U000e0000-\U000e007f\u3030\u303d]"
)
_WHITESPACE = re.compile(r"\s+")

# Traditional (and a few Cantonese) characters that occur in replies, folded to the simplified form the
# lexicon is written in. Deliberately small: only characters the grammar or value parser looks at.
_TRAD_TO_SIMP = """
數数 確确 認认 對对 係系 問问 題题 錯错 誤误 號号 額额 無无 沒没 冇没 訂订 發发 別别 請请 轉转 詐诈
騙骗 謝谢 貸贷 萬万 個个 幫帮 嗎吗 麼么 為为 這这 聯联 繫系 電电 話话 們们 費费 證证 証证 碼码 銀银
資资 將将 還还 後后 復复 閱阅 鏈链 結结 網网 點点 擊击 連连 該该 應应 寫写 經经 過过 時时 間间 長长
陸陆 貳贰 參叁 圓圆 億亿 兩两 塊块 錢钱 項项 騷骚 擾扰 煩烦 滾滚 罵骂 驗验 帳账 賬账 匯汇 續续 務务
員员 戶户 護护 隱隐 刪删 親亲 屬属 媽妈 兒儿 識识 會会 給给 訊讯 條条 實实 際际 變变 換换 準准 與与
絡络 稱称 詢询 辦办 線线 機机 構构 關关 開开 說说 讓让 歲岁 夠够 審审 進进 來来 達达 處处 補补 據据
傳传 買买 賣卖 種种 養养 蓋盖 裝装 貨货 農农 學学 醫医 療疗 車车 業业 營营 運运 從从 當当 舊旧 專专
頭头 錄录 張张 陳陈 劉刘 黃黄 趙赵 吳吴 鄭郑 馬马 楊杨 孫孙 葉叶 許许 鄧邓 韓韩 盧卢 龍龙 歐欧 陽阳
幾几 讀读 聽听 覺觉 總总 權权 銷销 絕绝 報报 舉举 擔担 爺爷 婦妇 態态 樣样 願愿 試试 難难 剛刚 纔才
邊边 講讲 囉啰 鐘钟 啟启 儲储 齊齐 貼贴 簡简 單单 須须 絲丝 麵面 飯饭 廠厂 場场 產产 險险 髮发 慮虑 約约 揀拣
訴诉 誰谁 載载 軟软 體体 繳缴 談谈 統统 計计 緊紧 憂忧 懷怀 顧顾 領领 導导 負负 責责 級级 滿满 評评 釣钓 魚鱼
邊边 廢废 東东 裡里 熱热 門门 糾纠 異异 議议 記记 憶忆 劃划 甚什
"""
# Emoji that ask or doubt (❓ 🤔 👎 🙅 ❌) become DOUBT, which the lexicon reads as a hedge: "1🤔" is no
# more a confirmation than "1吧", and a lone 🤔 stays an emoji-only reply.
DOUBT = "⸮"
_DOUBT = {ord(c): DOUBT for c in "❓❔🤔🧐👎🙅❌✖"}
_QUOTES_AND_DIGITS = str.maketrans("‘’‛`´", "'''''") | _DINGBAT_DIGITS | _DOUBT
_FOLD = {ord(pair[0]): pair[1] for pair in _TRAD_TO_SIMP.split()} | _QUOTES_AND_DIGITS


# CJK unified ideographs are their own NFKC form and nothing composes with them, so only the runs between
# them need normalising: the same result, about three times faster on a long Chinese message.
_NOT_IDEOGRAPHS = re.compile(r"[^\u4e00-\u9fff]+")
_FOLD_KEYS = re.compile("[" + re.escape("".join(chr(key) for key in _FOLD)) + "]")
_CASED_KEYS = re.compile("[" + re.escape("".join(chr(key) for key in _QUOTES_AND_DIGITS)) + "]")


# ⑴, ⒈, ¹ and ₁ are not among the policy's forms of 1 (１ ① 1️⃣): NFKC would make them "(1)", "1." and "1",
# so they are read as a doubt instead, before NFKC sees them. Never confirm on a look-alike.
_PAREN_DIGIT = re.compile("[\u2474-\u249b\u00b9\u00b2\u00b3\u2070-\u2079\u2080-\u2089]")


def _nfkc(text: str) -> str:
    if text.isascii():
        return text
    text = _PAREN_DIGIT.sub(DOUBT, text)
    return _NOT_IDEOGRAPHS.sub(lambda run: unicodedata.normalize("NFKC", run.group()), text)


def _fold(text: str) -> str:
    text = _nfkc(text)
    if _FOLD_KEYS.search(text):
        text = text.translate(_FOLD)
    return _DECORATION.sub("", text).lower()


def fold_cased(text: str) -> str:
    """NFKC with emoji removed, but case, script and whitespace kept, so values stay as written.

    Character for character it lines up with the folded form (the traditional table is one-to-one).
    """
    text = _nfkc(text)
    return _DECORATION.sub("", text.translate(_QUOTES_AND_DIGITS) if _CASED_KEYS.search(text) else text)


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
