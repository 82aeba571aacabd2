using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EventFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The event feed's order (see Features/Events/FeedPositions.cs): the id of the transaction that wrote
            // each event. Outside the EF model, as the search column is: inserts leave it to its default.
            // Rows already stored were committed long ago: 0 puts them first.
            migrationBuilder.Sql("""
                ALTER TABLE "UserEvents" ADD COLUMN "TransactionId" xid8 NOT NULL DEFAULT '0';
                ALTER TABLE "UserEvents" ALTER COLUMN "TransactionId" SET DEFAULT pg_current_xact_id();
                CREATE INDEX "IX_UserEvents_Feed" ON "UserEvents" ("TransactionId", "Id");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_UserEvents_Feed";
                ALTER TABLE "UserEvents" DROP COLUMN "TransactionId";
                """);
        }
    }
}
