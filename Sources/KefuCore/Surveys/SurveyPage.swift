/// The customer's survey page (`/s/{token}`): the form, the thank-you page and the notices for
/// everything else, in the tenant's language. Pure: the HTTP layer adds status and headers.
public struct SurveyPage: Sendable, Equatable {
    /// The HTML document (UTF-8).
    public var html: String

    /// A page without the form: why the survey cannot be answered here.
    public enum Notice: Sendable, Hashable {
        case unknown, answered, expired, suspended, tooLarge, unsupported, unavailable
    }

    /// The headers every survey page is sent with, besides its content type.
    public static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", SurveyPageTemplate.contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]

    /// Why a post was refused: the field and the reason (the answer's own rules, in English).
    public struct Refusal: Sendable, Equatable {
        public var field: String
        public var reason: String

        public init(field: String, reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    /// The form of `invitation`'s survey; after a refused post, with what was chosen, "choose a
    /// rating" next to each `missing` rating and the `refusal` next to its field (at the top for
    /// a field that is not the form's).
    public static func form(
        _ invitation: SurveyInvitation,
        values: [String: String] = [:],
        missing: [String] = [],
        refusal: Refusal? = nil
    ) -> SurveyPage {
        let texts = SurveyPageTexts.of(invitation.locale)
        let problem = refusal.map { "\(texts.formProblem): “\($0.field)” \($0.reason)" }
        let ratings = SurveyForm.ratings.map { name in
            let error = refusal?.field == name ? problem : missing.contains(name) ? texts.chooseRating : nil
            return rating(name, texts: texts, chosen: values[name], error: error)
        }
        var form: [String: Any] = [
            "title": texts.title, "intro": texts.intro, "ratings": ratings, "commentLabel": texts.comment,
            "commentMax": String(SurveyAnswer.commentMaxLength), "comment": values["comment"] ?? "", "submit": texts.submit,
        ]
        if let refusal, let problem {
            // A rating's refusal is next to the rating (above); the comment's next to the comment.
            if refusal.field == "comment" {
                form["commentError"] = problem
            } else if !SurveyForm.fields.contains(refusal.field) {
                form["problem"] = problem
            }
        }
        return render(invitation.locale, title: texts.title, tenant: invitation.tenantName, ["form": form])
    }

    /// One rating field's fieldset: its legend, the five options, the one chosen, its error.
    private static func rating(_ name: String, texts: SurveyPageTexts, chosen: String?, error: String?) -> [String: Any] {
        var options: [[String: Any]] = []
        for value in 1...5 {
            let option: [String: Any] = [
                "value": String(value), "label": texts.scale[value - 1], "checked": chosen == String(value), "first": value == 1,
            ]
            options.append(option)
        }
        var rating: [String: Any] = ["name": name, "legend": texts.legends[name] ?? name, "options": options]
        if let error { rating["error"] = error }
        return rating
    }

    /// The page after an answer was stored.
    public static func thanks(_ invitation: SurveyInvitation) -> SurveyPage {
        let texts = SurveyPageTexts.of(invitation.locale)
        let notice: [String: Any] = ["lang": invitation.locale.rawValue, "title": texts.thanksTitle, "text": texts.thanksText]
        return render(invitation.locale, title: texts.thanksTitle, tenant: invitation.tenantName, ["notices": [notice]])
    }

    /// `notice` in the tenant's language, or in every language when the tenant is not known.
    public static func notice(_ notice: Notice, _ invitation: SurveyInvitation?) -> SurveyPage {
        let locales = invitation.map { [$0.locale] } ?? TextLocale.allCases
        let notices: [[String: Any]] = locales.map { locale in
            let text = SurveyPageTexts.of(locale).notices[notice] ?? ("", "")
            return ["lang": locale.rawValue, "title": text.title, "text": text.text]
        }
        let locale = locales.first ?? .zhCN
        let title = locales.compactMap { SurveyPageTexts.of($0).notices[notice]?.title }.joined(separator: " / ")
        return render(locale, title: title, tenant: invitation?.tenantName, ["notices": notices])
    }

    private static func render(_ locale: TextLocale, title: String, tenant: String?, _ content: [String: Any]) -> SurveyPage {
        var values = content
        values["lang"] = locale.rawValue
        values["pageTitle"] = tenant.map { "\(title) – \($0)" } ?? title
        if let tenant { values["tenant"] = tenant }
        return SurveyPage(html: SurveyPageTemplate.compiled?.render(values) ?? "")
    }
}
