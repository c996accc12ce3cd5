import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `POST /v1/surveys/{token}`: the customer's answer. No API key — the single-use token is the credential.
struct SurveyAnswerRoutes {
    let services: KefuServices

    struct Thanks: ResponseEncodable {
        var status: String
        var answeredAt: Date?
    }

    func register(on router: Router<KefuRequestContext>) {
        router.post("v1/surveys/:token") { request, context -> Thanks in
            let token = context.parameters.get("token") ?? ""
            let answer = try await request.decodeJSON(SurveyAnswer.self, context: context)
            let survey = try await services.surveys.answer(token: token, answer)
            return Thanks(status: "thank you", answeredAt: survey.answeredAt)
        }
    }
}
