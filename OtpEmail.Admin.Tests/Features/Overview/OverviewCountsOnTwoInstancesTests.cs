using OtpEmail.Admin.Tests.EndToEnd;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Overview;

/// <summary>
/// The overview's counts kept by two app processes on one PostgreSQL database at once: each moves only
/// rows of its own, and together they say what the rows say.
/// </summary>
[Collection(TwoInstancesCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class OverviewCountsOnTwoInstancesTests(TwoInstancesFixture fixture)
{
    private const string Acme = ApiClient.AcmeId;

    [Fact]
    public async Task ConcurrentChangesOnBothInstancesLeaveTheCountsEqualToTheRows()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => fixture.Either(i).CreateUserAsync()));

        // Per user, from either instance at once: a ready one, a pending one, or a pending one then removed.
        var replies = await Task.WhenAll(users.Select(async (user, i) =>
        {
            var api = fixture.Either(i + 1);
            var added = await api.AddOtpEmailAsync(user, i % 3 == 0 ? Json.Verified(ApiClient.NewAddress()) : Json.ReturnCode(ApiClient.NewAddress()));
            return i % 3 == 2 ? await fixture.Either(i).RemoveAsync(user, added.Json["otpEmailId"]!.GetValue<string>()) : added;
        }));

        Assert.All(replies, reply => Assert.Equal(200, reply.Status));
        Assert.Equal(await RowsSayAsync(), await CountsSayAsync());
        // A row of each instance's own for each lane of its writer (two of each): the shard is the instance's number, 256 more a lane.
        Assert.Equal(2L, await fixture.QueryAsync<long>($"""SELECT count(DISTINCT "Shard" % 256) FROM "OrganizationTotals" WHERE "OrganizationId" = {Acme}"""));
        Assert.Equal(4L, await fixture.QueryAsync<long>($"""SELECT count(DISTINCT "Shard") FROM "OrganizationTotals" WHERE "OrganizationId" = {Acme}"""));
    }

    private async Task<(long, long, long)> CountsSayAsync() => (
        await fixture.QueryAsync<long>($"""SELECT sum("Users") FROM "OrganizationTotals" WHERE "OrganizationId" = {Acme}"""),
        await fixture.QueryAsync<long>($"""SELECT sum("WithReady") FROM "OrganizationTotals" WHERE "OrganizationId" = {Acme}"""),
        await fixture.QueryAsync<long>($"""SELECT sum("WithOnlyPending") FROM "OrganizationTotals" WHERE "OrganizationId" = {Acme}"""));

    private async Task<(long, long, long)> RowsSayAsync() => (
        await fixture.QueryAsync<long>($"""SELECT count(*) FROM "Users" WHERE "OrganizationId" = {Acme}"""),
        await fixture.QueryAsync<long>($"""
            SELECT count(*) FROM "Users" u WHERE u."OrganizationId" = {Acme}
            AND EXISTS (SELECT 1 FROM "OtpEmails" a WHERE a."UserId" = u."Id" AND a."State" = 2)
            """),
        await fixture.QueryAsync<long>($"""
            SELECT count(*) FROM "Users" u WHERE u."OrganizationId" = {Acme}
            AND EXISTS (SELECT 1 FROM "OtpEmails" a WHERE a."UserId" = u."Id" AND a."State" = 1)
            AND NOT EXISTS (SELECT 1 FROM "OtpEmails" a WHERE a."UserId" = u."Id" AND a."State" = 2)
            """));
}
