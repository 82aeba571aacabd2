using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>
    /// The outbox names what a mail is about with a neutral reference (<c>otp_email:{id}</c>) instead
    /// of columns of one feature's ids; existing rows keep their authenticator as the reference.
    /// </summary>
    public partial class OutboxReference : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Reference",
                table: "Outbox",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.Sql("""UPDATE "Outbox" SET "Reference" = 'otp_email:' || "OtpEmailId" WHERE "OtpEmailId" IS NOT NULL;""");

            migrationBuilder.DropColumn(
                name: "OtpEmailId",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "UserId",
                table: "Outbox");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_Reference",
                table: "Outbox",
                column: "Reference");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Outbox_Reference",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "Outbox");

            migrationBuilder.AddColumn<long>(
                name: "OtpEmailId",
                table: "Outbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "UserId",
                table: "Outbox",
                type: "INTEGER",
                nullable: true);
        }
    }
}
