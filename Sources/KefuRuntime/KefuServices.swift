import Foundation
import KefuCore
import KefuPostgres

/// Every service of the domain, wired to one application-role pool and one clock. The worker's
/// cross-tenant jobs are not here: they need the worker role (`WorkerServices`).
public struct KefuServices: Sendable {
    public let pool: ConnectionPool
    public let database: TenantDatabase
    public let clock: any KefuClock
    public let apiKeys: APIKeyService
    public let agents: AgentService
    public let departments: DepartmentService
    public let settings: SettingsService
    public let slaPolicies: SLAPolicyService
    public let templates: TemplateService
    public let customers: CustomerService
    public let personalData: PersonalDataService
    public let tags: TagService
    public let routingRules: RoutingRuleService
    public let intake: TicketIntakeService
    public let ticketActions: TicketActionService
    public let tickets: TicketQueryService
    public let teams: TicketTeamService
    public let notifications: NotificationService
    public let surveys: SurveyService
    public let followups: FollowupService
    public let problemReports: ProblemReportService
    public let surge: SurgeService
    public let timerHealth: TimerHealth
    public let events: ScheduledEventService
    public let articles: ArticleService
    public let scripts: ReplyScriptService
    public let training: TrainingService
    public let assessments: AssessmentService
    public let promotions: PromotionService
    public let quality: QualityService
    public let kpis: KPIService
    public let reports: WeeklyReportService
    public let webhooks: WebhookService
    public let deliveries: DeliveryService
    public let robots: RobotService
    public let deliveryHealth: DeliveryHealth
    public let channelMessages: ChannelMessageService
    public let inboundEmail: InboundEmailService
    public let mailRelay: MailRelayService

    /// The live streams of this process (`GET /v1/stream`).
    public let streams: StreamHub

    /// `principals` keeps recently resolved API keys (off unless given, as in tests and the CLI;
    /// `kefu serve` passes `KEFU_AUTH_CACHE_SECONDS`).
    /// `webhookTargets` says where webhooks (and tenants' mail relays) may point
    /// (`KEFU_WEBHOOK_ALLOWED_HOSTS`); `replica` serves the reads that tolerate its lag
    /// (`KEFU_READ_DATABASE_URL`). `mailSenders`: the addresses Kefu sends mail from (inbound mail
    /// from them is a loop). `secrets` is the deployment key (`KEFU_SECRET_KEY`) that seals relay
    /// passwords and survey links.
    /// `streams` limits the live streams (`KEFU_STREAM_*`).
    public init(
        pool: ConnectionPool,
        clock: any KefuClock = SystemClock(),
        principals: PrincipalCache = PrincipalCache(lifetime: .zero),
        webhookTargets: WebhookTargetPolicy = WebhookTargetPolicy(),
        replica: ReadReplica? = nil,
        mailSenders: Set<String> = [],
        secrets: SecretBox? = nil,
        streams: StreamSettings = StreamSettings()
    ) {
        self.pool = pool
        self.clock = clock
        let database = TenantDatabase(pool: pool, replica: replica)
        self.database = database
        self.apiKeys = APIKeyService(database: database, principals: principals)
        self.agents = AgentService(database: database, principals: principals)
        self.departments = DepartmentService(database: database)
        self.settings = SettingsService(database: database)
        self.slaPolicies = SLAPolicyService(database: database, clock: clock)
        self.templates = TemplateService(database: database, clock: clock)
        self.intake = TicketIntakeService(database: database, clock: clock)
        var ticketActions = TicketActionService(database: database, clock: clock)
        ticketActions.secrets = secrets
        self.ticketActions = ticketActions
        self.tickets = TicketQueryService(database: database)
        self.teams = TicketTeamService(database: database, clock: clock)
        self.notifications = NotificationService(database: database, clock: clock)
        self.surveys = SurveyService(database: database, clock: clock, actions: ticketActions)
        self.followups = FollowupService(database: database, clock: clock)
        self.problemReports = ProblemReportService(database: database, clock: clock)
        self.surge = SurgeService(database: database, clock: clock)
        self.timerHealth = TimerHealth(pool: pool)
        self.events = ScheduledEventService(database: database, clock: clock)
        self.articles = ArticleService(database: database, clock: clock)
        self.scripts = ReplyScriptService(database: database, clock: clock)
        self.training = TrainingService(database: database, clock: clock)
        self.assessments = AssessmentService(database: database, clock: clock)
        self.promotions = PromotionService(database: database, clock: clock)
        self.quality = QualityService(database: database, clock: clock)
        self.kpis = KPIService(database: database)
        self.reports = WeeklyReportService(database: database)
        self.customers = CustomerService(database: database, clock: clock)
        self.personalData = PersonalDataService(database: database, clock: clock)
        self.tags = TagService(database: database)
        self.routingRules = RoutingRuleService(database: database)
        self.webhooks = WebhookService(database: database, clock: clock, targets: webhookTargets)
        self.deliveries = DeliveryService(database: database, clock: clock)
        self.robots = RobotService(database: database, clock: clock, targets: webhookTargets)
        self.deliveryHealth = DeliveryHealth(pool: pool, clock: clock)
        self.channelMessages = ChannelMessageService(database: database, clock: clock)
        self.inboundEmail = InboundEmailService(database: database, clock: clock, ownAddresses: mailSenders)
        self.mailRelay = MailRelayService(database: database, clock: clock, targets: webhookTargets, secrets: secrets)
        self.streams = StreamHub(database: database, settings: streams)
    }
}
