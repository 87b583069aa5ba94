-- AlterTable
ALTER TABLE "call" ADD COLUMN     "callback_at" TIMESTAMPTZ(3),
ADD COLUMN     "callbacks_used" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "call_attempt" ADD COLUMN     "callback_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "campaign" ADD COLUMN     "auto_complete" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "max_callbacks" INTEGER NOT NULL DEFAULT 1;
