namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>One app and one SMTP sink shared by the API tests of a collection; each test makes its own users.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public SmtpSink Smtp { get; } = new();

    public AppFactory App { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        App = new AppFactory(Smtp.Port);
        Api = new ApiClient(App.StartClient());
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
