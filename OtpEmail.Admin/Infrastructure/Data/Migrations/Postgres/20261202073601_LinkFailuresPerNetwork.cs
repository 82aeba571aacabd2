using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LinkFailuresPerNetwork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The per-user counts of the last hour have no network to go under: they are dropped.
            migrationBuilder.Sql("DELETE FROM \"LinkFailureCounts\";");

            migrationBuilder.DropPrimaryKey(
                name: "PK_LinkFailureCounts",
                table: "LinkFailureCounts");

            migrationBuilder.AddColumn<string>(
                name: "Network",
                table: "LinkFailureCounts",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddPrimaryKey(
                name: "PK_LinkFailureCounts",
                table: "LinkFailureCounts",
                columns: new[] { "UserId", "Network" });

            migrationBuilder.CreateTable(
                name: "LinkFailureTotals",
                columns: table => new
                {
                    UserId = table.Column<long>(type: "bigint", nullable: false),
                    WindowStart = table.Column<long>(type: "bigint", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LinkFailureTotals", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_LinkFailureTotals_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Several networks' rows of one user would not fit the per-user key: they are dropped.
            migrationBuilder.Sql("DELETE FROM \"LinkFailureCounts\";");

            migrationBuilder.DropTable(
                name: "LinkFailureTotals");

            migrationBuilder.DropPrimaryKey(
                name: "PK_LinkFailureCounts",
                table: "LinkFailureCounts");

            migrationBuilder.DropColumn(
                name: "Network",
                table: "LinkFailureCounts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_LinkFailureCounts",
                table: "LinkFailureCounts",
                column: "UserId");
        }
    }
}
