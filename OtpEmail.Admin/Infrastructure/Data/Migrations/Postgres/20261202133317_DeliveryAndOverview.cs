using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DeliveryAndOverview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "LastAttemptAt",
                table: "Outbox",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "OrganizationId",
                table: "Outbox",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RelayResponse",
                table: "Outbox",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OrganizationHours",
                columns: table => new
                {
                    OrganizationId = table.Column<long>(type: "bigint", nullable: false),
                    Hour = table.Column<long>(type: "bigint", nullable: false),
                    Shard = table.Column<int>(type: "integer", nullable: false),
                    Added = table.Column<long>(type: "bigint", nullable: false),
                    Verified = table.Column<long>(type: "bigint", nullable: false),
                    Removed = table.Column<long>(type: "bigint", nullable: false),
                    MailsSent = table.Column<long>(type: "bigint", nullable: false),
                    MailsFailed = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganizationHours", x => new { x.OrganizationId, x.Hour, x.Shard });
                    table.ForeignKey(
                        name: "FK_OrganizationHours_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrganizationTotals",
                columns: table => new
                {
                    OrganizationId = table.Column<long>(type: "bigint", nullable: false),
                    Shard = table.Column<int>(type: "integer", nullable: false),
                    Users = table.Column<long>(type: "bigint", nullable: false),
                    WithReady = table.Column<long>(type: "bigint", nullable: false),
                    WithOnlyPending = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganizationTotals", x => new { x.OrganizationId, x.Shard });
                    table.ForeignKey(
                        name: "FK_OrganizationTotals_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UserEnrolments",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "bigint", nullable: false),
                    Ready = table.Column<int>(type: "integer", nullable: false),
                    Pending = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserEnrolments", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_UserEnrolments_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_PendingByOrganization",
                table: "Outbox",
                columns: new[] { "OrganizationId", "CreatedAt" },
                filter: "\"Status\" = 1");

            migrationBuilder.CreateIndex(
                name: "IX_OtpEmails_Pending",
                table: "OtpEmails",
                columns: new[] { "Id", "CodeExpiresAt" },
                filter: "\"State\" = 1");

            // The counts of what is already stored, so that the overview starts right (the same SQL on both providers).
            migrationBuilder.Sql("""
                INSERT INTO "UserEnrolments" ("UserId", "Ready", "Pending")
                SELECT "UserId", SUM(CASE WHEN "State" = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN "State" = 1 THEN 1 ELSE 0 END)
                FROM "OtpEmails" WHERE "State" <> 3 GROUP BY "UserId";
                """);
            migrationBuilder.Sql("""
                INSERT INTO "OrganizationTotals" ("OrganizationId", "Shard", "Users", "WithReady", "WithOnlyPending")
                SELECT u."OrganizationId", 0, COUNT(*),
                       SUM(CASE WHEN e."Ready" > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN e."Ready" = 0 AND e."Pending" > 0 THEN 1 ELSE 0 END)
                FROM "Users" u LEFT JOIN "UserEnrolments" e ON e."UserId" = u."Id"
                WHERE u."State" <> 3 GROUP BY u."OrganizationId";
                """);
            migrationBuilder.Sql("""
                INSERT INTO "OrganizationHours" ("OrganizationId", "Hour", "Shard", "Added", "Verified", "Removed", "MailsSent", "MailsFailed")
                SELECT "Org", "H", 0, SUM("A"), SUM("V"), SUM("R"), 0, 0 FROM (
                    SELECT u."OrganizationId" AS "Org", a."CreatedAt" / 3600000 AS "H", 1 AS "A", 0 AS "V", 0 AS "R"
                    FROM "OtpEmails" a JOIN "Users" u ON u."Id" = a."UserId"
                    UNION ALL
                    SELECT u."OrganizationId", a."VerifiedAt" / 3600000, 0, 1, 0
                    FROM "OtpEmails" a JOIN "Users" u ON u."Id" = a."UserId" WHERE a."VerifiedAt" IS NOT NULL
                    UNION ALL
                    SELECT e."OrganizationId", e."OccurredAt" / 3600000, 0, 0, 1 FROM "UserEvents" e WHERE e."Type" = 'otp_email.removed'
                ) AS "Happened" GROUP BY "Org", "H";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OrganizationHours");

            migrationBuilder.DropTable(
                name: "OrganizationTotals");

            migrationBuilder.DropTable(
                name: "UserEnrolments");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_PendingByOrganization",
                table: "Outbox");

            migrationBuilder.DropIndex(
                name: "IX_OtpEmails_Pending",
                table: "OtpEmails");

            migrationBuilder.DropColumn(
                name: "LastAttemptAt",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "OrganizationId",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "RelayResponse",
                table: "Outbox");
        }
    }
}
