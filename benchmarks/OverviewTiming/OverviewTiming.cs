using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Overview;
using OtpEmail.Admin.Infrastructure.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace OtpEmail.Admin.Benchmarks;

// Times what the Overview page reads before it shows its figures (the figures and the first page of
// stale enrolments), on the database the environment names, as a caller of every organization and as
// one of a single organization. "migrate": start the app once (its migrations run) and stop.
// Settings come from the environment, as for the app itself (benchmarks/overview sets them).
public static class OverviewTiming
{
    public static async Task<int> Main(string[] args)
    {
        // Production unless the environment says otherwise (the factory would make it Development, with demo data).
await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
            host.UseEnvironment(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"));
        var services = app.Services; // starts the app: migrations run
        if (args is ["migrate"])
        {
            return 0;
        }

        var overview = services.GetRequiredService<OverviewService>();
        var stale = services.GetRequiredService<StaleEnrolments>();
        var callers = new (string Name, Caller Caller)[]
        {
            ("every organization", new Caller("bench", null, Permissions.ForRoles([Roles.Support]), null)),
            ("one organization", new Caller("bench", null, Permissions.ForRoles([Roles.Support]), new HashSet<long> { 300_000_000_000_000_001 })),
        };
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        foreach (var (name, caller) in callers)
        {
            var times = new List<double>();
            for (var i = 0; i < runs + 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var figures = await overview.FiguresAsync(caller, CancellationToken.None);
                var page = await stale.PageAsync(caller, 0, 20, CancellationToken.None);
                clock.Stop();
                if (!figures.IsSuccess || !page.IsSuccess)
                {
                    throw new InvalidOperationException("The overview refused the benchmark's caller.");
                }

                if (i == 0)
                {
                    var users = figures.Value.Organizations.Sum(o => o.Users);
                    Console.WriteLine($"{name}: {users:N0} users, {figures.Value.Organizations.Sum(o => o.WithReady):N0} with a ready authenticator, {page.Value.Total:N0}{(page.Value.TotalIsExact ? "" : "+")} stale");
                }

                if (i >= 3)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds); // the first three warm the caches and the plans
                }
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OVERVIEW {name.Replace(' ', '_')} p50 {times[times.Count / 2]:F1} p95 {times[(int)(times.Count * 0.95)]:F1} max {times[^1]:F1} ms"));
        }

        return 0;
    }
}
