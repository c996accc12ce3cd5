/// The words of the customer's survey page in one language (the tenant setting `locale`).
struct SurveyPageTexts: Sendable {
    var title: String
    var intro: String
    /// The legend of each rating field.
    var legends: [String: String]
    /// The words of the scale, 1 to 5.
    var scale: [String]
    var comment: String
    var submit: String
    var chooseRating: String
    /// Before the field's name and the reason when the form was not the page's own.
    var formProblem: String
    var thanksTitle: String
    var thanksText: String
    var notices: [SurveyPage.Notice: (title: String, text: String)]

    static func of(_ locale: TextLocale) -> SurveyPageTexts {
        switch locale {
        case .zhCN: zhCN
        case .en: en
        }
    }

    static let zhCN = SurveyPageTexts(
        title: "服务满意度评价",
        intro: "请为本次服务打分：1 分最低，5 分最高。",
        legends: [
            "overall": "总体满意度", "timeliness": "响应及时性", "professionalism": "专业程度",
            "resolution": "问题解决情况", "attitude": "服务态度",
        ],
        scale: ["非常不满意", "不满意", "一般", "满意", "非常满意"],
        comment: "意见或建议（选填）",
        submit: "提交评价",
        chooseRating: "请选择 1 到 5 分。",
        formProblem: "表单字段有误",
        thanksTitle: "感谢您的评价",
        thanksText: "您的评价已提交，我们会据此改进服务。",
        notices: [
            .unknown: ("找不到该评价", "链接无效或不完整，请检查您收到的链接。"),
            .answered: ("您已完成评价", "该评价已提交过，感谢您的反馈。"),
            .expired: ("评价已过期", "该评价的有效期已过，无法再提交。"),
            .suspended: ("暂时无法评价", "该服务方的评价暂不可用。"),
            .tooLarge: ("内容过长", "提交的内容过长，请缩短意见后重试。"),
            .unsupported: ("无法处理该提交", "请通过评价页面上的表单提交。"),
            .unavailable: ("服务暂时不可用", "请稍后再试。"),
        ]
    )

    static let en = SurveyPageTexts(
        title: "How did we do?",
        intro: "Please rate our service: 1 is the lowest, 5 the highest.",
        legends: [
            "overall": "Overall satisfaction", "timeliness": "Timeliness", "professionalism": "Professionalism",
            "resolution": "Resolution of your issue", "attitude": "Attitude",
        ],
        scale: ["Very poor", "Poor", "Fair", "Good", "Excellent"],
        comment: "Comments (optional)",
        submit: "Send rating",
        chooseRating: "Please choose 1 to 5.",
        formProblem: "A form field is not valid",
        thanksTitle: "Thank you for your rating",
        thanksText: "Your rating has been sent. It helps us improve our service.",
        notices: [
            .unknown: ("Survey not found", "This link is not valid or not complete. Please check the link you received."),
            .answered: ("Already answered", "This survey has already been answered. Thank you for your feedback."),
            .expired: ("Survey expired", "This survey can no longer be answered."),
            .suspended: ("Survey unavailable", "Surveys of this service are not available at the moment."),
            .tooLarge: ("Too long", "What you sent is too long. Please shorten your comment and try again."),
            .unsupported: ("Cannot process this request", "Please use the form on the survey page."),
            .unavailable: ("Service unavailable", "Please try again in a moment."),
        ]
    )
}
