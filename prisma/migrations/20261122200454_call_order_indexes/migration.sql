-- DropIndex
DROP INDEX "call_campaign_id_phone_number_idx";

-- CreateIndex
CREATE INDEX "call_campaign_id_phone_number_id_idx" ON "call"("campaign_id", "phone_number", "id");

-- CreateIndex
CREATE INDEX "call_campaign_id_name_id_idx" ON "call"("campaign_id", "name", "id");

-- CreateIndex
CREATE INDEX "call_campaign_id_outcome_id_idx" ON "call"("campaign_id", "outcome", "id");
