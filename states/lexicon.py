"""The words the reader looks for, one compiled pattern per meaning (see DOMAIN.md, "How replies are read").

Chinese patterns run on the compact form of a reply (no whitespace, simplified, lower-case); English patterns
run on the spaced form, bounded by non-letters so that "t" never matches inside "tomorrow" and "correct"
never inside "incorrect". Patterns are compiled once at import: the reader is on the webhook's hot path.
"""

from __future__ import annotations

import re


def zh_any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


def en_words(*phrases: str) -> re.Pattern[str]:
    """English phrases as whole words: a letter on either side means it is part of another word."""
    return re.compile(r"(?<![a-z'])(?:" + "|".join(phrases) + r")(?![a-z])")


WORRY = zh_any(
    r"担心|不(?:太|是很)?放心|顾虑|疑虑|怀疑|疑问|没底|不踏实|不安心|忐忑|害怕",
    r"worried|worry|concern|doubt|suspicious|afraid",
)
CONTRAST = re.compile(r"但是|但|不过|可是|只是|however|(?<![a-z])but(?![a-z])")

# Clauses as an applicant types them: punctuation, or a space beside an ideograph (Chinese SMS often uses a
# space for a comma). Read with `clauses()`.
CLAUSE_BREAK = re.compile(r"[,.!?;:，。！？；：、~…]+|(?<=[\u3400-\u9fff]) +| +(?=[\u3400-\u9fff])")


def clauses(spaced: str) -> list[str]:
    return [clause.strip() for clause in CLAUSE_BREAK.split(spaced) if clause.strip()]


# --- fields (compact form; English words are safe enough as substrings here) ---
FIELD_PATTERNS = {
    "name": (r"姓名|名字|名子|姓氏|称呼|(?<!签)名(?=错|不对|写|有误)|姓(?=错|写|不对)", r"name"),
    "amount": (
        r"金额|额度|数额|钱数|借款额|贷款额|申请额|贷款数|借款数|钱(?=不对|错|有误|写错|少|多了|数)",
        r"amount|amt|sum|loan size",
    ),
    "term": (
        r"期限|期数|年限|还款期|借期|贷款期|借款期|分期|多少期|几期|还几个月|几个月(?:还|的)|多少个月|月数",
        r"term|period|duration|tenor",
    ),
    "purpose": (r"用途|用处|用来|干什么用|做什么用", r"purpose|usage|use of"),
    "other": (r"其他|其它|别的", r"others?"),
}
FIELD_MENTION = re.compile(
    "|".join(f"(?P<{k}>{zh}|(?<![a-z])(?:{en})(?![a-z]))" for k, (zh, en) in FIELD_PATTERNS.items())
)
FIELD_JOINER = re.compile(r"^(?:[和跟与及、,/&+]|还有|以及|and|也|都)*$")
_ANY_FIELD = "|".join(f"{zh}|(?<![a-z])(?:{en})(?![a-z])" for zh, en in FIELD_PATTERNS.values())
# Fields said to be right ("金额没问题", "名字也对", "name and amount are correct"): beside a confirmation they add
# nothing. A field merely named ("确认 金额", "yes amount") is not said to be right: it stays in the residue.
FIELD_SAID_RIGHT = re.compile(
    rf"(?:(?:{_ANY_FIELD})(?:[和跟与及、,/&+ ]|还有|以及| and | & )*)+"
    r"(?:是|也|都|均|全|的|信息| ?is| ?are| ?all| ?both| )*"
    r"(?:对的?|对|没问题|没错|正确|无误|准确|ok|okay|correct|right|fine|good)(?![a-z])"
)

