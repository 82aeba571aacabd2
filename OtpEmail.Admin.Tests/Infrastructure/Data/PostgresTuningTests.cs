using Npgsql;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>The defaults the app adds to a PostgreSQL connection string, and that a connection string's own choice wins.</summary>
public sealed class PostgresTuningTests
{
    [Fact]
    public void AConnectionStringThatSaysNothingGetsPreparationAndKeepsItsOptions()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DataExtensions.TunePostgres("Host=db;Database=otp;Username=app;Options=-c statement_timeout=5000"));

        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("-c statement_timeout=5000", tuned.Options);
        Assert.Equal(("db", "otp", "app"), (tuned.Host, tuned.Database, tuned.Username));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false;Options=-c plan_cache_mode=force_custom_plan")]
    [InlineData("Host=db;MaxAutoPrepare=0;NoResetOnClose=false;Options=-c plan_cache_mode=force_custom_plan")]
    public void TheConnectionStringsOwnChoiceWins(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(DataExtensions.TunePostgres(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal("-c plan_cache_mode=force_custom_plan", tuned.Options);
    }
}
