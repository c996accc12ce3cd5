-- 008 training records: annual plans, courses and sessions, enrolments, assessments (with
-- retakes) and certificates — what tier promotion is decided on.

CREATE TABLE training_plans (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    goals         text NOT NULL,
    content_areas text[] NOT NULL DEFAULT '{}',
    schedule      jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, year)
);

CREATE TABLE courses (
    tenant_id              uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    method                 text NOT NULL CHECK (method IN ('internal', 'online', 'practical', 'external')),
    content_area           text NOT NULL,
    required_for_tier      text CHECK (required_for_tier IN ('mid', 'senior')),
    theory_weight          double precision NOT NULL DEFAULT 0.4,
    practical_weight       double precision NOT NULL DEFAULT 0.4,
    rating_weight          double precision NOT NULL DEFAULT 0.2,
    pass_mark              double precision NOT NULL DEFAULT 70 CHECK (pass_mark BETWEEN 0 AND 100),
    certificate_valid_days integer NOT NULL DEFAULT 365 CHECK (certificate_valid_days > 0),
    created_at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    CHECK (abs(theory_weight + practical_weight + rating_weight - 1) < 0.0001)
);

CREATE TABLE training_sessions (
    tenant_id uuid NOT NULL,
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL CHECK (ends_at > starts_at),
    trainer   text,
    location  text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE enrolments (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    course_id  uuid NOT NULL,
    agent_id   uuid NOT NULL,
    session_id uuid,
    status     text NOT NULL DEFAULT 'enrolled' CHECK (status IN ('enrolled', 'passed', 'retake_required')),
    attempts   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, course_id, agent_id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, session_id) REFERENCES training_sessions (tenant_id, id) ON DELETE SET NULL (session_id)
);

CREATE TABLE assessments (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    enrolment_id    uuid NOT NULL,
    attempt         integer NOT NULL,
    theory_score    double precision NOT NULL CHECK (theory_score BETWEEN 0 AND 100),
    practical_score double precision NOT NULL CHECK (practical_score BETWEEN 0 AND 100),
    rating_score    double precision CHECK (rating_score BETWEEN 0 AND 100),
    total           double precision NOT NULL,
    passed          boolean NOT NULL,
    assessed_by     uuid,
    assessed_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, enrolment_id, attempt),
    FOREIGN KEY (tenant_id, enrolment_id) REFERENCES enrolments (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE certificates (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    number        text NOT NULL,
    agent_id      uuid NOT NULL,
    course_id     uuid NOT NULL,
    assessment_id uuid NOT NULL,
    issued_on     date NOT NULL,
    expires_on    date NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, assessment_id) REFERENCES assessments (tenant_id, id) ON DELETE CASCADE
);

-- Per-tenant certificate numbers (CERT-2025-000001).
CREATE TABLE certificate_counters (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    last_number bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id)
);

SELECT kefu_isolate_tenant_table(t)
FROM unnest(ARRAY['training_plans', 'courses', 'training_sessions', 'enrolments', 'assessments', 'certificates',
                  'certificate_counters']::regclass[]) AS t;
REVOKE UPDATE, DELETE ON assessments FROM kefu_app;
