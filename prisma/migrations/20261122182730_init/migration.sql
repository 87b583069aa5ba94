-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "CampaignStatus" AS ENUM ('DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED');

-- CreateEnum
CREATE TYPE "PauseReason" AS ENUM ('MANUAL', 'OUT_OF_MINUTES', 'SYSTEM_FAILURE', 'OUTSIDE_CALLING_WINDOW');

-- CreateEnum
CREATE TYPE "CallStatus" AS ENUM ('PENDING', 'IN_PROGRESS', 'RETRY_SCHEDULED', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELED');

-- CreateEnum
CREATE TYPE "CallOutcome" AS ENUM ('ANSWERED', 'MEETING_BOOKED', 'CALLBACK_REQUESTED', 'TRANSFERRED', 'USER_HUNG_UP', 'LEFT_MESSAGE', 'NO_MESSAGE', 'NO_ANSWER', 'BUSY', 'ISSUE_DIALING', 'TECHNICAL_ERROR', 'INVALID_NUMBER', 'PLAN_LIMIT_EXCEEDED', 'NOT_DIALED', 'DUPLICATE', 'DO_NOT_CALL');

-- CreateEnum
CREATE TYPE "TelephonyStatus" AS ENUM ('QUEUED', 'RINGING', 'IN_PROGRESS', 'COMPLETED', 'BUSY', 'NO_ANSWER', 'FAILED', 'CANCELED');

-- CreateEnum
CREATE TYPE "AnsweredBy" AS ENUM ('HUMAN', 'MACHINE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'MEMBER');

-- CreateTable
CREATE TABLE "organization" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "balance_seconds" INTEGER NOT NULL DEFAULT 360000,
    "contact_limit" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT 'default',
    "role" "ApiKeyRole" NOT NULL DEFAULT 'ADMIN',
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "do_not_call" (
    "organization_id" UUID NOT NULL,
    "phone_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "do_not_call_pkey" PRIMARY KEY ("organization_id","phone_number")
);

-- CreateTable
CREATE TABLE "agent" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "script" TEXT NOT NULL DEFAULT '',
    "voice" TEXT NOT NULL DEFAULT 'alloy',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "agent_id" UUID,
    "name" TEXT NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'DRAFT',
    "pause_reason" "PauseReason",
    "version" INTEGER NOT NULL DEFAULT 1,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "max_concurrent_calls" INTEGER NOT NULL DEFAULT 10,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "calling_days" INTEGER[] DEFAULT ARRAY[1, 2, 3, 4, 5]::INTEGER[],
    "calling_start" INTEGER NOT NULL DEFAULT 540,
    "calling_end" INTEGER NOT NULL DEFAULT 1200,
    "retry_policy" JSONB,
    "source_campaign_id" UUID,
    "event_sequence" INTEGER NOT NULL DEFAULT 0,
    "scheduled_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "canceled_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "phone_number" TEXT NOT NULL,
    "status" "CallStatus" NOT NULL DEFAULT 'PENDING',
    "outcome" "CallOutcome",
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "attempt_base" INTEGER NOT NULL DEFAULT 0,
    "connected" BOOLEAN NOT NULL DEFAULT false,
    "next_attempt_at" TIMESTAMPTZ(3),
    "processed_at" TIMESTAMPTZ(3),
    "duration_seconds" INTEGER NOT NULL DEFAULT 0,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "timezone" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_attempt" (
    "id" UUID NOT NULL,
    "campaign_id" UUID NOT NULL,
    "call_id" UUID,
    "number" INTEGER NOT NULL,
    "is_test" BOOLEAN NOT NULL DEFAULT false,
    "to_number" TEXT NOT NULL,
    "provider_call_id" TEXT,
    "telephony_status" "TelephonyStatus" NOT NULL DEFAULT 'QUEUED',
    "answered_by" "AnsweredBy",
    "outcome" "CallOutcome",
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "answered_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "duration_seconds" INTEGER,
    "transcript" TEXT,
    "summary" TEXT,
    "error_message" TEXT,

    CONSTRAINT "call_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_call_tally" (
    "campaign_id" UUID NOT NULL,
    "status" "CallStatus" NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT '',
    "calls" BIGINT NOT NULL DEFAULT 0,
    "attempts" BIGINT NOT NULL DEFAULT 0,
    "dialed_calls" BIGINT NOT NULL DEFAULT 0,
    "connected_calls" BIGINT NOT NULL DEFAULT 0,
    "duration_seconds" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "campaign_call_tally_pkey" PRIMARY KEY ("campaign_id","status","outcome")
);

-- CreateTable
CREATE TABLE "campaign_event" (
    "campaign_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "call_id" UUID,
    "payload" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_event_pkey" PRIMARY KEY ("campaign_id","sequence")
);

-- CreateIndex
CREATE UNIQUE INDEX "organization_name_key" ON "organization"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");

-- CreateIndex
CREATE INDEX "api_key_organization_id_idx" ON "api_key"("organization_id");

-- CreateIndex
CREATE INDEX "agent_organization_id_created_at_id_idx" ON "agent"("organization_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "campaign_organization_id_created_at_id_idx" ON "campaign"("organization_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "campaign_status_scheduled_at_idx" ON "campaign"("status", "scheduled_at");

-- CreateIndex
CREATE INDEX "call_campaign_id_status_id_idx" ON "call"("campaign_id", "status", "id");

-- CreateIndex
CREATE INDEX "call_campaign_id_created_at_id_idx" ON "call"("campaign_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "call_campaign_id_processed_at_id_idx" ON "call"("campaign_id", "processed_at", "id");

-- CreateIndex
CREATE INDEX "call_campaign_id_phone_number_idx" ON "call"("campaign_id", "phone_number");

-- CreateIndex
CREATE INDEX "call_status_next_attempt_at_idx" ON "call"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "call_lease_expires_at_idx" ON "call"("lease_expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "call_attempt_provider_call_id_key" ON "call_attempt"("provider_call_id");

-- CreateIndex
CREATE INDEX "call_attempt_campaign_id_idx" ON "call_attempt"("campaign_id");

-- CreateIndex
CREATE UNIQUE INDEX "call_attempt_call_id_number_key" ON "call_attempt"("call_id", "number");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "do_not_call" ADD CONSTRAINT "do_not_call_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent" ADD CONSTRAINT "agent_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call" ADD CONSTRAINT "call_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_attempt" ADD CONSTRAINT "call_attempt_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_attempt" ADD CONSTRAINT "call_attempt_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "call"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_call_tally" ADD CONSTRAINT "campaign_call_tally_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_event" ADD CONSTRAINT "campaign_event_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written below this line (the schema engine does not model triggers).
--
-- Exact per-campaign counters. Every statement that inserts, updates or deletes call rows adds
-- its net change, grouped by (campaign, status, outcome), to campaign_call_tally in the same
-- transaction, so stats always equal a GROUP BY over call and cost O(statuses × outcomes) to read.
-- Statement-level triggers with transition tables: a 1M-row import or a stop that cancels 1M
-- calls is one grouped upsert, not 1M row triggers. Rows are upserted in key order so two
-- concurrent transactions lock tally rows in the same order and cannot deadlock on them.
CREATE FUNCTION callboard_tally_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    -- Only existing rows can lose calls; when the campaign itself is being deleted its tally
    -- rows are already gone and there is nothing to correct.
    UPDATE campaign_call_tally t
       SET calls = t.calls - d.calls, attempts = t.attempts - d.attempts, dialed_calls = t.dialed_calls - d.dialed,
           connected_calls = t.connected_calls - d.connected, duration_seconds = t.duration_seconds - d.duration
      FROM (SELECT campaign_id, status, coalesce(outcome::text, '') AS outcome, count(*) AS calls,
                   sum(attempt_count) AS attempts, sum((attempt_count > 0)::int) AS dialed, sum(connected::int) AS connected, sum(duration_seconds) AS duration
              FROM old_rows GROUP BY 1, 2, 3) d
     WHERE t.campaign_id = d.campaign_id AND t.status = d.status AND t.outcome = d.outcome;
    RETURN NULL;
  END IF;

  IF TG_OP = 'INSERT' THEN
    INSERT INTO campaign_call_tally AS t (campaign_id, status, outcome, calls, attempts, dialed_calls, connected_calls, duration_seconds)
    SELECT campaign_id, status, coalesce(outcome::text, ''), count(*), sum(attempt_count), sum((attempt_count > 0)::int), sum(connected::int), sum(duration_seconds)
      FROM new_rows
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (campaign_id, status, outcome) DO UPDATE
       SET calls = t.calls + excluded.calls, attempts = t.attempts + excluded.attempts, dialed_calls = t.dialed_calls + excluded.dialed_calls,
           connected_calls = t.connected_calls + excluded.connected_calls,
           duration_seconds = t.duration_seconds + excluded.duration_seconds;
    RETURN NULL;
  END IF;

  -- UPDATE: old rows leave their group, new rows join theirs; unchanged rows (a lease renewal)
  -- cancel out and write nothing.
  INSERT INTO campaign_call_tally AS t (campaign_id, status, outcome, calls, attempts, dialed_calls, connected_calls, duration_seconds)
  SELECT campaign_id, status, outcome, sum(calls), sum(attempts), sum(dialed), sum(connected), sum(duration)
    FROM (
      SELECT campaign_id, status, coalesce(outcome::text, '') AS outcome, 1 AS calls,
             attempt_count AS attempts, (attempt_count > 0)::int AS dialed, connected::int AS connected, duration_seconds AS duration
        FROM new_rows
      UNION ALL
      SELECT campaign_id, status, coalesce(outcome::text, ''), -1, -attempt_count, -((attempt_count > 0)::int), -(connected::int), -duration_seconds
        FROM old_rows
    ) delta
   GROUP BY 1, 2, 3
  HAVING sum(calls) <> 0 OR sum(attempts) <> 0 OR sum(dialed) <> 0 OR sum(connected) <> 0 OR sum(duration) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (campaign_id, status, outcome) DO UPDATE
     SET calls = t.calls + excluded.calls, attempts = t.attempts + excluded.attempts, dialed_calls = t.dialed_calls + excluded.dialed_calls,
         connected_calls = t.connected_calls + excluded.connected_calls,
         duration_seconds = t.duration_seconds + excluded.duration_seconds;
  RETURN NULL;
END $$;

CREATE TRIGGER call_tally_insert AFTER INSERT ON "call"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION callboard_tally_calls();
CREATE TRIGGER call_tally_update AFTER UPDATE ON "call"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION callboard_tally_calls();
CREATE TRIGGER call_tally_delete AFTER DELETE ON "call"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION callboard_tally_calls();
