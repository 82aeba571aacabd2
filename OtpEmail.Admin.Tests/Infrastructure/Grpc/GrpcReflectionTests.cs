using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Grpc;

/// <summary>Server reflection lets grpcurl and friends call the service without the proto files (Development).</summary>
[Collection(ApiCollection.Name)]
public sealed class GrpcReflectionTests(ApiFixture fixture)
{
    [Fact]
    public async Task ReflectionListsTheUserService()
    {
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(fixture.App.GrpcAddress);
        var client = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel);
        using var call = client.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name);
        Assert.Contains("zitadel.user.v3alpha.UserService", services);
    }
}
