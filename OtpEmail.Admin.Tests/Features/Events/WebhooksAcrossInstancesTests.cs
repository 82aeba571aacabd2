using OtpEmail.Admin.Tests.EndToEnd;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Events;

/// <summary>Two app processes on one PostgreSQL database, each with its dispatcher polling every 50 ms: they compete for every delivery.</summary>
[Collection(TwoInstancesCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class WebhooksAcrossInstancesTests(TwoInstancesFixture fixture)
{
    [Fact]
    public async Task TwoInstancesSendEachDeliveryOnceBetweenThem()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var created = await fixture.ApiA.PostAsync("/v3alpha/webhooks",
            Json.Of(new { organizationId = ApiClient.GlobexId, url = receiver.Url("both"), eventTypes = new[] { "user.created" } }));
        Assert.Equal(200, created.Status);
        await fixture.ApiA.TokenAsync(ApiClient.Admin);

        var users = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => fixture.Either(i).CreateUserAsync(ApiClient.GlobexId)));

        var webhookId = created.Json["webhook"]!["id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => await fixture.QueryAsync<long>(
            $"""SELECT count(*) FROM "WebhookDeliveries" WHERE "EndpointId" = {webhookId} AND "Status" = 2""") == users.Length, "every delivery recorded as delivered");
        var received = receiver.To("both");
        Assert.Equal(users.Order(), received.Select(r => r.Json["userId"]!.GetValue<string>()).Order()); // each user's event, none missed
        Assert.Equal(received.Count, received.Select(r => r.Headers["webhook-id"]).Distinct().Count()); // none sent twice
    }
}
