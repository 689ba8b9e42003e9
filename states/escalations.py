"""Replies that win over every other reading (policy items 3 and 10 to 12, "Opt-out and consent").

In the policy's order: opt-out, abuse or fraud report, wrong person, human. Each is a pair of patterns, one
for the compact Chinese form and one for the spaced English form of a reply.
"""

from __future__ import annotations

from states import optout
from states.intents import Intent
from states.lexicon import en_words, zh_any
from states.normalise import normalise_both
from states.reply import PRIVATE_NUMBER, Reply

# --- abuse or fraud report ---
ABUSE_ZH = zh_any(
    r"骗子|诈骗|骗人|骗钱|呃人|呃钱|老千|骗局|是骗|行骗|假冒|冒充|冒名|钓鱼|报警|举报|垃圾短信|是假的|假的吧|真的假的|是不是真的|是真的吗|系咪真|真唔真|系唔系真",
    r"(?:有人|对方|一个人|陌生人).{0,12}(?:自称|说是|冒充|假装)|加(?:我)?(?:微信|qq|好友)|下载.{0,4}(?:app|软件|应用)|正规[^,，。]{0,4}吗|靠谱吗|合法[^,，。]{0,4}吗|是不是正规|链接|网址|点开|打不开|二维码|下载app",
    r"(?:有人|对方|他们|你们的人|客服|自称|一个人|陌生人|电话|来电|短信|中介|业务员|经理)[^。.!?]{0,12}"
    r"(?:让我|要我|叫我|问我要|找我要|向我要|要求我?|说要)[^。.!?]{0,8}"
    r"(?:验证码|密码|转账|汇款|打钱|交钱|付钱|手续费|保证金|押金|卡号|费用|钱|(?:交|转|付|汇|打)[^。.!?]{0,3}[0-9]+)",
    # what the loan scams ask money for: unfreezing the loan, "bank statement" padding, verifying funds
    r"解冻|刷流水|流水费|激活(?:额度|账户|账号)|验资|做流水",
    r"(?:有人|有个人|有一个人|有个?[男女]的?|一个人|某人|陌生人|对方|客服|他们|你们的人|来电|电话|中介|业务员)[^。.!?]{0,10}(?:说|让|要|叫|问)[^。.!?]{0,10}"
    r"(?:验证码|密码|转账|汇款|打钱|交钱|付钱|手续费|服务费|保证金|押金|卡号|费用|"
    r"(?:交|转|付|汇|打)[^。.!?]{0,6}(?:块|元|钱)|pay|fee|deposit|otp|code)|(?:是|是不是)真的银行|是不是你们(?:银行)?发的|你个头|"
    r"是(?:不是)?你们(?:银行)?的(?:人|员工|客服)|是你们(?:银行)?发的吗|"
    # Our texts never say 立案 (DOMAIN.md, scam-proof wording): a text that did was not ours.
    r"立案",
    r"脑残|吸血鬼|人渣|败类|屌|仆街|收皮|扑街|冚家铲|痴线|黐线|戆鸠|戇鸠|on9|个屁|放屁|傻[逼比bx叉]|煞笔|他妈的|(?<![我你他她爸])妈的|你妈(?!妈)|去你的|去死|神经病|混蛋|王八|滚(?![动烫筒轮雪珠])|操你|草泥马|尼玛|废物|垃圾|狗东西|有病",
)
ABUSE_EN = en_words(
    r"scam(?:mer)?s?",
    r"(?:agent|someone|somebody|a man|a woman|they|he|she|caller|broker)[a-z ]{0,30} "
    r"(?:asking|asked|ask|wants?|demand\w*)"
    r"[a-z ]{0,12} (?:for )?(?:a |an |the |my )?(?:fee|deposit|payment|money|transfer|code|otp|password)",
    r"fraud",
    r"fake",
    r"phishing",
    r"spam(?:mer)?",
    r"legit",
    r"prank",
    r"is this real",
    r"for real",
    r"real or (?:not|fake)",
    r"is (?:this|it|that) (?:genuine|official|true)",
    r"the link",
    r"a link",
    r"link",
    r"url",
    r"f+u+c+k\w*",
    r"shit",
    r"scum\w*",
    r"crooks?",
    r"bloodsuckers?",
    r"idiots?",
    r"morons?",
    r"stupid",
    r"bastards?",
    r"wtf",
    r"sb",
    r"tmd",
    r"nmsl",
    r"screw you",
    r"(?:someone|somebody|they|he|she|man|woman|guy|lady|person|caller|call|text|message|sms|msg|your staff|"
    r"agent)[a-z ']{0,30}(?:ask\w*|wants?|wanted|told|called|said|says|demand\w*|request\w*)[a-z ']{0,30}"
    r"(?:code|otp|tac|pin|password|fee|deposit|pay|transfer|money)",
    r"f[*#]+k?|f\*+ off|piss off|get lost",
    r"(?:pretend\w*|claim\w*|posing) (?:to be|as) (?:from )?(?:you|your|the bank|a bank)|impersonat\w*",
)

