using OtpEmail.Admin.Common;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>With <c>Otp:AllowedTemplateHosts</c> set, links in verification mails go to those hosts only.</summary>
public sealed class AllowedTemplateHostsTests : IAsyncLifetime
{
    private AppFactory _app = null!;
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(25, new Dictionary<string, string?>
        {
            ["Otp:AllowedTemplateHosts:0"] = "verify.example.com",
            ["Otp:AllowedTemplateHosts:1"] = "*.example.org",
        });
        _api = new ApiClient(_app.StartClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("https://verify.example.com/{{.Code}}", 200)]
    [InlineData("https://a.b.example.org/v?c={{.Code}}", 200)]
    [InlineData("https://evil.example/{{.Code}}", 400)]
    [InlineData("https://verify.example.com.evil.example/{{.Code}}", 400)]
    [InlineData("https://example.org/{{.Code}}", 400)]
    [InlineData("https://notverify.example.com/{{.Code}}", 400)]
    public async Task OnlyTheAllowedHostsAreLinkedTo(string template, int status)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, Json.SendCode(ApiClient.NewAddress(), template));

        Assert.Equal(status, reply.Status);
        if (status == 400)
        {
            Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
            Assert.Equal("URLTEMPLATE-HOST", reply.Json["details"]![0]!["id"]!.GetValue<string>());
            Assert.Contains("one of these hosts: verify.example.com, *.example.org", reply.Json["message"]!.GetValue<string>());
        }
    }
}
