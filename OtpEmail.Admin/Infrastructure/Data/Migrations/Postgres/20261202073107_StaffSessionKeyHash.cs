using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StaffSessionKeyHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Sessions stored under their plain key end: the column holds only hashes from now on.
            migrationBuilder.Sql("DELETE FROM \"StaffSessions\";");

            migrationBuilder.RenameColumn(
                name: "Key",
                table: "StaffSessions",
                newName: "KeyHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "KeyHash",
                table: "StaffSessions",
                newName: "Key");
        }
    }
}
