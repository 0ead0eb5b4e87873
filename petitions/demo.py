"""Demo data of petitions: about sixty appeals of the district's enterprises, in every state.

Each petition is taken in and moved on by the real services (petitions.services) with
explicit past times, so its timeline, due dates and the reports read like half a year of
work: received over the last two quarters, triaged and dispatched by demo-staff, signed
for and answered by the departments' officials, rated by the enterprises' members. Then
the review cycle runs over that past: six monthly summaries, the last quarter's
clear-to-zero, and this week's weekly dispatch and daily studies.

Times are relative to today, so the demo reads the same whenever it is loaded: a step
planned `n` working days after a petition came in falls on a Chinese working day, and
never later than yesterday.
"""

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from activities.models import Activity
from chamber import workdays
from chamber.models import Department, Official, User
from members.models import DutyLogEntry, Enterprise, Member
from petitions import review, services, topics
from petitions.models import Category, Petition, ReviewRun

logger = logging.getLogger(__name__)
CH = Petition.Channel
RESOLVED = Petition.Outcome.RESOLVED
PARTLY = Petition.Outcome.PARTLY
EXPLAINED = Petition.Outcome.EXPLAINED


@dataclass(frozen=True)
class Case:
    """One demo petition: who raised what, how, and what has happened to it since.

    `age` is the number of working days before today it came in (0: a few hours ago).
    `plan` lists its steps as "action[:argument]@n", n working days after it came in:
    accept, chamber (accepted, handled by the chamber), dispatch[:department], sign,
    progress, reply, sendback, answer, rate:<rating>, return, reject, merge:<case key>,
    ask (the department asks the enterprise for `request`, 待企业补充), supply (the
    enterprise answers with `supplied`), extend:<n> (the department asks for n more
    working days, for `extension`), approve (staff approve it), visit:<solved>/<rating>
    (staff record a return visit, 回访).
    Department replies, progress notes and rating comments are used in order; `note` is
    the reason of a rejection, merge, return or send-back.
    """

    key: str
    enterprise: str  # a part of the enterprise's name
    channel: str
    category: str  # Category.code
    title: str
    text: str
    age: int
    plan: str = ""
    department: str = ""  # Department.short_name
    replies: tuple[tuple[str, str, str], ...] = ()  # (outcome, reply, follow-up plan)
    answer: str = ""  # the chamber's own answer, when it handles the petition itself
    outcome: str = RESOLVED  # of the chamber's own answer
    progress: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    note: str = ""
    urgent: bool = False
    session: int = (
        0  # raised at a reception-hall session: 1 the latest, 2 the one before
    )
    request: str = ""  # what the department asks the enterprise for (ask)
    supplied: str = ""  # the enterprise's answer to it (supply)
    extension: str = ""  # why the department asks for more time (extend)


def _closed(rating: str, reply: int = 7, *, sign: int = 2) -> str:
    """The usual way: triaged and dispatched at once, replied in time, rated two days later."""
    return (
        f"accept@0 dispatch@1 sign@{sign} progress@{max(sign + 1, reply - 3)} "
        f"reply@{reply} answer@{reply + 1} rate:{rating}@{reply + 3}"
    )


def _solved(outcome: str, rating: str) -> str:
    """The enterprise's word on its problem, as the demo's ratings imply: an unsatisfied
    enterprise finds it not solved; a department's partial answer stays partly solved."""
    if rating == Petition.Rating.UNSATISFIED:
        return Petition.Solved.UNSOLVED
    if outcome == Petition.Outcome.RESOLVED:
        return Petition.Solved.SOLVED
    return Petition.Solved.PARTLY


