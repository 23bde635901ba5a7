"""What a question asks for, and whether a text holds that kind of answer."""

from rag.asking import (
    answer_kind,
    asked_noun,
    asks_count,
    asks_date,
    asks_money,
    asks_name,
    asks_number,
    asks_who,
    counted_noun,
    dual_forms,
    fits,
    holds_date,
    holds_number,
)


def test_the_kind_asked_for_is_read_from_how_the_question_starts():
    assert [answer_kind(q) for q in ("من هو وزير الدفاع؟", "ومن هي الوزيرة؟", "كم شخصاً قتل في اعتداء نيس؟",
                                     "ما عدد القتلى؟", "أين وقع الهجوم؟", "في أي مدينة عقد الاجتماع؟",
                                     "متى التقى هولاند بوتين؟", "في أي يوم عقد؟", "ما منصب رودس؟")] == \
        ["name", "name", "count", "count", "where", "where", "when", "when", "any"]
    assert [answer_kind(q) for q in ("أي وكالة أنباء نقلت التصريح؟", "لأي وسيلة إعلام تحدثت ماي؟", "مع أي قناة أجرى مقابلة؟",
                                     "ما اسم الموقع الأمريكي؟", "أي دولة لم تحضر؟")] == ["name"] * 4 + ["any"]
    # "Which" after any preposition, as the asked noun reads it: "على أي وكالة…؟" asks for a name too.
    assert [answer_kind(q) for q in ("على أي وكالة اعتمد التقرير؟", "إلى أي حزب ينتمي؟", "وأي صحيفة نشرت الخبر؟")] == \
        ["name"] * 3
    # "من" as "from" or "among" asks no name: «من أين…؟» asks where, «من بين…، كم…؟» how many.
    assert [answer_kind(q) for q in ("من أين تنطلق العروض؟", "من بين سكان المدينة، كم كانت نسبة الكاثوليك؟",
                                     "من أي نادٍ انتقل اللاعب؟", "من أي اتجاه تدخل الطريق؟", "من الذي أسس الشركة؟")] == \
        ["where", "count", "name", "any", "name"]


def test_a_count_or_a_date_asked_further_in_or_in_english_counts_too():
    assert [answer_kind(q) for q in ("بعد كم يوماً من اعتداء نيس هدد داعش؟", "منذ متى؟", "منذ أي عام تعمل الشركة؟",
                                     "How many died?", "When did Hollande meet Putin?", "In what year did it open?")] == \
        ["count", "when", "when", "count", "when", "when"]
    assert answer_kind("كمية الأمطار التي هطلت؟") == "any"  # "كم" begins the word, not the question
    assert answer_kind("من هو المدير الذي ذكر عدد المقاتلين؟") == "name"  # the start decides first


def test_a_how_many_question_takes_only_a_number():
    assert fits("كم ضابطاً فرنسياً يعمل في مركز القيادة؟", "40 ضابطا") and fits("كم عدد المصابين؟", "المئات")
    assert not fits("كم ضابطاً فرنسياً يعمل في مركز القيادة؟", "الجوية")
    assert fits("من هو وزير الدفاع؟", "الجوية")  # other questions are not judged by kind
    assert fits("كمية الأمطار التي هطلت؟", "غزيرة")
    assert not fits("كم سيارة بيعت في مايو؟", "50%") and not fits("كم سيارة بيعت؟", "5 بالمئة")  # a share counts nothing
    assert fits("كم بلغت نسبة النمو؟", "50%") and fits("كم ارتفعت الأسعار في المئة؟", "5 في المئة")


def test_a_sum_of_money_is_answered_in_a_currency():
    asked = ("كم بلغت تكلفة الضربات الجوية؟", "كم غرامة فرضتها المحكمة؟", "ما قيمة الوقف الثاني؟", "بكم دولار ينخفض السعر؟",
             "ما الربح الصافي الذي حققته الشركة؟")
    not_asked = ("كم مخالفة لتأخير رواتب العمال رصدها المكتب؟", "كم أسبوعاً خسرت فيه أسعار النفط؟", "كم شخصاً قتل؟",
                 "كم عدد جوائز الغرامي التي فازت بها؟")
    assert all(asks_money(q) for q in asked) and not any(asks_money(q) for q in not_asked)
    assert fits("كم بلغت تكلفة الترميم؟", "12 مليون ريال") and fits("ما قيمة الصفقة؟", "$5 billion")
    assert not fits("كم بلغت تكلفة الترميم؟", "12") and not fits("كم غرامة فرضتها المحكمة؟", "20 عاما")
    assert fits("بكم دولار ينخفض السعر؟", "10")  # the question names the currency


