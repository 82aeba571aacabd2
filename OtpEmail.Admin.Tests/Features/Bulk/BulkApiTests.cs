using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Bulk;

/// <summary>Bulk enrolment through the JSON door, on an app whose per-user cap lets one user take many addresses.</summary>
public sealed class BulkApiTests : IAsyncLifetime
{
    private readonly SmtpSink _smtp = new();
    private AppFactory _app = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        _app = new AppFactory(_smtp.Port, new Dictionary<string, string?> { ["Otp:MaxAuthenticatorsPerUser"] = "10000" });
        _api = new ApiClient(_app.StartClient());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task ATenThousandRowJobAddsEveryGoodRowAndGivesCodesOnce()
    {
        var users = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            users.Add(await _api.CreateUserAsync());
        }

        var file = new StringBuilder("user,address,mode\n");
        for (var row = 1; row <= 10_000; row++)
        {
            var mode = row % 100 == 0 ? "is_verified" : "return_code";
            var line = row switch
            {
                17 => $"nobody-{Guid.NewGuid():N},x17@example.com,return_code",
                42 => $"{users[0]},not-an-address,return_code",
                99 => $"{users[1]},x99@example.com,sms",
                500 => $"{users[1 % 20]},bulk-1@example.com,return_code", // the same user and address as row 1
                _ => $"{users[row % 20]},bulk-{row}@example.com,{mode}",
            };
            file.Append(line).Append('\n');
        }

        var started = await PostAsync(file.ToString());
        Assert.Equal(202, started.Status);
        var jobId = started.Json["jobId"]!.GetValue<string>();
        JsonNode job = null!;
        await Eventually.TrueAsync(async () =>
        {
            job = (await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{jobId}")).Json;
            return job["state"]!.GetValue<string>() != "JOB_STATE_RUNNING";
        }, "the job to finish", TimeSpan.FromMinutes(2));

        var results = job["results"]!.AsArray();
        Assert.Equal(("JOB_STATE_DONE", 10_000, 10_000, 9_996, 4), (job["state"]!.GetValue<string>(), job["total"]!.GetValue<int>(),
            job["done"]!.GetValue<int>(), job["succeeded"]!.GetValue<int>(), job["failed"]!.GetValue<int>()));
        Assert.Equal(Enumerable.Range(1, 10_000), results.Select(r => r!["row"]!.GetValue<int>()));
        Assert.Equal(
            [(17, "USER-NOTFOUND"), (42, "EMAIL-FORMAT"), (99, "BULK-MODE"), (500, "OTPEMAIL-ALREADY-EXISTS")],
            results.Where(r => r!["outcome"]!.GetValue<string>() == "FAILED")
                .Select(r => (r!["row"]!.GetValue<int>(), r["error"]!["details"]![0]!["id"]!.GetValue<string>())));
        var withCode = results.Where(r => r!["verificationCode"] is not null).ToList();
        Assert.Equal(9_996 - 99, withCode.Count); // every return_code row that was added; the 99 is_verified rows have none

        var row2 = results[1]!;
        var verified = await _api.VerifyAsync(users[2], row2["otpEmailId"]!.GetValue<string>(), row2["verificationCode"]!.GetValue<string>());
        Assert.Equal(200, verified.Status);

        var again = (await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{jobId}")).Json;
        Assert.All(again["results"]!.AsArray(), r => Assert.Null(r!["verificationCode"]));
        Assert.Equal(9_996, again["results"]!.AsArray().Count(r => r!["outcome"]!.GetValue<string>() == "OK"));

        await using var db = _app.CreateDbContext();
        Assert.Equal(9_996, await db.OtpEmails.CountAsync(a => a.NormalizedAddress.StartsWith("bulk-")));
        Assert.Equal(500, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(users[3]) && e.Type == OtpEmailEvents.Added));
    }

