-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('READ', 'WRITE', 'ADMIN');

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "scopes" "ApiKeyScope"[] DEFAULT ARRAY['ADMIN']::"ApiKeyScope"[];

-- Hand-written: roles become scopes before the role column goes. ADMIN keys keep every right;
-- MEMBER keys could run campaigns but not administer the organisation: WRITE.
UPDATE "api_key" SET "scopes" = CASE WHEN "role" = 'ADMIN' THEN ARRAY['ADMIN']::"ApiKeyScope"[] ELSE ARRAY['WRITE']::"ApiKeyScope"[] END;

ALTER TABLE "api_key" DROP COLUMN "role";

-- DropEnum
DROP TYPE "ApiKeyRole";