# --- correction signals ---
# "多了个0", "少打了一个零": a digit slip in the amount, a correction that gives no value of its own.
DIGIT_SLIP = re.compile(r"(?:多|少)(?:写|打|填|输)?了?(?:一|1)?个?(?:0|零)")
CORRECTION_ZH = zh_any(
    DIGIT_SLIP.pattern,
    r"不正确|不准确|不是很对|不大对|不怎么对|对不上|不对劲|不符|不一致|不一样|不太对|有误|有点问题|(?<!没)有问题(?![打找联就的])|(?<![没无冇不每美梅眉])(?<!没有)错(?!过)",
    r"改(?!天|日|时间)|更正|纠正|变更|换成|(?:应该|应)(?:是|为)(?![12对的吧啊呀没正无吗]|$)|其实是|实际是|实际上是|而是|少了|多了|少写|多写|漏了",
    r"(?<!是)不是(?!我|很|太|特别|非常|说)|(?<!对)不对|^不$|^否$|唔啱|唔系|唔对|budui|bushi|cuole|"
    r"除了(?=姓名|名字|金额|期限|用途|其他|其它)",  # "都对，除了用途": the field excepted is the wrong one
)
CORRECTION_EN = en_words(
    r"no",
    r"nope",
    r"except (?:the |my )?(?:name|amount|term|purpose)",
    r"n",
    r"wrong",
    r"incorrect",
    r"not (?:quite |really |exactly |entirely |all )?(?:correct|right|accurate|true|mine)",
    r"isn'?t (?:correct|right)",
    r"inaccurate",
    r"mistakes?",
    r"errors?",
    r"typo",
    r"except",
    r"apart from",
    r"should be(?! (?:fine|ok|okay|good|right|correct|alright))",
    r"change",
    r"(?<!any )(?<!the )(?<!for )update(?!s| on| me)",
    r"fix",
    r"correction",
    r"(?:to|need|want|must|please|pls) correct",
    r"correct (?:the|my|it|this|that|a|an|amount|name|term|purpose)",
)
NO_CHANGE = re.compile(
    r"(?:不用|唔使|唔洗)改|不(?:需要|用)改了?|不需要改|无需改|不必改|不用修改|不需要修改|无需修改|不用更正|不需要更正|没有要改|没什么要改|"
    r"no need to change|nothing to change|no changes?|no mistakes?|no errors?|no problems?|no issues?|"
    r"nothing wrong|"
    # the value as it was ("还是原来的", "same as before"): the correction taken back
    r"没(?:有)?(?:写|填|打|弄|搞)错|(?:写|填)(?:得)?(?:是)?对(?:的|了)|还是原来的|(?:跟|和|同)原来(?:的)?一样|原来的(?:就)?(?:对|行|可以|没错|是对的)|保持原样|维持原样|"
    r"same as (?:before|the original)|keep (?:it|the original)(?: as it is)?"
)
# Any value will do ("多少都行", "whatever"): no value given, at a value prompt.
INDIFFERENT = re.compile(
    r"(?:多少|怎样|怎么样|几个月|什么)?都(?:行|可以|好|无所谓)|随便|无所谓|whatever|any (?:amount|term)"
)

# --- confirm (policy item 4) ---
# Characters an applicant may type instead of the right one (same pinyin, any tone), for policy item 4's
# "one homophone typo": 确任, 却认, 没措, 无悟, 正却, 没问提.
_HOMOPHONES = {
    "确": "确却雀鹊阙榷缺",
    "认": "认任仁人忍韧刃纫仞妊壬饪",
    "没": "没梅煤眉枚媒霉玫美每",
    "错": "错措挫锉厝",
    "无": "无吴五舞武勿吾梧",
    "误": "误务悟雾勿",
    "正": "正整证政郑症",
    "问": "问文闻稳吻紊",
    "题": "题提体替蹄啼",
    "对": "对队兑碓",
}


def _one_typo(word: str) -> str:
    """Alternatives matching `word` with at most one character replaced by a homophone."""
    options = [word]
    for i, char in enumerate(word):
        if char in _HOMOPHONES:
            options.append(word[:i] + "[" + _HOMOPHONES[char] + "]" + word[i + 1 :])
    return "(?:" + "|".join(options) + ")"


