import Foundation
import HTTPTypes
import KefuCore
import KefuTestSupport
import XCTest

@testable import KefuAPI

/// The role × action matrix the README documents, walked through the real router: every `/v1`
/// route, every role. A route the matrix does not know fails the test (and is refused to everyone).
final class AuthorityMatrixTests: TicketTestCase {
    /// README "Who may do what": the roles that may do each action (`owner` rows: an agent only
    /// on a ticket it owns).
    static let documented: [KefuAction: (roles: Set<AgentRole>, asOwner: Set<AgentRole>)] = {
        let staff: Set<AgentRole> = [.agent, .supervisor, .qa, .admin]
        let handlers: Set<AgentRole> = [.agent, .supervisor, .admin]
        let leads: Set<AgentRole> = [.supervisor, .admin]
        let quality: Set<AgentRole> = [.qa, .supervisor, .admin]
        var table: [KefuAction: (Set<AgentRole>, Set<AgentRole>)] = [:]
        for action: KefuAction in [
            .readAccount, .readAgents, .setOwnDutyStatus, .readDepartments, .readCustomers, .readTags,
            .readRoutingRules, .listTickets, .readInternalMessages, .readTicketRecords, .complainAboutAgent,
            .readReports, .readOwnNotifications, .readOwnFollowups, .readSurge, .readKnowledge,
            .writeArticles, .voteOnArticles, .readTraining, .readProblemReports,
        ] {
            table[action] = (staff, [])
        }
        for action: KefuAction in [
            .changeSettings, .manageAgents, .manageDepartments, .manageAPIKeys, .manageRoutingRules, .erasePersonalData,
            .manageTemplates, .manageWebhooks,
        ] {
            table[action] = ([.admin], [])
        }
        for action: KefuAction in [
            .setAnyDutyStatus, .manageTags, .assignTicketToOthers, .readAllNotifications, .readAllFollowups,
            .switchSurge, .planEvents, .manageTraining, .exportPersonalData, .approvePlan, .formTeam, .settleProblemReport,
        ] {
            table[action] = (leads, [])
        }
        for action: KefuAction in [.writeCustomers, .takeTicket, .addNote] { table[action] = (handlers, []) }
        table[.intakeTicket] = (handlers.union([.integration]), [])
        table[.readTicket] = (staff.union([.integration]), [])
        table[.readTicketMessages] = (staff.union([.integration]), [])
        for action: KefuAction in [
            .respond, .requestInfo, .plan, .transfer, .redispatch, .escalate, .resolve, .reopen, .close, .merge, .editTicket,
            .departmentWork, .executePlan,
        ] {
            table[action] = (leads, [.agent])
        }
        table[.customerReply] = ([.integration, .admin], [])
        table[.postChannelMessage] = ([.integration, .admin], [])
        table[.confirmPlan] = (leads.union([.integration]), [.agent])
        for action: KefuAction in [
            .reviewTicket, .completeFollowup, .writeIncidentReview, .manageReplyScripts, .assessTraining, .fileProblemReport,
        ] {
            table[action] = (quality, [])
        }
        return table
    }()

    func testEveryActionHasTheDocumentedRule() {
        for action in KefuAction.allCases {
            guard let expected = Self.documented[action] else { return XCTFail("\(action) is not documented") }
            XCTAssertEqual(action.rule.roles, expected.roles, "\(action)")
            XCTAssertEqual(action.rule.ownerRoles, expected.asOwner, "\(action)")
        }
    }

    func testEveryRouteAnswersEachRoleAsTheMatrixSays() async throws {
        var callers: [(AgentRole, Agent, String)] = []
        for role in AgentRole.allCases {
            let agent = try await addAgent("Caller \(role.rawValue)", role: role.rawValue, duty: "away")
            callers.append((role, agent, try await keyFor(agent)))
        }
        let router = KefuApplication.makeRouter(services: services, configuration: .init(port: 0))
        // Routes reached by a secret token with no key at all.
        let keyless: Set<String> = ["/v1/surveys/{token}", "/v1/inbound/email/{token}"]
        let routes = router.routes.filter { $0.path.description.hasPrefix("/v1/") && !keyless.contains($0.path.description) }
        XCTAssertGreaterThan(routes.count, 90)
        let served = Set(routes.map { "\($0.method.rawValue) \($0.path.description)" })
        XCTAssertEqual(Set(RouteActions.table.keys).subtracting(served), [], "RouteActions names routes that do not exist")
        for route in routes {
            let path = route.path.description
            let method = route.method
            guard let action = RouteActions.action(method: method, path: path) else {
                XCTFail("\(route) has no action in RouteActions")
                continue
            }
            guard let documented = Self.documented[action] else { continue }
            for (role, agent, callerKey) in callers {
                let (uri, body) = Self.request(path, caller: agent)
                let reply = try await withAPI { api in try await api.send(method, uri, key: callerKey, body: method == .get ? nil : body) }
                if documented.roles.contains(role) || documented.asOwner.contains(role) {
                    XCTAssertNotEqual(reply.status, .forbidden, "\(role) \(route): \(reply.raw)")
                } else {
                    XCTAssertEqual(reply.status, .forbidden, "\(role) \(route): \(reply.raw)")
                    XCTAssertEqual(reply.errorCode, "forbidden", "\(role) \(route)")
                }
            }
        }
    }

    /// A request for `path` that reaches the handler without touching anything real: unknown
    /// ids (404) or an empty body (422) — except an agent's own duty status, which it may set.
    static func request(_ path: String, caller: Agent) -> (String, String) {
        // The live stream stays open once allowed: a malformed position ends it with 422 instead.
        if path == "/v1/stream" { return ("/v1/stream?last_event_id=none", "{}") }
        if path == "/v1/agents/{id}" {
            return ("/v1/agents/\(caller.id.uuidString)", json(["duty_status": "away"]))
        }
        let uri = path.replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{version}", with: "1")
        return (uri, "{}")
    }
}