    [Fact]
    public async Task AMalformedFileIsRefusedWholeNamingTheLineAndNothingIsAdded()
    {
        var user = await _api.CreateUserAsync();

        var refused = await PostAsync($"user,address,mode\n{user},a@example.com,return_code\n{user},b@example.com\n");

        Assert.Equal((400, 3), (refused.Status, refused.Json["code"]!.GetValue<int>()));
        Assert.Contains("line 3", refused.Json["message"]!.GetValue<string>());
        await using var db = _app.CreateDbContext();
        Assert.Equal(0, await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(user)));
    }

    [Fact]
    public async Task OnlyWhoMayAddStartsAJobAndOnlyItsStarterSeesIt()
    {
        var user = await _api.CreateUserAsync();
        var file = $"user,address,mode\n{user},{ApiClient.NewAddress()},return_code\n";

        var byViewer = await PostAsync(file, ApiClient.Viewer);
        var started = await PostAsync(file);
        var byOther = await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{started.Json["jobId"]}", ApiClient.Acme);
        var anonymous = await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{started.Json["jobId"]}", as_: null);

        Assert.Equal((403, 7), (byViewer.Status, byViewer.Json["code"]!.GetValue<int>()));
        Assert.Equal(202, started.Status);
        Assert.Equal((404, 5), (byOther.Status, byOther.Json["code"]!.GetValue<int>()));
        Assert.Equal(401, anonymous.Status);
    }

    [Fact]
    public async Task ACallerWithTwoJobsRunningIsToldToComeBackLaterWhileOthersMayStart()
    {
        var user = await _api.CreateUserAsync();
        var held = 1_000_000_000_000L + Random.Shared.Next();
        await LeftRunningAsync(held, user, runner: 42, leaseUntil: DateTimeOffset.UtcNow.AddHours(1)); // running elsewhere: they stay running
        await LeftRunningAsync(held + 1, user, runner: 42, leaseUntil: DateTimeOffset.UtcNow.AddHours(1));
        var file = $"user,address,mode\n{user},{ApiClient.NewAddress()},is_verified\n";

        var third = await PostAsync(file);
        var byOther = await PostAsync(file, ApiClient.Acme);

        Assert.Equal(429, third.Status);
        Assert.Equal(ErrorCode.ResourceExhausted, third.ErrorCode());
        Assert.Equal("BULK-TOO-MANY-JOBS", third.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Contains("At most 2 of your bulk jobs may run at once", third.Json["message"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(30), third.Headers.RetryAfter!.Delta);
        Assert.Equal(202, byOther.Status); // the limit is each caller's own

        await using (var db = _app.CreateDbContext())
        {
            await db.BulkJobs.Where(j => j.Id == held).ExecuteUpdateAsync(set => set.SetProperty(j => j.State, BulkJobState.Done));
        }

        Assert.Equal(202, (await PostAsync(file)).Status); // one has finished: room for another
    }

    [Fact]
    public async Task AnotherCallersSmallJobIsDoneWhileABigOneIsStillFarFromDone()
    {
        var bigUsers = new[] { await _api.CreateUserAsync(), await _api.CreateUserAsync() };
        var big = new StringBuilder("user,address,mode\n");
        for (var row = 1; row <= 10_000; row++)
        {
            big.Append($"{bigUsers[row % 2]},big-{row}-{Guid.NewGuid():N}@example.com,is_verified\n");
        }

        var smallUser = await _api.CreateUserAsync();
        var small = new StringBuilder("user,address,mode\n");
        for (var row = 1; row <= 10; row++)
        {
            small.Append($"{smallUser},{ApiClient.NewAddress()},is_verified\n");
        }

        await _api.TokenAsync(ApiClient.Acme); // both callers' tokens at hand: the two starts follow each other at once
        var bigJob = long.Parse((await PostAsync(big.ToString())).Json["jobId"]!.GetValue<string>());
        var smallJob = long.Parse((await PostAsync(small.ToString(), ApiClient.Acme)).Json["jobId"]!.GetValue<string>());

        await Eventually.TrueAsync(async () => (await JobAsync(smallJob)).State == BulkJobState.Done, "the small job to be done", TimeSpan.FromMinutes(1));
        var bigNow = await JobAsync(bigJob);
        Assert.True(bigNow.State == BulkJobState.Running && bigNow.Done <= bigNow.Total / 2,
            $"the small job waited for the big one: {bigNow.Done:N0} of its {bigNow.Total:N0} rows were done ({bigNow.State})");
        Assert.Equal(10, (await JobAsync(smallJob)).Succeeded);

        await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/otp_email/_bulk/{bigJob}", null); // nothing more to see
    }

    [Fact]
    public async Task ACancelledJobStopsAndKeepsWhatIsDone()
    {
        var user = await _api.CreateUserAsync();
        var file = new StringBuilder("user,address,mode\n");
        for (var row = 1; row <= 5_000; row++) // ten rounds of the runner: the cancel lands after the first, long before the end
        {
            file.Append($"{user},cancel-{row}-{Guid.NewGuid():N}@example.com,is_verified\n");
        }

        var jobId = (await PostAsync(file.ToString())).Json["jobId"]!.GetValue<string>();
        var doneBefore = 0;
        await Eventually.TrueAsync(async () =>
        {
            doneBefore = (await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{jobId}")).Json["done"]!.GetValue<int>();
            return doneBefore > 0;
        }, "the job to report rows done");
        var cancelled = await _api.SendAsync(HttpMethod.Delete, $"/v3alpha/users/otp_email/_bulk/{jobId}", null);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal("JOB_STATE_CANCELLED", cancelled.Json["state"]!.GetValue<string>());
        var done = cancelled.Json["done"]!.GetValue<int>();
        await using var db = _app.CreateDbContext();
        var rows = await db.BulkJobRows.Where(r => r.JobId == long.Parse(jobId)).ToListAsync();
        var added = await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(user));
        Assert.True(added < 5_000, $"the job was not stopped: {added} of 5,000 added");
        Assert.True(added >= doneBefore, $"{doneBefore} rows were done before the cancel, only {added} authenticators are left");
        Assert.Equal(added, rows.Count(r => r.Outcome == BulkRowOutcome.Ok)); // every add has its row marked, no more, no less
        Assert.InRange(done, doneBefore, added);
    }

    [Fact]
    public async Task AJobLeftRunningByAStoppedAppIsResumedWithoutAddingAnythingTwice()
    {
        var user = await _api.CreateUserAsync();
        var addresses = Enumerable.Range(1, 6).Select(_ => ApiClient.NewAddress()).ToList();
        var early = new List<string>();
        foreach (var address in addresses.Take(3))
        {
            early.Add((await _api.AddOtpEmailAsync(user, Json.ReturnCode(address))).Json["otpEmailId"]!.GetValue<string>());
        }

        // What a stopped app leaves behind: rows 1-3 added (with their outcome, one commit each), 4-6 not yet.
        var jobId = 1_000_000_000_000L + Random.Shared.Next();
        await LeftRunningAsync(jobId, addresses.Select((address, i) => new BulkJobRow
        {
            JobId = jobId,
            Row = i + 1,
            User = user,
            UserId = long.Parse(user),
            Address = address,
            Mode = "return_code",
            Outcome = i < 3 ? BulkRowOutcome.Ok : BulkRowOutcome.Pending,
            OtpEmailId = i < 3 ? long.Parse(early[i]) : null,
        }).ToList());

        _app.Services.GetRequiredService<BulkRunner>().Wake();
        JsonNode job = null!;
        await Eventually.TrueAsync(async () =>
        {
            job = (await _api.GetAsync($"/v3alpha/users/otp_email/_bulk/{jobId}")).Json;
            return job["state"]!.GetValue<string>() == "JOB_STATE_DONE";
        }, "the resumed job to finish");

        Assert.Equal((6, 0), (job["succeeded"]!.GetValue<int>(), job["failed"]!.GetValue<int>()));
        Assert.Equal(early, job["results"]!.AsArray().Take(3).Select(r => r!["otpEmailId"]!.GetValue<string>()));
        await using var check = _app.CreateDbContext();
        Assert.Equal(6, await check.OtpEmails.CountAsync(a => a.UserId == long.Parse(user)));
    }

    [Fact]
    public async Task AJobAnotherInstanceHoldsIsLeftToItUntilItsLeaseRunsOut()
    {
        var user = await _api.CreateUserAsync();
        var held = 1_000_000_000_000L + Random.Shared.Next(); // the older job: first in line, were it free
        var free = held + 1;
        await LeftRunningAsync(held, user, runner: 42, leaseUntil: DateTimeOffset.UtcNow.AddHours(1));
        await LeftRunningAsync(free, user, runner: null, leaseUntil: null);
        var runner = _app.Services.GetRequiredService<BulkRunner>();

        runner.Wake();
        await Eventually.TrueAsync(async () => (await JobAsync(free)).State == BulkJobState.Done, "the unheld job to be done");
        var untouched = await JobAsync(held);
        Assert.Equal((BulkJobState.Running, 0, 42L), (untouched.State, untouched.Done, untouched.Runner));

        await using (var db = _app.CreateDbContext())
        {
            await db.BulkJobs.Where(j => j.Id == held).ExecuteUpdateAsync(set => set.SetProperty(j => j.RunnerLeaseUntil, DateTimeOffset.UtcNow.AddSeconds(-1)));
        }

        runner.Wake();
        await Eventually.TrueAsync(async () => (await JobAsync(held)).State == BulkJobState.Done, "the job to be taken over once its lease ran out");
        var taken = await JobAsync(held);
        Assert.Equal((2, runner.Token), (taken.Succeeded, taken.Runner));
    }

    // A job of two return-code rows for the user, held by a runner or by none, nothing done yet.
    private Task LeftRunningAsync(long jobId, string user, long? runner, DateTimeOffset? leaseUntil) =>
        LeftRunningAsync(jobId, Enumerable.Range(1, 2).Select(row => new BulkJobRow
        {
            JobId = jobId,
            Row = row,
            User = user,
            UserId = long.Parse(user),
            Address = ApiClient.NewAddress(),
            Mode = "return_code",
        }).ToList(), runner, leaseUntil);

    // A job as a stopped or another instance leaves it in the database: running, with these rows.
    private Task LeftRunningAsync(long jobId, IReadOnlyCollection<BulkJobRow> rows, long? runner = null, DateTimeOffset? leaseUntil = null) =>
        BulkJobsLeftRunning.AddAsync(_app, jobId, rows, runner, leaseUntil);

    private async Task<BulkJob> JobAsync(long jobId)
    {
        await using var db = _app.CreateDbContext();
        return await db.BulkJobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
    }

    private async Task<Reply> PostAsync(string csv, string? as_ = ApiClient.Admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3alpha/users/otp_email/_bulk")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        if (as_ is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _api.TokenAsync(as_));
        }

        using var response = await _api.Http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers);
    }
}
