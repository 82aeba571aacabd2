using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpEmail.Admin.Infrastructure.Data.Migrations.Sqlite
{
    /// <summary>
    /// The user search index: an FTS5 trigram table over username, names and contact email that
    /// reads its text from Users (external content, keyed by the integer user id) and is kept in step
    /// by triggers, so "any part of the text" is an index lookup, not a scan.
    /// </summary>
    public partial class AddUserSearch : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "UserSearch" USING fts5(
                    "Username", "GivenName", "FamilyName", "DisplayName", "Email",
                    content='Users', content_rowid='Id', tokenize='trigram');
                """);
            CreateTriggers(migrationBuilder);
            migrationBuilder.Sql("""INSERT INTO "UserSearch"("UserSearch") VALUES ('rebuild');""");
        }

        /// <summary>The triggers that keep the index in step; a migration that rebuilds Users makes them again.</summary>
        internal static void CreateTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER "Users_UserSearch_Insert" AFTER INSERT ON "Users" BEGIN
                    INSERT INTO "UserSearch"(rowid, "Username", "GivenName", "FamilyName", "DisplayName", "Email")
                    VALUES (new."Id", new."Username", new."GivenName", new."FamilyName", new."DisplayName", new."Email");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Users_UserSearch_Delete" AFTER DELETE ON "Users" BEGIN
                    INSERT INTO "UserSearch"("UserSearch", rowid, "Username", "GivenName", "FamilyName", "DisplayName", "Email")
                    VALUES ('delete', old."Id", old."Username", old."GivenName", old."FamilyName", old."DisplayName", old."Email");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Users_UserSearch_Update" AFTER UPDATE OF "Username", "GivenName", "FamilyName", "DisplayName", "Email" ON "Users" BEGIN
                    INSERT INTO "UserSearch"("UserSearch", rowid, "Username", "GivenName", "FamilyName", "DisplayName", "Email")
                    VALUES ('delete', old."Id", old."Username", old."GivenName", old."FamilyName", old."DisplayName", old."Email");
                    INSERT INTO "UserSearch"(rowid, "Username", "GivenName", "FamilyName", "DisplayName", "Email")
                    VALUES (new."Id", new."Username", new."GivenName", new."FamilyName", new."DisplayName", new."Email");
                END;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Users_UserSearch_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Users_UserSearch_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Users_UserSearch_Insert";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "UserSearch";""");
        }
    }
}
