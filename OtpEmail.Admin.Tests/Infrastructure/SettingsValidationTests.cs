using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure;

public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("Mail:Smtp:Host", "", "Mail:Smtp:Host")]
    [InlineData("Mail:From", "Sender <x@example.com>", "Mail:From")]
    [InlineData("App:PublicBaseUrl", "not a url", "App:PublicBaseUrl")]
    [InlineData("Otp:CodeHashKey", "c2hvcnQ=", "Otp:CodeHashKey")]
    [InlineData("ConnectionStrings:Default", "", "ConnectionStrings:Default")]
    [InlineData("Otp:LinkFailuresPerUserPerHour", "10", "Otp:LinkFailuresPerNetworkPerHour")] // renamed: not ignored
    [InlineData("Otp:LinkFailuresPerNetworkPerHour", "0", "LinkFailuresPerNetworkPerHour")]
    [InlineData("Otp:LinkFailuresPerUserBeforeWarning", "0", "LinkFailuresPerUserBeforeWarning")]
    [InlineData("Bulk:MaxRunningJobsPerCaller", "0", "MaxRunningJobsPerCaller")]
    [InlineData("Mail:Smtp:Timeout", "00:01:00", "Mail:Smtp:Timeout")] // half of the 2-minute claim: a send could outlive it
    [InlineData("Mail:Connections", "0", "Connections")]
    public async Task AWrongSettingStopsStartUpNamingIt(string key, string value, string named)
    {
        await using var app = new AppFactory(25, new Dictionary<string, string?> { [key] = value });

        var error = Record.Exception(() => app.StartServer());

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString());
    }

    [Theory]
    [InlineData("Database:Provider", "Oracle", "Database:Provider")]
    [InlineData("ConnectionStrings:Default", "Host=db;Nonsense Keyword=1", "ConnectionStrings:Default")]
    [InlineData("Otp:CodeHashKey", "", "Otp:CodeHashKey")] // instances must share it
    public async Task APostgresSettingThatCannotWorkStopsStartUpNamingIt(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Default"] = "Host=127.0.0.1;Database=never-reached",
            ["Otp:CodeHashKey"] = PostgresDatabase.CodeHashKey,
            [key] = value,
        };
        await using var app = new AppFactory(25, settings);

        var error = Record.Exception(() => app.StartServer());

        Assert.NotNull(error);
        Assert.Contains(named, error.ToString());
    }

    [Fact]
    public async Task TheEmbeddedProviderIsRefusedOutsideDevelopment()
    {
        await using var app = new AppFactory(25, environment: "Production");

        var error = Record.Exception(() => app.StartServer());

        Assert.NotNull(error);
        Assert.Contains("Authentication:Authority", error.ToString());
    }
}
