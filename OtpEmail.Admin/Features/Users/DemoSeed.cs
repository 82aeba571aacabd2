using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// Development demo data: on the first start with an empty database, the organizations Acme and
/// Globex (fixed ids) with a few dozen users each, some of whom read German, French or Japanese.
/// </summary>
public static class DemoSeed
{
    public const long AcmeId = DevAccounts.AcmeOrganizationId;
    public const long GlobexId = DevAccounts.GlobexOrganizationId;

    private static readonly string[] GivenNames =
    [
        "Minnie", "Mickey", "Donald", "Daisy", "Goofy", "Pluto", "Scrooge", "Ludwig", "Clarabelle", "Horace",
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Ken", "Dennis",
        "Frances", "Radia", "Tim", "Hedy", "Katherine", "John", "Niklaus", "Leslie", "Shafi", "Yukihiro",
    ];

    private static readonly string[] FamilyNames =
    [
        "Mouse", "Mouse", "Duck", "Duck", "Goof", "Pup", "McDuck", "Von Drake", "Cow", "Horsecollar",
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Thompson", "Ritchie",
        "Allen", "Perlman", "Berners-Lee", "Lamarr", "Johnson", "McCarthy", "Wirth", "Lamport", "Goldwasser", "Matsumoto",
    ];

    private static readonly string?[] Languages = [null, null, "de", "fr", null, "ja", null, "pt-BR", null, "de-CH"];

    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var dbs = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var ids = services.GetRequiredService<IdGenerator>();
        var events = services.GetRequiredService<UserEventLog>();
        var tally = services.GetRequiredService<OrganizationTally>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await db.Organizations.AnyAsync(cancellationToken))
        {
            return;
        }

        var seeder = new Caller("system:demo-seed", null, new HashSet<string>(), null);
        foreach (var (orgId, orgName, domain) in new[] { (AcmeId, "Acme", "acme.test"), (GlobexId, "Globex", "globex.test") })
        {
            db.Organizations.Add(new Organization { Id = orgId, Name = orgName, SenderName = $"{orgName} Sign-in" });
            for (var i = 0; i < GivenNames.Length; i++)
            {
                var username = $"{GivenNames[i]}.{FamilyNames[i]}".ToLowerInvariant().Replace(' ', '-');
                var user = new User
                {
                    Id = ids.Next(),
                    OrganizationId = orgId,
                    Username = username,
                    GivenName = GivenNames[i],
                    FamilyName = FamilyNames[i],
                    DisplayName = $"{GivenNames[i]} {FamilyNames[i]}",
                    Email = $"{username}@{domain}",
                    EmailVerified = i % 3 != 0,
                    PreferredLanguage = Languages[i % Languages.Length],
                };
                db.Users.Add(user);
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var user in db.Users.Local)
        {
            await events.AppendAsync(db, user, UserEventLog.UserCreated, seeder, new { user.Username, user.Email }, now, cancellationToken, lastSequence: 0);
        }

        foreach (var organization in db.Users.Local.GroupBy(u => u.OrganizationId))
        {
            await tally.CountAsync(db, organization.Key, now, new TallyChange(Users: organization.Count()), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
