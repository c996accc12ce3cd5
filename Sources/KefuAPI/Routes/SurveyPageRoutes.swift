import Foundation
import HTTPTypes
import Hummingbird
import KefuCore
import KefuRuntime
import NIOCore

/// `GET /s/{token}` and `POST /s/{token}`: the customer's survey page, the HTML form the survey
/// invitation links to. No API key — the token alone decides the tenant. The post runs the same
/// `SurveyService.answer` as `POST /v1/surveys/{token}`; every answer, refusal and error is an
/// HTML page, never JSON.
struct SurveyPageRoutes {
    let services: KefuServices

    /// Largest form body: a comment of `SurveyAnswer.commentMaxLength` four-byte characters,
    /// percent-encoded, fits.
    static let maxBodyBytes = 64 * 1024

    func register(on router: Router<KefuRequestContext>) {
        router.get("s/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            do {
                let invitation = try await services.surveys.invitation(token: token)
                guard invitation.state == .open else { return Self.closed(invitation) }
                return Self.page(.ok, .form(invitation))
            } catch {
                return Self.failure(error, invitation: nil, request: request, context: context)
            }
        }
        router.post("s/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            var invitation: SurveyInvitation?
            do {
                let found = try await services.surveys.invitation(token: token)
                invitation = found
                guard found.state == .open else { return Self.closed(found) }
                return try await answer(token: token, found, request: request)
            } catch {
                return Self.failure(error, invitation: invitation, request: request, context: context)
            }
        }
    }

    /// Reads the form, answers the survey, and shows the thank-you page or the form again with
    /// the refusal next to its field (422).
    private func answer(token: String, _ invitation: SurveyInvitation, request: Request) async throws -> Response {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else {
            return Self.page(.unsupportedMediaType, .notice(.unsupported, invitation))
        }
        let body = Array((try await request.body.collect(upTo: Self.maxBodyBytes)).readableBytesView)
        let values: [String: String]
        do {
            values = try FormFields.parse(body, allowed: SurveyForm.fields)
        } catch KefuError.invalidField(let field, let reason) {
            return Self.page(.unprocessableContent, .form(invitation, refusal: .init(field: field, reason: reason)))
        }
        let answer: SurveyAnswer
        do {
            answer = try SurveyForm.answer(values)
        } catch {
            return Self.page(.unprocessableContent, .form(invitation, values: values, missing: error.fields))
        }
        do {
            _ = try await services.surveys.answer(token: token, answer)
            return Self.page(.ok, .thanks(invitation))
        } catch KefuError.invalidField(let field, let reason) {
            return Self.page(.unprocessableContent, .form(invitation, values: values, refusal: .init(field: field, reason: reason)))
        } catch KefuError.conflict {
            // Answered or expired since the page was loaded: say which.
            return Self.closed(try await services.surveys.invitation(token: token))
        }
    }

    /// The page of a survey that takes no answer: answered 409, expired 410.
    private static func closed(_ invitation: SurveyInvitation) -> Response {
        switch invitation.state {
        case .answered: page(.conflict, .notice(.answered, invitation))
        case .expired: page(.gone, .notice(.expired, invitation))
        case .open: page(.ok, .form(invitation))
        }
    }

    /// Any other error as a page with the status the JSON API would answer (unknown token 404,
    /// suspended tenant 403, body too large 413, the database unavailable 503, else 500 logged).
    private static func failure(_ error: any Error, invitation: SurveyInvitation?, request: Request, context: KefuRequestContext) -> Response {
        let (status, _) = ErrorMiddleware<KefuRequestContext>.describe(error, request: request, logger: context.logger)
        let notice: SurveyPage.Notice =
            switch status {
            case .notFound: .unknown
            case .forbidden: .suspended
            case .contentTooLarge: .tooLarge
            default: .unavailable
            }
        return page(status, .notice(notice, notice == .unknown ? nil : invitation))
    }

    /// `page` as an HTML response with the survey pages' security headers.
    static func page(_ status: HTTPResponse.Status, _ page: SurveyPage) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        for (name, value) in SurveyPage.securityHeaders {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        let bytes = ByteBuffer(string: page.html)
        headers[.contentLength] = String(bytes.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }
}
