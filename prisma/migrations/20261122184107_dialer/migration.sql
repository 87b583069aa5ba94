-- AlterTable
ALTER TABLE "call" ADD COLUMN     "wait_reason" TEXT;

-- AlterTable
ALTER TABLE "organization" ADD COLUMN     "contacts_used" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "organization_contact" (
    "organization_id" UUID NOT NULL,
    "phone_number" TEXT NOT NULL,
    "first_dialed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organization_contact_pkey" PRIMARY KEY ("organization_id","phone_number")
);

-- AddForeignKey
ALTER TABLE "organization_contact" ADD CONSTRAINT "organization_contact_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written below this line.
--
-- The dialer's work queue: due calls of one campaign in claim order (next_attempt_at, NULL = "as
-- soon as possible" first, then import position). Partial, so the index holds only calls still
-- waiting to be dialed (a finished 1M-call campaign costs it nothing), and on an expression so
-- "due now" is an index range and the LIMIT stops the scan after one batch. The claim query in
-- src/dialer/claim.ts repeats this expression and predicate verbatim (the planner matches them
-- textually).
CREATE INDEX "call_due_idx" ON "call" ("campaign_id", (coalesce("next_attempt_at", '-infinity'::timestamptz)), "position")
  WHERE "status" IN ('PENDING', 'RETRY_SCHEDULED');

-- Open test calls (placeTestCall): what workers pick up and what recovery looks at. Tiny: test
-- calls leave it as soon as they end.
CREATE INDEX "call_attempt_open_test_idx" ON "call_attempt" ("started_at") WHERE "is_test" AND "ended_at" IS NULL;

-- Contacts dialed before this migration count towards the plan limit too.
INSERT INTO "organization_contact" ("organization_id", "phone_number", "first_dialed_at")
SELECT cp."organization_id", c."phone_number", min(coalesce(c."processed_at", c."updated_at"))
  FROM "call" c JOIN "campaign" cp ON cp."id" = c."campaign_id"
 WHERE c."attempt_count" > 0
 GROUP BY 1, 2
ON CONFLICT DO NOTHING;
UPDATE "organization" o SET "contacts_used" = (SELECT count(*) FROM "organization_contact" oc WHERE oc."organization_id" = o."id");