# --- wrong person ---
WRONG_PERSON_ZH = zh_any(
    r"不是我(?!(?:的|要的|申请的|填的|写的)?(?:名字|姓名|金额|额度|期限|用途|数|钱))|我(?:不是|唔系)(?:本人|他|她|申请人|你们?要找|[张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤欧])|不是本人|非本人|唔系我|毋是我|毋捌|我没(?:有)?(?:申请|贷|借|办)|没(?:有)?申请过|从来没(?:有)?(?:申请|借|贷)",
    r"(?:从未|从没有?|未曾|并未|并没有?|根本没有?|压根没有?|本人没有?|本人未|我未)(?:申请|借|贷|办)|没借过|没贷过|我没借|不是我的|^(?:你们?)?打错了?|打错(?:电话|号码|人)|发错(?:人|号码|了)|你们?发错|找错人|搵错人|不认识|唔识(?!睇|写|字|讲|用|打|听|做|点|拣|操作|回)|不知道(?:这个人|是谁|谁是)|"
    r"不知道(?:这|那)?(?:是)?谁的(?:贷款|申请|钱)|我?(?:并)?不知道(?:这|此|有这)(?:个|件|笔)?(?:事|贷款|申请)|没(?:有)?去过你们|不是你们(?:的)?(?:客户|用户)|[\u3400-\u9fff][*＊]+是谁",
    r"我不叫|我?不姓|(?:号码|号|手机)(?:已经)?(?:换人|换主人|转让|给别人)|(?:号|号码|手机号?|卡).{0,4}(?:刚买|刚办|新买|新办|新换|刚换)|没(?:有)?(?:在|向|跟|找).{0,8}(?:申请|借|贷|办)|我(?:都|从来|根本|压根|也)没(?:有)?(?:申请|贷|借|办)|号码(?:是|换)新|新号码|号码是我新|新办的号|刚办的号|新换的号|号码是新的|这个号码(?:不是|换)|搞错人|认错人",
)
WRONG_PERSON_EN = en_words(
    r"wrong (?:number|no|num|nbr|#|person|guy|girl|man|woman)",
    r"not me",
    r"(?:this|that|it) (?:isn'?t|is not|'?s not) me",
    r"(?:didn'?t|did not|never) (?:apply|applied|borrow)",
    r"(?:i'?m|i am) not (?:the applicant|him|her|this person|that person|mr|mrs|ms|miss|[a-z]+ [a-z]+$)",
    # "I am not Zhang": a name denied; a state ("not sure", "not home") is no denial
    r"(?:i'?m|i am) not (?!sure|certain|ready|able|interested|happy|satisfied|aware|asking|applying|going|home|"
    r"available|free|done|good|ok|okay|fine|clear|convinced|worried|scared|afraid|kidding|joking|yet|now|here)"
    r"[a-z]+$",
    r"this is not (?:my|me)",
    r"(?:this|that|it)(?: is|'s) not "
    r"(?!correct|right|true|accurate|ok|okay|what|the (?:amount|term|right))[a-z]+",
    r"(?<![a-z] )who is (?!this|it|that|the applicant)[a-z]+",  # "who is Zhang?", not "my mother who is"
    r"(?:don'?t|do not) know (?!how|what|when|why|if|whether|where|about|yet)[a-z]+",
    r"not my (?:loan|application)",
    r"no (?:idea|clue) who(?! to )|never heard of (?:him|her|them|this person|that person|[a-z]+ [a-z]+$)",
    r"(?:this|my) (?:number|no|phone number|sim) is new|(?:just )?(?:got|bought) this (?:number|sim|line)",
)

