using OtpEmail.Admin.Features.Events;
using OtpEmail.Admin.Tests.EndToEnd;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Events;

/// <summary>
/// The feed while two app processes write to one PostgreSQL database: their transactions commit out of
/// id order, and a reader following the feed must still collect every event exactly once.
/// </summary>
[Collection(TwoInstancesCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class EventFeedAcrossInstancesTests(TwoInstancesFixture fixture)
{
    // Every stored type the feed publishes (other tests of the collection add bulk jobs and their bulk.finished, say).
    private static readonly string Published = string.Join(',', EventTypes.StoredTypes(null).Select(type => $"'{type}'"));

    [Fact]
    public async Task AReaderFollowingTheFeedWhileBothInstancesWriteCollectsEveryEventOnce()
    {
        await fixture.ApiA.TokenAsync(ApiClient.Admin);
        using var writing = new CancellationTokenSource();
        var collected = new List<string>();
        string? position = null;

        async Task<int> ReadPageAsync()
        {
            var reply = await fixture.ApiA.PostAsync("/v3alpha/events/_search", Json.Of(new { afterPosition = position, limit = 7 }));
            Assert.Equal(200, reply.Status);
            var page = reply.Json["events"]!.AsArray();
            collected.AddRange(page.Select(e => e!["id"]!.GetValue<string>()));
            position = reply.Json["nextPosition"]!.GetValue<string>();
            return page.Count;
        }

        var reader = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                await ReadPageAsync();
            }
        });
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var api = fixture.Either(w + i);
                var userId = await api.CreateUserAsync();
                await api.AddOtpEmailAsync(userId, Json.ReturnCode(ApiClient.NewAddress()));
            }
        }));
        await Task.WhenAll(writers);
        await writing.CancelAsync();
        await reader;
        var stored = (await fixture.QueryAsync<string>($"""SELECT string_agg("Id"::text, ',' ORDER BY "Id") FROM "UserEvents" WHERE "Type" IN ({Published})""")).Split(',');
        await Eventually.TrueAsync(async () =>
        {
            while (await ReadPageAsync() > 0)
            {
            }

            return collected.Count >= stored.Length;
        }, "the feed to reach the last event");

        Assert.Equal(collected.Count, collected.Distinct().Count()); // none twice
        Assert.Equal(stored.Order(), collected.Order()); // none missed
    }
}
