using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxPendingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Outbox_Status_NextAttemptAt",
                table: "Outbox");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Pending",
                table: "Outbox",
                column: "NextAttemptAt",
                filter: "\"Status\" = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Outbox_Pending",
                table: "Outbox");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Status_NextAttemptAt",
                table: "Outbox",
                columns: new[] { "Status", "NextAttemptAt" });
        }
    }
}
