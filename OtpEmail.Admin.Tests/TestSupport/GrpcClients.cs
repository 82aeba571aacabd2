using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Tests.TestSupport;

public enum GrpcTransport
{
    Native,
    WebBinary,
    WebText,
}

/// <summary>Generated v3alpha clients over native gRPC (HTTP/2 cleartext) and gRPC-Web (HTTP/1.1).</summary>
public static class GrpcClients
{
    public static UserService.UserServiceClient Create(AppFactory app, HttpClient http, GrpcTransport transport)
    {
        var channel = transport == GrpcTransport.Native
            ? GrpcChannel.ForAddress(app.GrpcAddress)
            : GrpcChannel.ForAddress(http.BaseAddress!, new GrpcChannelOptions
            {
                HttpHandler = new GrpcWebHandler(transport == GrpcTransport.WebText ? GrpcWebMode.GrpcWebText : GrpcWebMode.GrpcWeb, new HttpClientHandler()),
                HttpVersion = new Version(1, 1),
            });
        return new UserService.UserServiceClient(channel);
    }

    public static async Task<Metadata> AuthAsync(this ApiClient api, string clientId = ApiClient.Admin) =>
        new() { { "authorization", "Bearer " + await api.TokenAsync(clientId) } };
}