CONFIRM_ZH = zh_any(
    rf"(?<![不未没无要想请再需难去何么样]){_one_typo('确认')}(?![一下吗么嘛?什])",
    rf"{_one_typo('没错')}|没有错误?|{_one_typo('无误')}|(?<!有){_one_typo('没问题')}|{_one_typo('正确')}",
    rf"没(?:什么|啥|有什么)问题|没有异议|无异议|没有问题|无问题|准确|{_one_typo('都对')}|{_one_typo('全对')}|全部对|"
    r"(?<![不核])对的|(?<![不])是的|"
    r"属实|(?<!啱)啱(?!啱)|没毛病|(?<![有])(?:无|冇)错(?!字|过)|(?:莫得|没得|冇得|没有)问题|(?<![不没])对(?:着(?:呢|哩|咧|嘞)|哩|咧|嘞)",
)
CONFIRM_EN = en_words(
    r"yes",
    r"betul",  # Malay "correct"
    r"tama",  # Filipino "correct"
    r"correct",
    r"confirm(?:ed)?",
    r"i confirm",
    r"that'?s right",
    r"(?:everything|all|it|details?|info)(?:'?s| is| are) (?:right|correct)",
    r"looks? (?:good|right|fine|correct)",
    r"all good",
    r"accurate",
    r"no problems?",
    r"no errors?",
    r"no mistakes?",
    r"no issues?",
    r"nothing wrong",
    r"queren",
    r"que ren",
    r"zheng ?que",
    r"mei ?cuo",
    r"mei ?(?:you ?)?wen ?ti",
    r"dui ?de",
    r"shi ?de",
)
# Replies that confirm only as the whole reply: 是 and 对 occur everywhere in ordinary Chinese.
CONFIRM_WHOLE = re.compile(r"^(?:(?:回复?|回|选|按)?(?:一|壹)|(?:是|对|系|dui|shi|对头|正是|是这样|就是这样|yes)+)$")
CORRECT_WHOLE = re.compile(r"^(?:回复?|回|选|按)?(?:二|贰|two)$")
FILLER = re.compile(
    r"[\s,.!~，。！、:;：；…·'\"“”()（）\[\]【】*#-]|嘅|㗎|喇|囉|咯|啊|呀|哦|噢|喔|嗯|恩|啦|了|的|哈|嘛|滴|嘞|哒|咧|哩|呢(?![?])|哈|"
    r"您好|你好|谢谢|感谢|多谢|辛苦了?|麻烦了?|好的|好|收到|可以|ok|okay|thanks|thank you|thx|pls|please|"
    r"信息|资料|内容|以上|上述|都|全部|已|核对|看了|这个|那个|这一?项|那一?项|一项"
)
IDENTITY = re.compile(
    r"(?:是的?|对|嗯|系)?(?:我是|是我|系我|我系)?本人|(?:是|系)我(?:啊|呀|啦)?$|^我是?$|"
    r"(?:yes,? ?)?(?:it'?s|it is|this is|that'?s|i am|i'?m) (?:me|him|her|the applicant)|"
    r"(?:yes,? ?)?(?:i|i have|i did|i'?ve) appl(?:ied|y)(?: for (?:it|this|the loan|a loan))?$|"
    r"(?:yes,? ?)?(?:i am|i'?m|this is|my name is) "
    r"(?!correct|right|fine|ok|okay|good|all|accurate|true|wrong|not|no|sure|the|a|an|my|your|done|confirmed|"
    r"happy|glad|satisfied)[a-z]+(?: [a-z]+)?(?: speaking)?$|[a-z]+ speaking$"
)
HEDGE = zh_any(
    r"⸮|吧|觉得|感觉|随便|无所谓|都行|没想好|应该(?!(?:是|为|改成?|写成?)(?![对的吧12啊呀没正]|$))|大概|差不多|好像|可能|也许|或许|似乎|估计|貌似|记不清|不记得|忘了|不清楚|不知道|不太清楚|大约|不确定|不太确定|不敢确定|如果|假如|要是",
    r"(?<![a-z])(?:maybe|probably|i think|i guess|guess so|perhaps|kinda|sort of|i believe|should be fine|"
    r"not sure|unsure|idk|dunno|no idea|ba|should be (?:correct|right|ok|okay|fine|good|alright|accurate)|"
    r"seems?|seem to|i suppose|suppose so|"
    r"likely|hopefully|i hope|if|unless|think so|almost|mostly)(?![a-z])",
)
QUESTION_ON_CONFIRM = re.compile(
    r"(?:1|一|确认|对|是|没错|正确|无误|没问题|correct|right|yes)(?:的|了)?(?:吗|嘛|么|\?|呢|吧)|是不是|对不对|对吗|是吗|"
    r"对吧|是吧|对么|系咪|is (?:that|it|this) (?:right|correct)|^(?:1|yes|correct|right)\?"
)
# "确认一下" alone may mean "let me check"; it undoes a confirmation only when nothing else says the details
# are right ("都对的，没有问题，确认一下" confirms).
CHECK_FIRST = re.compile(r"确认一?下")
# "pls confirm", "I want to confirm": a request or an intention, a confirmation only beside a statement.
CHECK_FIRST_EN = re.compile(
    r"(?<![a-z])(?:(?:want|wanna|need|like|have|going) to|pls|please|plz|kindly|can you|could you|help me) confirm"
    r"(?![a-z])"
)
# "对了" on its own is "by the way": a reply cut short, not a statement that the details are right.
NOT_CONFIRMED = re.compile(
    r"^对了[。.!！]*$|不确认|未确认|没确认|无法确认|不能确认|没法确认|确认不了|确认中|(?:要|想|需要|希望|必须)(?:是)?(?:正确|无误|准确|没错|对的)|要确认|想确认|再确认|帮我确认|给我确认|(?:如何|怎么|怎样|咋)确认|"
    r"^确认收到(?:了|啦)?$|^收到(?:确认|了确认)(?:了|啦)?$"
)
QUESTION = re.compile(
    r"\?|吗|嘛|到底|系咪|是不是|对不对|是唔是|系唔系|(?<!没)(?<!没有)(?:什么|啥)|怎么|怎样|如何|咋|可否|何时|为什么|为啥|哪|谁|几|多少|是否|能否|能不能|可不可以|有没有|会不会|要不要|"
    r"(?<![a-z])(?:how|what|when|why|who|where|which|can i|do i)(?![a-z])"
)

