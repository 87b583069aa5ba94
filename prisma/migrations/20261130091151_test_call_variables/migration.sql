-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "test_variables" JSONB;