CASES = [
    # --- demo-member's enterprise: replied (to rate), in progress, new, closed twice ---
    Case(
        "dm-replied",
        "辽河装备制造",
        CH.ONLINE,
        "policy",
        "技术改造项目设备购置补贴如何申报",
        "我公司今年投资约1200万元购置五轴数控加工中心和智能立体仓库，实施数字化车间改造。"
        "听说市里有工业技术改造设备购置补贴，但不清楚申报条件、时间节点和所需材料，也不知道"
        "项目是否需要先备案。恳请帮助对接主管部门，明确申报流程。",
        8,
        "accept@0 dispatch@1 sign@2 progress@3 reply@5 answer@6",
        "发改局",
        replies=(
            (
                RESOLVED,
                "经核查，贵公司数字化车间改造项目符合本年度工业技术改造专项资金申报条件，项目已在"
                "投资项目在线审批监管平台完成备案，无需重复办理。申报材料清单已发至企业联系人邮箱，"
                "我局综合科安排专人一对一指导，申报截止前可随时联系0417-2811002。",
                "",
            ),
        ),
    ),
    Case(
        "dm-power",
        "辽河装备制造",
        CH.PHONE,
        "infrastructure",
        "新增生产线需变压器增容，报装进度慢",
        "我公司新上一条机器人焊接生产线，用电负荷需由800千伏安增至1600千伏安。一个多月前已向"
        "供电公司提交增容申请，至今未安排现场勘查，新设备已到厂无法调试，每月影响订单约60万元。"
        "请求协调供电部门加快办理。",
        70,
        "accept@0 dispatch@1 sign@2 progress@4 progress@8 reply@11 answer@12 rate:satisfied@14",
        "发改局",
        replies=(
            (
                RESOLVED,
                "我局已协调国网营口供电公司西市分部，供电公司于接件次日完成现场勘查并出具供电方案，"
                "采取“先接入、后完善”方式，现已完成增容送电，新生产线可正常调试。后续用电问题可"
                "直接联系供电公司客户经理。",
                "",
            ),
        ),
        progress=(
            "已约供电公司西市分部与企业现场对接，供电公司承诺三个工作日内出具供电方案。",
            "供电方案已出具，变压器及配套设备正在安装。",
        ),
        comments=("供电公司上门服务，很快就送上电了，非常感谢！",),
    ),
    Case(
        "dm-hiring",
        "辽河装备制造",
        CH.ONLINE,
        "labour",
        "数控技工招聘难，希望对接职业院校和招聘会",
        "随着订单增加，我公司急需数控车工、焊工共20余名，在招聘平台发布岗位两个月仅招到4人。"
        "希望人社部门帮助对接本地职业院校开展订单式培养，并安排参加近期的专场招聘会。",
        6,
        "accept@0 dispatch@1 sign@2 progress@4 ask@5",
        "人社局",
        progress=(
            "已将企业岗位需求推送至营口职业技术学院和市技师学院，本月专场招聘会已为企业预留展位。",
        ),
        request="请补充各岗位的技能等级要求、可提供的实习岗位数量和带教师傅人数，以便院校开设订单班。",
    ),
    Case(
        "dm-new",
        "辽河装备制造",
        CH.ONLINE,
        "policy",
        "首台（套）重大技术装备保险补偿政策咨询",
        "我公司自主研发的大型矿用破碎设备已通过省级鉴定，准备申报首台（套）重大技术装备。"
        "想了解保险补偿政策的申报条件、补偿比例和办理部门，以及能否与省级奖励同时享受。",
        0,
    ),
    Case(
        "dm-loan",
        "辽河装备制造",
        CH.ONLINE,
        "financing",
        "流动资金贷款即将到期，先还后贷压力大",
        "我公司在银行的800万元流动资金贷款下月到期，银行要求先还后贷，过桥资金成本高、周期长。"
        "企业经营正常、订单饱满，希望工商联协调银行采用无还本续贷方式，缓解资金周转压力。",
        95,
        "chamber@0 answer@6 rate:basically@8",
        answer="工商联已将贵公司推荐至本期政银企对接会，营口银行西市支行已受理续贷申请：其中500万元"
        "采用无还本续贷方式办理，已于到期前完成；其余300万元需补充抵押物，银行客户经理将继续与"
        "企业对接，工商联跟踪办理进度。",
        outcome=PARTLY,
        comments=("续贷解决了大部分，剩下的额度还需要继续协调。",),
    ),
    # --- handled by the chamber itself ---
    Case(
        "chamber-supply",
        "沿海汽车零部件",
        CH.ONLINE,
        "market",
        "希望商会组织企业对接沈阳整车厂配套采购",
        "我公司主要生产汽车底盘冲压件，目前产能利用率不足六成。听说沈阳几家整车厂正在推进本地化"
        "配套，希望商会牵头组织西市和沿海的汽配企业集体对接，争取进入供应商名录。",
        2,
        "chamber@1",
    ),
    Case(
        "chamber-legal",
        "西市装饰工程",
        CH.PHONE,
        "rights",
        "申请商会法律服务团开展合同风险“法治体检”",
        "我公司近两年承接的家装和公装项目较多，合同多为对方提供的格式文本，曾出现过结算纠纷。"
        "希望商会法律服务团律师上门，对我公司常用合同和应收账款管理做一次法律体检。",
        1,
        "chamber@0",
    ),
    Case(
        "chamber-bank",
        "沿海冷藏仓储",
        CH.PHONE,
        "financing",
        "新建冷库项目资金缺口，希望参加银企对接",
        "我公司在沿海产业基地新建2万吨冷库，设备采购还有约600万元资金缺口。希望工商联推荐参加"
        "银企对接活动，了解适合冷链仓储企业的中长期贷款产品。",
        24,
        "chamber@0 answer@5 rate:satisfied@7",
        answer="已推荐贵公司参加本月银企对接会。会上农业发展银行营口分行介绍了冷链物流设施专项贷款，"
        "贵公司已与该行签订600万元、期限五年的贷款意向书，并纳入财政贴息项目储备。",
        comments=("对接会很实用，贷款已经批下来了。",),
    ),
    # --- just received, and one left untriaged for days ---
    Case(
        "new-refund",
        "自贸区跨境贸易",
        CH.ONLINE,
        "policy",
        "跨境电商出口海外仓货物如何办理出口退税",
        "我公司通过跨境电商9810模式将货物出口至海外仓，已有三批货物报关离境，但对退税申报需要"
        "的海外仓证明材料和申报时限不清楚，担心错过申报期。请帮助咨询相关部门。",
        0,
    ),
    Case(
        "new-facade",
        "西市酒店管理",
        CH.PHONE,
        "approvals",
        "酒店外立面改造及门头广告牌设置审批",
        "我公司经营的酒店位于渤海大街，计划对外立面进行节能改造并更换门头广告牌。想了解需要向"
        "哪些部门申请、是否需要设计图纸审查，以及施工期间能否正常营业。",
        0,
    ),
    Case(
        "untriaged",
        "渔港海产品",
        CH.OPINION_FORM,
        "approvals",
        "水产品加工车间扩建后排污许可如何变更",
        "我公司海产品加工车间扩建后，日处理量由20吨增加到35吨，原排污许可证载明的排放量已不能"
        "满足需要。想了解变更需要重新做环评还是只需登记变更，办理时限多长。",
        3,
    ),
    # --- demo-official's department (教育局): new, due this week, overdue, in progress, to review ---
    Case(
        "edu-new",
        "西市家政服务",
        CH.ONLINE,
        "approvals",
        "利用自有门市开办普惠性民办幼儿园，审批条件咨询",
        "我公司在民主街有一处约600平方米的自有门市房，周边新建小区多、入园难。计划开办一所6个班"
        "的普惠性民办幼儿园，想了解设置审批的场地、师资和消防条件，以及普惠园认定和补助政策。",
        1,
        "accept@0 dispatch@0",
        "教育局",
    ),
    Case(
        "edu-soon",
        "自贸区数字科技",
        CH.ONLINE,
        "policy",
        "申报中小学研学实践教育基地（人工智能科普方向）",
        "我公司建有500平方米的人工智能和机器人体验中心，已接待过多所学校参观。希望申报区级中小学"
        "研学实践教育基地，想了解申报条件、安全管理要求和评审流程。",
        # dispatched five working days ago with a five-day limit: due today, so it is
        # "due this week" on whichever day the demo is seeded
        6,
        "accept@0 dispatch@1 sign@1 progress@3",
        "教育局",
        progress=("已与企业沟通，正在对照研学基地认定办法梳理需补充的安全管理材料。",),
    ),
    Case(
        "edu-overdue",
        "自贸区软件服务",
        CH.ONLINE,
        "other",
        "与职业院校共建软件实训基地，校企合作缺少对接渠道",
        "我公司每年需要软件测试和实施人员30名左右，愿意与区内职业学校共建实训基地，提供真实项目"
        "和兼职导师，但一直找不到学校对接。希望教育部门牵线，明确校企合作的协议模板和支持政策。",
        16,
        "accept@0 dispatch@1 sign@2 progress@5",
        "教育局",
        progress=("已将企业需求转至区职业教育中心，双方正在商定实训基地建设方案。",),
    ),
    Case(
        "edu-pupils",
        "沿海新材料",
        CH.ONLINE,
        "other",
        "引进的技术骨干子女入学协调",
        "我公司今年从外省引进了5名研发骨干，其子女需要在西市区就读小学和初中。由于户籍和房产尚未"
        "落户本地，学校表示无法办理入学。希望教育部门按照人才子女入学政策给予协调。",
        3,
        "accept@0 dispatch@1 sign@2 extend:5@2",
        "教育局",
        extension="5名学生分属3所学校，须逐校核定学位并报区教育局党组会研究，需延长5个工作日。",
    ),
    Case(
        "edu-review",
        "西市文化传媒",
        CH.ONLINE,
        "approvals",
        "开办青少年美术培训机构的审批与消防要求",
        "我公司计划在公园路开办一家青少年美术和书法培训机构，场地约300平方米，位于商业楼二层。"
        "想了解非学科类校外培训机构的审批流程、场地消防条件，以及是否需要先取得办学许可再办理登记。",
        7,
        "accept@0 dispatch@1 sign@2 progress@3 reply@5",
        "教育局",
        replies=(
            (
                EXPLAINED,
                "经研究，贵公司拟开办的美术、书法培训属非学科类校外培训，须先向我局申请办学许可证，"
                "再办理法人登记。场地须通过消防验收或备案，位于二层的须有两个独立安全出口。",
                "我局职成科一周内上门查看场地，企业按意见整改后再提交办学许可申请。",
            ),
        ),
    ),
    # --- open at other departments: dispatched, in progress, overdue, long overdue ---
    Case(
        "one-address",
        "西市电商产业园",
        CH.ONLINE,
        "approvals",
        "入驻园区的小微电商集中办理“一址多照”登记",
        "我园区目前有60余家小微电商和网店经营者，很多没有独立经营场所。希望市场监管部门支持园区"
        "作为集群注册地址，为入驻商户集中办理“一址多照”登记，方便他们规范经营。",
        1,
        "accept@0 dispatch@0",
        "市场监管局",
    ),
    Case(
        "trade-fair",
        "自贸区进出口",
        CH.ONLINE,
        "policy",
        "参加境外展会的展位费补贴如何申请",
        "我公司今年参加了德国汉诺威工业博览会和迪拜五大行业展，展位费和特装费用合计约35万元。"
        "听说有外贸企业境外参展补贴，想了解申请条件、需要提交的票据和申报时间。",
        2,
        "accept@0 dispatch@1",
        "商务局",
    ),
    Case(
        "fire-check",
        "辽河智能装备",
        CH.ONLINE,
        "approvals",
        "新建厂房消防验收申请后迟迟未安排现场检查",
        "我公司在西市区工业园新建的2号厂房已竣工，一个月前在网上提交了消防验收申请，系统一直显示"
        "“待受理”。厂房不验收无法投入使用，新设备只能露天存放。请求协调尽快安排现场检查。",
        15,
        "accept@0 dispatch@1 sign@2 progress@5",
        "住建局",
        progress=("已核实申请材料，需补充消防设施检测报告，已告知企业。",),
    ),
    Case(
        "warehouse-permit",
        "港城国际物流",
        CH.ONLINE,
        "land",
        "新建仓库规划条件不明确，施工许可办不下来",
        "我公司在自贸区港城路取得一宗8000平方米工业用地，计划建设标准化仓库。因地块规划条件中的"
        "容积率和建筑退线要求与实际不符，设计方案两次未通过审查，施工许可无法办理，项目已延误三个"
        "多月。请求协调规划部门重新核定规划条件。",
        40,
        "accept@0 dispatch@2 sign@4 progress@8 progress@20",
        "住建局",
        progress=(
            "已组织规划、自然资源部门现场踏勘，确认规划条件存在矛盾，正在履行调整程序。",
            "规划条件调整方案已报区政府专题会研究，待会议纪要印发后办理。",
        ),
    ),
    Case(
        "job-subsidy",
        "沿海钢构工程",
        CH.ONLINE,
        "policy",
        "失业保险稳岗返还资金至今未到账",
        "根据今年的稳岗返还政策，我公司应返还失业保险费约4.6万元。系统显示审核通过已两个月，但"
        "资金一直未到账，查询也没有结果。企业正值淡季，资金紧张，请帮助查询原因。",
        10,
        "accept@0 dispatch@1 sign@3 progress@5",
        "人社局",
        progress=("已查询，资金因企业对公账户信息变更被退回，正在重新发起拨付。",),
    ),
    Case(
        "trademark",
        "西市印刷包装",
        CH.ONLINE,
        "rights",
        "商标被他人抢注，申请异议需要指导",
        "我公司使用十多年的字号和图形标识，近日发现被外地一家公司在包装类别申请注册，目前处于初审"
        "公告期。我们不熟悉商标异议程序，担心错过三个月的异议期，请求市场监管部门给予指导。",
        5,
        "accept@0 dispatch@1 sign@1 progress@3",
        "市场监管局",
        progress=("知识产权科已联系企业，正在指导准备在先使用证据材料。",),
    ),
    Case(
        "stuck-cargo",
        "自贸区供应链管理",
        CH.PHONE,
        "market",
        "出口货物因目的国新规滞留港口，请求紧急协调",
        "我公司一批价值约80万美元的机电产品出口东南亚，因目的国突然调整进口认证要求，货物已在"
        "营口港滞留5天，每天产生滞港费用。请求商务部门紧急协调，了解新规要求并争取补办认证的时间。",
        2,
        "accept@0 dispatch@0 sign@1",
        "商务局",
        urgent=True,
    ),
    Case(
        "rooftop-solar",
        "沿海汽车零部件",
        CH.ONLINE,
        "approvals",
        "厂房屋顶分布式光伏项目备案和并网咨询",
        "我公司计划利用3万平方米厂房屋顶建设约2.5兆瓦分布式光伏，自发自用、余电上网。想了解项目"
        "备案、电网接入审批的流程和时限，以及是否能享受地方补贴。",
        6,
        "accept@0 dispatch@1 sign@2 progress@4",
        "发改局",
    ),
    Case(
        "tax-refund",
        "海纳新能源材料",
        CH.ONLINE,
        "policy",
        "出口退税审核时间长，资金周转困难",
        "我公司出口锂电池正极材料，今年以来出口退税平均审核时间超过40天，目前有约260万元退税款"
        "未到账，流动资金压力很大。希望帮助协调加快审核，并了解能否纳入一类出口企业管理。",
        16,
        "accept@0 dispatch@1 sign@2 progress@3 reply@5 answer@6 rate:unsatisfied@12 progress@13",
        "商务局",
        replies=(
            (
                EXPLAINED,
                "已协调税务部门，贵公司申报资料齐全的部分已进入审核流程；一类出口企业需满足近三年无"
                "违规等条件，税务部门将在下一轮评定时对贵公司予以辅导。",
                "税务部门专管员与企业对接，逐笔核对待审退税单证。",
            ),
        ),
        progress=(
            "已联系税务部门了解审核进度。",
            "已约税务部门与企业面对面逐笔核对单证，明确需补充的两项材料。",
        ),
        comments=(
            "答复后又过了两周，税务部门说还需补充资料，但一直没说清楚缺什么，希望明确具体要求和到账时间。",
        ),
    ),
    Case(
        "little-giant",
        "沿海环保科技",
        CH.ONLINE,
        "policy",
        "申报省级“专精特新”中小企业需要辅导",
        "我公司专注工业废水处理膜材料，拥有发明专利6项，营收连续三年增长。今年准备申报省级"
        "“专精特新”中小企业，但对指标要求和材料准备不熟悉，希望相关部门提供申报辅导。",
        8,
        "accept@0 dispatch:市场监管局@1 return@2 accept@2 dispatch@3 sign@4 progress@5 reply@7",
        "发改局",
        replies=(
            (
                RESOLVED,
                "我局已将贵公司纳入本年度省级专精特新中小企业申报培育库，并安排第三方服务机构上门"
                "辅导。经初步对照，贵公司研发投入和专利指标达标，需补充近两年主导产品的市场占有率"
                "证明，申报材料于截止日前报送即可。",
                "",
            ),
        ),
        note="专精特新中小企业认定由工业和信息化部门牵头，区内由发改局负责组织申报，不属于我局职责。",
    ),
    # --- replied, waiting for the enterprise's rating ---
    Case(
        "training-subsidy",
        "西市酒店管理",
        CH.ONLINE,
        "labour",
        "新招员工岗前培训能否申请职业技能培训补贴",
        "我公司今年新招客房、餐饮服务员工38人，均由酒店组织了为期一个月的岗前培训。想了解这类企业"
        "自主培训能否申请职业技能培训补贴，需要哪些培训记录和考核材料。",
        9,
        "accept@0 dispatch@1 sign@2 progress@4 reply@6 answer@7",
        "人社局",
        replies=(
            (
                RESOLVED,
                "贵公司可按岗前技能培训政策申请补贴：培训须在职业技能提升行动平台备案，考核合格人员"
                "每人补贴800元至1500元。本次培训未提前备案，我局已予以补备案，请于月底前提交花名册、"
                "课时记录和考核结果。",
                "",
            ),
        ),
    ),
    Case(
        "business-scope",
        "西市商贸城",
        CH.ONLINE,
        "approvals",
        "商户经营范围变更能否网上办理、集中代办",
        "商贸城内有200多户个体工商户，近期不少商户增加预包装食品和电子产品经营，需要变更经营范围。"
        "商户反映到窗口排队时间长，想了解能否全程网上办理、是否可以由商贸城统一代办。",
        5,
        "accept@0 dispatch@0 sign@1 reply@3 answer@4",
        "市场监管局",
        replies=(
            (
                RESOLVED,
                "个体工商户经营范围变更已可全程网上办理，一般当天办结；商贸城可作为受托人统一代办，"
                "需提交商户签署的授权委托书。涉及预包装食品的，同时在网上办理仅销售预包装食品备案即可。",
                "",
            ),
        ),
    ),
    # --- answered, never rated: the daily study closes them with "no rating" ---
    Case(
        "project-filing",
        "辽滨建设工程",
        CH.ONLINE,
        "approvals",
        "企业投资项目备案信息变更流程咨询",
        "我公司投资的沿海产业基地建材项目已备案，现因市场变化需将建设内容由预拌混凝土调整为装配式"
        "构件生产，总投资增加约2000万元。想了解是办理备案变更还是重新备案，是否影响已取得的环评和"
        "节能审查意见。",
        16,
        "accept@0 dispatch@1 sign@2 reply@6 answer@7",
        "发改局",
        replies=(
            (
                RESOLVED,
                "项目建设内容和投资规模变化的，可在投资项目在线审批监管平台办理备案变更，无需重新备案；"
                "环评、节能审查是否需重新办理，取决于产能和能耗变化幅度，具体标准已发给企业联系人。",
                "",
            ),
        ),
    ),
    Case(
        "pension-transfer",
        "西市电商产业园",
        CH.ONLINE,
        "policy",
        "外地员工社保关系转移接续怎么办",
        "园区入驻企业有不少员工来自吉林、黑龙江，在原参保地缴纳过养老和医疗保险。员工想把社保关系"
        "转到营口，不清楚办理流程和需要本人跑几次。",
        14,
        "accept@0 dispatch@0 sign@1 reply@3 answer@4",
        "人社局",
        replies=(
            (
                RESOLVED,
                "养老保险关系转移可通过国家社会保险公共服务平台或“掌上12333”网上申请，员工无需回原"
                "参保地；医疗保险转移可在国家医保服务平台办理。我局可派人到园区开展一次集中政策宣讲。",
                "",
            ),
        ),
    ),
    # --- rejected and merged, still answered with the reason ---
    Case(
        "lawsuit",
        "沿海钢构工程",
        CH.ONLINE,
        "rights",
        "工程款被总包方拖欠，请求工商联向法院施压",
        "我公司承建的某商业综合体钢结构工程已竣工验收，总包方拖欠工程款420万元。我公司已向法院"
        "起诉，案件审理已半年。请求工商联出面，要求法院尽快判决并强制执行。",
        19,
        "reject@1",
        note="您好！您反映的工程款纠纷已进入诉讼程序，依法应由人民法院独立审理，工商联不能干预司法"
        "活动。我们已将贵公司情况告知区工商联法律服务团，律师可免费提供诉讼和执行方面的咨询，"
        "联系电话0417-2811008。",
    ),
    Case(
        "tender",
        "西市文化传媒",
        CH.PHONE,
        "rights",
        "要求取消竞争对手的政府采购中标资格",
        "我公司参加了某单位宣传片制作项目的政府采购，认为中标公司报价明显低于成本、资质存疑，要求"
        "工商联出面取消其中标资格。",
        22,
        "reject@1",
        note="您好！政府采购中标争议应依照《政府采购法》先向采购人提出书面质疑，对答复不满意的可向区"
        "财政局投诉，工商联无权认定或取消中标资格。我们已将质疑、投诉的途径和时限告知贵公司联系人，"
        "如需起草质疑函，法律服务团可提供帮助。",
    ),
    Case(
        "road-works",
        "西市老街餐饮",
        CH.ONLINE,
        "infrastructure",
        "得胜街道路改造施工围挡，沿街商户客流锐减",
        "得胜街道路改造施工以来，全封闭围挡把沿街商铺门口全部挡住，顾客进不来、货车卸不了货，我公司"
        "经营的两家餐馆营业额下降了一半以上。希望施工方调整围挡，给商户留出通道，并公布工期。",
        30,
        "accept@0 dispatch@1 sign@2 progress@4 reply@9 answer@10 rate:basically@12",
        "住建局",
        replies=(
            (
                PARTLY,
                "经我局协调，施工单位已调整围挡方式，在每户商铺门前预留1.5米人行通道并设置“商户正常"
                "营业”指引牌，在两端路口设置临时卸货点；同时优化施工组织，主体工程工期压缩约20天。",
                "路面完工前每周组织一次商户座谈，听取对施工安排的意见。",
            ),
        ),
        comments=("围挡调整后好多了，希望按承诺的工期完工。",),
    ),
    Case(
        "road-works-2",
        "西市家政服务",
        CH.PHONE,
        "infrastructure",
        "得胜街施工封路，店面出入困难",
        "我公司在得胜街有一处服务门店，道路施工后门口被围挡封死，客户和员工只能绕行，经营受到很大"
        "影响。希望施工期间给沿街门店留出出入口。",
        29,
        "merge:road-works@1",
        note="您好！您反映的得胜街施工影响经营问题，与{number}号诉求为同一事项，已合并到该件统一协调"
        "办理，办理结果将同时告知贵公司。",
    ),
    # --- a consultation day's forms, entered as one batch ---
    Case(
        "cd-road",
        "沿海环保科技",
        CH.CONSULTATION_DAY,
        "infrastructure",
        "园区道路破损、路灯不亮，货车夜间通行困难",
        "沿海产业基地环保园内的主干道路面多处塌陷，约有一半路灯不亮，夜间进出的危化品运输车辆存在"
        "安全隐患。希望尽快安排维修。",
        45,
        "accept@1 dispatch@2 sign@3 progress@6 reply@12 answer@13 rate:satisfied@15",
        "住建局",
        replies=(
            (
                RESOLVED,
                "我局已会同产业基地管委会对环保园道路进行全面排查，完成12处塌陷路面修补，更换维修路灯"
                "46盏，并将园区道路纳入日常养护范围。",
                "",
            ),
        ),
    ),
    Case(
        "cd-road-2",
        "海纳新能源材料",
        CH.CONSULTATION_DAY,
        "infrastructure",
        "化工园区道路坑洼、照明不足",
        "化工园区内部道路坑洼严重，夜间照明不足，我公司原料运输车辆进出很不安全，希望有关部门维修。",
        45,
        "merge:cd-road@1",
        note="您好！您反映的园区道路和照明问题，与{number}号诉求为同一事项，已合并办理，维修进展将"
        "同时告知贵公司。",
    ),
    Case(
        "cd-patent-loan",
        "辽河智能装备",
        CH.CONSULTATION_DAY,
        "financing",
        "知识产权质押融资怎么办理",
        "我公司有发明专利3项、实用新型专利12项，想用专利权质押向银行贷款，但不清楚评估、登记的流程"
        "和费用，也不知道哪些银行开展这项业务。",
        45,
        "chamber@1 answer@4 rate:satisfied@6",
        answer="工商联已联系区内开展知识产权质押融资业务的两家银行，并邀请评估机构到企业免费预评估。"
        "贵公司已与交通银行营口分行达成300万元专利权质押贷款意向，评估费用可申请市级知识产权质押"
        "融资补贴。",
    ),
    Case(
        "cd-skills",
        "沿海汽车零部件",
        CH.CONSULTATION_DAY,
        "labour",
        "企业想开展职业技能等级自主评价",
        "我公司有一线技术工人300多人，希望开展职业技能等级自主评价，让员工不出厂就能取得技能等级"
        "证书。想了解企业备案条件和流程。",
        45,
        "accept@1 dispatch@1 sign@2 reply@7 answer@8 rate:satisfied@10",
        "人社局",
        replies=(
            (
                RESOLVED,
                "贵公司符合职业技能等级认定企业备案条件，我局已指导完成备案申请，首批可开展焊工、"
                "机床装调维修工两个职业的评价；考评员培训由市职业技能鉴定中心免费提供。",
                "",
            ),
        ),
    ),
    Case(
        "cd-gas",
        "沿海新材料",
        CH.CONSULTATION_DAY,
        "infrastructure",
        "新建车间天然气接入费用过高",
        "我公司新建车间需接入天然气管道，燃气公司报价的接驳工程费高达120万元，远高于周边地区水平。"
        "希望价格主管部门核查收费是否合理。",
        45,
        "accept@1 dispatch@1 sign@2 progress@5 reply@10 answer@11 rate:basically@13",
        "发改局",
        replies=(
            (
                PARTLY,
                "经我局核查，燃气公司报价中部分管道属市政主管网延伸，应由燃气企业承担，不应向用户收取。"
                "经协调，接驳费用核减为68万元；费用构成明细已要求燃气公司向企业书面说明。",
                "下一步将出台燃气工程安装收费指导标准，规范接驳收费。",
            ),
        ),
    ),
    Case(
        "cd-rcep",
        "自贸区进出口",
        CH.CONSULTATION_DAY,
        "policy",
        "RCEP原产地证书申领和关税减让咨询",
        "我公司向日本和韩国出口机械配件，听说RCEP生效后可享受关税减让，但不清楚原产地证书怎么申领、"
        "哪些产品符合原产地规则。",
        45,
        "accept@1 dispatch@1 sign@2 reply@4 answer@5 rate:satisfied@7",
        "商务局",
        replies=(
            (
                RESOLVED,
                "我局已联系营口海关和贸促会，为贵公司开展RCEP专题辅导：贵公司出口的主要产品符合区域"
                "价值成分规则，可申领RCEP原产地证书，也可申请经核准出口商资质自主出具原产地声明。",
                "",
            ),
        ),
    ),
    # --- raised at the reception hall's sessions (会客厅) ---
    Case(
        "hall-land",
        "西市时光文旅",
        CH.RECEPTION_HALL,
        "land",
        "老仓库改造文旅项目，用地性质如何调整",
        "我公司计划将辽河老街附近两栋闲置的老仓库改造为文创街区和民宿，但土地性质为仓储用地，"
        "改为商业用途需补缴土地出让金，金额较大。希望了解能否按过渡期政策暂不变更用地性质。",
        42,
        "accept@1 dispatch@2 sign@3 progress@8 reply@16 answer@17 rate:basically@19",
        "住建局",
        replies=(
            (
                EXPLAINED,
                "经研究，利用老旧厂房、仓库发展文化旅游新业态的，可享受五年过渡期政策，过渡期内可暂不"
                "变更土地用途和权利类型。贵公司项目需先经区文旅和规划部门认定，认定程序已告知企业。",
                "区文旅部门牵头组织认定，认定通过后住建局办理改造手续。",
            ),
        ),
        session=2,
    ),
    Case(
        "hall-parking",
        "西市酒店管理",
        CH.RECEPTION_HALL,
        "infrastructure",
        "旅游旺季酒店周边停车位严重不足",
        "旅游旺季入住客人多为自驾，酒店周边道路禁停，客人只能停到一公里外。希望在周边闲置地块设置"
        "临时停车场，或在夜间开放部分路段停车。",
        42,
        "accept@1 dispatch@1 sign@2 reply@9 answer@10 rate:satisfied@12",
        "住建局",
        replies=(
            (
                RESOLVED,
                "我局已会同交警、城管部门在酒店周边闲置地块设置临时停车场一处，提供车位120个，并在夜间"
                "20时至次日7时开放渤海大街辅路停车。",
                "",
            ),
        ),
        session=2,
    ),
    Case(
        "hall-market",
        "西市文化传媒",
        CH.RECEPTION_HALL,
        "approvals",
        "举办文旅市集活动需要跑多个部门审批",
        "我公司计划在周末举办“时光走廊”文旅市集，涉及食品摊位、临时搭建和大型活动安全许可，需要"
        "分别到多个部门办理。希望能够“一窗受理、并联审批”。",
        42,
        "accept@1 dispatch@1 sign@2 reply@6 answer@7 rate:satisfied@9",
        "市场监管局",
        replies=(
            (
                RESOLVED,
                "我局已牵头建立文旅市集活动联合审批机制，食品经营临时备案、户外广告和大型活动安全许可"
                "在政务服务中心一窗受理、并联审批，3个工作日内办结。贵公司本次活动的审批已办结。",
                "",
            ),
        ),
        session=2,
    ),
    Case(
        "hall-funds",
        "自贸区文旅投资",
        CH.RECEPTION_HALL,
        "policy",
        "文旅项目能否申报专项扶持资金",
        "我公司投资的营口时光走廊夜游项目总投资1.2亿元，想了解能否申报文旅产业发展专项资金和地方"
        "政府专项债券支持，以及申报的时间窗口。",
        42,
        "accept@1 dispatch@1 sign@3 progress@5 reply@9 answer@10 rate:satisfied@12",
        "发改局",
        replies=(
            (
                RESOLVED,
                "经与财政、文旅部门会商，贵公司夜游项目可申报省级文旅产业发展专项资金，已纳入年度重点"
                "项目储备库；项目不符合专项债券收益平衡要求，建议通过政策性开发性金融工具融资。",
                "",
            ),
        ),
        session=2,
    ),
    Case(
        "hall-rnd",
        "渤海电子信息",
        CH.RECEPTION_HALL,
        "policy",
        "研发费用加计扣除政策辅导",
        "我公司研发投入逐年增加，但财务人员对研发费用归集和加计扣除的口径把握不准，担心多报少报。"
        "希望组织一次政策辅导。",
        14,
        "accept@1 dispatch@1 sign@2 reply@4 answer@5 rate:satisfied@7",
        "发改局",
        replies=(
            (
                RESOLVED,
                "我局已协调税务部门为贵公司开展上门辅导，指导建立研发支出辅助账；贵公司可在预缴申报时"
                "享受研发费用加计扣除。",
                "",
            ),
        ),
        session=1,
    ),
    Case(
        "hall-kindergarten",
        "金地房地产",
        CH.RECEPTION_HALL,
        "other",
        "开发项目配建幼儿园移交手续如何办理",
        "我公司开发的小区按规划配建了一所9个班的幼儿园，已竣工验收，但移交教育部门的手续一直没有"
        "启动，物业代管成本高。希望明确移交程序和时间表。",
        14,
        "accept@1 dispatch@1 sign@2 progress@4 reply@8 answer@9 rate:satisfied@11",
        "教育局",
        replies=(
            (
                RESOLVED,
                "我局已会同住建、自然资源部门完成配建幼儿园的联合查验，移交协议已签订，幼儿园将作为"
                "公办园于下学期开园招生，移交前的管理费用按协议由我局承担。",
                "",
            ),
        ),
        session=1,
    ),
    # --- opinion forms and phone calls entered by the secretariat ---
    Case(
        "trainee-subsidy",
        "鲅鱼圈精工机械",
        CH.OPINION_FORM,
        "labour",
        "接收高校毕业生就业见习，补贴怎么申领",
        "我公司今年接收了8名高校毕业生参加就业见习，想了解见习补贴的标准、申领时间和需要提交的材料。",
        100,
        _closed("satisfied"),
        "人社局",
        replies=(
            (
                RESOLVED,
                "贵公司已认定为就业见习基地，见习补贴按当地最低工资标准的80%发放，见习期满后一次性申领；"
                "留用率超过50%的，另给予每人2000元奖励。申领材料清单已交企业人事负责人。",
                "",
            ),
        ),
    ),
    Case(
        "bus-line",
        "沿海汽车零部件",
        CH.OPINION_FORM,
        "infrastructure",
        "厂区周边公交线路调整，职工通勤困难",
        "公交公司调整线路后，汽配园区没有了直达公交，300多名职工上下班只能打车或骑电动车，冬季尤其"
        "困难。希望恢复或新增通勤公交线路。",
        85,
        _closed("basically", 9),
        "住建局",
        replies=(
            (
                EXPLAINED,
                "经协调公交公司，已在上下班高峰时段开通汽配园区通勤专线两条；全天恢复原线路需进行客流"
                "评估，公交公司将在客流统计后研究。",
                "公交公司完成两个月客流统计后，研究增开全天线路。",
            ),
        ),
    ),
    Case(
        "logistics-list",
        "自贸区供应链管理",
        CH.OPINION_FORM,
        "market",
        "申请纳入重点物流保障企业名单",
        "我公司承担多家制造企业的原材料和成品运输，希望纳入重点物流保障企业名单，在恶劣天气和交通"
        "管制期间获得优先通行保障。",
        115,
        _closed("satisfied", 6),
        "商务局",
        replies=(
            (
                RESOLVED,
                "贵公司已纳入全区重点物流保障企业名单，车辆通行证由交警部门统一办理，遇交通管制时可走"
                "应急通道。",
                "",
            ),
        ),
    ),
    Case(
        "to-company",
        "西市老街餐饮",
        CH.OPINION_FORM,
        "policy",
        "“个转企”奖补资金迟迟未兑现",
        "我公司去年由个体工商户转为有限公司，按政策可获得一次性奖补1万元，但申请提交后半年多一直"
        "没有消息。希望帮助了解进度。",
        34,
        _closed("satisfied", 4),
        "市场监管局",
        replies=(
            (
                RESOLVED,
                "经核查，贵公司“个转企”奖补已审核通过，因财政拨付批次原因延迟，我局已协调财政部门于"
                "本月完成拨付，资金已到账。",
                "",
            ),
        ),
    ),
    Case(
        "cold-store-fire",
        "港湾冷链物流",
        CH.PHONE,
        "approvals",
        "冷库项目消防验收整改意见不明确",
        "我公司冷库项目消防验收未通过，整改通知书只写了“防火分隔不符合要求”，没有具体整改标准，"
        "设计和施工单位各有说法。希望验收部门给出明确整改意见。",
        110,
        _closed("satisfied", 8),
        "住建局",
        replies=(
            (
                RESOLVED,
                "我局已组织消防审验人员到现场，与设计、施工单位当面明确防火分隔的整改做法；企业整改完成"
                "后已复验合格，取得消防验收合格意见书。",
                "",
            ),
        ),
    ),
    Case(
        "wage-deposit",
        "辽滨建设工程",
        CH.PHONE,
        "labour",
        "项目完工后农民工工资保证金返还",
        "我公司承建的两个项目已竣工一年多，工程款已结清，也没有拖欠农民工工资，但工资保证金60万元"
        "一直未返还，请帮助协调。",
        125,
        _closed("satisfied", 6),
        "人社局",
        replies=(
            (
                RESOLVED,
                "经核查，贵公司两个项目无拖欠工资投诉，符合返还条件，我局已办结保证金返还手续，60万元"
                "已退回企业账户。",
                "",
            ),
        ),
    ),
    Case(
        "steel-licence",
        "沿海钢构工程",
        CH.PHONE,
        "approvals",
        "钢结构工程专业承包资质延续",
        "我公司钢结构工程专业承包二级资质即将到期，资质标准调整后对注册人员的要求有变化，不清楚延续"
        "时需要补充哪些人员证书，请帮助咨询。",
        90,
        "accept@0 dispatch@1 sign@2 reply@5 sendback@6 reply@8 answer@9 rate:satisfied@11",
        "住建局",
        replies=(
            (RESOLVED, "请按新资质标准准备延续材料。", ""),
            (
                RESOLVED,
                "按调整后的资质标准，贵公司延续二级资质需配备建筑工程或市政专业一级注册建造师不少于2人、"
                "中级以上职称人员不少于5人，贵公司现有人员满足要求。延续申请可在资质到期前3个月通过"
                "省住建厅政务服务平台提交，我局建筑市场科可帮助预审。",
                "",
            ),
        ),
        note="答复过于简单，请写明新标准对注册人员的具体要求和办理渠道。",
    ),
    Case(
        "old-title-deed",
        "鲅鱼圈精工机械",
        CH.PHONE,
        "land",
        "老厂房因历史遗留问题办不下不动产权证",
        "我公司2008年购买的原国企厂房，因原产权单位改制时手续不全，至今无法办理不动产权证，影响企业"
        "抵押贷款和扩建。请求协调有关部门按历史遗留问题处置办法予以办理。",
        75,
        "accept@0 dispatch:发改局@1 return@2 accept@3 dispatch@3 sign@4 progress@8 reply@14 "
        "answer@15 rate:basically@17",
        "住建局",
        replies=(
            (
                PARTLY,
                "经住建、自然资源部门联合核查，贵公司厂房符合历史遗留问题处置条件，已完成测绘和权籍调查；"
                "因原产权单位改制档案缺失，需由国资部门出具情况说明后方可登记。",
                "国资部门出具情况说明后，不动产登记中心开通绿色通道，十个工作日内办结。",
            ),
        ),
        note="不动产登记及历史遗留问题处置由自然资源和住建部门牵头，我局无此职能，请转住建局。",
    ),
    # --- more closed petitions, spread over the half-year ---
    Case(
        "software-vat",
        "渤海电子信息",
        CH.ONLINE,
        "policy",
        "软件产品增值税即征即退政策兑现慢",
        "我公司自主开发的软件产品已取得登记证书，按政策可享受增值税实际税负超过3%部分即征即退，但"
        "退税款三个月仍未到账。请帮助协调。",
        105,
        _closed("satisfied", 4),
        "发改局",
        replies=(
            (
                RESOLVED,
                "我局已协调税务部门核查，贵公司退税申请因软件产品检测报告过期被暂停，企业补充材料后已"
                "审核通过，退税款已到账。",
                "",
            ),
        ),
    ),
    Case(
        "bandwidth",
        "西市电商产业园",
        CH.ONLINE,
        "infrastructure",
        "电商园区网络带宽不足，希望引入多家运营商",
        "园区目前只有一家运营商的光纤接入，带宽不足且价格偏高，直播电商高峰期经常卡顿。希望协调"
        "引入其他运营商，改善网络条件。",
        65,
        _closed("basically", 10),
        "发改局",
        replies=(
            (
                PARTLY,
                "经协调，已有一家运营商完成园区光纤入驻，带宽提升至万兆；另一家运营商因管道资源紧张，"
                "需结合道路管网改造同步入驻。",
                "管网改造完成后，协调第三家运营商入驻。",
            ),
        ),
    ),
    Case(
        "chemical-store",
        "海纳新能源材料",
        CH.ONLINE,
        "land",
        "危险化学品仓库建设规划选址审批反复补件",
        "我公司需新建一座甲类危险化学品仓库，选址位于化工园区内，但规划部门要求补充安全评价和周边"
        "安全距离论证，前后已补充三次材料。希望明确一次性补正清单。",
        55,
        "accept@0 dispatch@1 sign@3 progress@6 progress@12 reply@18 answer@19 rate:satisfied@21",
        "住建局",
        replies=(
            (
                RESOLVED,
                "我局已组织应急管理、规划部门联合会审，出具一次性补正清单；企业补正后规划选址意见已核发。",
                "",
            ),
        ),
    ),
    Case(
        "data-centre-power",
        "自贸区数字科技",
        CH.ONLINE,
        "policy",
        "数据中心用电能否执行大工业电价",
        "我公司在自贸区建设的数据中心用电容量2500千伏安，目前执行一般工商业电价。听说符合条件的"
        "数据中心可执行大工业电价，想了解申请条件和办理流程。",
        33,
        "accept@0 dispatch@1 sign@2 reply@4 answer@5 rate:unsatisfied@7 progress@9 reply@12 "
        "answer@13 rate:satisfied@15",
        "发改局",
        replies=(
            (
                EXPLAINED,
                "数据中心执行大工业电价需符合相关条件，请企业向供电公司咨询。",
                "由供电公司向企业说明申请条件。",
            ),
            (
                RESOLVED,
                "经我局与供电公司核实，贵公司数据中心变压器容量在315千伏安以上，符合执行两部制大工业电价"
                "的条件。供电公司已受理变更申请，自下一抄表周期起按大工业电价结算，预计每年可节约电费"
                "约40万元。",
                "",
            ),
        ),
        progress=("已约供电公司营销部与企业当面核对用电容量和计量方式。",),
        comments=(
            "答复只是让我们自己去问供电公司，没有解决问题。",
            "第二次答复很具体，电价已经调整，感谢！",
        ),
    ),
    Case(
        "equipment-loan",
        "西市印刷包装",
        CH.ONLINE,
        "financing",
        "环保设备更新贷款能否申请贴息",
        "我公司今年贷款300万元更新VOCs废气治理设备和数字印刷机，听说设备更新贷款有财政贴息政策，"
        "想了解申请条件和流程。",
        26,
        _closed("satisfied", 6),
        "发改局",
        replies=(
            (
                RESOLVED,
                "贵公司设备更新项目符合设备更新贷款贴息政策，我局已将项目推送至合作银行并纳入贴息备选"
                "清单，贴息比例为1.5个百分点，期限两年。",
                "",
            ),
        ),
    ),
    Case(
        "copyright-grant",
        "自贸区软件服务",
        CH.ONLINE,
        "policy",
        "软件著作权登记费用能否补贴",
        "我公司今年新登记软件著作权15项，想了解区里对知识产权创造有无奖补政策，软件著作权是否在"
        "奖补范围内。",
        127,
        _closed("satisfied", 4),
        "市场监管局",
        replies=(
            (
                RESOLVED,
                "按区知识产权资助办法，软件著作权登记每件资助300元，贵公司可于年底集中申报，我局知识产权"
                "科已将申报表发给企业。",
                "",
            ),
        ),
    ),
    # --- 待企业补充 and 回访: the clock stood still for the enterprise's papers; staff
    # took the rating by phone; and an answer still unrated, due for a return visit ---
    Case(
        "export-credit",
        "沿海新材料",
        CH.CONSULTATION_DAY,
        "financing",
        "出口信用保险保费补贴申报",
        "我公司今年出口额约2600万美元，投保了短期出口信用保险，想申请区里的保费补贴，但不清楚补贴"
        "比例和需要提交哪些材料。",
        30,
        "accept@0 dispatch@1 sign@2 ask@3 supply@6 reply@9 answer@10 visit:partly/basically@13",
        "商务局",
        request="请提供本年度出口信用保险保单、保费发票和出口报关数据汇总表，以便核定补贴金额。",
        supplied="保单、保费发票和报关数据汇总表已上传，请查收。",
        replies=(
            (
                PARTLY,
                "经核定，贵公司上半年保费符合补贴条件，按50%比例补贴12.6万元，已列入本批拨付计划；"
                "下半年保费待年底统一申报。",
                "下半年保费于12月底前集中申报，我局外贸科届时提前通知企业。",
            ),
        ),
    ),
    Case(
        "visit-due",
        "西市文化传媒",
        CH.ONLINE,
        "market",
        "参加沈阳文博会的展位费能否补贴",
        "我公司计划参加今年沈阳文化产业博览会，标准展位费约1.8万元，想了解区里对企业参展有无补贴。",
        12,
        "accept@0 dispatch@1 sign@2 reply@6 answer@8",
        "商务局",
        replies=(
            (
                RESOLVED,
                "按区促进会展经济办法，企业参加省级以上展会可按展位费的50%给予补贴，最高2万元；展会结束后"
                "凭合同、发票和参展照片向我局申报。",
                "",
            ),
        ),
    ),
]

