namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>One app and one SMTP sink shared by the API tests of a collection; each test makes its own users.</summary>
public class ApiFixture : IAsyncLifetime
{
    public SmtpSink Smtp { get; } = new();

    public AppFactory App { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        App = new AppFactory(Smtp.Port, await DatabaseSettingsAsync());
        Api = new ApiClient(App.StartClient());
    }

    public virtual async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>Where the app keeps its data; null: its own SQLite file.</summary>
    protected virtual Task<Dictionary<string, string?>?> DatabaseSettingsAsync() => Task.FromResult<Dictionary<string, string?>?>(null);
}

/// <summary>The same, on a database of its own on the test PostgreSQL.</summary>
public sealed class PostgresApiFixture : ApiFixture
{
    private PostgresDatabase? _database;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override async Task<Dictionary<string, string?>?> DatabaseSettingsAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        return _database.Settings;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

[CollectionDefinition(Name)]
public sealed class PostgresApiCollection : ICollectionFixture<PostgresApiFixture>
{
    public const string Name = "api on PostgreSQL";
}
