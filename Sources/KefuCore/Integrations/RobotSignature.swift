import Crypto
import Foundation

/// The platforms' own request signing and answers.
enum RobotSignature {
    /// DingTalk (加签): `timestamp` (ms) and `sign` = URL-encoded base64 HMAC-SHA256 with the secret
    /// as key of "<timestamp>\n<secret>", appended to the robot URL.
    static func dingTalkURL(_ url: String, secret: String, at instant: Date) -> String {
        let timestamp = Int64((instant.timeIntervalSince1970 * 1000).rounded(.down))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let sign = Data(mac).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return url + (url.contains("?") ? "&" : "?") + "timestamp=\(timestamp)&sign=\(sign)"
    }

    /// Feishu: `timestamp` (s) and `sign` = base64 HMAC-SHA256 keyed by "<timestamp>\n<secret>" over
    /// nothing, as the first members of the JSON body.
    static func feishuBody(_ body: String, secret: String, at instant: Date) -> String {
        let timestamp = Int64(instant.timeIntervalSince1970.rounded(.down))
        let mac = HMAC<SHA256>.authenticationCode(for: [UInt8](), using: SymmetricKey(data: Array("\(timestamp)\n\(secret)".utf8)))
        return "{\"sign\":\"\(Data(mac).base64EncodedString())\",\"timestamp\":\"\(timestamp)\"," + body.dropFirst()
    }

    /// The platforms answer 200 with an error code in the body: `errcode` (DingTalk, WeCom) or
    /// `code` / `StatusCode` (Feishu), 0 when the message was posted. Nil when it was; the error otherwise.
    static func failure(in body: [UInt8]) -> String? {
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            return "the robot's answer is not a JSON object"
        }
        for key in ["errcode", "code", "StatusCode"] {
            guard case .number(let code)? = fields[key] else { continue }
            if code == 0 { return nil }
            let message =
                ["errmsg", "msg", "StatusMessage"].lazy.compactMap { name -> String? in
                    if case .string(let text)? = fields[name] { return text }
                    return nil
                }.first ?? ""
            return "the robot answered \(key) \(Int(code)): \(message)"
        }
        return "the robot's answer has no error code"
    }
}