# The duty studio's visits with an appeal become petitions (members/demo.py writes the log).
DUTY_CASES = {
    "冷库用电价格": (
        "冷库用电能否执行农业生产电价",
        "policy",
        "发改局",
        "值班接待记录：公司冷库主要储存本地水产品和果蔬，用电量大、电费负担重。希望协调冷库用电执行"
        "农业生产用电价格，并了解办理条件。",
    ),
    "高新技术企业认定": (
        "高新技术企业认定申报辅导",
        "policy",
        "发改局",
        "值班接待记录：公司研发投入占比已超过5%，拥有软件著作权20余项，准备申报高新技术企业。"
        "请帮助对接科技部门，辅导高企认定材料。",
    ),
}
DUTY_PLAN = "accept@0 dispatch@1 sign@2 progress@3"
CONSULTATION_DAY_SOURCE = "企业纾困会诊日（统战系统党群活动基地）"

PROGRESS_NOTES = [
    "已签收，已电话联系企业负责人了解具体情况。",
    "已会同业务科室到企业现场查看，正在研究解决方案。",
    "已与相关单位召开协调会，初步确定办理路径，正在推进。",
    "所需材料已收齐，正在按程序审核。",
]
COMMENTS = {
    "satisfied": [
        "办理及时，问题已解决，感谢工商联和相关部门！",
        "",
        "部门上门服务，答复清楚。",
        "",
    ],
    "basically": ["问题基本解决，后续还请继续跟进。", "答复清楚，但办理时间稍长。"],
}


