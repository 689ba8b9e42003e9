"""Opt-out and resume requests (DOMAIN.md, "Opt-out and consent" and its clarifications).

Recall comes first: a missed stop demand means texting someone who asked us not to. So the Latin keywords
match with one typo (a letter wrong, missing, added or two swapped), and a demand to stop texting counts in
any company. Precision is kept by three narrow exceptions, each here: English words one edit away from a
keyword ("shop", "quite"), single letters that are letters of English prose ("r u sure", "T&Cs"), and
channel preferences ("don't call me, texting is fine"), which are for staff.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from states.lexicon import FILLER, clauses, en_words, zh_any

# Latin keywords of four letters or more, which match with one typo. Shorter ones (td, end) match exactly.
FUZZY_KEYWORDS = ("stop", "stopall", "unsubscribe", "cancel", "quit", "revoke", "optout")
# English words one edit from a keyword: ordinary prose, never a typo of it.
NEAR_MISSES = frozenset(
    {"step", "shop", "stoop", "stomp", "atop", "slop", "stow", "top", "stops", "stoa", "strop", "swop",
     "stoup", "estop", "quite", "quiet", "quilt", "quid", "quip", "suit", "quint", "quiz", "qui", "quoit", "qubit",
     "quirt", "quito", "cancer", "evoke", "revoked", "revokes"}
)  # fmt: skip
# A Latin word, digits typed for letters included ("st0p"): one substitution from the keyword like any typo.
_LATIN_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
# Five to seven letters, all but one of them from "optout": the only pairs worth an edit-distance check.
_OPTOUT_SHAPE = re.compile(r"(?=[a-z]{5,7}$)[optu]*[a-z]?[optu]*")
_NON_STOP = re.compile(r"non[- ]?stop")  # "I work non-stop": an adverb
# The keywords as ordinary English verbs: "stop by the bank", "quit my job", "cancel my trip", "doesn't end".
_NOT_A_KEYWORD = re.compile(
    r"(?<![a-z])(?:stop(?:ped|ping)? (?:by|over|calling|ringing|phoning)|"
    r"quit(?:ting)? (?:my|his|her|the|a|smoking|drinking|work)|"
    r"cancel(?:led|ling)? (?:my|the|a|our) (?:trip|visit|appointment|flight|plan|meeting|order)|"
    r"(?:doesn'?t|does not|won'?t|will not|didn'?t|did not|don'?t) end)(?![a-z])"
)

OPT_OUT_WHOLE = re.compile(
    r"^(?:回复?|reply|发|send)?(?:t|r|td|退|退订|退出|0000|stop|end|edn|tuiding|停止|停|停发|滚+|滚蛋|滚开|给我滚|你?滚吧)"
    r"[。.!！]*$"
)
# A clause of its own that is an opt-out word: "滚，骗子" is a stop demand beside an insult (opt-out wins).
# Letters held down on a cheap keypad ("ENDD", "stopp"): the word with its runs collapsed is the keyword.
_LETTER_RUN = re.compile(r"([a-z])\1+")
SHORT_KEYWORDS = frozenset({"td", "end"})
# Dialect and net spellings of "don't" too: 莫 (southwest), 咪 (Cantonese), 覅 (Wu), 嫑 and 表 (不要 run together),
# 毋免 / 毋通 (Hokkien "no need to" / "don't").
_STOP_WORD = (
    r"(?:毋免|毋通|毋好|别个?|不(?<!要不)要|请勿|勿|甭|不用|不需要|不必|无需|"
    r"不准|不许|停止|莫要?|咪|覅|嫑|(?<![代发])表)"
)
# Someone else as the one not to be told ("不要通知我父母"): a privacy request for staff, not a stop demand.
THIRD_PARTY = (
    r"(?:父母|爸|妈|家人|家里|老婆|老公|丈夫|妻子|孩子|儿子|女儿|单位|公司|领导|同事|朋友|别人|他人|其他人|他们|他|她)"
)
_PROFANE_INFIX = r"(?:他妈的?|tm|特么|妈的|tmd|尼玛|你妈)?"
OPT_OUT_ZH = zh_any(
    r"退[订定丁顶钉鼎锭訂]|[推腿褪蜕]订|拒收|拒绝(?:接收|短信|信息|通知)|取消.{0,4}订阅|取消(?:短信|信息|通知)|勿扰|"
    r"(?:请勿|别|不要|勿)再?(?:打扰|骚扰)|退出订阅",
    rf"{_STOP_WORD}{_PROFANE_INFIX}[再阁閣]?{_PROFANE_INFIX}(?:(?:给|跟|向)(?:我|她|他|这个号码?|这个手机号?|本号码?|我这)?)?"
    rf"(?:发|send|推送|传|寄|通知)(?!(?:给|到)?(?:我的?)?{THIRD_PARTY})",
    r"tui订|退ding|(?:把)?(?:我的?)?(?:手机号码?|电话号码?|号码)(?:删掉|删除|去掉|移除)|删(?:掉|除)(?:我的?)?(?:手机号码?|号码)",
    r"别再?(?:给我)?(?:打扰|骚扰|烦)|不要(?:再|给我)?(?:打扰|骚扰|烦)我|别烦我|停止(?:发送|发|推送|传送|寄送|通知)|"
    r"[不唔](?:想|要|愿意?)再?(?:收到?|接收)|不再接收|以后别发|再也别发",
    rf"唔好再?(?:发|send|传)|唔好再?(?:搵|搞|烦|骚扰)|唔该停|停发|屏蔽|拉黑|(?:别|不要|请勿|勿)再?联系(?!(?:我的?){THIRD_PARTY})",
    # texts refused as a thing ("我不需要这些短信", "不要你们的通知")
    # (a bare 通知 or 信息 only at the clause's end: "不要通知我父母" asks for privacy, "不要信息费" is about a fee)
    r"(?:不需要|不要|不想要|用不着|不用)再?收?(?:(?:这些|这种|这类|这样的|你们的?|你的|贵行的?)(?:短信|信息|通知|消息)|"
    r"短信|(?:信息|消息|通知)(?=了|啦|吧|$|[，。,.!！]))",
    # 滚 opening a clause, however it goes on ("滚你妈的", "滚远点"): the bare 滚 of the clarifications
    r"(?:^|[，。,.!！?？\s])滚(?![动烫筒轮珠圆])",
    # complaints about how many texts arrive ("短信太多了", "天天发烦不烦") are demands to stop
    r"(?:短信|信息|消息)(?:太|好|真|这么|那么)多|(?:天天|老是|一直|总是|整天|每天)(?:都|在)?(?:发|send)|发(?:这么|那么|太)多|"
    r"烦死|烦不烦|好烦",
    # a threat to complain if the texts go on ("再发我就打12321") is a stop demand
    r"(?:再|还)(?:发|send|骚扰|打扰|烦)(?:我)?.{0,10}(?:投诉|举报|报警|告你|12321)|(?:投诉|举报).{0,6}(?:短信|骚扰)|12321",
)
# Calls refused: a stop demand unless the reply also says texts are welcome (a channel preference).
CALLS_REFUSED_ZH = re.compile(
    r"(?:别|不要|唔好|勿)再?(?:给我)?打(?:我)?(?:电话|来|俾我)?|电话(?:就)?(?:别|不要|勿)(?:再)?打"
)
OPT_OUT_EN = en_words(
    r"(?<!non-)(?<!non )sto+p+(?:all)?(?! (?:by|at|in|over|off|calling|ringing|phoning)(?![a-z]))",
    r"unsub",
    r"opt ?-?out",
    r"td",
    r"(?<!the )(?<!the very )(?<!n't )(?<!not )(?<!nt )(?<!will )end(?! of)(?! in)",
    r"leave me alone",
    r"(?:fuck|f|piss|bugger|sod|buzz) off",
    r"get lost",
    r"go away",
    r"opt (?:me )?out",
    r"(?:remove|delete|take) (?:my )?(?:phone )?(?:number|no)(?: (?:from|off) (?:your|the) (?:list|system|database))?",
    r"(?:i )?(?:don'?t|dont|do not|no longer) want (?:these|your|any|the|more|ur|this)? ?"
    r"(?:messages|msgs?|texts|sms|spam)",
    r"(?:(?:pls|please) )?(?:don'?t|dont|dun|dnt|do not|never|no more)(?: (?:ever|again))? "
    r"(?:text|message|sms|contact|msg|send|whatsapp)(?:ing)?(?! (?:money|cash|funds|payment|the (?:loan|money)))"
    r"(?! (?:them|him|her|my (?:parents|family|mother|father|mum|mom|dad|wife|husband|boss|employer|work)))",
    r"(?:bu ?yao|bie|buyao)(?: ?zai)?(?: ?gei ?wo)? ?fa",  # pinyin 不要再发, 别发
    r"tui ?ding",
    r"remove me",
    r"take me off",
    r"no more (?:texts|messages|sms)",
    r"too many (?:texts|messages|sms|msgs?)",
    r"(?:stop|cease|quit|halt) (?:[a-z]+ (?:and|or|&|n) )?(?:texting|sending|messaging|contacting|spamming)",
    r"enough (?:with|of) (?:the|your|these|ur) (?:texts|messages|msgs|sms)",
    # a threat if the texts go on is a demand that they stop
    r"(?:if you|you) (?:text|message|sms|msg|contact|spam)(?: me| this number| us)? (?:again|once more|any ?more)",
)
CALLS_REFUSED_EN = en_words(r"(?:(?:pls|please) )?(?:don'?t|dont|do not|never|no more|stop) (?:call|calling|ring)")
# A cancel next to the loan is a withdrawal (staff), not an opt-out.
# In mixed writing too: "我要 cancel 申请", "cancel 这笔贷款".
CANCEL_LOAN = en_words(
    r"cancel(?:led|ling)? ?(?:(?:my|the|this|our|your) ?)?(?:(?:loan|application|request|order|appl)\w*|"
    r"(?:掉|我的|这个|这笔|那笔)?(?:申请|贷款|借款|订单|这笔|那笔))"
)
# Texts welcome: a channel preference, not a demand to stop texting.
TEXTS_WELCOME = zh_any(
    r"(?<![别不勿停])(?:发|回|用)短[信讯](?:就行|就好|就可以|就得|即可|吧|联系|沟通)|有事发短[信讯]|短[信讯]就(?:行|好|得|可以)|"
    r"(?<![别不勿停])发短[信讯]$|(?<![别不勿停])发短[信讯](?:给我|通知)",
    r"(?<![a-z])(?:just text|text only|sms only|texts? (?:is|are) fine|texting is (?:fine|ok)|text is (?:fine|ok)|"
    r"text me instead|(?:use|send) (?:text|sms)|message me instead)(?![a-z])",
)
RESUME = zh_any(
    r"恢复接收|重新订阅|恢复订阅|恢复(?:发送|短信|通知)|继续(?:发送|接收)|重新接收|开通短信|重新接收|"
    r"(?:请|帮我|麻烦)恢复|恢复(?:一下|吧|正常)|重新(?:给我)?发|继续(?:给我)?发|还(?:是)?(?:要|想)(?:继续)?(?:收|接收)|继续收",
    r"(?<![a-z])(?:start(?: sending)? again|resubscribe|subscribe again|opt (?:back )?in|unstop|"
    r"(?:start|begin|resume) (?:texting|sending|messaging)|rec(?:ei|ie)ve[a-z ]{0,20} again|"
    r"(?<!you )(?:texts?|messages?|sms|updates?|notifications?) again|resume)(?![a-z])",
)
# The earlier opt-out told as past: "上次回了退订", "I sent STOP earlier".
PAST_OPT_OUT = zh_any(
    r"(?:之前|以前|上次|刚才|前几天|不小心|误)[^，。,.!?！？]{0,6}(?:回|发|退|点)|回了|发了|退订了|点了|"
    r"(?:退订|td|t)(?:是)?(?:错了|误操作|按错|点错|发错)|误操作|误点|按错了?|点错了?|发错了?|手滑|手误",
    r"(?<![a-z])(?:sent|replied|texted|earlier|before|last|ago|by mistake|accidentally|unsubscribed|stopped)(?![a-z])",
)
SINGLE_LETTER = re.compile(r"(?<![a-z'])[tr](?![a-z'])")
_PUNCT_OR_SPACE = " .,!?;:。，！？；：、~'\"“”()（）"
# What may stand beside a lone T or R in a reply that means the keyword: "回T", "好的 T", "T退".
_BESIDE_LETTER = re.compile(r"回复?|reply|发送?|send|退订?|订阅|请|吧")


_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_HAS_LATIN = re.compile(r"[a-z]")
_ZERO_RUN = re.compile(r"(?<![0-9])0000(?![0-9])")


def _either(zh: re.Pattern[str], en: re.Pattern[str], compact: str, spaced: str) -> bool:
    """Chinese pattern on the compact form, English on the spaced, each skipped when its script is absent
    (a 1,600-character Chinese letter need not be scanned for English phrases)."""
    if _HAS_CJK.search(compact) and zh.search(compact):
        return True
    return bool(_HAS_LATIN.search(spaced) and en.search(spaced))


@lru_cache(maxsize=4096)
def _is_typo_of_keyword(word: str) -> bool:
    return word not in NEAR_MISSES and any(_one_edit(word, key) for key in FUZZY_KEYWORDS)


def _one_edit(word: str, key: str) -> bool:
    """Equal, or one substitution, insertion, deletion or swap of neighbours apart."""
    if abs(len(word) - len(key)) > 1 or len(word) < 3:
        return False
    if len(word) == len(key):
        diff = [i for i, (a, b) in enumerate(zip(word, key, strict=True)) if a != b]
        if len(diff) <= 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and word[i] == key[i + 1] and word[i + 1] == key[i]
    short, long_ = sorted((word, key), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _held_key(word: str) -> bool:
    """ "endd", "tdd": a short keyword with a letter repeated (exact short keywords are matched elsewhere)."""
    collapsed = _LETTER_RUN.sub(r"\1", word)
    return collapsed != word and (collapsed in SHORT_KEYWORDS or _is_typo_of_keyword(collapsed))


def has_fuzzy_keyword(spaced: str) -> bool:
    """A Latin opt-out keyword, or one typo of it, as a word or two words run together ("opt otu")."""
    words = _LATIN_WORD.findall(_NOT_A_KEYWORD.sub(" ", _NON_STOP.sub(" ", spaced)))
    if any(_is_typo_of_keyword(w) or _held_key(w) for w in set(words) if len(w) >= 3):
        return True
    pairs = {a + b for a, b in pairwise(words)}  # a long message repeats itself: each pair is checked once
    return any(_OPTOUT_SHAPE.fullmatch(pair) and _one_edit(pair, "optout") for pair in pairs)


def _letter_is_keyword(spaced: str, match: re.Match[str]) -> bool:
    """T or R stands for the keyword beside a digit or as the whole reply, never as a letter of prose."""
    before = spaced[: match.start()].rstrip(_PUNCT_OR_SPACE)
    after = spaced[match.end() :].lstrip(_PUNCT_OR_SPACE)
    if before[-1:].isdigit() or after[:1].isdigit():
        return True
    rest = FILLER.sub("", _BESIDE_LETTER.sub("", before + after))
    return not rest


def _stop_demand(compact: str, spaced: str) -> bool:
    # "别打电话" refuses calls, not texts: a channel preference for staff (DOMAIN.md clarifications), never an opt-out
    return bool(_ZERO_RUN.search(spaced)) or _either(OPT_OUT_ZH, OPT_OUT_EN, compact, spaced)  # spaced: "0000 1"


def _clause_is_opt_out_word(spaced: str) -> bool:
    return any(OPT_OUT_WHOLE.match(clause) for clause in clauses(spaced))


def is_opt_out(compact: str, spaced: str) -> bool:
    """Any opt-out word (one typo allowed in the Latin ones) or a plain demand to stop texting."""
    if OPT_OUT_WHOLE.match(compact) or _stop_demand(compact, spaced) or _clause_is_opt_out_word(spaced):
        return True
    if has_fuzzy_keyword(CANCEL_LOAN.sub(" ", spaced)):
        return True
    return any(_letter_is_keyword(spaced, m) for m in SINGLE_LETTER.finditer(spaced))


def is_channel_preference(compact: str, spaced: str) -> bool:
    """ "别打电话", "don't call, just text": how to reach the applicant, for staff to note (texts welcome or not)."""
    calls = CALLS_REFUSED_ZH.search(compact) or CALLS_REFUSED_EN.search(spaced) or "不方便接电话" in compact
    return bool(calls or "no calls" in spaced)


# A question about what a keyword means ("回T是退订的意思吗", "what does STOP mean") mentions it, it does not send it.
MEANING_QUESTION = re.compile(
    r"(?:是|就是|代表|表示)[^,.!?;，。！？；]{0,8}(?:的意思|什么意思|啥意思)|(?:是|代表|表示)(?:什么|啥)意思|"
    r"(?:回复?|发|按|reply|send) ?[a-z0-9]{1,4} ?(?:就)?(?:是|代表|表示)[^,.!?;，。！？；]{0,6}(?:吗|么|嘛|\?)|"
    r"(?<![a-z])(?:what does|what do|does) [a-z0-9 ]{1,20} mean(?![a-z])"
)


def without_meaning_questions(spaced: str) -> str:
    return " ".join(c for c in _QUESTION_CLAUSE.split(spaced) if c and not MEANING_QUESTION.search(c))


_QUESTION_CLAUSE = re.compile(r"[,.!?;，。！？；]+")


# A bare "resume" (恢复, 开回来) is a request for texts only beside the earlier opt-out it undoes: "之前回了TD，
# 现在想恢复"; on its own it may be about the application ("恢复我的申请").
_RESUME_AFTER_OPT_OUT = zh_any(r"恢复|开回|重新开|打开", r"(?<![a-z])(?:undo|turn (?:it )?back on|back on)(?![a-z])")


def is_resume(compact: str, spaced: str) -> bool:
    if _either(RESUME, RESUME, compact, spaced):
        return True
    return _either(_RESUME_AFTER_OPT_OUT, _RESUME_AFTER_OPT_OUT, compact, spaced) and is_past_opt_out(compact, spaced)


def is_past_opt_out(compact: str, spaced: str) -> bool:
    return _either(PAST_OPT_OUT, PAST_OPT_OUT, compact, spaced)
