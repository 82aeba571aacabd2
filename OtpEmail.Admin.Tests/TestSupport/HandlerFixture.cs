using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// The real app (SQLite file, SMTP to <see cref="SmtpSink"/>) for tests that call operations
/// directly, on a clock they move: <see cref="Clock"/> starts at the real time and only moves when
/// a test advances it. Tests in the collection run one after another.
/// </summary>
public class HandlerFixture : IAsyncLifetime
{
    private readonly IDictionary<string, string?>? _settings;

    public HandlerFixture()
        : this(null)
    {
    }

    /// <param name="settings">Settings of this fixture's app on top of the defaults.</param>
    protected HandlerFixture(IDictionary<string, string?>? settings) => _settings = settings;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public SmtpSink Smtp { get; } = new();

    public AppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        App = new AppFactory(Smtp.Port, _settings, services => services.AddSingleton<TimeProvider>(Clock));
        App.StartClient().Dispose();
    }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public AppDbContext Db() => App.CreateDbContext();

    /// <summary>A new user in <paramref name="organization"/>; returns its id.</summary>
    public async Task<string> CreateUserAsync(long organization = Callers.Acme)
    {
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        var created = await Get<CreateUserHandler>().HandleAsync(Callers.Admin, new CreateUserRequest
        {
            Organization = new OrganizationReference { OrgId = DecimalId.Format(organization) },
            User = new NewUser
            {
                Username = username,
                GivenName = "Test",
                FamilyName = "User",
                Contact = new NewContact { Email = new NewEmail { Address = username + "@example.com" } },
            },
        }, CancellationToken.None);
        return created.Value.UserId;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class HandlerCollection : ICollectionFixture<HandlerFixture>
{
    public const string Name = "handlers";
}