def seed(*, password: str) -> None:
    if Petition.objects.exists():
        return
    with transaction.atomic(), _mail_failures_do_not_fail_the_seed():
        _Seeder().run()


@contextmanager
def _mail_failures_do_not_fail_the_seed() -> Iterator[None]:
    """The services enqueue e-mails after commit; a broker that cannot take them is logged.

    The e-mails queue up like any others and wait for a worker. If the broker cannot be
    reached, the first failure is logged once and the demo's other e-mails are dropped,
    so the demo data is loaded anyway (and quickly).
    """
    connection = transaction.get_connection()
    first = len(connection.run_on_commit)
    failures: list[Exception] = []

    def guarded(callback: Callable[[], object]) -> Callable[[], None]:
        def enqueue_demo_mail() -> None:
            if failures:
                return
            try:
                callback()
            except Exception as exc:  # the broker's errors vary with the transport
                failures.append(exc)
                logger.warning("The demo's e-mails were not queued: %s", exc)

        return enqueue_demo_mail

    try:
        yield
    finally:
        connection.run_on_commit[first:] = [
            (savepoints, guarded(callback), robust)
            for savepoints, callback, robust in connection.run_on_commit[first:]
        ]


def _categories() -> dict[str, Category]:
    """The categories by code; a flushed database lost the ones the migration wrote."""
    if not Category.objects.exists():
        migration = import_module("petitions.migrations.0003_categories_and_schedule")
        for order, (code, name, days, urgent) in enumerate(migration.CATEGORIES):
            Category.objects.create(
                code=code,
                name=name,
                working_days=days,
                urgent_working_days=urgent,
                sort_order=order * 10,
            )
    return {c.code: c for c in Category.objects.all()}