# --- the closed confirm grammar (see confirmation.leftover) ---
# A confirm token that is a whole word only where it stands on its own: 1, 回复1, 是, 对, yes, ok.
CONFIRM_WHOLE_TOKEN = re.compile(
    r"(?<![0-9])(?:(?:回复?|回|选|按|reply)[:：]? ?)?[「“\"]?(?:1|一|壹)[」”\"]?(?![0-9])|"
    r"^(?:是|对|系|嗯|dui|shi)(?![a-z])|"
    r"(?<![a-z])(?:yes|ya|ok|okay|can|y)(?![a-z])"
)
# Words that may stand beside a confirmation and add nothing: greetings, politeness, "the details", "I checked",
# a self-introduction, the filing date restated. Longer alternatives first: the removal is left to right.
ADDS_NOTHING = re.compile(
    r"喂+|就这样|就酱|(?:那个)?短信(?:我)?(?:收到|看到)了|(?:我)?(?:收到|看到)(?:那个)?短信了|您好|你好|谢谢你们|谢谢您|麻烦你们了?|辛苦(?:您|你们)?了?|唔该晒?|多谢晒?|对不起回复晚了|不好意思|晒|完全|全部|"
    r"(?:我|俺)?(?:已经?)?(?:核对|看|检查|确认)(?:过|了|一下)*|核对|刚才|收到你们(?:的)?短信|短信上的?|"
    r"(?:我是|我叫|我系)[张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔"
    r"钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤欧][\u3400-\u9fff]{1,2}?"
    r"(?=本人|那个|我|信息|资料|短信|$)|"
    r"(?:是我)?(?:[0-9]{1,2}月[0-9]{1,2}[日号])?(?:提交|申请)的?|讯息|资料|没有错误|没有错|没有问题|是这样|就是这样|就是这个|"
    r"[\u3400-\u9fff][*＊]+|那个|那就|那|就|你们说|得很|短信(?:上|里)?说|上面说|贷款|本人|我|俺|你们|是我|对头|(?:对|系|是)(?:啊|呀|的|滴)?|都|均|全|也|这个|ok|okay|thanks|yes|can|lah|la"
)
ADDS_NOTHING_EN = re.compile(
    r"(?<![a-z])(?:"
    # first, before their shorter prefixes: thanks for the service, a phone's footer
    r"(?:thanks|thank you|thank u|thx|tq) for (?:the|your) (?:quick |fast |good |great |kind )?"
    r"(?:service|help|message|reminder|update)|thank u|sent from my [a-z0-9 ]+|"
    # Singlish, Malay and Filipino particles and politeness ("correct already lah", "correct po, salamat po")
    r"lor|liao|already|hor|leh|po|opo|salamat|terima kasih|lahat|ng|mga|"
    r"speaking|i'?d like to|i would like to|i want to|i wish to|start|hi|hello|dear|sir|madam|"
    r"[a-z]+\*+|lah|la|leh|ah|the|my|all|everything'?s|everything|details?|info|"
    r"information|it'?s|its|it|is|that'?s|that|this|are|be|me|i|i have|checked|looks?|good|right|fine|"
    r"to me|(?:thank you|thanks)(?: (?:so|very) much| a lot)?|a|thank|tq|ty|thx|please|pls|yes|yeah|yep|yup|ya|ok|okay|"
    r"(?:have a )?(?:nice|good|great|lovely) (?:day|evening|weekend)|god bless(?: you)?|cheers|regards|best wishes|"
    r"proceed|can)(?![a-z])"
)
# Requests for action beside a confirmation (hurry, pay out today, raise it) are for staff.
REQUEST = zh_any(
    r"尽快|快点|快些|加急|赶紧|赶快|急用|急需|着急|很急|急急|好急|(?:^|[\s,，。!！])急(?:[\s,，。!！啊呀]|$)|催|今天就|明天就|马上|立刻|立即|早点|早些|快一点|"
    r"能不能(?:今天|明天|早)|(?:能|可以)(?:今天|明天)(?:到账|放款|下款)|"
    r"(?:提高|提|增加|加)(?:到|额度)|再长|长一?点|长些|延长|"
    # a date the money is wanted by ("周五前", "月底之前", "15号以前", "过年前"): a deadline is a request
    r"(?:周|星期|礼拜)[一二三四五六日天末](?:之|以)?前|(?:月底|月初|年底|下周|下个?月|[0-9]+号|过年|春节|节)(?:之|以)?前",
    r"(?<![a-z])(?:hurry|urgent\w*|asap|quickly|as soon as|fast|raise|rush|expedite|speed up|today)(?![a-z])|"
    r"(?<![a-z])(?:by|before|until) (?:(?:this|next) )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"(?<![a-z])(?:by|before) (?:tomorrow|tonight|tmr|tmrw|next week|the weekend|(?:the )?end of|the [0-9]+|"
    r"[0-9]+(?:st|nd|rd|th))",
)
# A hedge after a value ("一年吧", "30000 i think"): at the prompt that asked for it the value still stands.
TRAILING_HEDGE = re.compile(r"(?:吧|吧我觉得|应该|我觉得|i think|probably|maybe)[\s。.!！~]*$")
NUMBER_WORD = re.compile(
    r"(?<![a-z])(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundred|thousand|million|half)(?![a-z])"
)
# "yes, but who are you?": asking who we are beside a confirmation is doubt about us, for staff.
WHO_ARE_YOU = zh_any(
    r"你们?是谁|你们?是哪(?:里|个|家|位)|哪位|谁发的",
    r"(?<![a-z])(?:who (?:are|r) (?:you|u)|who is this|who'?s this)(?![a-z])",
)
CONDITION = zh_any(r"如果|假如|要是|只要|前提是|的话", r"(?<![a-z])(?:if|unless|provided|as long as)(?![a-z])")
# Purely procedural questions besides the help vocabulary: will I be told, do I need to come in.
PROCEDURAL = zh_any(
    r"(?:会|能)(?:短信)?(?:通知|告诉|告知)|需要我|要我去|还(?:需要|要)(?:做|准备|去|带)|去银行|到银行|打95|95xxx|"
    r"(?:要不要|需不需要|用不用|需要|要)(?:我)?(?:去|到|带|准备|办|签)|网点|营业厅|柜台|办手续|面签|签合同|签字",
    r"(?<![a-z])(?:will (?:you|i) (?:text|tell|notify|let|be|get|hear)|do i need|"
    r"need to (?:do|bring|go|come))(?![a-z])",
)

# "其他都对", "the rest is fine": every field but one is right. With a field named, that one is disputed
# (corrections); with none named, it is no confirmation: which one is wrong is not said (confirmation).
REST_IS_RIGHT = re.compile(
    r"(?:其他|其它|别的|其余|剩下的?)(?:的|信息|资料)?(?:都|全|也|均)?(?:对|没问题|没错|正确|无误|ok|okay)(?:的|了)?|"
    r"(?<![a-z])(?:the rest|(?:all )?(?:the )?others?|everything else)(?: (?:is|are|looks?))? "
    r"(?:fine|correct|right|ok|okay|good)(?![a-z])",
    re.IGNORECASE,
)

# --- help and opt-in ---
HELP_ONLY = re.compile(
    r"(?:回复?|按)?[12一二]?(?:是|代表|表示|指)?(?:什么|啥)意思|为什么(?:要)?(?:回复?|回|按)[12一二]|"
    # any menu number asked about ("5是什么" at the field menu): a question, not a choice
    r"[1-5一二三四五](?:(?:会|是|代表|表示|指)(?:怎样|怎么样|什么|啥|干嘛)|会怎样|会怎么样)|"
    r"(?:怎么|如何|怎样|咋)(?:更正|修改|改|确认|回复|操作|退订)|"
    r"how (?:do|can|should) i (?:correct|change|confirm|reply)|how to (?:correct|change|confirm|reply)|"
    r"(?:什么|啥|咩)(?:区别|分别)|区别是|看不懂|不明白|不懂|没看懂|没看明白|没看清楚|看不明白|没明白|不理解|点解|点样|"
    r"what (?:does|do) (?:1|2|one|two|it|this|that|reply|replying)[a-z0-9 ]*mean|what do you mean|"
    r"what (?:does|do|will|would) (?:reply(?:ing)? |sending |texting )?(?:1|2|one|two)[a-z ]*do|"
    r"what happens if i (?:reply|send|text|choose)|"
    r"what is this about|"
    r"(?:回复?|按)[12一二](?:就行|就可以|就好)了?(?:吗|么|\?)|"
    r"[12一二] ?(?:是|就是|代表|表示)[^，。,.!?！？]{0,6}的意思|"
    # a question about the prompt itself: what an item covers, how to write the answer, what comes after
    r"(?:是)?指(?:的是)?(?:什么|啥|哪些|哪个)|包括(?:什么|哪些|啥)|(?:要|得|需要)?(?:写|填)(?:得)?多(?:详细|具体|细|长|少字)|"
    r"(?:怎么|如何|咋)(?:写|填)|(?:回复?|按)?[12一二](?:之后|以后|然后|后)(?:呢|怎么办|会怎样|干嘛|要干嘛|还要)|"
    r"(?<![已我])(?:回复?|发|按)[12一二](?:之后|以后|后)|"
    # the digit named in a question about it ("what happens if I reply 1", "do I just send 1"): not sent
    r"what happens (?:if|after|when|once) i (?:reply|send|text|choose|press|answer|confirm|correct)|"
    r"(?:if|after|when|once) i (?:reply|send|text|press|answer) (?:with )?(?:1|2|one|two)|"
    # confirming as the subject of a question ("what do I do after I confirm?"): named, not done
    r"(?:after|once|when|if|before) i (?:confirm|have confirmed|correct)[a-z ]{0,30}\?|"
    r"(?:what|how|when)[a-z ]{0,30}(?:after|once|when|if|before) (?:i |you )?(?:confirm|confirming)|"
    r"(?:do|should|can|shall) i (?:just |only |simply )?(?:reply|send|text|press|answer) (?:with )?(?:1|2|one|two)|"
    r"what(?:'?s| is| does) (?:reply(?:ing)? |option |number |no\.? )?"
    r"(?:[1-5]|one|two|three|four|five)(?: for| do| mean)?(?![a-z0-9])|"
    r"(?:reply |press )?(?:1|2) (?:is )?for what|(?:1|2|one|two) means? (?:yes|no|what|confirm|correct)|"
    r"(?:send|reply|text|press) (?:1|2|one|two) to (?:confirm|correct)[a-z ]*\?"
)
HELP = zh_any(
    r"^[?？]+$|^(?:huh|eh|what|ha+|hah|咩|啥|什么|乜|嗯)[?？]+$|帮助|^help|(?<![a-z])(?:help|info)(?![a-z])|^说明$|怎么(?:回复|回|办|弄|操作|确认|选)|点拣|点样拣|什么意思|什么东西|这是什么|你是谁|你们是谁|边个|"
    r"哪(?:个|家)(?:银行|公司|机构)|乜嘢|咩嚟|咩[黎来]|系(?:咩|乜)|咩事|咩意思|乜意思|干嘛的|干什么的|谁发的|哪里发的|从哪|客服电话|热线|电话多少|多久|多长时间|几天|什么时候|啥时候|何时|进度|"
    r"审核|放款|到账|下款|结果|下一步|接下来|流程|需要(?:做|准备|提供)?什么|要(?:做|准备)?什么|要我(?:做|准备|提供|干)什么|材料|怎么查|查询|确认什么|为什么",
    r"(?<![a-z])(?:who (?:is|are) (?:this|you)|(?:what|wat|wot|wht) (?:is|r|are|s) (?:this|dis|tis|that|dat)|"
    r"how long|when will|when do|when can|what happens|"
    r"what next|what'?s next|what now|then what|"
    r"next step|status|format|example|how do i|what should i|what do i|approv\w*|process|explain|how (?:many|soon)|"
    r"hear back|"
    r"decision|disburse\w*|(?:get|receive) the (?:money|loan|funds))(?![a-z])",
)
OPT_IN = zh_any(
    r"恢复接收|重新订阅|恢复订阅|恢复(?:发送|短信|通知)|继续(?:发送|接收)|重新接收|开通短信",
    r"^(?:start|unstop|resume|subscribe|yes start)(?: again| please| pls| sms| texts)?[!.。！]*$|"
    r"^(?:start|unstop)(?![a-z])[^a-z]*$",
)
ACKNOWLEDGEMENT = re.compile(
    r"^(?:好|好的|好滴|好嘞|行|收到|嗯+|恩+|哦+|可以|同意|ok|okay|k|sure|thanks|thank you|thx|"
    r"知道了|明白|了解|谢谢)"
)
PING = re.compile(r"^(?:在吗|在不在|有人吗|hello|hi|喂)[?？]*$")
# Phrases that contain a negation but say the details are fine (or are mere politeness).
NEGATION_SAFE = re.compile(
    rf"{_one_typo('没错')}|{_one_typo('没问题')}|{_one_typo('无误')}|"
    r"没有错|没(?:有|什么|啥|有什么)问题|没毛病|(?:莫得|没得|冇得)问题|无异议|没有异议|无问题|不客气|不好意思|不过|不错|对不起|"
    r"不用谢|不谢|(?<![a-z])no (?:problems?|issues?|errors?|mistakes?|worries)(?![a-z])"
)
# Negations and deferrals ("明天再说", "先等等"): the applicant has not said the details are right yet.
NEGATION = re.compile(
    r"[不没未别勿莫]|唔(?!该)|再(?!见|次|会)|无法|暂时|稍后|回头|晚点|晚些|与否|是否|明天|后天|改天|以后|过几天|"
    r"先(?!生)|等(?![额于同级])"
)
# English negations, deferrals ("wait", "tmr") and requests to confirm ("pls confirm"): no statement yet.
NEGATION_EN = re.compile(
    r"(?<![a-z])(?:not|don'?t|dont|cannot|can'?t|won'?t|never|no|or not|wait|hold on|hang on|later|tmrw?|tomorrow|"
    r"nvm|never ?mind|let me|unsure|idk|dunno)(?![a-z])"
)
# "yes", "是的", "ok yes": answers to a yes/no question, which the field menu and value prompts are not.
# A lone confirm word (确认, correct) is no statement about the details there either.
BARE_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|ya|是的?|对的?|系|嗯|好|ok|确[认定]|正确|没错|无误|confirm(?:ed)?|correct|right)+$"
)