# --- human: staff needed ---
HUMAN_ZH = zh_any(
    r"人工|[搵揾]人|[同跟]人倾|不识字|不会打字|领导|负责人|主管|上级|客服(?!电话|热线|让我回|叫我回)|真人|中介|代办|退款|退贷|工本费|(?:跟|和|找)(?:真)?人(?:说|聊|谈)|经理|工作人员|业务员|客户经理|信贷员",
    r"(?:能|可以|可不可以|能不能|请|麻烦)(?:你们?)?(?:给我)?打(?:个)?电话|电话(?:里)?(?:说|聊|讲|沟通)|(?:给|跟|帮)我打(?:个)?电话|打(?:个)?电话给我|回电|回个电话|打[俾畀]我|call我|打我电话|打给我|回我电话|致电我|电话联系|联系我",
    r"投诉|举报你们|打不通|占线|效率(?:太|很|真|好)?(?:低|差|慢)|没人接|联系不上|差评|太慢|怎么还没|这么(?:久|慢)|那么(?:久|慢)|搞什么|到现在(?:都|还)?没|等了(?:很久|好久|半天|[0-9一二两三四五六七八九十几]+[天周个])|态度|太差|很差|服务差|差劲|不满意",
    r"我的(?:个人)?(?:信息|资料).{0,6}(?:给|用|泄露|卖|安全|干什么)|(?:给|卖给)别人|(?:怎么|为什么|哪里|从哪)(?:会)?(?:有|知道|拿到|弄到|搞到)我(?:的|(?:号码|电话|手机|资料|信息|名字))|(?:用|拿)我的?(?:个人)?(?:信息|资料|数据|号码)|(?:不要|别|请勿|不准|不许)(?:保存|保留|记录|存|收集)|泄露|泄漏|外泄|保密|删除|删掉|删(?:了|去|光)?(?:我的|我)?(?:个人)?(?:信息|资料|数据|记录)|隐私|个人信息(?:怎么|如何|会不会|给谁|用)|信息(?:泄露|安全)|注销|销户",
    rf"(?:不要|别|不准|不许|勿)(?:让|给)?(?:通知|告诉|联系|打给|发给|找)(?:我的?)?{optout.THIRD_PARTY}",
    r"不想(?:贷|借|要|申请)|不贷了|不借了|不要贷|不(?:需要|要|用)(?:这笔|这个)?(?:贷款|借款|钱)|不需要了|不用了|不要了|算了|"
    # pressed for the money, or asking to deal with it later ("快点批啊，等着用钱", "下个月再处理"): staff
    r"快点(?:批|放|办|审|下款|到账)|(?:赶紧|赶快)(?:批|放|办|审)|等着用钱|"
    r"(?:下个?月|下周|过几天|改天|回来)再(?:处理|办|弄)|(?:推迟|延后)(?:处理|办)|"
    r"撤销|撤回|撤单|撤了|撤掉|不办了|唔借|唔贷|唔要(?:贷款|笔钱|啦|喇)|取消|额度.{0,2}(?:太|有点|偏)(?:低|少)|抵押|担保",
    r"(?:我是|我系)(?:他|她|佢|申请人)的?|(?:他|她)(?:是我|系我)|(?:替|帮|代)(?:他|她|我)(?:家人|老公|老婆|爸|妈|儿子|女儿)?(?:回复|申请|办)"
    r"|(?:孙子|孙女|儿子|女儿|老公|老婆|家人|亲戚|媳妇|女婿|侄子|外甥)(?:帮|替|代)(?:我|他|她)?(?:回|申请|办)"
    r"|(?<![问跟和同等])(?<!问下)(?<!问一下)我(?:老公|老婆|丈夫|妻子|爸|妈|儿子|女儿|爱人|媳妇|家人|哥|姐|弟|妹|爷爷|奶奶)",
    r"密码|验证码|卡号|cvv|手续费|服务费|保证金|押金|利息|利率|费用|收费|收钱|要钱|交钱|付钱|给钱|出钱|付款|先付|[交付缴].{0,4}钱|转账|汇款|打款给|先交|年化|担保费|会员费",
    r"额度.{0,3}(?:提高|提|增加|加|多|高)|(?:能|可以|可不可以|能不能|想)(?:再)?多?(?:借|贷)(?!款|的)|(?:能不能|可不可以|能否)(?:再)?多?批|多贷|多借|多批|贷多|(?:能不能|可不可以|能否|可以|想|能)分.{0,3}期|晚.{0,3}还|迟.{0,3}还|推迟还|提高额度|提额|增加额度|额度(?:能|可以)?(?:高|多|再)|加额度|延期|晚点还|宽限|推迟|延长|缓|"
    r"多(?:给|宽限)(?:我)?(?:点|些|一点|一些|几天)?时间|多(?:点|些|一点|一些|几天)时间|"
    r"(?:提高|增加|涨)到|提高(?:金额|额度|一点|点)|(?:再|能不能|可不可以)(?:多|长)一?点",
    r"身份证|证件号|手机号|电话号码|号码(?:错|不对|改)|换号",
    r"(?:全部|所有|都|全)(?:信息|资料)?(?:都)?(?:不对|错|有误|要改)|全错",  # every field disputed at once
)
HUMAN_EN = en_words(
    r"agent",
    r"(?:i'?ll|i will|i can|i want to|can i|i'?d like to) (?:stop|come|go|drop|pop) (?:by|in|to|into|over to) "
    r"(?:the |your |a )?(?:branch|bank|office)",
    r"(?:can|could) (?:someone|somebody|anyone) help",
    r"(?:my )?(?:friend|son|daughter|husband|wife|brother|sister|mother|father|mom|mum|dad|broker|relative|cousin|"
    r"colleague|boss) (?:applied|replied|filled|submitted|did it|is replying|told me|asked me)",
    r"human",
    r"real person",
    r"a person",
    r"representative",
    r"operator",
    r"staff",
    r"call me",
    r"(?:pls|please|plz) call",
    r"customer (?:service|care|support)(?! (?:number|no|hotline|line))",
    r"(?<!school )(?<!tuition )(?<!medical )(?<!hospital )(?<!college )(?<!course )(?<!exam )(?<!legal )fees?",
    r"call (?:back|please|pls)",
    r"give me a call",
    r"phone me",
    r"ring me",
    r"speak (?:to|with)",
    r"officer",
    r"talk to",
    r"complain(?:t|ts)?",
    r"manager",
    r"delete",
    r"privacy",
    r"my (?:data|info|information|personal|details)(?! (?:is|are|was|were|all|look|looks) (?:all )?(?:correct|right|"
    r"accurate|fine|ok|okay|good|true))",
    r"(?:data|info|information|details|privacy)[a-z ']{0,15}"
    r"(?:safe|secure|protected|shared?|sold|sell|leak\w*|used? for)",
    r"(?:why|what) [a-z ']{0,15}need my",
    r"(?:zhuan ?)?ren ?gong",
    r"(?:how|where|why|who)[a-z ']{0,20}(?:get|got|gave|give|have|find|found)[a-z ']{0,10}my (?:number|no|contact)",
    r"(?:don'?t|dont|dun|dn|do not|no|not|never) (?:want|need|wan|wanna)[a-z ]{0,12}(?:loan|money|apply|application)",
    r"extend",
    r"guarantor",
    r"collateral",
    r"(?:no one|nobody) (?:answers|picks up)",
    r"(?:too|so|very) slow",
    r"can i (?:get|have|borrow) (?:[0-9]|more|a (?:bigger|larger|higher))",
    r"can'?t get through",
    r"longer (?:term|time|period)",
    r"withdraw",
    r"not interested",
    r"no longer (?:need|want)",
    optout.CANCEL_LOAN.pattern,  # a withdrawal, the one spelling of it the opt-out reading also sets aside
    r"don'?t (?:want|need) (?:the|this|a)? ?loan",
    r"(?:any|a|the|what|how much|pay|paying|charge|processing|service|admin|upfront|hidden) fees?",
    r"fees?\?",
    r"^fees?$",
    r"deposit",
    r"interest",
    r"charges?",
    r"transfer",
    r"pay (?:first|upfront|anything|money)",
    r"more money",
    r"(?:bigger|larger|higher|more) (?:loan|amount)",
    r"borrow more",
    r"(?:pay|paying|repay)(?: it)?(?: back)? later",
    r"postpone",
    r"defer",
    r"more time",
    r"extension",
    r"increase",
    r"(?<!ask )(?<!with )(?<!tell )my (?:wife|husband|son|daughter|mother|father|mom|dad|mum|brother|sister)",
    r"on behalf",
    r"(?:all|everything)(?: of it| of them)?(?: is| are)? wrong",
    r"(?:i'?m|i am|this is) (?:his|her|the applicant'?s) "
    r"(?:wife|husband|son|daughter|mother|father|mom|dad|mum|brother|sister|relative|family)",
    r"(?:id|ic|phone|mobile) (?:number|card|no)",
    r"nric",
    r"passport",
    r"identity card",
)