def test_a_when_question_takes_a_date_and_a_where_question_no_number():
    assert fits("متى التقى هولاند بوتين؟", "26 نونبر") and fits("في أي يوم وقع الهجوم؟", "يوم الجمعة")
    assert fits("متى سيفتتح المطار؟", "في رمضان") and fits("متى كانت ذروته؟", "ستينات القرن العشرين")
    assert not fits("في أي عام ولد جون كيري؟", "جون كيري") and not fits("متى ستنطلق القناة؟", "ميديا")
    # A number alone is a date as a day of the month or a year, not as an area or a count.
    assert fits("في أي يوم من نونبر وقعت الاعتداءات؟", "13") and fits("في أي عام ولد؟", "١٩٤٣")
    assert not fits("متى سيفتتح المطار؟", "300") and not fits("متى سيفتتح المطار؟", "45")
    assert fits("متى انقرضت؟", "66 مليون سنة خلت") and fits("متى كان أنشط؟", "أواخر الثمانينيات")
    assert fits("أين عقد الاجتماع؟", "لندن") and fits("في أي حي تقع السفارة؟", "حي 14 رمضان")
    assert not fits("أين عززت بريطانيا انتشار الشرطة؟", "129 شخصاً")


def test_a_dated_sentence_holds_digits_a_month_or_a_weekday_as_whole_words():
    assert holds_date("وقع الهجوم يوم الجمعة") and holds_date("في 13 نونبر") and holds_date("منتصف شهر رمضان")
    assert not holds_date("وقال الخبراء إن الأسباب كثيرة")  # "اب" inside a word is not the month آب
    assert not holds_date("عقد الاجتماع في باريس")  # "عقد" answers a when-question, but rarely dates a sentence
    assert holds_number("قتل ثلاثة أشخاص") and holds_number("84 قتيلا") and not holds_number("قتل الكثيرون")


def test_english_questions_that_a_number_or_a_name_answers():
    assert asks_number("How many people died in Nice?") and asks_number("In what year did it open?")
    assert asks_number("On what day of January did Kerry travel?") and not asks_number("Who is the minister?")
    assert asks_number("According to the director, how many fighters are there?") and asks_number("About how many came?")
    assert not asks_number("Who showed them how to fight?")
    assert asks_name("In which suburb was the raid?") and asks_name("What is the name of the site?")
    assert not asks_name("What did May say?") and not asks_name("How many died?")


def test_a_question_may_ask_both_how_many_and_when():
    question = "In which year were how many people killed in the Paris attacks?"
    assert asks_count(question) and asks_date(question) and answer_kind(question) == "count"
    assert not holds_date("أعلنت وزيرة الداخلية تيريسا ماي")  # the Maghrebi month ماي is also a name


def test_the_noun_a_question_asks_for_comes_with_its_article():
    assert asked_noun("ما الشعار الذي حملته لافتات المتظاهرين؟") == "الشعار"
    assert asked_noun("أي مادة من معاهدة الحلف؟") == "المادة"
    assert asked_noun("على أي مساحة امتد الحريق؟") == "المساحة"
    assert asked_noun("مع أي بلدين تنسق الشرطة؟") == "البلدين"
    assert [asked_noun(q) for q in ("ما الذي سبق المداهمة؟", "ما هو الحي الكائن غربي الطريق؟", "ماذا قالت ماي؟",
                                    "ما منصب بن رودس؟", "كم شخصاً قتل؟", "أي", "أي من الوزيرين زار باريس؟")] == [None] * 7


def test_the_counted_noun_and_its_dual():
    assert counted_noun("كم دورية أمنية تهجم عليها العمال؟") == "دوريه"
    assert counted_noun("بعد كم يوماً هدد التنظيم؟") == "يوم"
    assert counted_noun("كم عدد القتلى؟") is None and counted_noun("من هو الوزير؟") is None
    assert dual_forms("دوريه") == {"دوريتين", "دوريتان"} and dual_forms("يوم") == {"يومين", "يومان"}


def test_who_before_a_title_asks_who_holds_it():
    assert asks_who("من وزير الخارجية النرويجي؟") and asks_who("ومن المتحدث الرسمي باسم الهيئة؟")
    assert not asks_who("من أمر بالتحقيق؟")  # before a verb: the answer may be a clause
    assert not asks_who("من الذي فاز؟") and not asks_who("من أين تنطلق العروض؟")
