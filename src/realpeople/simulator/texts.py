"""Text generation for the simulated world, vectorised.

Every text is a concatenation of fragments picked at random from small lists;
the picking is numpy, the concatenation is one pyarrow kernel call, so no
Python code runs per event.  Styles:

* ``human``     casual, short, varied: slang, emoji, occasional typos
* ``assisted``  polished, long, structured posts (headers, numbered lists, hashtags)
* ``naive``     a small shared template pool with slot fills: near-copies across accounts
* ``stealth``   paraphrases of one shared script: same pieces, shuffled order
* ``farm_life`` an account farm cultivating followers: tidy lifestyle posts, every one
                built on the same frame (topic, detail, upbeat close, hashtags)
* ``farm_ad``   the same farm (or a bought account) once it sells: ads and paid courses
* ``impostor``  a scripted persona abroad: friendly, complete sentences, the same lines
                across the operator's accounts
* ``human_en`` / ``impostor_en``  the English register of people and of impostors
* ring scripts (:func:`ring_script`, :func:`paraphrase`): a stealth ring's texts are drawn
  from the pools people write from, in several registers, so each one reads like a
  person's; what gives the ring away is that its members reuse the same few texts,
  lightly paraphrased, over and over (locally fluent, globally repetitive)

Machine text differs from people's as it does in life: more uniform in length and form,
fully punctuated, without typos or slang slips; there is no marker word that gives it away.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EMPTY = ""

# ---------------------------------------------------------------- fragments
EMOJI = [
    "😂",
    "🤣",
    "😭",
    "😍",
    "🥰",
    "👍",
    "🙏",
    "✨",
    "🔥",
    "💕",
    "🤔",
    "😅",
    "😋",
    "🥲",
    "😎",
    "🌸",
    "🍜",
    "☕",
    "🐱",
    "🌧️",
    "😴",
    "🙈",
    "💪",
    "👀",
    "🫠",
    EMPTY,
    EMPTY,
    EMPTY,
    EMPTY,
]
EMOJI2 = [EMPTY] * 6 + [
    "😂😂",
    "😭😭😭",
    "🥰🥰",
    "👍👍",
    "哈哈",
    "hhh",
    "！！",
    "～",
    "。。。",
    "?",
]

H_OPEN = [
    "今天",
    "昨天",
    "周末",
    "下班后",
    "早上",
    "刚刚",
    "终于",
    "家人们",
    "姐妹们",
    "救命",
    "集美们",
    "说真的",
    "谁懂啊",
    "好家伙",
    "啊啊啊",
    "emmm",
    "记录一下",
    "随手拍",
    "偷偷说",
    "又是",
    EMPTY,
    EMPTY,
    EMPTY,
    "今天又",
    "周五",
    "假期第一天",
    "加班到现在",
    "刚下地铁",
    "在家",
]
H_SUBJ = [
    "去吃了那家火锅",
    "做了个蛋糕",
    "去公园溜达",
    "买的裙子到了",
    "试了新的眼影",
    "带猫去打疫苗",
    "跑了五公里",
    "看了场电影",
    "学做红烧肉",
    "换了个发型",
    "去爬山",
    "逛了宜家",
    "喝到一杯好喝的奶茶",
    "被老板骂了",
    "考试终于考完",
    "拆快递",
    "收拾房间",
    "约了闺蜜",
    "去看海",
    "追完这部剧",
    "吃了螺蛳粉",
    "去了趟超市",
    "练了一小时琴",
    "带娃去游乐场",
    "给狗狗洗澡",
    "挤地铁",
    "拍了日落",
    "去了家咖啡店",
    "做了个蛋高",
    "去公圆溜达",
    "吃了个火guo",
    "终于考玩试",
    "煮了个面",
    "做了手帐",
    "种的花开了",
    "去了漫展",
    "第一次滑雪",
    "搬家累死",
    "学了新的菜",
    "去了博物馆",
    "钓鱼空军",
    "给自己放假",
    "去了夜市",
    "换了新手机",
]
H_FEEL = [
    "，真的绝了",
    "，yyds",
    "，绝绝子",
    "，笑死我了",
    "，破防了",
    "，太香了",
    "，累成狗",
    "，开心",
    "，一般般吧",
    "，踩雷了",
    "，栓Q",
    "，不愧是我",
    "，有点小贵",
    "，下次还来",
    "，无语子",
    "，心情变好了",
    "，值了",
    "，好喜欢",
    "，emo了",
    "，谁能懂",
    "，好想再去一次",
    "，真滴好吃",
    "，在也不去了",
    "，已经在计划下次",
    "，我哭死",
    "，好耶",
    "，麻了",
    EMPTY,
    EMPTY,
]
H_TAIL = [EMPTY] * 8 + [
    "，大家有推荐的吗",
    "，有没有一起的",
    "，记得点赞哈",
    "，冲",
    "，求推荐",
    "，明天继续",
    "，晚安",
    "，你们觉得呢",
    "，下次带你们",
]
H_COMMENT = [
    "哈哈哈哈",
    "笑死",
    "好看",
    "太好看了",
    "求链接",
    "在哪买的",
    "姐妹冲",
    "同款！",
    "羡慕",
    "好想吃",
    "这个颜色绝了",
    "我也是",
    "真的假的",
    "学到了",
    "蹲一个后续",
    "已收藏",
    "好可爱",
    "哇",
    "顶",
    "看饿了",
    "这也太绝了吧",
    "爱了爱了",
    "同城吗",
    "多少钱呀",
    "我也想去",
    "还有吗",
    "宝子好会拍",
    "码住",
    "绝了",
    "太真实了",
    "哈哈哈我也",
    "救命好像我",
    "这个好用吗",
    "第一",
    "好看看看",
    "我的天呐呐",
    "在哪里买得",
    "xswl",
    "awsl",
    "nsdd",
    "路过",
    "好喜欢这个风格",
    "再来点",
    "好治愈",
    "冲冲冲",
    "懂了",
]
H_DM = [
    "在吗",
    "好的好的",
    "哈哈是的",
    "明天见～",
    "收到",
    "嗯嗯",
    "ok",
    "好滴",
    "你到了没",
    "等我一下",
    "晚上一起吃饭不",
    "链接发我下",
    "我看看",
    "哈哈哈哈哈",
    "没问题",
    "谢谢呀",
    "改天约",
    "刚看到",
    "在忙，晚点回你",
    "好呀",
    "几点",
    "行",
    "辛苦啦",
    "你也是",
    "不是吧",
    "我还在路上",
    "哪家店",
    "发我看看",
    "好嘞",
    "晚安",
    "再吗",
    "好得",
    "等下再说把",
    "hhh行",
]
H_GROUP = [
    "有人在吗",
    "今晚谁组队",
    "哈哈哈哈哈哈",
    "收到",
    "+1",
    "我也要",
    "明天几点集合",
    "群主好",
    "大家晚上好",
    "有人去吗",
    "刚到家",
    "谁有链接",
    "报名",
    "在的",
    "我来晚了",
    "早",
    "这个可以",
    "冲",
    "哈哈哈这也行",
    "笑不活了",
    "谁点外卖",
    "我请客",
    "下周见",
    "红包呢",
    "拼单吗",
]

A_HEAD = ["✨", "🌟", "📌", "💡", "🔥", "🌿", "📚", "🎯", "💎", "🌈"]
A_TITLE = [
    "超实用的早餐搭配指南",
    "新手护肤的五个关键步骤",
    "周末城市漫步路线推荐",
    "高效学习方法分享",
    "平价好物清单",
    "居家收纳小技巧",
    "通勤穿搭公式",
    "一人食快手菜合集",
    "备考经验总结",
    "咖啡入门全攻略",
    "露营装备清单",
    "减脂期饮食建议",
    "租房避坑指南",
    "读书笔记整理术",
    "拍照构图小技巧",
    "职场沟通的几个原则",
    "宠物猫新手养护要点",
    "周末两日游行程规划",
]
A_INTRO = [
    "最近很多朋友问我这个问题，今天整理了一份详细的经验，希望对大家有帮助。",
    "作为一个实践了很久的人，我总结了以下几个要点，建议收藏慢慢看。",
    "这篇笔记花了我一个周末整理，内容都是亲测有效的干货。",
    "分享一下我自己的心得，结构清晰，新手也能轻松上手。",
    "很多人在这件事上走过弯路，下面是我认为最重要的几点。",
    "今天把自己的经验系统地梳理了一遍，分成几个部分来讲。",
]
A_TIP = [
    "提前做好规划，明确目标和预算，可以避免很多不必要的浪费。",
    "选择适合自己的方法比盲目跟风更重要，循序渐进才能坚持。",
    "注意细节，比如时间安排和工具选择，会直接影响最终效果。",
    "保持记录的习惯，定期复盘，能更清楚地看到自己的进步。",
    "不要忽视基础，打好基础之后再尝试进阶内容会更加顺利。",
    "合理利用碎片时间，每天坚持一点点，长期积累效果显著。",
    "多参考不同的意见，但最终还是要结合自己的实际情况。",
    "投资一些性价比高的工具，可以大幅提升效率和体验。",
    "遇到问题及时调整方向，灵活应对比死守计划更有效。",
    "和志同道合的朋友一起进行，互相监督会更有动力。",
]
A_BULLET = [
    ("1️⃣ ", "2️⃣ ", "3️⃣ "),
    ("1. ", "2. ", "3. "),
    ("• ", "• ", "• "),
    ("✅ ", "✅ ", "✅ "),
    ("① ", "② ", "③ "),
]
A_SUM = [
    "总结一下：找到适合自己的节奏最重要。",
    "希望这份整理对你有帮助，有问题欢迎在评论区交流。",
    "以上就是全部内容啦，觉得有用记得点赞收藏～",
    "最后想说，坚持下去一定会看到变化。",
    "如果你也有好的经验，欢迎留言分享！",
]
A_TAGS = [
    "#生活方式 #干货分享",
    "#经验分享 #实用技巧",
    "#好物推荐 #生活记录",
    "#学习方法 #自我提升",
    "#旅行攻略 #周末去哪儿",
    "#美食教程 #一人食",
    "#护肤心得 #新手必看",
    "#收纳整理 #家居",
]

N_TEMPLATES = [
    "🔥{p}限时特惠！{b}，仅需{price}元！点击主页链接立即抢购👉",
    "【{p}】{b}，已经帮助上千人，私信我了解详情～",
    "今日推荐：{p}。{b}。原价{price2}，现价{price}！",
    "姐妹们！这款{p}真的{b}，链接在主页，先到先得🎁",
    "✨{p}✨ {b} ｜ 限量{price}份 ｜ 关注私信领取优惠券",
    "还在为选择发愁？{p}{b}，现在下单立减{price}元！",
    "分享一个宝藏{p}：{b}！评论区扣1送同款资料📩",
    "{p}好物分享｜{b}｜优惠价{price}元，主页有购买方式",
]
N_PRODUCTS = [
    "精华液",
    "面膜",
    "减肥茶",
    "理财课程",
    "英语网课",
    "蓝牙耳机",
    "护肝片",
    "副业教程",
    "瑜伽课",
    "代餐奶昔",
    "防晒霜",
    "AI写作课",
    "小众香水",
    "收纳盒",
    "投资训练营",
]
N_BENEFITS = [
    "效果立竿见影",
    "七天见效",
    "好评率99%",
    "明星同款",
    "零基础也能学会",
    "性价比超高",
    "回购无数次",
    "月入过万不是梦",
]
N_PRICES = ["9.9", "19.9", "29", "39", "49", "99", "199", "299"]
N_COMMENTS = [
    "写得太好了，已关注，互关一下～",
    "感谢分享！学到了👍",
    "私信我领取同款资料",
    "说得太对了，支持！",
    "好内容，已收藏⭐",
    "博主太用心了，关注了",
    "来了来了，互粉互赞",
    "这个真的很实用！",
    "想了解更多可以看我主页哦",
    "已赞，求回关🙏",
]
N_DMS = [
    "您好，感谢关注！点击主页链接领取福利🎁",
    "亲，需要了解产品详情吗？",
    "您好，我们正在做活动，现在下单有优惠哦",
    "感谢您的留言，请查看主页置顶获取资料",
    "您好，已收到您的消息，稍后为您详细解答",
    "亲亲，请问还有什么可以帮您？",
]
N_GROUPS = ["群内福利：扫码领取优惠券", "新人进群请看公告", "今日特价链接已更新，请查看主页"]

S_HOOK = [
    "最近发现一个小习惯",
    "这段时间一直在用一个方法",
    "想跟大家聊聊最近的改变",
    "分享个最近的小发现",
    "说个最近让我受益的事",
]
S_BODY = [
    "坚持了一个月，整个人状态好了很多",
    "用了一阵子，感觉生活轻松不少",
    "一个月下来，变化真的挺明显",
    "试了几周，效果比预想的好",
    "慢慢坚持下来，确实有不一样",
]
S_REC = [
    "推荐给和我一样忙的朋友",
    "适合想改变一下的姐妹",
    "忙碌的上班族可以试试",
    "有同样困扰的可以参考下",
    "感兴趣的朋友不妨一试",
]
S_ASK = [
    "你们有什么好方法吗？",
    "大家平时都怎么做的呢？",
    "有同款经历的吗？",
    "评论区聊聊呀",
    "你们觉得呢？",
]
S_EMO = ["🌿", "☀️", "🍃", "😊", "🌸"]
S_ORDERS = [(0, 1, 2, 3), (0, 2, 1, 3), (1, 0, 2, 3), (1, 2, 0, 3)]
S_COMMENTS_A = ["真的很有道理", "说得很实在", "这个思路不错", "认同这个观点", "很有启发"]
S_COMMENTS_B = ["，收藏了", "，学习了", "，谢谢分享", "，支持一下", "，马上试试"]
S_DMS = ["谢谢你的消息呀，", "收到啦，", "你好呀，", "感谢留言，", "哈喽，"]
S_DMS_B = [
    "有空我们细聊",
    "我看了下确实不错",
    "主页有更多分享哦",
    "后面我整理好发你",
    "有问题随时问我",
]

# English, as people write it: lower case, abbreviations, slips
HE_OPEN = [
    "today",
    "finally",
    "lol",
    "ok so",
    "just",
    "omg",
    "weekend vibes:",
    "ngl",
    "",
    "",
    "Sunday",
    "after work",
    "first time",
    "back home and",
]
HE_SUBJ = [
    " tried the new hotpot place",
    " made a cake",
    " went hiking",
    " got my package",
    " watched a movie",
    " cooked dinner for frens",
    " went to the beach",
    " hit the gym",
    " bought too many snacks",
    " took the cat to the vet",
    " got lost in the metro",
    " finally finished the show",
    " had the best milk tea",
    " went to a tiny cafe",
    " cleaned my room",
    " visited the museum",
    " studied all day",
    " ate way too much",
]
HE_FEEL = [
    "",
    " so good",
    " 10/10",
    " never again lol",
    " kinda pricey",
    " definately going back",
    " im dead",
    " cant wait to go again",
    " worth it",
    " meh",
    " love it",
    " tired af",
    " its so cute",
    " idk",
]
HE_TAIL = ["", "", "", "", " any recs?", " anyone else?", " haha", " !!", " ..", " :)"]
HE_COMMENT = [
    "lol",
    "so cute!!",
    "where is this?",
    "omg",
    "need this",
    "wow",
    "haha same",
    "looks yummy",
    "love this",
    "is it expensive?",
    "take me with u",
    "nice pic",
    "wait what",
    "same lol",
    "goals",
    "ahh i miss this place",
]
HE_DM = [
    "ok",
    "see u tmr",
    "haha yes",
    "omw",
    "thx!",
    "sure",
    "wanna grab food later?",
    "send me the link",
    "lol ok",
    "np",
    "sry just saw this",
    "where r u",
]
HE_GROUP = [
    "anyone free tonight?",
    "+1",
    "lol",
    "im in",
    "who's ordering food",
    "morning all",
    "running late sry",
    "link pls",
    "same",
    "see u guys",
]

# an account farm cultivating followers: every post on the same frame
F_TOPIC = [
    "今日份早餐打卡：",
    "周末的小确幸：",
    "分享一下今天的穿搭：",
    "记录一次城市散步：",
    "今天的晚餐：",
    "最近在读的一本书：",
    "家里新添的绿植：",
    "今日份咖啡：",
    "傍晚的江边：",
    "午后的甜品时光：",
]
F_DETAIL = [
    "燕麦牛奶配蓝莓，简单又营养。",
    "阳光正好，微风不燥。",
    "简约风格，舒适又百搭。",
    "走了一万步，风景很美。",
    "清淡的家常菜，吃得很满足。",
    "文字温柔，值得慢慢品味。",
    "绿意盎然，心情也跟着变好。",
    "香气浓郁，口感顺滑。",
    "晚霞很美，适合放空。",
    "甜而不腻，治愈一整天。",
]
F_CLOSE = [
    "愿大家都有美好的一天！",
    "生活需要一点仪式感。",
    "珍惜每一个平凡的日子。",
    "慢下来，感受生活。",
    "今天也要元气满满哦！",
]
F_TAGS = [" #生活记录 #日常分享", " #好好生活 #治愈系", " #生活美学 #记录生活", " #日常 #美好生活"]
F_EMO = ["☀️", "🌿", "✨", "🌸", "☕"]
# the same farm, or a bought account, once it sells
F_OFFER = ["【限时】", "📢 ", "🎁 ", "🔥 ", "💰 "]
F_PRODUCT = [
    "零基础副业训练营",
    "21天自律打卡课",
    "小红书运营实战课",
    "理财入门课",
    "AI绘画变现课",
    "英语口语陪练营",
    "私域引流教程",
    "抗衰精华套装",
    "轻断食代餐",
    "爆款文案模板合集",
]
F_CLAIM = [
    "已帮助超过一万名学员，",
    "名额有限，报满即止，",
    "三天就能看到效果，",
    "跟着做就能上手，",
    "今天报名立减一百元，",
]
F_CTA = [
    "私信“课程”获取详细介绍。",
    "点击主页链接即可报名。",
    "评论区留言“想要”，我发你资料。",
    "关注后私信领取试听名额。",
]
# impostors: a friendly persona abroad, the same script across the operator's accounts
I_HELLO = ["Good morning from ", "Hello from ", "Greetings from ", "Sunny day in "]
I_CITY = ["California", "London", "Sydney", "Toronto", "New York", "Seattle", "Melbourne", "Texas"]
I_DID = [
    "! Just finished my morning run. ",
    "! Enjoying a quiet coffee before work. ",
    "! Spent the afternoon at the beach. ",
    "! Cooked a healthy breakfast today. ",
]
I_MOTTO = [
    "Life is beautiful when you share it with someone special.",
    "Stay positive and keep smiling.",
    "Looking for genuine friends to talk with.",
    "Every day is a new opportunity.",
]
I_EMO = [" 😊", " 💕", " 🌹", " ✨"]
I_DM = [
    "Hi dear, nice to meet you. May I know your name? 😊",
    "Hello, I saw your profile and it is lovely. Where are you from?",
    "I am an engineer working abroad. I would like to know you better.",
    "My uncle taught me a simple way to invest. I can show you if you are interested.",
    "Thank you for your reply. How is your day going?",
    "Do you have WhatsApp? It is easier to talk there.",
]
I_COMMENT = [
    "Beautiful picture! You look amazing 😍",
    "So lovely, have a nice day 🌹",
    "Wonderful post, thank you for sharing.",
    "You have a beautiful smile 😊",
    "Nice to meet you, friend.",
]
I_ZH_POST = [
    "来自{c}的问候～今天结束了晨跑，生活需要和特别的人分享🌹",
    "在{c}的第三年，工作之余最喜欢安静地喝杯咖啡😊",
    "今天{c}阳光很好，想认识一些真诚的朋友💕",
    "{c}的海边很美，每一天都是新的开始✨",
]
I_ZH_CITY = ["加州", "伦敦", "悉尼", "多伦多", "纽约", "西雅图"]
I_ZH_DM = [
    "你好呀，很高兴认识你，可以交个朋友吗😊",
    "我在国外做工程师，平时工作比较忙，想找个人聊聊天",
    "我叔叔教我一个稳定的理财方法，有兴趣我可以教你",
    "谢谢你的回复，今天过得怎么样？",
]

BIO_H = [
    "爱吃爱玩",
    "一只普通打工人",
    "记录生活",
    "摄影爱好者",
    "猫奴",
    "咖啡续命",
    "95后",
    "在读研究生",
    "宝妈一枚",
    "健身ing",
    "吃货",
    "旅行中",
    "佛系更新",
    "不定期更新",
    "社恐",
    "热爱生活",
    "追星女孩",
    "程序员",
    "设计狗",
    "学生党",
]
BIO_N = [
    "专注好物分享｜合作请私信📩",
    "优质好物推荐官｜每日更新",
    "副业导师｜带你月入过万",
    "品牌合作请私信｜诚信经营",
    "美妆护肤达人｜好物种草",
]
BIO_HE = [
    "coffee & cats",
    "just vibing",
    "expat in Shanghai",
    "foodie",
    "learning chinese slowly",
    "teacher | traveller",
    "here for the food pics",
    "photos sometimes",
]
BIO_F = ["生活博主｜记录美好日常", "热爱生活的小姐姐", "日常分享｜穿搭｜美食", "慢生活记录者"]
BIO_AD = [
    "副业导师｜带你轻松开启第二收入",
    "课程咨询请私信📩",
    "品牌合作｜好物推荐官",
    "一对一指导｜名额有限",
]
BIO_I = [
    "Engineer | Traveller | Looking for true friends 🌹",
    "Living in California ☀️ Love life and nature",
    "Doctor working abroad, kind and honest 😊",
    "Businessman, love cooking and hiking",
]
BIO_S = ["热爱生活的普通人", "记录日常小美好", "慢慢变好", "一个爱分享的人", "生活博主｜日常记录"]


def _pick(rng: np.random.Generator, choices, n: int) -> pa.Array:
    arr = pa.array(list(choices), type=pa.string())
    return arr.take(pa.array(rng.integers(0, len(arr), n)))


def _join(parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _const(s: str, n: int) -> pa.Array:
    return pa.array([s], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64)))


def _pool(strings) -> pa.Array:
    return pa.array(list(strings), type=pa.string())


def _naive_pool() -> pa.Array:
    out = []
    for t, p, b, pr in itertools.product(N_TEMPLATES, N_PRODUCTS, N_BENEFITS, N_PRICES[:3]):
        out.append(t.format(p=p, b=b, price=pr, price2="399"))
    return _pool(out)


def _stealth_pool() -> pa.Array:
    out = []
    segs = (S_HOOK, S_BODY, S_REC)
    for order in S_ORDERS:
        for h, b, r, a, e in itertools.product(range(5), range(5), range(5), range(5), range(5)):
            pieces = [S_HOOK[h], S_BODY[b], S_REC[r]]
            idx = [i for i in order if i < 3]
            txt = "，".join(pieces[i] for i in idx) + S_EMO[e] + S_ASK[a]
            out.append(txt)
    del segs
    return _pool(out)


_POOLS: dict[str, pa.Array] = {}


def _cached(name, fn):
    if name not in _POOLS:
        _POOLS[name] = fn()
    return _POOLS[name]


def _from_pool(rng, pool: pa.Array, n: int) -> pa.Array:
    return pool.take(pa.array(rng.integers(0, len(pool), n)))


def make_text(rng: np.random.Generator, kind: str, style: str, n: int) -> pa.Array:
    """``n`` texts of ``kind`` (post, comment, dm, group_message) in ``style``."""
    if n == 0:
        return pa.array([], pa.string())
    if style == "assisted" and kind != "post":
        style = "human"
    if style == "human":
        if kind == "post":
            return _join(
                [
                    _pick(rng, H_OPEN, n),
                    _pick(rng, H_SUBJ, n),
                    _pick(rng, H_FEEL, n),
                    _pick(rng, EMOJI, n),
                    _pick(rng, H_TAIL, n),
                    _pick(rng, EMOJI2, n),
                ]
            )
        base = {"comment": H_COMMENT, "dm": H_DM, "group_message": H_GROUP}[kind]
        return _join([_pick(rng, base, n), _pick(rng, EMOJI2, n), _pick(rng, EMOJI, n)])
    if style == "assisted":
        b = rng.integers(0, len(A_BULLET), n)
        bullets = [pa.array([x[k] for x in A_BULLET]).take(pa.array(b)) for k in range(3)]
        nl = _const("\n", n)
        nn = _const("\n\n", n)
        head = _pick(rng, A_HEAD, n)
        return _join(
            [
                head,
                _pick(rng, A_TITLE, n),
                head,
                nn,
                _pick(rng, A_INTRO, n),
                nn,
                bullets[0],
                _pick(rng, A_TIP, n),
                nl,
                bullets[1],
                _pick(rng, A_TIP, n),
                nl,
                bullets[2],
                _pick(rng, A_TIP, n),
                nn,
                _pick(rng, A_SUM, n),
                nl,
                _pick(rng, A_TAGS, n),
            ]
        )
    if style == "naive":
        if kind == "post":
            return _from_pool(rng, _cached("naive_post", _naive_pool), n)
        base = {"comment": N_COMMENTS, "dm": N_DMS, "group_message": N_GROUPS}[kind]
        return _pick(rng, base, n)
    if style == "stealth":
        if kind == "post":
            return _from_pool(rng, _cached("stealth_post", _stealth_pool), n)
        if kind == "comment":
            return _join([_pick(rng, S_COMMENTS_A, n), _pick(rng, S_COMMENTS_B, n)])
        if kind == "dm":
            return _join([_pick(rng, S_DMS, n), _pick(rng, S_DMS_B, n)])
        return _join([_pick(rng, S_HOOK, n), _pick(rng, S_EMO, n)])
    if style == "human_en":
        if kind == "post":
            return _join(
                [
                    _pick(rng, HE_OPEN, n),
                    _pick(rng, HE_SUBJ, n),
                    _pick(rng, HE_FEEL, n),
                    _pick(rng, HE_TAIL, n),
                    _pick(rng, EMOJI, n),
                ]
            )
        base = {"comment": HE_COMMENT, "dm": HE_DM, "group_message": HE_GROUP}[kind]
        return _join([_pick(rng, base, n), _pick(rng, EMOJI, n)])
    if style == "farm_life":
        if kind == "post":
            return _from_pool(rng, _cached("farm_life", _farm_life_pool), n)
        return make_text(rng, kind, "stealth", n)
    if style == "farm_ad":
        if kind == "post":
            return _from_pool(rng, _cached("farm_ad", _farm_ad_pool), n)
        return make_text(rng, kind, "naive", n)
    if style == "impostor":
        if kind == "post":
            return _from_pool(rng, _cached("impostor_zh", _impostor_zh_pool), n)
        base = {
            "comment": ["好美的照片，祝你开心🌹", "很高兴认识你，朋友😊", "谢谢分享，很喜欢✨"],
            "dm": I_ZH_DM,
            "group_message": I_ZH_DM,
        }[kind]
        return _pick(rng, base, n)
    if style == "impostor_en":
        if kind == "post":
            return _from_pool(rng, _cached("impostor_en", _impostor_en_pool), n)
        base = {"comment": I_COMMENT, "dm": I_DM, "group_message": I_DM}[kind]
        return _pick(rng, base, n)
    raise ValueError(f"unknown style {style!r}")


def _farm_life_pool() -> pa.Array:
    return _pool(
        e + t + d + c + x
        for t, d, c, x, e in itertools.product(F_TOPIC, F_DETAIL, F_CLOSE, F_TAGS, F_EMO)
    )


def _farm_ad_pool() -> pa.Array:
    return _pool(
        o + p + "｜" + c + a for o, p, c, a in itertools.product(F_OFFER, F_PRODUCT, F_CLAIM, F_CTA)
    )


def _impostor_en_pool() -> pa.Array:
    return _pool(
        h + c + d + m + e
        for h, c, d, m, e in itertools.product(I_HELLO, I_CITY, I_DID, I_MOTTO, I_EMO)
    )


def _impostor_zh_pool() -> pa.Array:
    return _pool(t.format(c=c) for t, c in itertools.product(I_ZH_POST, I_ZH_CITY))


def make_bio(rng: np.random.Generator, style: str, n: int) -> pa.Array:
    if n == 0:
        return pa.array([], pa.string())
    if style == "naive":
        return _pick(rng, BIO_N, n)
    if style == "stealth":
        return _join([_pick(rng, BIO_S, n), _pick(rng, S_EMO, n)])
    if style == "human_en":
        return _pick(rng, BIO_HE, n)
    if style == "farm_life":
        return _pick(rng, BIO_F, n)
    if style == "farm_ad":
        return _pick(rng, BIO_AD, n)
    if style == "impostor":
        return _pick(rng, BIO_I, n)
    if style == "assisted":
        return _join(
            [
                _pick(rng, BIO_H, n),
                _const("｜", n),
                _pick(rng, A_TITLE, n),
                _const("｜合作请私信", n),
            ]
        )
    return _join(
        [
            _pick(rng, BIO_H, n),
            _pick(rng, ["", "｜", " ", "/"], n),
            _pick(rng, BIO_H, n),
            _pick(rng, EMOJI, n),
        ]
    )


# registers of a stealth ring's script: people's casual Chinese, people's English, and a
# tidier register (the farms' small talk) that careful people also write in
RING_REGISTERS = (("human", 0.7), ("human_en", 0.15), ("stealth", 0.15))
PARA_LEAD = [EMPTY] * 6 + ["嗯，", "说真的，", "hh ", "话说", "哈哈 ", "诶 "]


def ring_script(rng: np.random.Generator, kind: str, n_rings: int, size: int) -> pa.Array:
    """``n_rings * size`` texts of ``kind``: ring ``r`` owns rows ``r*size .. r*size+size-1``.
    Each text is drawn from a people's pool in one of :data:`RING_REGISTERS`."""
    total = n_rings * size
    names = [r for r, _ in RING_REGISTERS]
    p = np.array([w for _, w in RING_REGISTERS])
    reg = rng.choice(len(names), total, p=p / p.sum())
    parts, where = [], []
    for i, name in enumerate(names):
        rows = np.flatnonzero(reg == i)
        if len(rows):
            parts.append(make_text(rng, kind, name, len(rows)))
            where.append(rows)
    pos = np.empty(total, np.int64)
    pos[np.concatenate(where)] = np.arange(total)
    return pa.concat_arrays(parts).take(pa.array(pos))


def paraphrase(rng: np.random.Generator, base: pa.Array) -> pa.Array:
    """Light rewording of each text, as a language model asked to vary a script does: an
    opening word now and then, a comma turned into a space, a different emoji at the end.
    The text stays the same sentence (near-duplicates, rarely exact copies)."""
    n = len(base)
    if n == 0:
        return base
    swapped = pc.replace_substring(base, "，", " ")
    body = pc.if_else(pa.array(rng.random(n) < 0.3), swapped, base)
    return _join([_pick(rng, PARA_LEAD, n), body, _pick(rng, EMOJI, n)])
