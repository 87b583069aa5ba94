-- AlterTable
ALTER TABLE "agent" ADD COLUMN     "provider_agent_id" TEXT;

-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "cost_cents" DOUBLE PRECISION,
ADD COLUMN     "recording_url" TEXT;

-- CreateTable
CREATE TABLE "provider_event" (
    "id" BIGSERIAL NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_call_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_event_provider_provider_call_id_event_key" ON "provider_event"("provider", "provider_call_id", "event");

-- Workers look for events not applied yet on every poll: only those rows are indexed.
CREATE INDEX "provider_event_pending_idx" ON "provider_event"("id") WHERE "processed_at" IS NULL;
