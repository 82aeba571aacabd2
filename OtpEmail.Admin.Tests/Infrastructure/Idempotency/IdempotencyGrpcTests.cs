using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.TestSupport;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Tests.Infrastructure.Idempotency;

[Collection(IdempotencyCollection.Name)]
public sealed class IdempotencyGrpcTests(IdempotencyFixture fixture)
{
    [Theory]
    [InlineData(GrpcTransport.Native)]
    [InlineData(GrpcTransport.WebText)]
    public async Task AnAddRetriedWithTheKeyInMetadataGetsTheSameAnswerAndAddsOnce(GrpcTransport transport)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.App.HttpPort}") };
        var client = GrpcClients.Create(fixture.App, http, transport);
        var userId = await fixture.Api.CreateUserAsync();
        var metadata = await fixture.Api.AuthAsync();
        metadata.Add("idempotency-key", Guid.NewGuid().ToString());
        var request = new Proto.AddOTPEmailAuthenticatorRequest
        {
            UserId = userId,
            Email = new Proto.SetEmail { Address = ApiClient.NewAddress(), ReturnCode = new Proto.ReturnEmailVerificationCode() },
        };

        var first = await client.AddOTPEmailAuthenticatorAsync(request, metadata);
        var retried = await client.AddOTPEmailAuthenticatorAsync(request, metadata);
        request.Email.Address = ApiClient.NewAddress();
        var reused = await Assert.ThrowsAsync<RpcException>(async () => await client.AddOTPEmailAuthenticatorAsync(request, metadata));

        Assert.Equal(first, retried);
        Assert.True(retried.HasVerificationCode);
        Assert.Equal(StatusCode.InvalidArgument, reused.StatusCode);
        Assert.Contains("IDEMPOTENCY-KEY-REUSED", reused.Status.Detail);
        await using var db = fixture.Db();
        Assert.Equal(1, await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(userId)));
    }
}
