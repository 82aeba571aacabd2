using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

public sealed class PositionalSqlTests
{
    [Fact]
    public void EachNamedParameterBecomesItsPlaceInTheList()
    {
        var sql = PositionalSql.From(
            "UPDATE \"t\" SET \"n\" = \"n\" + @p1 WHERE \"id\" = @p10 AND \"k\" = @p1 RETURNING @p0",
            ["p0", "@p1", "p10"]);

        Assert.Equal("UPDATE \"t\" SET \"n\" = \"n\" + $2 WHERE \"id\" = $3 AND \"k\" = $2 RETURNING $1", sql);
    }

    [Fact]
    public void LiteralsQuotedNamesCommentsAndOperatorsAreLeftAsTheyAre()
    {
        const string sql = """
            SELECT 'it''s @p0', "col@p0", a @> b -- @p0 here
            , /* @p0 */ @p0::text
            """;

        var rewritten = PositionalSql.From(sql, ["p0"]);

        Assert.Equal(sql.Replace("@p0::text", "$1::text", StringComparison.Ordinal), rewritten);
    }

    [Fact]
    public void AParameterTheStatementWasNotGivenIsRefused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => PositionalSql.From("SELECT @p0, @p1", ["p0"]));

        Assert.Contains("@p1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AParameterTheStatementDoesNotUseIsRefused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => PositionalSql.From("SELECT @p0, @p2", ["p0", "p1", "p2"]));

        Assert.Contains("p1", refused.Message, StringComparison.Ordinal);
    }
}
