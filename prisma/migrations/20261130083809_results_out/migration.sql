-- AlterTable
ALTER TABLE "campaign" ADD COLUMN     "first_dialed_at" TIMESTAMPTZ(3);

-- Campaigns dialed before this column existed: their first dial is their earliest campaign attempt.
UPDATE "campaign" cp SET "first_dialed_at" = f.first
  FROM (SELECT "campaign_id", min("started_at") AS first FROM "call_attempt" WHERE NOT "is_test" GROUP BY "campaign_id") f
 WHERE cp."id" = f."campaign_id";
