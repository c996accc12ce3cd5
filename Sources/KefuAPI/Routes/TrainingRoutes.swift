import Foundation
import Hummingbird
import KefuCore
import KefuRuntime

/// `/v1/training/…`: plans, courses, enrolments, assessments, certificates, promotion eligibility
/// and required materials.
struct TrainingRoutes {
    let services: KefuServices

    struct Enrol: Decodable {
        var courseId: UUID
        var agentId: UUID
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        let training = services.training
        group.get("training/plans") { _, context in ItemList(items: try await training.plans(context.tenantID)) }
        group.post("training/plans") { request, context -> Created<TrainingPlan> in
            Created(value: try await training.createPlan(context.principal, request.decodeJSON(NewTrainingPlan.self, context: context)))
        }
        group.get("training/courses") { _, context in ItemList(items: try await training.courses(context.tenantID)) }
        group.post("training/courses") { request, context -> Created<Course> in
            Created(value: try await training.createCourse(context.principal, request.decodeJSON(NewCourse.self, context: context)))
        }
        group.get("training/courses/:id/sessions") { _, context in
            ItemList(items: try await training.sessions(context.tenantID, courseID: context.id(entity: "course")))
        }
        group.post("training/courses/:id/sessions") { request, context -> Created<TrainingSession> in
            let input = try await request.decodeJSON(NewTrainingSession.self, context: context)
            return Created(value: try await training.addSession(context.principal, courseID: context.id(entity: "course"), input))
        }
        group.get("training/enrolments") { request, context in
            let agent = try QueryParameters(request).uuid("agent_id")
            return ItemList(items: try await training.enrolments(context.tenantID, agentID: agent))
        }
        group.post("training/enrolments") { request, context -> Created<Enrolment> in
            let input = try await request.decodeJSON(Enrol.self, context: context)
            return Created(value: try await training.enrol(context.principal, courseID: input.courseId, agentID: input.agentId))
        }
        group.post("training/enrolments/:id/assessments") { request, context -> Created<AssessmentResult> in
            let input = try await request.decodeJSON(AssessmentInput.self, context: context)
            return Created(value: try await services.assessments.assess(context.principal, enrolmentID: context.id(entity: "enrolment"), input))
        }
        group.get("training/certificates") { request, context in
            let agent = try QueryParameters(request).uuid("agent_id")
            return ItemList(items: try await training.certificates(context.tenantID, agentID: agent))
        }
        group.get("training/eligibility") { _, context in
            ItemList(items: try await services.promotions.eligibility(context.tenantID))
        }
        group.get("training/materials") { _, context in
            ItemList(items: try await training.materials(context.tenantID))
        }
    }
}

extension TrainingPlan: ResponseEncodable {}
extension TrainingSession: ResponseEncodable {}
extension Course: ResponseEncodable {}
extension Enrolment: ResponseEncodable {}
extension AssessmentResult: ResponseEncodable {}