def read_long_reply(text: str) -> Intent:
    """A reply too long to be an answer: opt-out (or resume) when it says so, otherwise staff read it."""
    compact, spaced = normalise_both(text)
    return _read_consent(compact, spaced) or Intent.HUMAN


def _read_consent(compact: str, spaced: str) -> Intent | None:
    if optout.MEANING_QUESTION.search(spaced):
        # "回T是退订的意思吗": a keyword asked about is not sent; whatever else the reply says still counts
        spaced = optout.without_meaning_questions(spaced)
        compact = spaced.replace(" ", "")
    if optout.is_resume(compact, spaced):
        # an earlier opt-out told in the past is part of the request; a stop and a resume together: a person
        stop_now = optout.is_opt_out(compact, spaced) and not optout.is_past_opt_out(compact, spaced)
        return Intent.HUMAN if stop_now else Intent.OPT_IN
    if optout.is_opt_out(compact, spaced):
        return Intent.OPT_OUT
    return None


def read_escalation(reply: Reply) -> Intent | None:
    """The intent that wins over everything else, in the policy's order, or None."""
    compact, spaced = reply.compact, reply.spaced
    consent = _read_consent(compact, spaced)
    if consent is not None:
        return consent
    if optout.is_channel_preference(compact, spaced):
        return Intent.HUMAN  # "don't call, texting is fine": staff note how to reach the applicant
    if reply.search(ABUSE_ZH, ABUSE_EN):
        return Intent.ABUSE_OR_FRAUD_REPORT
    if reply.search(WRONG_PERSON_ZH, WRONG_PERSON_EN):
        return Intent.WRONG_PERSON
    if reply.search(HUMAN_ZH, HUMAN_EN) or PRIVATE_NUMBER.search(reply.compact):
        return Intent.HUMAN  # phone and ID numbers are corrected by staff only, never over SMS
    return None
