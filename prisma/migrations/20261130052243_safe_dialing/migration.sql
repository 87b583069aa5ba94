-- CreateEnum
CREATE TYPE "DoNotCallSource" AS ENUM ('API', 'IMPORT');

-- CreateEnum
CREATE TYPE "BalanceTransactionKind" AS ENUM ('OPENING', 'TOP_UP', 'CALL_CHARGE', 'ADJUSTMENT');

-- AlterEnum
-- (callboard's runner applies each migration in one transaction, so Prisma's BEGIN/COMMIT around
-- this step are left out. Nothing ever set OUTSIDE_CALLING_WINDOW; should a row have it, it reads
-- as a manual pause.)
UPDATE "campaign" SET "pause_reason" = 'MANUAL' WHERE "pause_reason"::text = 'OUTSIDE_CALLING_WINDOW';
CREATE TYPE "PauseReason_new" AS ENUM ('MANUAL', 'OUT_OF_MINUTES', 'SYSTEM_FAILURE');
ALTER TABLE "campaign" ALTER COLUMN "pause_reason" TYPE "PauseReason_new" USING ("pause_reason"::text::"PauseReason_new");
ALTER TYPE "PauseReason" RENAME TO "PauseReason_old";
ALTER TYPE "PauseReason_new" RENAME TO "PauseReason";
DROP TYPE "public"."PauseReason_old";

-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "calling_window" JSONB,
ADD COLUMN     "dnc_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "recipient_local_time" TEXT,
ADD COLUMN     "recipient_timezone" TEXT,
ADD COLUMN     "recipient_timezones" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "campaign" ADD COLUMN     "clamp_to_legal_hours" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "schedule_problem" TEXT;

-- AlterTable
ALTER TABLE "do_not_call" ADD COLUMN     "reason" TEXT,
ADD COLUMN     "source" "DoNotCallSource" NOT NULL DEFAULT 'API';

-- CreateTable
CREATE TABLE "balance_transaction" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "kind" "BalanceTransactionKind" NOT NULL,
    "delta_seconds" INTEGER NOT NULL,
    "balance_after_seconds" INTEGER NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "balance_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "balance_transaction_organization_id_created_at_id_idx" ON "balance_transaction"("organization_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "do_not_call_organization_id_created_at_phone_number_idx" ON "do_not_call"("organization_id", "created_at", "phone_number");

-- AddForeignKey
ALTER TABLE "balance_transaction" ADD CONSTRAINT "balance_transaction_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written below this line.
--
-- What COMPLETED and FAILED mean (DESIGN.md): FAILED is a technical failure only. Calls that
-- ended FAILED because nobody answered once their attempts were spent are COMPLETED "without
-- answer". Calls canceled by a stop read CANCELED / NOT_DIALED with no wait reason left over.
-- The tally triggers run for these updates, so the campaign stats stay exact.
UPDATE "call" SET "status" = 'COMPLETED', "updated_at" = now()
 WHERE "status" = 'FAILED' AND "outcome" IN ('NO_ANSWER', 'BUSY', 'NO_MESSAGE');
UPDATE "call" SET "outcome" = 'NOT_DIALED', "wait_reason" = NULL, "updated_at" = now()
 WHERE "status" = 'CANCELED' AND ("outcome" IS DISTINCT FROM 'NOT_DIALED' OR "wait_reason" IS NOT NULL);

-- Every organisation's balance is the sum of its balance transactions: an organisation starts
-- with one OPENING row for the balance it is created with, however it is created (API, CLI,
-- tests), and existing organisations get one for the balance they have now.
CREATE FUNCTION callboard_opening_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "balance_transaction" ("id", "organization_id", "kind", "delta_seconds", "balance_after_seconds", "note")
  VALUES (gen_random_uuid(), NEW."id", 'OPENING', NEW."balance_seconds", NEW."balance_seconds", 'opening balance');
  RETURN NULL;
END $$;
CREATE TRIGGER organization_opening_balance AFTER INSERT ON "organization"
  FOR EACH ROW EXECUTE FUNCTION callboard_opening_balance();
INSERT INTO "balance_transaction" ("id", "organization_id", "kind", "delta_seconds", "balance_after_seconds", "note")
SELECT gen_random_uuid(), "id", 'OPENING', "balance_seconds", "balance_seconds", 'balance before balance transactions were recorded'
  FROM "organization";