def _months_before(first: date, n: int) -> date:
    months = first.year * 12 + first.month - 1 - n
    return date(months // 12, months % 12 + 1, 1)


@dataclass
class _Texts:
    """The texts a petition's steps use up in order."""

    replies: Iterator[tuple[str, str, str]]
    progress: Iterator[str]
    comments: Iterator[str]


class _Seeder:
    """Takes the cases in, oldest first (so numbers follow the dates), then runs their steps."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.zone = timezone.get_current_timezone()
        self.yesterday = workdays.last_working_day_before(self.today)
        self.staff = User.objects.get(username="demo-staff")
        self.categories = _categories()
        self.departments = {d.short_name: d for d in Department.objects.all()}
        self.officials = defaultdict(list)
        for official in Official.objects.filter(
            is_active=True, department__isnull=False
        ).order_by("-is_liaison", "pk"):
            self.officials[official.department_id].append(official.user_id)
        self.users = User.objects.in_bulk(
            [pk for users in self.officials.values() for pk in users]
        )
        self.enterprises = list(Enterprise.objects.order_by("pk"))
        self.members = defaultdict(list)
        for member in Member.objects.select_related("user").order_by("pk"):
            self.members[member.enterprise_id].append(member.user)
        self.sessions = list(
            Activity.objects.filter(
                series__isnull=False,
                status=Activity.Status.PUBLISHED,
                ends_at__lt=timezone.make_aware(datetime.combine(self.today, time.min)),
            ).order_by("-starts_at")[:2]
        )
        self.petitions: dict[str, Petition] = {}
        self.used = Counter()

    def run(self) -> None:
        intake = [
            (self._received(case), "case", case)
            for case in CASES
            if case.channel != CH.CONSULTATION_DAY
        ]
        batches = defaultdict(list)
        for case in CASES:
            if case.channel == CH.CONSULTATION_DAY:
                batches[case.age].append(case)
        for age, cases in batches.items():
            day = workdays.nth_working_day_before(self.today, age)
            intake.append((self._at(day, 16, 10), "batch", cases))
        for entry in self._duty_entries():
            intake.append((entry.visited_at + timedelta(minutes=50), "duty", entry))
        received_at = {}
        for at, kind, item in sorted(intake, key=lambda row: row[0]):
            if kind == "case":
                self.petitions[item.key] = self._submit(item, at)
                received_at[item.key] = at
            elif kind == "batch":
                for case, petition in zip(
                    item, self._enter_batch(item, at), strict=True
                ):
                    self.petitions[case.key] = petition
                    received_at[case.key] = at
            else:
                case = self._duty_case(item)
                self.petitions[case.key] = self._from_duty_log(item, case, at)
                received_at[case.key] = at
                self._steps(case, received_at[case.key], skip_late=True)
        for case in CASES:
            self._steps(case, received_at[case.key])
        self._review()

    # --- intake --------------------------------------------------------------------

    def _at(self, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def _received(self, case: Case) -> datetime:
        rng = random.Random(case.key)
        if case.session and len(self.sessions) >= case.session:
            # Entered by the secretariat just after the session.
            return self.sessions[case.session - 1].ends_at + timedelta(
                minutes=rng.randint(10, 40)
            )
        if case.age == 0:
            return self.now - timedelta(minutes=rng.randint(40, 300))
        day = workdays.nth_working_day_before(self.today, case.age)
        return self._at(day, rng.randint(8, 15), rng.choice((0, 10, 20, 30, 40, 50)))

    def _enterprise(self, part: str) -> Enterprise:
        for enterprise in self.enterprises:
            if part in enterprise.name:
                return enterprise
        return self.enterprises[sum(map(ord, part)) % len(self.enterprises)]

    def _member_user(self, enterprise: Enterprise) -> User | None:
        users = self.members.get(enterprise.pk)
        return users[0] if users else None

    def _submit(self, case: Case, at: datetime) -> Petition:
        enterprise = self._enterprise(case.enterprise)
        member = self._member_user(enterprise)
        by_member = case.channel == CH.ONLINE and member is not None
        return services.submit_petition(
            enterprise=enterprise,
            title=case.title,
            description=case.text,
            channel=case.channel,
            submitted_by=member if by_member else self.staff,
            category=self.categories.get(case.category),
            activity=self.sessions[case.session - 1]
            if case.session and len(self.sessions) >= case.session
            else None,
            # About a third of the enterprises let the chamber cite them anonymously.
            may_share_anonymously=random.Random(f"{case.key}:share").random() < 0.35,
            contact_name=member.full_name
            if member
            else enterprise.legal_representative,
            contact_phone=enterprise.phone,
            now=at,
        )

    def _enter_batch(self, cases: list[Case], at: datetime) -> list[Petition]:
        rows = []
        for case in cases:
            enterprise = self._enterprise(case.enterprise)
            member = self._member_user(enterprise)
            rows.append(
                services.BatchRow(
                    enterprise=enterprise,
                    title=case.title,
                    description=case.text,
                    category=self.categories.get(case.category),
                    contact_name=member.full_name
                    if member
                    else enterprise.legal_representative,
                    contact_phone=enterprise.phone,
                )
            )
        batch, _created = services.enter_batch(
            key=f"demo-consultation-day-{timezone.localdate(at).isoformat()}",
            rows=rows,
            channel=CH.CONSULTATION_DAY,
            actor=self.staff,
            source=CONSULTATION_DAY_SOURCE,
            now=at,
        )
        return list(batch.petitions.order_by("pk"))

    def _duty_entries(self) -> list[DutyLogEntry]:
        entries = (
            DutyLogEntry.objects.filter(
                enterprise__isnull=False,
                petition__isnull=True,
                visited_at__lt=self.now - timedelta(hours=1),
            )
            .exclude(appeal="")
            .select_related("shift__representative__user", "enterprise")
            .order_by("visited_at", "pk")
        )
        return [entry for entry in entries if entry.has_appeal]

    def _duty_case(self, entry: DutyLogEntry) -> Case:
        title, category, department, text = DUTY_CASES.get(
            entry.subject, (entry.subject, "other", "", entry.appeal)
        )
        return Case(
            f"duty-{entry.pk}",
            entry.enterprise.name,
            CH.DUTY_STUDIO,
            category,
            title,
            text,
            0,
            DUTY_PLAN if department else "",
            department,
        )

    def _from_duty_log(self, entry: DutyLogEntry, case: Case, at: datetime) -> Petition:
        representative = entry.shift.representative
        return services.petition_from_duty_log(
            entry=entry,
            actor=representative.user if representative else self.staff,
            title=case.title,
            description=case.text,
            category=self.categories.get(case.category),
            now=at,
        )

    # --- the steps after intake ----------------------------------------------------

    def _steps(
        self, case: Case, received: datetime, *, skip_late: bool = False
    ) -> None:
        """Run the case's plan; a step that would fall on today or later moves to yesterday,
        or (`skip_late`, for the duty log's recent visits) is left for the staff to do."""
        rng = random.Random(f"{case.key}:steps")
        start = timezone.localtime(received).date()
        at = received
        texts = _Texts(iter(case.replies), iter(case.progress), iter(case.comments))
        for token in case.plan.split():
            action, _at, offset = token.partition("@")
            name, _colon, argument = action.partition(":")
            day = workdays.add_working_days(start, int(offset))
            if not workdays.is_working_day(day):
                day = workdays.add_working_days(day, 1)
            if day >= self.today:
                if skip_late:
                    return
                day = max(self.yesterday, start)
            at = max(
                self._at(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50))),
                at + timedelta(minutes=rng.randint(15, 45)),
            )
            step = getattr(self, f"_{name}")
            self.petitions[case.key] = step(
                self.petitions[case.key], case, argument, at, texts
            )

    def _official(self, petition: Petition, nth: int = 0) -> User:
        """An official of the petition's department (the liaison first); staff if it has none."""
        users = self.officials.get(petition.department_id)
        return self.users[users[nth % len(users)]] if users else self.staff

    def _rater(self, petition: Petition) -> User | None:
        users = self.members.get(petition.enterprise_id, [])
        mine = [u for u in users if u.pk == petition.submitted_by_id]
        return (mine or users or [None])[0]

    def _accept(
        self, petition, case, argument, at, texts, handling=Petition.Handling.DEPARTMENT
    ):
        return services.accept_petition(
            petition=petition,
            actor=self.staff,
            category=self.categories.get(case.category) or petition.category,
            priority=Petition.Priority.URGENT
            if case.urgent
            else Petition.Priority.NORMAL,
            handling=handling,
            now=at,
        )

    def _chamber(self, petition, case, argument, at, texts):
        return self._accept(
            petition, case, argument, at, texts, Petition.Handling.CHAMBER
        )

    def _dispatch(self, petition, case, argument, at, texts):
        return services.dispatch_petition(
            petition=petition,
            department=self.departments[argument or case.department],
            actor=self.staff,
            now=at,
        )

    def _sign(self, petition, case, argument, at, texts):
        return services.sign_petition(
            petition=petition, actor=self._official(petition), now=at
        )

    def _progress(self, petition, case, argument, at, texts):
        self.used["progress"] += 1
        note = next(
            texts.progress, PROGRESS_NOTES[self.used["progress"] % len(PROGRESS_NOTES)]
        )
        services.record_progress(
            petition=petition,
            actor=self._official(petition, self.used["progress"]),
            note=note,
            now=at,
        )
        return petition

    def _reply(self, petition, case, argument, at, texts):
        outcome, reply, follow_up = next(texts.replies)
        return services.record_department_reply(
            petition=petition,
            actor=self._official(petition),
            outcome=outcome,
            reply=reply,
            follow_up_plan=follow_up,
            now=at,
        )

    def _sendback(self, petition, case, argument, at, texts):
        return services.send_back_reply(
            petition=petition, actor=self.staff, note=case.note, now=at
        )

    def _answer(self, petition, case, argument, at, texts):
        if (
            petition.handling == Petition.Handling.CHAMBER
            and petition.department_id is None
        ):
            return services.answer_petition(
                petition=petition,
                actor=self.staff,
                answer=case.answer,
                outcome=case.outcome,
                now=at,
            )
        answer = (
            f"您好！您反映的“{petition.title}”问题，经转{petition.department.name}办理，"
            f"答复如下：\n{petition.department_reply}"
        )
        if petition.follow_up_plan:
            answer += f"\n后续安排：{petition.follow_up_plan}"
        return services.answer_petition(
            petition=petition, actor=self.staff, answer=answer, now=at
        )

    def _rate(self, petition, case, argument, at, texts):
        pool = COMMENTS.get(argument, [""])
        self.used[argument] += 1
        comment = next(texts.comments, pool[self.used[argument] % len(pool)])
        return services.rate_petition(
            petition=petition,
            solved=_solved(petition.outcome, argument),
            rating=argument,
            comment=comment,
            actor=self._rater(petition),
            now=at,
        )

    def _ask(self, petition, case, argument, at, texts):
        services.ask_enterprise(
            petition=petition,
            actor=self._official(petition),
            request=case.request,
            now=at,
        )
        petition.refresh_from_db()
        return petition

    def _supply(self, petition, case, argument, at, texts):
        services.answer_info_request(
            petition=petition,
            actor=self._rater(petition),
            answer=case.supplied,
            now=at,
        )
        petition.refresh_from_db()
        return petition

    def _extend(self, petition, case, argument, at, texts):
        services.ask_extension(
            petition=petition,
            actor=self._official(petition),
            reason=case.extension,
            proposed_due=workdays.add_working_days(petition.due_on, int(argument)),
            now=at,
        )
        return petition

    def _approve(self, petition, case, argument, at, texts):
        services.decide_extension(
            extension=petition.extensions.get(), actor=self.staff, approve=True, now=at
        )
        petition.refresh_from_db()
        return petition

    def _visit(self, petition, case, argument, at, texts):
        solved, _slash, rating = argument.partition("/")
        contact = petition.contact_name or petition.enterprise.name
        services.record_return_visit(
            petition=petition,
            actor=self.staff,
            way="phone",
            spoke_with=contact,
            visited_at=at - timedelta(minutes=20),
            solved=solved,
            rating=rating,
            note=next(texts.comments, ""),
            now=at,
        )
        petition.refresh_from_db()
        return petition

    def _return(self, petition, case, argument, at, texts):
        return services.return_petition(
            petition=petition, actor=self._official(petition), basis=case.note, now=at
        )

    def _reject(self, petition, case, argument, at, texts):
        return services.reject_petition(
            petition=petition, actor=self.staff, reason=case.note, now=at
        )

    def _merge(self, petition, case, argument, at, texts):
        into = self.petitions[argument]
        return services.merge_petition(
            petition=petition,
            into=into,
            actor=self.staff,
            reason=case.note.format(number=into.number),
            now=at,
        )

    # --- the review cycle over that past -------------------------------------------

    def _review(self) -> None:
        """Six monthly summaries, last quarter's clear-to-zero, this week's dispatch and studies."""
        this_month = self.today.replace(day=1)
        for back in range(5, -1, -1):
            review.run_monthly_summary(on=_months_before(this_month, back))
        review.run_quarterly_clearance(on=review.quarter_bounds(self.today)[0])
        self._topic()
        monday = self.today - timedelta(days=self.today.weekday())
        review.run_weekly_dispatch(on=monday)
        for day in workdays.working_days(monday, self.today):
            review.run_step("daily", on=day)

    def _topic(self) -> None:
        """每月一题: this month's topic, picked from last month's summary's first category
        candidate, with one task done, one past its due date (the daily study then
        supervises it) and one still to do; demo-official's department takes part."""
        run = (
            ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY)
            .order_by("-period_start")
            .first()
        )
        found = [
            c
            for c in ((run.report if run else {}).get("candidates") or [])
            if c["kind"] == "category"
        ]
        demo_official = Official.objects.filter(user__username="demo-official").first()
        if not found or demo_official is None or demo_official.department_id is None:
            return
        candidate = found[0]
        theirs = demo_official.department
        lead = (
            Department.objects.filter(pk=candidate["department_id"]).first() or theirs
        )
        month = self.today.replace(day=1)
        first_day = workdays.add_working_days(month - timedelta(days=1), 1)
        picked = min(self._at(first_day, 10, 0), self.now - timedelta(hours=2))
        name = candidate["name"]
        topic = topics.save_topic(
            actor=self.staff,
            month=month,
            title=f"{name}类诉求集中破解",
            lead_department=lead,
            departments=[theirs] if theirs != lead else [],
            problems=(
                f"同类“{name}”诉求反复出现，企业多次反映\n"
                "办理标准和时限各部门说法不一\n"
                "答复后缺少回访，企业获得感不强"
            ),
            petitions=Petition.objects.filter(pk__in=candidate["petitions"]),
            tasks=[
                {
                    "text": "梳理上月同类诉求，形成问题清单",
                    "department": lead,
                    "owner": "",
                    "due_on": first_day,
                },
                {
                    "text": "牵头部门与协办部门会商，统一办理口径",
                    "department": theirs,
                    "owner": "",
                    "due_on": workdays.last_working_day_before(self.today),
                },
                {
                    "text": "在企业家会客厅通报办理结果，听取企业意见",
                    "department": None,
                    "owner": "商会秘书处",
                    "due_on": review.month_bounds(self.today)[1],
                },
            ],
            now=picked,
        )
        topics.mark_task_done(
            task=topic.tasks.order_by("sort_order").first(),
            actor=self.staff,
            note="已形成问题清单，报送牵头部门。",
            now=self.now - timedelta(hours=1),
        )
