using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>
    /// The search triggers, made again on the Users table that the previous migration rebuilt (its
    /// rows keep their ids, so the index itself stays right).
    /// </summary>
    public partial class UserSearchTriggersAgain : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) => AddUserSearch.CreateTriggers(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
