using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>
    /// A user's version is its last event: Users loses Sequence and ChangeDate (SQLite rebuilds the
    /// table and drops its search triggers: the next migration makes them again), events get
    /// client-made ids, and the audit's newest-first order uses those time-ordered ids instead of an
    /// index on the time.
    /// </summary>
    public partial class EventsCarryTheUserVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UserEvents_OccurredAt",
                table: "UserEvents");

            migrationBuilder.DropIndex(
                name: "IX_UserEvents_OrganizationId_OccurredAt",
                table: "UserEvents");

            migrationBuilder.DropColumn(
                name: "ChangeDate",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "Users");

            migrationBuilder.AlterColumn<long>(
                name: "Id",
                table: "UserEvents",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER")
                .OldAnnotation("Sqlite:Autoincrement", true);

            migrationBuilder.CreateIndex(
                name: "IX_UserEvents_OrganizationId_Id",
                table: "UserEvents",
                columns: new[] { "OrganizationId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UserEvents_OrganizationId_Id",
                table: "UserEvents");

            migrationBuilder.AddColumn<long>(
                name: "ChangeDate",
                table: "Users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "Users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AlterColumn<long>(
                name: "Id",
                table: "UserEvents",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER")
                .Annotation("Sqlite:Autoincrement", true);

            migrationBuilder.CreateIndex(
                name: "IX_UserEvents_OccurredAt",
                table: "UserEvents",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_UserEvents_OrganizationId_OccurredAt",
                table: "UserEvents",
                columns: new[] { "OrganizationId", "OccurredAt" });
        }
    }
}
